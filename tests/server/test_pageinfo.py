"""Reading what a page asks for, without running it."""

from __future__ import annotations

from desktop.server.pageinfo import package_name, scan_page


def test_title_description_and_toml_packages():
    info = scan_page(
        """<html><head><title> My  page </title><meta name="description" content="Shows things">
        <py-config>packages = ["NumPy", "scikit_learn>=1.0", "https://x/y.whl", "emfs:/a.whl"]</py-config></head></html>"""
    )
    assert info.title == "My page"
    assert info.description == "Shows things"
    assert info.packages == ["numpy", "scikit-learn"]


def test_json_config_and_config_attribute_and_files(tmp_path):
    (tmp_path / "c.toml").write_text('packages = ["pandas"]\n')
    (tmp_path / "c.json").write_text('{"packages": ["six"]}')
    info = scan_page(
        """<py-config>{"packages": ["numpy"]}</py-config>
        <script type="py" config='{"packages": ["matplotlib"]}'></script>
        <script type="mpy" config="c.toml"></script>
        <py-config src="c.json"></py-config>""",
        tmp_path,
    )
    assert info.packages == ["numpy", "matplotlib", "pandas", "six"]


def test_broken_config_is_reported_not_raised():
    info = scan_page('<py-config>packages = ["numpy"</py-config>')
    assert info.packages == []
    assert len(info.config_errors) == 1 and "<py-config>" in info.config_errors[0]


def test_package_name_normalises_requirements():
    assert package_name("Pillow==10.2.0") == "pillow"
    assert package_name("python_dateutil") == "python-dateutil"
    assert package_name("ruamel.yaml[extra] ; python_version>'3'") == "ruamel-yaml"
    assert package_name("./wheels/x-1.0-py3-none-any.whl") is None


def test_interpreters_on_the_main_thread_are_told_apart_from_workers():
    info = scan_page('<script type="mpy">x = 1</script><py-script>y = 2</py-script><script type="py" worker src="w.py"></script>')
    assert info.interpreters == {"micropython", "pyodide"} and not info.own_interpreter
    only_workers = scan_page('<py-config>packages = []</py-config><script type="py" worker src="w.py"></script>')
    assert only_workers.interpreters == set()
    own = scan_page('<mpy-config>interpreter = "/vendor/micropython.mjs"</mpy-config><script type="mpy"></script>')
    assert own.interpreters == {"micropython"} and own.own_interpreter


def test_packages_given_as_one_string(tmp_path):
    """`packages = "mpmath"` (a string, not a list) is what a published 2024.1.1 page has: PyScript passes it to
    micropip.install, which installs that one package, so the server must read it as that package, not as none."""
    (tmp_path / "pyscript.toml").write_text('packages = "mpmath"\n')
    info = scan_page('<script type="py" src="main.py" config="pyscript.toml"></script>'
                     '<py-config>{"packages": "Pillow==10.2.0"}</py-config>', tmp_path)
    assert info.packages == ["mpmath", "pillow"]
    assert info.pins == ["Pillow==10.2.0"]
    assert info.config_errors == []


def test_a_pyworker_config_file_names_the_page_s_packages(tmp_path):
    """A worker started from the page's Python with its own config file (`PyWorker(..., config="./json/w.json")`)
    needs that config's packages: they count as the page's, so the page gets a Pyodide that has them."""
    (tmp_path / "json").mkdir()
    (tmp_path / "python").mkdir()
    (tmp_path / "json" / "main.json").write_text('{"files": {"/python/worker.py": "worker.py"}}')
    (tmp_path / "json" / "worker.json").write_text('{"packages": ["scikit-learn"]}')
    (tmp_path / "python" / "main.py").write_text(
        'from pyscript import PyWorker\nworker = PyWorker(\n    "./python/worker.py",\n    type="pyodide",\n'
        '    config="./json/worker.json"\n)\n')
    info = scan_page('<script type="py" src="python/main.py" config="json/main.json"></script>'
                     "<script type=\"py\">PyWorker('w.py', config='json/missing.toml')</script>", tmp_path)
    assert info.packages == ["scikit-learn"]
    assert info.config_errors == []


def test_an_editor_s_config_file_is_read_like_a_script_s(tmp_path):
    """`<script type="py-editor" config="./config.toml">` (2024.4 on): the editor's worker loads that config's
    packages and js_modules, so they count for the page; the file's text is kept for the server's library scan."""
    (tmp_path / "config.toml").write_text('packages = ["arrr"]\n[js_modules.worker]\n"https://esm.run/x@1" = "x"\n')
    info = scan_page('<script type="mpy-editor" src="task.py" config="./config.toml" env="a" setup></script>'
                     '<script type="py-editor" config="./config.toml"></script>', tmp_path)
    assert info.packages == ["arrr"]
    assert info.config_texts == [(tmp_path / "config.toml").read_text()] * 2
    assert info.interpreters == set()  # editors run in workers of their own
    assert info.worker_interpreters == {"micropython", "pyodide"}


def test_workers_started_from_javascript_name_the_page_s_packages(tmp_path):
    """`PyWorker("./w.py", {config: {packages: [...]}})` or `{config: "./w.toml"}` in the page's JavaScript (inline
    or its own .js file), or `config={"packages": [...]}` in Python: the worker's packages are the page's; a
    MicroPython worker's are not the Pyodide bundle's business."""
    (tmp_path / "w.toml").write_text('packages = ["pandas"]\n')
    (tmp_path / "app.js").write_text('import { PyWorker } from "https://pyscript.net/releases/2024.1.1/core.js";\n'
                                     'PyWorker("./w.py", {\n  config: "./w.toml",\n});\n')
    inline = ('<script type="module">const { PyWorker } = await import("./core.js");\n'
              'PyWorker("./w.py", { type: "pyodide", config: { packages: ["numpy", "scipy>=1"] } });\n'
              'PyWorker(`./m.py`, { type: "micropython", config: { packages: ["arrr"] } });</script>')
    info = scan_page(inline + '<script src="app.js"></script>', tmp_path)
    assert info.packages == ["numpy", "scipy", "pandas"]
    assert "pyodide" in info.worker_interpreters and info.interpreters == set()
    python = scan_page('<script type="py">w = PyWorker("w.py", type="pyodide", config={"packages": ["sympy"]})</script>')
    assert python.packages == ["sympy"]
    unclosed = scan_page('<script>new Worker("x.js"); // the page ends here')
    assert unclosed.packages == [] and unclosed.config_errors == []


def test_an_empty_packages_list_still_means_micropip():
    """`"packages": []` makes PyScript load micropip (an empty array is true in JavaScript); the releases' npm
    Pyodides lack it, so the server must know. A config without the key, or classic's, does not."""
    assert scan_page('<script type="py" config=\'{"packages": []}\'></script>').micropip is True
    assert scan_page('<script type="py" config=\'{"files": {}}\'></script>').micropip is False
    assert scan_page('<script src="https://pyscript.net/alpha/pyscript.js"></script>'
                     '<py-config>{"packages": []}</py-config>').micropip is False


def test_a_plain_pyodide_pages_javascript_names_the_packages_it_loads(tmp_path):
    """loadPackage(...) and micropip.install(...) in a plain Pyodide page's own JavaScript (inline and its
    local .js files): literal names only, URLs and wheels left out, kept apart from `packages`."""
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "boot.js").write_text('await pyodide.loadPackage("pandas");\n')
    info = scan_page(
        """<script src="https://cdn.jsdelivr.net/pyodide/v0.27.7/full/pyodide.js"></script>
        <script src="js/boot.js"></script><script src="../outside.js"></script>
        <script type="module">
          await py.loadPackage(["numpy", "Regex", "https://x/y-1.0-py3-none-any.whl", name]);
          await py.runPythonAsync(`import micropip\nawait micropip.install("snowballstemmer")`);
        </script><title>T</title>""",
        tmp_path,
    )
    assert info.loads == ["snowballstemmer", "numpy", "regex", "pandas"]
    assert info.packages == [] and info.title == "T"
    # a page without Pyodide: its scripts' words are not read as package loads
    assert scan_page('<script>x.loadPackage("regex")</script>').loads == []
    # a script the page never closes still counts, and is no config
    unclosed = scan_page('<script src="pyodide.js"></script><script>pyodide.loadPackage("regex")')
    assert unclosed.loads == ["regex"] and unclosed.config_errors == []
