"""`runtime add`: pure-Python wheels from PyPI and Pyodide lock packages, used offline by pages."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.errors import PackageNotFoundError
from desktop.runtime.bundle import RuntimeBundle
from desktop.runtime.wheelhouse import Wheelhouse
from desktop.settings import app_root, default_runtime_dir

pytestmark = pytest.mark.e2e


@pytest.fixture
def private_bundle(tmp_path: Path, bundle) -> RuntimeBundle:
    """The real runtime, linked into a temp root so that `add` writes only there."""
    root = tmp_path / "runtime"
    root.mkdir()
    shutil.copyfile(bundle.root / "manifest.toml", root / "manifest.toml")
    for kind in ("pyscript-core", "pyodide", "micropython"):
        (root / kind).mkdir()
        for version in bundle.installed_versions(kind):
            os.symlink(bundle.component_dir(kind, version), root / kind / version)
    return RuntimeBundle(root)


def test_add_pure_python_wheel_from_pypi_and_use_it_in_a_page(private_bundle, tmp_path, serve, browser_page):
    wheelhouse = Wheelhouse(private_bundle, "0.27.7")
    added = wheelhouse.add(["tabulate"], tmp_path / "cache")
    assert added == ["tabulate"]
    entry = wheelhouse.entries()["tabulate"]
    assert entry["file_name"].endswith("-py3-none-any.whl") and entry["imports"] == ["tabulate"]
    assert wheelhouse.verify() == []
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(
        """<!doctype html><html><head><script type="module" src="https://pyscript.net/releases/2025.8.1/core.js"></script>
        <py-config>packages = ["tabulate"]</py-config></head><body><pre id="out"></pre>
        <script type="py">
from tabulate import tabulate
from pyscript import document
document.getElementById("out").textContent = "TABLE\\n" + tabulate([["a", 1]], headers=["k", "v"])
        </script></body></html>"""
    )
    server = serve(site, bundle=private_bundle)
    run = browser_page(server.url)
    run.wait_for_text("TABLE")
    lines = run.page.inner_text("#out").splitlines()
    assert [line.split() for line in lines[1:]] == [["k", "v"], ["---", "---"], ["a", "1"]]
    assert not run.page.locator(".pyscript-desktop-problem").count()


def test_unknown_package_is_a_clear_error(private_bundle, tmp_path):
    with pytest.raises(PackageNotFoundError) as raised:
        Wheelhouse(private_bundle, "0.27.7").add(["definitely-not-a-real-package-zz9"], tmp_path / "cache")
    assert "definitely-not-a-real-package-zz9" in raised.value.message
    assert "no pure-Python wheel on PyPI" in raised.value.message
    assert raised.value.hint


def test_already_bundled_package_adds_nothing(private_bundle, tmp_path):
    assert Wheelhouse(private_bundle, "0.27.7").add(["numpy", "Pandas"], tmp_path / "cache") == []


def test_cli_add_unknown_package_exit_code(tmp_path):
    env = {**os.environ, "PYSCRIPT_DESKTOP_HOME": str(tmp_path / "home")}
    result = subprocess.run(
        [sys.executable, str(app_root() / "main.py"), "runtime", "add", "definitely-not-a-real-package-zz9"],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert result.returncode == 5
    assert "definitely-not-a-real-package-zz9" in result.stderr and "Traceback" not in result.stderr
