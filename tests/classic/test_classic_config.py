"""Classic configs as classic PyScript read them, in the page and on the server (no false "broken config")."""

from __future__ import annotations

from desktop.classic.migrate import parse_config
from desktop.server.pageinfo import scan_page

ALPHA_CONFIG = """
    <py-config>
      - autoclose_loader: false
      - runtimes:
        -
          src: "https://cdn.jsdelivr.net/pyodide/v0.20.0/full/pyodide.js"
          name: pyodide-0.20
          lang: python
    </py-config>
"""


def test_alpha_yaml_config_is_a_merged_list_of_mappings():
    text = ALPHA_CONFIG.split("<py-config>")[1].split("</py-config>")[0]
    assert parse_config(text) == {
        "autoclose_loader": False,
        "runtimes": [{"src": "https://cdn.jsdelivr.net/pyodide/v0.20.0/full/pyodide.js", "name": "pyodide-0.20", "lang": "python"}],
    }


def test_py_env_packages_and_paths():
    assert parse_config("""
        - numpy
        - matplotlib
        - paths:
          - ./utils.py
          - ./data.csv
    """, "yaml") == {"packages": ["numpy", "matplotlib"], "paths": ["./utils.py", "./data.csv"]}


def test_2022_yaml_mapping_with_nested_blocks():
    assert parse_config("""
        autoclose_loader: true
        packages:
          - numpy
        splashscreen:
          autoclose: false
        paths: [a.py, b.py]
    """) == {"autoclose_loader": True, "packages": ["numpy"], "splashscreen": {"autoclose": False}, "paths": ["a.py", "b.py"]}


def test_toml_and_json_still_read():
    assert parse_config('packages = ["six"]\n[[fetch]]\nfiles = ["a.txt"]') == {"packages": ["six"], "fetch": [{"files": ["a.txt"]}]}
    assert parse_config('{"packages": ["six"]}') == {"packages": ["six"]}


def test_server_reads_a_classic_pages_yaml_without_a_broken_config_box():
    page = ('<html><head><script defer src="https://pyscript.net/alpha/pyscript.js"></script>'
            "<py-env>\n    - numpy\n    - bokeh\n    - paths:\n      - ./utils.py\n    </py-env>" + ALPHA_CONFIG + "</head></html>")
    info = scan_page(page)
    assert info.classic and info.config_errors == []
    assert info.packages == ["numpy", "bokeh"]  # so a missing one gets the modern page's box


def test_a_modern_page_is_still_read_as_toml():
    info = scan_page('<script type="module" src="core.js"></script><py-config>packages: [x]</py-config>')
    assert not info.classic
    assert len(info.config_errors) == 1 and info.packages == []


def test_config_src_file_and_inline_body_merge_as_classic_did(tmp_path):
    (tmp_path / "c.toml").write_text('packages = ["six"]\nname = "file"')
    page = ('<script defer src="https://pyscript.net/releases/2022.12.1/pyscript.js"></script>'
            '<py-config src="c.toml">{}</py-config>')
    assert scan_page(page.format('packages = ["numpy"]'), tmp_path).packages == ["numpy"]  # inline keys win
    assert scan_page(page.format('name = "inline"'), tmp_path).packages == ["six"]  # the file's other keys stay
    assert scan_page(page.format(""), tmp_path).packages == ["six"]
