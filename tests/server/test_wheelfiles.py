"""Files pages name on GitHub or an npm CDN, answered from the bundled wheel of the same project
(server/wheelfiles.py): LTK's modules from raw.githubusercontent.com (pyscript-ltk), Panel's JavaScript
(panel). Pages doing it end to end: the corpus rows own/ltk/index.html, examples/panel, examples/panel_kmeans."""

from __future__ import annotations

import zipfile

import httpx
import pytest

from desktop.server.wheelfiles import WHEEL_PREFIX, github_file, npm_file

RAW = "raw.githubusercontent.com"


@pytest.mark.parametrize("path, member", [
    ("/pyscript/ltk/main/ltk/jquery.py", "ltk/jquery.py"),
    ("/pyscript/ltk/refs/heads/main/ltk/ltk.css", "ltk/ltk.css"),  # the form GitHub redirects to
    ("/PyScript/LTK/v0.2.30/ltk/widgets.py", "ltk/widgets.py"),  # a tag; GitHub names are case-insensitive
    ("/pyscript/ltk/main/src/ltk/__init__.py", "ltk/__init__.py"),  # 2023 pages: the folder sat under src/
])
def test_ltk_files_map_to_the_wheel(path, member):
    found = github_file(RAW, path)
    assert found is not None and found.member == member and found.distribution == "pyscript-ltk"
    assert found.path == f"{WHEEL_PREFIX}/pyscript-ltk/{member}"


def test_panel_s_javascript_maps_to_the_panel_wheel():
    found = npm_file("@holoviz/panel", "1.3.8", "dist/panel.min.js")
    assert found is not None and found.path == f"{WHEEL_PREFIX}/panel/panel/dist/panel.min.js"
    assert "@holoviz/panel@1.3.8" in found.notice and "bundled panel package" in found.notice
    assert npm_file("@holoviz/panel", "1.3.8", None) is None
    assert npm_file("@holoviz/panel", "1.3.8", "dist/../../x.py") is None
    assert npm_file("@bokeh/bokehjs", "3.6.0", "build/js/bokeh.min.js") is None  # the library cache's


@pytest.mark.parametrize("host, path", [
    (RAW, "/pyscript/ltk/main/README.md"),  # not in the package folder: not in the wheel either
    (RAW, "/pyscript/ltk/main/ltk/../setup.py"),
    (RAW, "/someone/else/main/ltk/jquery.py"),  # another repository
    ("github.com", "/pyscript/ltk/main/ltk/jquery.py"),
])
def test_other_files_are_not_mapped(host, path):
    assert github_file(host, path) is None


def test_a_config_s_github_urls_are_served_from_the_bundled_wheel(serve, tmp_path, bundle):
    wheelhouse = bundle.wheelhouse_dir(bundle.manifest.pairs["default"].pyodide)
    wheel = next(wheelhouse.glob("pyscript_ltk-*.whl"))
    (tmp_path / "pyscript.toml").write_text(
        '[files]\n"https://raw.githubusercontent.com/pyscript/ltk/main/ltk/widgets.py" = "ltk/widgets.py"\n'
        '"https://raw.githubusercontent.com/someone/else/main/x.py" = "x.py"\n', encoding="utf-8")
    server = serve(tmp_path)
    with httpx.Client(base_url=server.origin, headers=server.auth_headers()) as client:
        config = client.get("/pyscript.toml").text
        assert f'"{server.origin}{WHEEL_PREFIX}/pyscript-ltk/ltk/widgets.py" = "ltk/widgets.py"' in config
        assert '"https://raw.githubusercontent.com/someone/else/main/x.py"' in config  # left for the policy to block
        served = client.get(f"{WHEEL_PREFIX}/pyscript-ltk/ltk/widgets.py")
        css = client.get(f"{WHEEL_PREFIX}/pyscript-ltk/ltk/ltk.css")
        missing = client.get(f"{WHEEL_PREFIX}/pyscript-ltk/ltk/nothing.py")
        absent = client.get(f"{WHEEL_PREFIX}/not-bundled/x/y.py")
    with zipfile.ZipFile(wheel) as archive:
        assert served.status_code == 200 and served.content == archive.read("ltk/widgets.py")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert missing.status_code == 404 and "has no file ltk/nothing.py" in missing.text
    assert absent.status_code == 404 and "python main.py runtime add not-bundled" in absent.text


def test_panel_urls_of_every_cdn_are_served_from_the_wheel(serve, tmp_path, bundle):
    """Panel's JavaScript must be the Python panel's own version; npm has only the newest Panel."""
    wheelhouse = bundle.wheelhouse_dir(bundle.manifest.pairs["default"].pyodide)
    wheel = next(wheelhouse.glob("panel-*.whl"))
    (tmp_path / "index.html").write_text(
        '<script src="https://cdn.jsdelivr.net/npm/@holoviz/panel@1.3.8/dist/panel.min.js"></script>', encoding="utf-8")
    server = serve(tmp_path)
    with httpx.Client(base_url=server.origin, headers=server.auth_headers()) as client:
        page = client.get("/index.html").text
        assert f'src="{server.origin}{WHEEL_PREFIX}/panel/panel/dist/panel.min.js"' in page
        script = client.get(f"{WHEEL_PREFIX}/panel/panel/dist/panel.min.js")
        # what Panel itself asks for at run time (its stylesheets), and unpkg's form
        css = client.get("/_cdn/page/cdn.holoviz.org/panel/1.5.5/dist/css/loading.css", follow_redirects=False)
        unpkg = client.get("/_cdn/page/unpkg.com/@holoviz/panel@1.5.5/dist/panel.min.js", follow_redirects=False)
    with zipfile.ZipFile(wheel) as archive:
        assert script.status_code == 200 and script.content == archive.read("panel/dist/panel.min.js")
    assert script.headers["content-type"].startswith("text/javascript")
    assert css.status_code == 302 and css.headers["location"].endswith(f"{WHEEL_PREFIX}/panel/panel/dist/css/loading.css")
    assert unpkg.status_code == 302 and unpkg.headers["location"].endswith(f"{WHEEL_PREFIX}/panel/panel/dist/panel.min.js")
