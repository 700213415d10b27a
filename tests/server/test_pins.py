"""Version pins the bundle cannot meet (`bokeh==3.2.2` in a 2024 page): the bundled version stands in."""

from __future__ import annotations

import httpx

from desktop.server.pageinfo import scan_page
from desktop.server.pins import quoted_specs, relax_pins, unmet_pins

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
