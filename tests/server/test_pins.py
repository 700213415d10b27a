"""Version pins the bundle cannot meet (`bokeh==3.2.2` in a 2024 page): the bundled version stands in."""

from __future__ import annotations

import httpx
import pytest

from desktop.server.pageinfo import scan_page
from desktop.server.pins import quoted_specs, relax_pins, standin_notes, unmet_pins

VERSIONS = {"bokeh": "3.6.0", "pandas": "2.2.3", "numpy": "2.0.2"}


def test_only_pins_the_bundle_cannot_meet_are_relaxed():
    config = 'packages = ["pandas", "bokeh==3.2.2", "numpy>=1.20", "xyzservices==2023.10.1", \'bokeh<3\']'
    specs = quoted_specs(config)
    assert specs == ["bokeh==3.2.2", "numpy>=1.20", "xyzservices==2023.10.1", "bokeh<3"]
    unmet = unmet_pins(specs, VERSIONS)
    assert unmet == {"bokeh==3.2.2": ("bokeh", "3.6.0"), "bokeh<3": ("bokeh", "3.6.0")}  # not bundled: the box's job
    text, notices = relax_pins(config, unmet)
    assert text == 'packages = ["pandas", "bokeh", "numpy>=1.20", "xyzservices==2023.10.1", \'bokeh\']'
    assert notices[0] == ("bokeh==3.2.2 is not in the offline runtime bundle; its bokeh 3.6.0 stands in "
                          "(this app makes no network requests).")


def test_pins_are_read_from_every_config_form(tmp_path):
    (tmp_path / "pyscript.toml").write_text('packages = ["bokeh==3.2.2"]\n')
    page = ('<script type="py" src="main.py" config="pyscript.toml"></script>'
            '<py-config>packages = ["pandas~=1.5"]</py-config>')
    assert scan_page(page, tmp_path).pins == ["bokeh==3.2.2", "pandas~=1.5"]


def test_served_page_and_config_ask_for_the_bundled_version(serve, tmp_path):
    """Through the real server and bundle: the config file and the inline config are relaxed as served
    (the files on disk are not), and the page's console notice names the stand-in."""
    (tmp_path / "pyscript.toml").write_text('packages = ["pandas", "bokeh==3.2.2"]\n')
    (tmp_path / "main.py").write_text("import bokeh\n")
    (tmp_path / "index.html").write_text(
        '<script type="module" src="https://pyscript.net/releases/2024.1.1/core.js"></script>'
        '<script type="py" src="main.py" config="pyscript.toml"></script>')
    server = serve(tmp_path)
    with httpx.Client(headers=server.auth_headers(), timeout=30) as client:
        config = client.get(server.url + "pyscript.toml").text
        page = client.get(server.url + "index.html").text
    bokeh = server.package_versions()["bokeh"]
    assert config == 'packages = ["pandas", "bokeh"]\n'
    assert f"its bokeh {bokeh} stands in" in page
    assert (tmp_path / "pyscript.toml").read_text() == 'packages = ["pandas", "bokeh==3.2.2"]\n'


@pytest.mark.e2e
def test_a_stand_ins_deprecation_warnings_go_to_the_console_not_the_page(serve, tmp_path, browser_page, output_dir):
    """The official bokeh example of 2024.1.1 pins bokeh==3.2.2 and calls `circle(size=...)`, which the
    bundle's bokeh 3.6 deprecates: PyScript showed that as a red box under the plot. The stand-in's
    deprecation warning goes to the console, naming the substitution; the page's own warning (and any
    other) still shows as PyScript shows it."""
    (tmp_path / "pyscript.toml").write_text('packages = ["bokeh==3.2.2"]\n')
    (tmp_path / "main.py").write_text(
        "import warnings\n"
        "import js\n"
        "from bokeh.plotting import figure\n"
        "p = figure(width=300, height=300)\n"
        "p.circle([1, 2, 3], [4, 6, 5], size=15)\n"  # deprecated in bokeh 3.4, not in the 3.2 pinned
        "warnings.warn('the page warns of its own accord')\n"
        "js.document.body.insertAdjacentHTML('beforeend', '<p>plotted with bokeh</p>')\n")
    (tmp_path / "index.html").write_text(
        '<!doctype html><html><head><meta charset="utf-8">'
        '<script type="module" src="https://pyscript.net/releases/2024.1.1/core.js"></script></head>'
        '<body><script type="py" src="main.py" config="pyscript.toml"></script></body></html>')
    server = serve(tmp_path)
    run = browser_page(server.url + "index.html")
    run.wait_for_text("plotted with bokeh", timeout=150)
    run.page.wait_for_function("document.querySelectorAll('.py-error').length >= 1", timeout=10_000)
    run.page.wait_for_timeout(500)
    run.page.screenshot(path=str(output_dir / "pins-standin-warnings.png"))
    boxes = run.page.evaluate("[...document.querySelectorAll('.py-error')].map(e => e.innerText)")
    bokeh = server.package_versions()["bokeh"]
    assert len(boxes) == 1 and "the page warns of its own accord" in boxes[0], boxes
    warned = [text for kind, text in run.console if kind == "warning" and "BokehDeprecationWarning" in text]
    assert len(warned) == 1, run.console_text()[-2000:]
    assert "'circle() method with size value' was deprecated" in warned[0]
    assert f"bokeh {bokeh} stands in for the page's bokeh==3.2.2" in warned[0]


def test_stand_in_notes_name_the_import_and_the_substitution():
    from desktop.server.pyhooks import standin_warnings_snippet

    notes = standin_notes({"bokeh==3.2.2": ("bokeh", "3.6.0"), "Typing-Extensions<4": ("Typing-Extensions", "4.11.0")})
    assert notes["bokeh"].startswith("bokeh 3.6.0 stands in for the page's bokeh==3.2.2")
    assert set(notes) == {"bokeh", "typing_extensions"}
    core = "http://127.0.0.1:1/_runtime/pyscript-core/0.3.14/dist/core.js"
    assert standin_warnings_snippet(core, {}) == ""  # no pin replaced: nothing added to the page
    assert "bokeh 3.6.0 stands in" in standin_warnings_snippet(core, notes)
