"""`runtime pin`: the committed manifest is exactly what the official metadata gives."""

from __future__ import annotations

import pytest
from conftest import require

from desktop.errors import ConfigError, FetchError
from desktop.runtime.manifest import Manifest, Pair
from desktop.runtime.npm import Npm
from desktop.runtime.pin import lock_closure, pure_python_set, render, resolve_pins
from desktop.runtime.pip import Pip
from desktop.settings import Settings, app_root

from .conftest import make_wheel, synthetic_lock

COMMITTED = app_root() / "bundled_runtime" / "manifest.toml"


def test_rendering_the_committed_manifest_reproduces_it():
    """The layout is the renderer's: `pin` rewrites nothing but data."""
    assert render(Manifest.load(COMMITTED)) == COMMITTED.read_text(encoding="utf-8")


def test_rendered_text_loads_back_to_the_same_manifest(tmp_path):
    manifest = Manifest.load(COMMITTED)
    copy = tmp_path / "manifest.toml"
    copy.write_text(render(manifest), encoding="utf-8")
    again = Manifest.load(copy)
    assert (again.pairs, again.npm, again.carriers, again.pyodide_packages, again.pypi_wheels, again.unbundled) == (
        manifest.pairs, manifest.npm, manifest.carriers, manifest.pyodide_packages, manifest.pypi_wheels, manifest.unbundled)


def test_the_pure_python_set_is_the_locks_pure_wheels_and_what_they_need():
    lock = {"packages": {
        "bokeh": {"file_name": "bokeh-3-py3-none-any.whl", "depends": ["Jinja2", "numpy"]},
        "jinja2": {"file_name": "jinja2-3-py3-none-any.whl", "depends": ["MarkupSafe"]},
        "markupsafe": {"file_name": "markupsafe-2-cp312-cp312-pyodide_2024_0_wasm32.whl", "depends": []},
        "numpy": {"file_name": "numpy-2-cp312-cp312-pyodide_2024_0_wasm32.whl", "depends": []},
        "scipy": {"file_name": "scipy-1-cp312-cp312-pyodide_2024_0_wasm32.whl", "depends": ["numpy"]},
    }}
    assert pure_python_set(lock) == ["bokeh", "jinja2", "markupsafe", "numpy"]


def test_the_committed_default_pair_bundles_the_pure_python_set_or_says_why_not():
    """Every member of the default Pyodide's pure-Python set is pinned (official or PyPI) or listed as unbundled."""
    manifest = Manifest.load(COMMITTED)
    pair = manifest.pair()
    assert pair.pure_python
    lock_path = app_root() / "bundled_runtime" / "pyodide" / pair.pyodide / "pyodide-lock.json"
    require(lock_path.is_file(), "the default Pyodide is not fetched")
    import json

    wanted = set(pure_python_set(json.loads(lock_path.read_text())))
    official, pypi, unbundled = (set(manifest.packages_for(pair.pyodide)), set(manifest.wheels_for(pair.pyodide)),
                                 set(manifest.unbundled_for(pair.pyodide)))
    assert wanted <= official | pypi | unbundled
    assert not (official & pypi) and not (pypi & unbundled) and not (official & unbundled)
    assert {"bokeh", "altair", "networkx", "sympy", "jinja2"} <= official | pypi


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
def test_pinning_again_from_npm_the_official_locks_and_pypi_reproduces_the_committed_file():
    npm = Npm.find()
    require(npm.available(), "npm is not installed")
    # The download cache `runtime fetch` filled: a Pyodide tarball is taken from it only when it matches the
    # integrity npm states now (asked live above), so the pins are still re-derived from the registries.
    pinned = resolve_pins(Manifest.load(COMMITTED), npm=npm, pip=Pip(), cache_dir=Settings().cache_dir / "downloads")
    assert render(pinned) == COMMITTED.read_text(encoding="utf-8")


@pytest.mark.network
def test_one_npm_view_gives_each_versions_integrity_and_names_a_missing_version():
    """`runtime pin` asks npm once per package (about 4 client starts, not 60): each answer is the one a
    `npm view <package>@<version> dist.integrity` of its own gives, and a version npm lacks is named."""
    npm = Npm.find()
    require(npm.available(), "npm is not installed")
    versions = ["0.6.66", "0.3.8", "0.7.31"]
    batch = npm.integrities("@pyscript/core", versions)
    assert batch == {v: npm.view(f"@pyscript/core@{v}", "dist.integrity") for v in versions}
    assert npm.integrities("pyodide", ["0.27.7"])["0.27.7"].startswith("sha512-")  # one match: npm's object, not a list
    with pytest.raises(FetchError) as raised:
        npm.integrities("pyodide", ["0.27.7", "0.99.1"])
    assert "pyodide@0.99.1" in raised.value.message


def test_a_pinned_dependency_stays_at_its_version_when_pypi_has_a_newer_one(tmp_path, fake_index):
    """As a lock file: pinning again keeps a dependency where the manifest has it while the requirement
    admits it (PyPI published markdown 3.11.4 after panel's markdown was pinned at 3.11.3, and pinning
    again no longer reproduced the committed file). Without a pin, or with one the requirement no longer
    admits, the newest release is taken. pip downloads and hashes the kept version all the same."""
    from desktop.runtime.manifest import PackageFile
    from desktop.runtime.pin import _pypi_package_pins

    from .conftest import make_wheel, synthetic_lock

    digests = {}
    for name, version, requires in (("app", "1.0", ["dep"]), ("app", "2.0", ["dep>=1.1"]),
                                    ("dep", "1.0", []), ("dep", "1.1", [])):
        file_name, data = make_wheel(name, version, requires=requires)
        digests[(name, version)] = (file_name, fake_index.publish(name, file_name, data))
    lock = synthetic_lock({})
    old_file, old_digest = digests[("dep", "1.0")]
    kept = {"dep": PackageFile("dep", "1.0", old_file, old_digest)}

    def pins(requirement: str, kept: dict) -> dict:
        pair = Pair("p", "1", "1", "1", pypi_packages=(requirement,))
        return {n: (p.version, p.sha256) for n, p in _pypi_package_pins(fake_index.pip(), lock, pair, tmp_path, kept).items()}

    assert pins("app==1.0", kept)["dep"] == ("1.0", old_digest)  # kept, and its file hashed again
    assert pins("app==1.0", {})["dep"] == ("1.1", digests[("dep", "1.1")][1])  # no pin: the newest
    assert pins("app==2.0", kept)["dep"] == ("1.1", digests[("dep", "1.1")][1])  # dep>=1.1 no longer admits 1.0


def test_pure_wheels_pinned_in_one_pip_run_are_the_ones_each_run_alone_gives(tmp_path, fake_index):
    """`runtime pin` takes the pure-Python wheels it found last time in one pip run (some 120 client starts
    saved): the same file and sha256 a pip run of its own gives, a lock's "1.0" matching a wheel's 1.0.0 as
    pip matches it; when one of them has no pure wheel the run gives nothing, and each is asked alone."""
    from desktop.runtime.pin import _pure_wheel_or_none, _pure_wheels_together

    for name, version in (("alpha", "1.0.0"), ("beta-pkg", "2.1")):
        fake_index.publish(name, *make_wheel(name, version))
    compiled, data = make_wheel("gamma", "3.0", tag="cp312-cp312-linux_x86_64")
    fake_index.publish("gamma", compiled, data)
    pip = fake_index.pip()
    items = [("alpha", {"name": "alpha", "version": "1.0"}), ("beta_pkg", {"name": "beta-pkg", "version": "2.1"})]
    together = _pure_wheels_together(pip, items, "3.12", tmp_path)
    alone = {key: _pure_wheel_or_none(pip, key, e, "3.12", tmp_path) for key, e in items}
    assert together == alone and set(together) == {"alpha", "beta_pkg"}
    assert together["alpha"].file.startswith("alpha-1.0.0-")
    assert _pure_wheels_together(pip, [*items, ("gamma", {"name": "gamma", "version": "3.0"})], "3.12", tmp_path) == {}
    assert _pure_wheel_or_none(pip, "gamma", {"name": "gamma", "version": "3.0"}, "3.12", tmp_path) is None


DELTA_METADATA = b"Metadata-Version: 2.1\nName: delta\nVersion: 1.0\n"
#: pip reads a source distribution's metadata through its build backend: one in the tree, needing nothing
DELTA_PYPROJECT = b'[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n'
DELTA_BACKEND = b"""import os
def get_requires_for_build_wheel(config_settings=None):
    return []
def prepare_metadata_for_build_wheel(directory, config_settings=None):
    os.makedirs(os.path.join(directory, "delta-1.0.dist-info"))
    with open(os.path.join(directory, "delta-1.0.dist-info", "METADATA"), "w") as out:
        out.write("Metadata-Version: 2.1\\nName: delta\\nVersion: 1.0\\n")
    return "delta-1.0.dist-info"
"""


def test_packages_known_to_lack_a_pure_wheel_stay_out_of_the_one_pip_run(tmp_path, fake_index):
    """A package listed as unbundled, or one of the pair's pure builds (a wheel made from the source
    distribution), has no pure wheel on PyPI: in the one pip run for the rest it would fail that run, and
    every package would be asked alone again (147 pip runs for the committed manifest, 47 without)."""
    import dataclasses
    import io
    import tarfile

    from desktop.runtime.pin import _pure_python_pins
    from desktop.runtime.sources import Sources

    wheels = {}
    for name, version in (("alpha", "1.0"), ("beta", "2.0")):
        wheels[name] = make_wheel(name, version)
        fake_index.publish(name, *wheels[name])
    fake_index.publish("gamma", *make_wheel("gamma", "3.0", tag="cp312-cp312-linux_x86_64"))  # compiled only
    sdist = io.BytesIO()
    with tarfile.open(fileobj=sdist, mode="w:gz") as archive:
        for member, data in (("delta-1.0/PKG-INFO", DELTA_METADATA), ("delta-1.0/delta/__init__.py", b"VALUE = 1\n"),
                             ("delta-1.0/pyproject.toml", DELTA_PYPROJECT), ("delta-1.0/backend.py", DELTA_BACKEND)):
            info = tarfile.TarInfo(member)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    fake_index.publish("delta", "delta-1.0.tar.gz", sdist.getvalue())
    # The official lock: all four are pure-Python files of Pyodide's (none reachable here).
    lock = synthetic_lock({f"{n}-{v}-py3-none-any.whl": b"official" for n, v in
                           (("alpha", "1.0"), ("beta", "2.0"), ("gamma", "3.0"), ("delta", "1.0"))})

    runs: list[list[str]] = []

    class Recorded(Pip):  # the real pip on the fake index; each run's requirements are kept
        def _download(self, requirements, *args, **kwargs):
            runs.append(list(requirements))
            return super()._download(requirements, *args, **kwargs)

    pip = Recorded(index_url=fake_index.url, isolated=True)
    pair = Pair("p", "1", lock["info"]["version"], "1", pure_python=True, pure_builds=("delta",))
    manifest = dataclasses.replace(Manifest.load(COMMITTED), carriers=(), unbundled={pair.pyodide: {"gamma": "3.0"}})
    sources = Sources(None, tmp_path, npm=None, pip=pip)  # type: ignore[arg-type]  # no carrier, no npm asked
    got, missing = _pure_python_pins(sources, pip, lock, {}, manifest, pair, tmp_path)

    assert {k: (p.version, p.file) for k, p in got.items()} == {
        "alpha": ("1.0", wheels["alpha"][0]), "beta": ("2.0", wheels["beta"][0]), "delta": ("1.0", "delta-1.0-py3-none-any.whl")}
    assert missing == {"gamma": "3.0"}
    assert sorted(map(sorted, runs)) == [["alpha==1.0", "beta==2.0"], ["delta==1.0"], ["delta==1.0"], ["gamma==3.0"]]
