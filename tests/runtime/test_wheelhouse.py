"""`runtime add`: lock packages and pure-Python wheels into the wheelhouse, then used offline.

Resolution runs the real pip against a PyPI-style index on 127.0.0.1 (fast, offline); the e2e tests at
the end use the real PyPI and a real page in Chromium.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.errors import PackageNotFoundError, RuntimeMissingError
from desktop.runtime.bundle import RuntimeBundle
from desktop.runtime.fetch import Fetcher
from desktop.runtime.npm import Npm
from desktop.runtime.verify import verify_bundle
from desktop.runtime.wheelhouse import INDEX, Wheelhouse
from desktop.settings import app_root

from conftest import linked_runtime

from .conftest import VERSION, FakeIndex, make_wheel, synthetic_lock, write_synthetic


@pytest.fixture
def local(tmp_path, fake_index: FakeIndex) -> tuple[RuntimeBundle, Wheelhouse, Path]:
    """A fetched synthetic runtime whose lock also lists `zeta` (served by the fake CDN, not bundled)."""
    wheels = {"alpha-1.0-py3-none-any.whl": b"alpha " * 1000}
    zeta = b"zeta official build " * 500
    lock = synthetic_lock({**wheels, "zeta-0.5-py3-none-any.whl": zeta})
    lock["packages"]["zeta"]["depends"] = ["alpha"]
    root, cache = write_synthetic(tmp_path, wheels, lock)
    cdn = fake_index.cdn
    for name, data in {**wheels, "zeta-0.5-py3-none-any.whl": zeta}.items():
        cdn.add_package_file(VERSION, name, data)
    bundle = RuntimeBundle(root)
    Fetcher(bundle, cache, mirror=cdn.base, npm=Npm(None)).fetch(bundle.manifest.pair())
    cdn.requests.clear()
    return bundle, Wheelhouse(bundle, VERSION, pip=fake_index.pip()), cache


def publish(index: FakeIndex, name: str, version: str, **kwargs) -> str:
    file_name, data = make_wheel(name, version, **kwargs)
    index.publish(name, file_name, data)
    return file_name


def test_pure_python_wheel_with_dependencies(local, fake_index):
    bundle, wheelhouse, cache = local
    omega = publish(fake_index, "omega", "2.1", requires=["alpha", "psi>=1", "windows-only; sys_platform == 'win32'",
                                                         "testing-tool; extra == 'test'"])
    psi = publish(fake_index, "psi", "1.4")
    publish(fake_index, "psi", "0.9")
    added = wheelhouse.add(["Omega"], cache, mirror=fake_index.cdn.base)
    assert added == ["omega", "psi"]
    entries = wheelhouse.entries()
    assert entries["omega"] == {
        "name": "omega", "version": "2.1", "file_name": omega, "install_dir": "site",
        "sha256": hashlib.sha256(wheelhouse.file_path(omega).read_bytes()).hexdigest(),
        "package_type": "package", "imports": ["omega"], "depends": ["alpha", "psi"], "unvendored_tests": False,
    }
    assert entries["psi"]["file_name"] == psi  # the newest version that satisfies >=1
    assert [p for p, _ in fake_index.cdn.requests if p.startswith("/pyodide/")] == []  # alpha is bundled
    assert verify_bundle(bundle).ok
    # again: nothing to do, nothing asked
    fake_index.cdn.requests.clear()
    assert wheelhouse.add(["omega"], cache) == []
    assert fake_index.cdn.requests == []


def test_lock_package_comes_from_the_lock_with_its_sha256(local, fake_index):
    bundle, wheelhouse, cache = local
    assert wheelhouse.add(["zeta"], cache, mirror=fake_index.cdn.base) == ["zeta"]
    lock_entry = synthetic_lock({"zeta-0.5-py3-none-any.whl": b"zeta official build " * 500})["packages"]["zeta"]
    assert wheelhouse.entries()["zeta"] == {**lock_entry, "depends": ["alpha"]}
    assert wheelhouse.file_path("zeta-0.5-py3-none-any.whl").read_bytes() == b"zeta official build " * 500
    assert [p for p, _ in fake_index.cdn.requests] == [f"/pyodide/v{VERSION}/full/zeta-0.5-py3-none-any.whl"]


def test_a_corrupt_lock_package_is_not_added(local, fake_index):
    bundle, wheelhouse, cache = local
    fake_index.cdn.corrupt.add(f"/pyodide/v{VERSION}/full/zeta-0.5-py3-none-any.whl")
    # The official file is bad, so the same version's wheel from the index is used instead (and it has none).
    with pytest.raises(PackageNotFoundError) as raised:
        wheelhouse.add(["zeta"], cache, mirror=fake_index.cdn.base)
    message = raised.value.message
    assert "zeta is in the Pyodide" in message and "did not match its pinned sha256" in message
    assert "no pure-Python wheel of zeta==0.5" in message and "no project of that name" in message
    assert wheelhouse.entries() == {}


def test_only_compiled_wheels_is_a_clear_error_and_nothing_is_written(local, fake_index):
    bundle, wheelhouse, cache = local
    publish(fake_index, "psi", "1.4")
    publish(fake_index, "fastthing", "1.0", tag="cp312-cp312-manylinux_2_17_x86_64")
    with pytest.raises(PackageNotFoundError) as raised:
        wheelhouse.add(["psi", "fastthing"], cache)
    message = raised.value.message
    assert "fastthing" in message and "only has compiled wheels" in message and "cp312-cp312-manylinux_2_17_x86_64" in message
    assert "pure-Python" in raised.value.hint
    assert wheelhouse.entries() == {} and not (wheelhouse.folder / INDEX).exists()
    assert not list(wheelhouse.folder.glob("*.whl"))


def test_source_only_and_unknown_packages_say_why(local, fake_index):
    bundle, wheelhouse, cache = local
    fake_index.publish("sluggish", "sluggish-1.0.tar.gz", b"not really a tarball")
    with pytest.raises(PackageNotFoundError) as raised:
        wheelhouse.add(["sluggish"], cache)
    assert "only has a source distribution" in raised.value.message
    with pytest.raises(PackageNotFoundError) as raised:
        wheelhouse.add(["no-such-project-zz9"], cache)
    assert "no-such-project-zz9" in raised.value.message and "no project of that name" in raised.value.message


def test_file_path_only_serves_recorded_wheels(local, fake_index):
    bundle, wheelhouse, cache = local
    omega = publish(fake_index, "omega", "1.0")
    wheelhouse.add(["omega"], cache)
    assert wheelhouse.file_path(omega) == wheelhouse.folder / omega
    (wheelhouse.folder / "stray-1.0-py3-none-any.whl").write_bytes(b"x")
    assert wheelhouse.file_path("stray-1.0-py3-none-any.whl") is None
    assert wheelhouse.file_path("../" + omega) is None and wheelhouse.file_path(INDEX) is None


def test_add_needs_the_pyodide_component(tmp_path):
    root, cache = write_synthetic(tmp_path, {}, synthetic_lock({}))
    with pytest.raises(RuntimeMissingError) as raised:
        Wheelhouse(RuntimeBundle(root), VERSION).add(["anything"], cache)
    assert "runtime fetch" in raised.value.hint


# -- against the real PyPI and the real runtime ----------------------------------------------------


@pytest.fixture
def private_bundle(tmp_path: Path, bundle) -> RuntimeBundle:
    """The real runtime, linked into a temp root so that `add` writes only there."""
    return linked_runtime(bundle, tmp_path / "runtime")


@pytest.mark.e2e
@pytest.mark.network
def test_add_pure_python_wheel_from_pypi_and_use_it_in_a_page(private_bundle, tmp_path, serve, browser_page):
    wheelhouse = Wheelhouse(private_bundle, "0.27.7")
    added = wheelhouse.add(["tabulate==0.9.0"], tmp_path / "cache")  # pinned: the same wheel on every run
    assert added == ["tabulate"]
    entry = wheelhouse.entries()["tabulate"]
    assert entry["file_name"].endswith("-py3-none-any.whl") and entry["imports"] == ["tabulate"]
    count, problems = wheelhouse.verify()
    assert problems == [] and count == 1 + len(private_bundle.manifest.pypi_wheels.get("0.27.7", {}))  # the pinned wheels too
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


@pytest.mark.e2e
@pytest.mark.network
def test_real_pypi_unknown_package_is_explained(private_bundle, tmp_path):
    with pytest.raises(PackageNotFoundError) as raised:
        Wheelhouse(private_bundle, "0.27.7").add(["definitely-not-a-real-package-zz9"], tmp_path / "cache")
    assert "definitely-not-a-real-package-zz9" in raised.value.message
    assert "no pure-Python wheel" in raised.value.message and raised.value.hint


@pytest.mark.e2e
@pytest.mark.network
def test_real_pypi_compiled_only_package_is_explained(private_bundle, tmp_path):
    with pytest.raises(PackageNotFoundError) as raised:
        Wheelhouse(private_bundle, "0.27.7").add(["psutil"], tmp_path / "cache")  # compiled, not built by Pyodide
    assert "psutil" in raised.value.message and "only has compiled wheels" in raised.value.message


@pytest.mark.e2e
def test_already_bundled_package_adds_nothing(private_bundle, tmp_path):
    assert Wheelhouse(private_bundle, "0.27.7").add(["numpy", "Pandas"], tmp_path / "cache") == []


@pytest.mark.e2e
@pytest.mark.network
def test_cli_add_unknown_package_exit_code(tmp_path, bundle):
    env = {**os.environ, "PYSCRIPT_DESKTOP_HOME": str(tmp_path / "home")}
    result = subprocess.run(
        [sys.executable, str(app_root() / "main.py"), "runtime", "add", "definitely-not-a-real-package-zz9"],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert result.returncode == 5
    assert "definitely-not-a-real-package-zz9" in result.stderr and "Traceback" not in result.stderr


def test_a_compiled_lock_package_whose_file_is_unreachable_says_where_it_must_come_from(tmp_path, fake_index):
    """Issue 20, 5(c): pygame-ce and the like exist only as Pyodide's own build; PyPI has no stand-in."""
    wheels = {"alpha-1.0-py3-none-any.whl": b"alpha " * 1000}
    kappa = "kappa-2.4.1-cp312-cp312-pyodide_2024_0_wasm32.whl"
    lock = synthetic_lock({**wheels, kappa: b"compiled " * 300})
    root, cache = write_synthetic(tmp_path, wheels, lock)
    cdn = fake_index.cdn
    for name, data in wheels.items():
        cdn.add_package_file(VERSION, name, data)  # kappa's file is not served: unreachable
    bundle = RuntimeBundle(root)
    Fetcher(bundle, cache, mirror=cdn.base, npm=Npm(None)).fetch(bundle.manifest.pair())
    wheelhouse = Wheelhouse(bundle, VERSION, pip=fake_index.pip())
    with pytest.raises(PackageNotFoundError) as raised:
        wheelhouse.add(["kappa"], cache, mirror=cdn.base)
    error = raised.value
    assert f"kappa 2.4.1 is compiled for Pyodide {VERSION}, so only Pyodide's own build of it runs" in error.message
    assert f"the file {kappa}" in error.message and f"v{VERSION}/full/{kappa}" in error.message
    assert "python main.py runtime add kappa" in error.hint and "--mirror URL" in error.hint
    assert wheelhouse.entries() == {}
