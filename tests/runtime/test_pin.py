"""`runtime pin`: the committed manifest is exactly what the official metadata gives."""

from __future__ import annotations

import pytest
from conftest import require

from desktop.errors import ConfigError
from desktop.runtime.manifest import Manifest, Pair
from desktop.runtime.npm import Npm
from desktop.runtime.pin import lock_closure, render, resolve_pins
from desktop.runtime.pip import Pip
from desktop.settings import app_root

COMMITTED = app_root() / "bundled_runtime" / "manifest.toml"


def test_rendering_the_committed_manifest_reproduces_it():
    """The layout is the renderer's: `pin` rewrites nothing but data."""
    assert render(Manifest.load(COMMITTED)) == COMMITTED.read_text(encoding="utf-8")


def test_rendered_text_loads_back_to_the_same_manifest(tmp_path):
    manifest = Manifest.load(COMMITTED)
    copy = tmp_path / "manifest.toml"
    copy.write_text(render(manifest), encoding="utf-8")
    again = Manifest.load(copy)
    assert (again.pairs, again.npm, again.carriers, again.pyodide_packages, again.pypi_wheels) == (
        manifest.pairs, manifest.npm, manifest.carriers, manifest.pyodide_packages, manifest.pypi_wheels)


def test_lock_closure_follows_depends_and_canonical_names():
    lock = {"packages": {
        "scikit-learn": {"depends": ["scipy", "joblib"]}, "scipy": {"depends": ["numpy"]},
        "numpy": {"depends": []}, "joblib": {"depends": []}, "other": {"depends": []},
    }}
    pair = Pair("p", "1", "1", "1", packages=("Scikit_Learn",))
    assert lock_closure(lock, pair) == ["joblib", "numpy", "scikit-learn", "scipy"]
    with pytest.raises(ConfigError) as raised:
        lock_closure(lock, Pair("p", "1", "1", "1", packages=("nope",)))
    assert "'nope'" in raised.value.message


@pytest.mark.network
def test_pinning_again_from_npm_the_official_locks_and_pypi_reproduces_the_committed_file(tmp_path):
    npm = Npm.find()
    require(npm.available(), "npm is not installed")
    pinned = resolve_pins(Manifest.load(COMMITTED), npm=npm, pip=Pip(), cache_dir=tmp_path / "cache")
    assert render(pinned) == COMMITTED.read_text(encoding="utf-8")
