"""LTK's modules fetched from raw.githubusercontent.com are answered from the bundled pyscript-ltk wheel
(server/github.py). A page doing it end to end is the corpus row own/ltk/index.html."""

from __future__ import annotations

import zipfile

import httpx
import pytest

from desktop.server.github import GITHUB_PREFIX, github_file

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
    assert found.path == f"{GITHUB_PREFIX}/pyscript-ltk/{member}"


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
        assert f'"{server.origin}{GITHUB_PREFIX}/pyscript-ltk/ltk/widgets.py" = "ltk/widgets.py"' in config
        assert '"https://raw.githubusercontent.com/someone/else/main/x.py"' in config  # left for the policy to block
        served = client.get(f"{GITHUB_PREFIX}/pyscript-ltk/ltk/widgets.py")
        css = client.get(f"{GITHUB_PREFIX}/pyscript-ltk/ltk/ltk.css")
        missing = client.get(f"{GITHUB_PREFIX}/pyscript-ltk/ltk/nothing.py")
        absent = client.get(f"{GITHUB_PREFIX}/not-bundled/x/y.py")
    with zipfile.ZipFile(wheel) as archive:
        assert served.status_code == 200 and served.content == archive.read("ltk/widgets.py")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert missing.status_code == 404 and "has no file ltk/nothing.py" in missing.text
    assert absent.status_code == 404 and "python main.py runtime add not-bundled" in absent.text
