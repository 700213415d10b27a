"""The "Add NAME and reload" action (server/packages.py) in Chromium: the person's click adds the package
with the real `runtime add` (pip against a package index played on 127.0.0.1) and the page runs; an
unreachable index is said plainly; page scripts cannot add anything without that click."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from conftest import linked_runtime
from runtime.conftest import FakeCdn, FakeIndex, make_wheel

from desktop.runtime.bundle import RuntimeBundle
from desktop.runtime.pip import Pip
from desktop.runtime.precompile import Precompiled, twin_name
from desktop.runtime.wheelhouse import Wheelhouse
from desktop.server.packages import PackageInstaller

pytestmark = pytest.mark.e2e

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>needs gammapkg</title>
<script type="module" src="https://cdn.jsdelivr.net/npm/@pyscript/core@0.6.66/dist/core.js"></script>
</head><body>
<p id="out">waiting</p>
<py-config>packages = ["gammapkg"]</py-config>
<script type="py">
import gammapkg
from pyscript import document
document.getElementById("out").textContent = f"gammapkg {gammapkg.__version__} imported"
</script>
</body></html>
"""


@pytest.fixture
def index():
    cdn = FakeCdn().start()
    yield FakeIndex(cdn)
    cdn.stop()


@pytest.fixture
def private(tmp_path: Path, bundle: RuntimeBundle) -> RuntimeBundle:
    """The real runtime linked into a temp root, so that the add writes only there."""
    return linked_runtime(bundle, tmp_path / "runtime")


def _site(tmp_path: Path, serve, private: RuntimeBundle, pip: Pip):
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "page.html").write_text(PAGE, encoding="utf-8")
    installer = PackageInstaller(private, private.manifest.pair().pyodide, tmp_path / "cache", pip=pip)
    return serve(folder, bundle=private, injections=[installer.injection], mounts=installer.mounts)


def test_the_persons_click_adds_the_package_and_the_page_runs(tmp_path, serve, private, index, browser_page, output_dir):
    name, data = make_wheel("gammapkg", "1.0")
    index.publish("gammapkg", name, data)
    server = _site(tmp_path, serve, private, index.pip())
    run = browser_page(server.url + "page.html")
    run.wait_for_text('Package "gammapkg" is not in the offline runtime bundle.')
    run.page.screenshot(path=str(output_dir / "packages-add-button.png"))
    run.page.click("text=Add gammapkg and reload")
    run.wait_for_text("gammapkg 1.0 imported", timeout=180)
    assert run.page.url == server.url + "page.html"
    assert run.page.locator(".pyscript-desktop-problem").count() == 0
    pyodide = private.manifest.pair().pyodide
    assert Wheelhouse(private, pyodide).entries()["gammapkg"]["file_name"] == name
    assert Precompiled(private, pyodide).records()[name]["file_name"] == twin_name(name)  # its twin, as `runtime add` makes
    run.page.screenshot(path=str(output_dir / "packages-added.png"))


def test_an_unreachable_index_is_said_plainly(tmp_path, serve, private, browser_page, output_dir):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}/simple/"
    server = _site(tmp_path, serve, private, Pip(index_url=dead, isolated=True))
    run = browser_page(server.url + "page.html")
    run.page.click("text=Add gammapkg and reload", timeout=60_000)
    run.wait_for_text("This computer is offline.", timeout=120)
    assert "python main.py runtime add gammapkg" in run.page.inner_text("body")
    run.page.screenshot(path=str(output_dir / "packages-offline.png"))
    assert "gammapkg" not in Wheelhouse(private, private.manifest.pair().pyodide).entries()


def test_page_scripts_cannot_add_without_the_click(tmp_path, serve, private, index, browser_page):
    name, data = make_wheel("gammapkg", "1.0")
    index.publish("gammapkg", name, data)
    server = _site(tmp_path, serve, private, index.pip())
    run = browser_page(server.url + "page.html")
    run.page.wait_for_selector("form.pyscript-desktop-add", state="attached", timeout=60_000)
    status = run.page.evaluate("""async () => (await fetch("/_desktop/api/packages/add", {method: "POST",
        headers: {"Content-Type": "application/x-www-form-urlencoded"}, body: "name=gammapkg&return=/page.html"})).status""")
    assert status == 403
    # (A script's `form.submit()` without a click cannot be tested here: Playwright's evaluate runs with
    # a user gesture, so Chromium sends Sec-Fetch-User: ?1 for it.)
    assert "gammapkg" not in Wheelhouse(private, private.manifest.pair().pyodide).entries()
    assert index.cdn.requests == []  # pip never asked the index
