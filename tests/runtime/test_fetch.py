"""`runtime fetch` through the real fetcher: verification, sources, and the bundle left intact on failure."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from desktop.errors import FetchError, IntegrityError
from desktop.runtime.bundle import RuntimeBundle
from desktop.runtime.fetch import Fetcher
from desktop.runtime.integrity import sri_matches
from desktop.runtime.npm import Npm
from desktop.runtime.verify import verify_bundle

from conftest import require


def tree_digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()}


def fetcher(synthetic, mirror) -> Fetcher:
    return Fetcher(RuntimeBundle(synthetic.root), synthetic.cache, mirror=mirror, npm=Npm(None))


def test_fetch_from_cache_and_mirror_then_verify(synthetic, fake_cdn):
    bundle = RuntimeBundle(synthetic.root)
    fetched = fetcher(synthetic, fake_cdn.base).fetch(bundle.manifest.pair())
    assert fetched == ["pyscript-core 9.9.9", "pyodide 9.9.9", "micropython 9.9.9"]
    for name, data in synthetic.wheels.items():
        assert (bundle.component_dir("pyodide", "9.9.9") / name).read_bytes() == data
    assert bundle.is_installed(bundle.manifest.pair())
    report = verify_bundle(bundle)
    assert report.ok and report.checked == 2 + 2 + 2 + 1
    # complete: a second fetch does nothing and asks nobody
    before = len(fake_cdn.requests)
    assert fetcher(synthetic, fake_cdn.base).fetch(bundle.manifest.pair()) == []
    assert len(fake_cdn.requests) == before


def test_second_fetch_uses_the_cache_not_the_mirror(synthetic, fake_cdn):
    bundle = RuntimeBundle(synthetic.root)
    fetcher(synthetic, fake_cdn.base).fetch(bundle.manifest.pair())
    before = len(fake_cdn.requests)
    fetcher(synthetic, fake_cdn.base).fetch(bundle.manifest.pair(), force=True)
    assert len(fake_cdn.requests) == before


def test_corrupt_file_names_file_and_source_and_keeps_the_old_bundle(synthetic, fake_cdn):
    bundle = RuntimeBundle(synthetic.root)
    fetcher(synthetic, fake_cdn.base).fetch(bundle.manifest.pair())
    before = tree_digest(synthetic.root)
    shutil.rmtree(synthetic.cache / "files")  # no cached copies: the mirror must answer
    fake_cdn.corrupt.add("/pyodide/v9.9.9/full/beta-2.0-py3-none-any.whl")
    with pytest.raises((IntegrityError, FetchError)) as raised:
        Fetcher(bundle, synthetic.cache, mirror=fake_cdn.base, npm=Npm(None)).fetch(bundle.manifest.pair(), force=True)
    assert tree_digest(synthetic.root) == before
    assert not list(synthetic.root.glob(".staging-*"))
    assert raised.value.message  # names what failed


def test_corrupt_package_file_is_an_integrity_error_naming_it(synthetic, fake_cdn):
    bundle = RuntimeBundle(synthetic.root)
    fetcher(synthetic, fake_cdn.base).fetch(bundle.manifest.pair())
    before = tree_digest(synthetic.root)
    # keep the npm tarballs in the cache, drop the cached wheels
    for cached in (synthetic.cache / "files").iterdir():
        if any(p.suffix == ".whl" for p in cached.iterdir()):
            shutil.rmtree(cached)
    fake_cdn.corrupt.add("/pyodide/v9.9.9/full/beta-2.0-py3-none-any.whl")
    with pytest.raises(IntegrityError) as raised:
        fetcher(synthetic, fake_cdn.base).fetch(bundle.manifest.pair(), force=True)
    assert "beta-2.0-py3-none-any.whl" in raised.value.message
    assert fake_cdn.base in raised.value.message  # the source
    assert tree_digest(synthetic.root) == before


def test_interrupted_package_download_resumes_during_fetch(synthetic, fake_cdn):
    path = "/pyodide/v9.9.9/full/alpha-1.0-py3-none-any.whl"
    fake_cdn.cut_once[path] = 10_000
    bundle = RuntimeBundle(synthetic.root)
    fetcher(synthetic, fake_cdn.base).fetch(bundle.manifest.pair())
    ranges = [r for p, r in fake_cdn.requests if p == path]
    assert len(ranges) == 2 and ranges[0] is None and ranges[1].startswith("bytes=")
    assert 0 < int(ranges[1][6:].rstrip("-")) <= 10_000
    assert verify_bundle(bundle).ok


def test_mirror_down_is_a_clear_error_and_nothing_changes(synthetic, tmp_path):
    bundle = RuntimeBundle(synthetic.root)
    with pytest.raises(FetchError) as raised:
        Fetcher(bundle, synthetic.cache, mirror="http://127.0.0.1:9/pyodide", npm=Npm(None)).fetch(bundle.manifest.pair())
    assert "alpha-1.0-py3-none-any.whl" in raised.value.message or "beta" in raised.value.message
    assert "untouched" in raised.value.hint
    assert sorted(p.name for p in synthetic.root.iterdir()) == ["manifest.toml"]


def test_verify_detects_a_flipped_byte(synthetic, fake_cdn):
    bundle = RuntimeBundle(synthetic.root)
    fetcher(synthetic, fake_cdn.base).fetch(bundle.manifest.pair())
    victim = bundle.component_dir("pyodide", "9.9.9") / "alpha-1.0-py3-none-any.whl"
    data = bytearray(victim.read_bytes())
    data[1234] ^= 1
    victim.write_bytes(bytes(data))
    report = verify_bundle(bundle)
    assert report.problems == ["pyodide/9.9.9/alpha-1.0-py3-none-any.whl: content changed (sha256 mismatch)"]


@pytest.mark.e2e
def test_real_npm_client_path(tmp_path):
    """The npm source: `npm pack` of a pinned package, checked against the manifest's SRI."""
    npm = Npm.find()
    require(npm.available(), "npm is not installed")
    manifest = RuntimeBundle(Path(__file__).resolve().parents[2] / "bundled_runtime").manifest
    package = manifest.npm_package("micropython", manifest.pair().micropython)
    tarball = npm.pack(package.spec, tmp_path)
    assert sri_matches(tarball, package.integrity)
