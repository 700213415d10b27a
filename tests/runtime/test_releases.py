"""The [releases] table: PyScript calendar release -> @pyscript/core -> interpreters, as the sources say."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import require

from desktop.errors import ConfigError
from desktop.runtime.bundle import RuntimeBundle
from desktop.runtime.manifest import Manifest
from desktop.runtime.npm import Npm
from desktop.runtime.releases import calendar_tags, derive_releases, folder_defaults, nearest_published, release_row
from desktop.settings import app_root

COMMITTED = app_root() / "bundled_runtime" / "manifest.toml"


def _git_dir(env: str, default: str) -> Path | None:
    """A clone of the repository, named by `env`, else the machine's mirror where there is one."""
    path = Path(os.environ.get(env) or default)
    return path if (path / "HEAD").is_file() or (path / ".git").exists() else None


PYSCRIPT_GIT = _git_dir("PYSCRIPT_DESKTOP_PYSCRIPT_GIT", "/work/.mirror/pyscript+pyscript/repo")
POLYSCRIPT_GIT = _git_dir("PYSCRIPT_DESKTOP_POLYSCRIPT_GIT", "/work/.mirror/pyscript+polyscript/repo")


@pytest.mark.parametrize(
    "wanted, published, chosen",
    [
        ("0.5.3", ["0.4.56", "0.5.12", "0.5.16", "0.6.0"], "0.5.12"),  # 2024.8.2: next published of the series
        ("0.4.5", ["0.4.0", "0.4.23"], "0.4.23"),  # later, although 0.4.0 is nearer: it has what 0.4.5 added
        ("0.6.70", ["0.6.66", "0.6.72", "0.7.0"], "0.6.72"),
        ("0.6.99", ["0.6.66", "0.6.72", "0.7.0"], "0.6.72"),  # nothing above: the latest below, same series
        ("0.3.14", ["0.3.13", "0.3.14"], "0.3.14"),  # exact
        ("0.8.1", ["0.7.31"], None),  # no version of the series at all
    ],
)
def test_nearest_published_stays_in_the_series_and_prefers_a_later_patch(wanted, published, chosen):
    assert nearest_published(wanted, published) == chosen


def test_calendar_tags_are_the_modern_releases_only():
    tags = ["2022.12.1", "2023.05.1", "2023.11.1", "2024.10.1", "2024.2.1", "v1.0", "2025.11.2"]
    assert calendar_tags(tags) == ["2023.11.1", "2024.2.1", "2024.10.1", "2025.11.2"]


def test_a_row_records_why_what_is_served_differs():
    defaults = {"0.5.12": {"pyodide": "0.26.2", "micropython": "1.24.0-preview-114"}}
    row = release_row("2024.8.2", "0.5.3", "0.15.0", {"pyodide": "0.26.2", "micropython": "1.24.0-preview-114"},
                      ["0.5.12", "0.5.16"], defaults.__getitem__)
    assert (row.serve_core, row.serve_pyodide, row.exact) == ("0.5.12", "0.26.2", False)
    assert row.note == "core 0.5.3 is not published on npm: nearest published 0.5.x at or above it"
    with pytest.raises(ConfigError) as raised:
        release_row("2099.1.1", "0.9.1", "1.0.0", {}, ["0.5.12"], defaults.__getitem__)
    assert "0.9 series" in raised.value.message


def test_the_committed_table_covers_the_releases_pages_name():
    manifest = Manifest.load(COMMITTED)
    rows = manifest.releases
    assert (rows["2024.1.1"].core, rows["2024.1.1"].serve_core, rows["2024.1.1"].serve_pyodide) == ("0.3.14", "0.3.14", "0.24.1")
    assert (rows["2024.8.2"].core, rows["2024.8.2"].serve_core) == ("0.5.3", "0.5.12")
    assert (rows["2025.11.2"].core, rows["2025.11.2"].serve_core) == ("0.7.11", "0.7.11")
    assert len([r for r in rows if r.startswith(("2024.", "2025."))]) == 35  # every 2024-2025 calendar release
    for release in rows.values():
        assert release.exact or release.note, release.name
        for kind, version in release.versions().items():
            assert f"{kind}@{version}" in manifest.npm, f"{release.name}: {kind} {version} has no npm pin"
    # one fetchable set per distinct (core, Pyodide, MicroPython), none with packages
    pairs = manifest.release_pairs()
    assert len({(p.pyscript, p.pyodide, p.micropython) for p in pairs}) == len(pairs)
    assert all(p.packages == () for p in pairs)


def test_npm_has_every_served_core_and_lacks_the_substituted_ones():
    npm = Npm.find()
    require(npm.available(), "npm is not installed")
    published = set(npm.versions("@pyscript/core"))
    for release in Manifest.load(COMMITTED).releases.values():
        assert release.serve_core in published, release.name
        assert (release.core in published) == (release.core == release.serve_core), release.name


@pytest.mark.skipif(PYSCRIPT_GIT is None or POLYSCRIPT_GIT is None,
                    reason="no clone of pyscript and polyscript (set PYSCRIPT_DESKTOP_PYSCRIPT_GIT and PYSCRIPT_DESKTOP_POLYSCRIPT_GIT)")
def test_the_committed_table_is_what_the_release_tags_and_the_served_builds_say():
    """Every row re-derived from the tags, with the interpreters read from the installed cores' dist/."""
    bundle = RuntimeBundle(COMMITTED.parent)
    committed = bundle.manifest.releases
    missing = [v for v in {r.serve_core for r in committed.values()} if not bundle.component_dir("pyscript-core", v).is_dir()]
    require(not missing, "PyScript release cores not fetched: python main.py runtime fetch --releases")
    # npm's nearest version to each core is among the served ones, so choosing from these chooses the same
    published = sorted({r.serve_core for r in committed.values()})
    rows = derive_releases(
        PYSCRIPT_GIT, POLYSCRIPT_GIT, published,
        lambda v: folder_defaults(bundle.component_dir("pyscript-core", v) / "dist"),
    )
    assert {r.name: r for r in rows} == committed


def test_prefetch_downloads_a_releases_tarballs_at_once_and_fetch_then_needs_no_npm(tmp_path):
    """The releases are many small components: `runtime fetch --releases` downloads their tarballs several at
    a time into the download cache, verified, and the fetch proper takes them from there."""
    from desktop.runtime.fetch import Fetcher

    npm = Npm.find()
    require(npm.available(), "npm is not installed")
    root = tmp_path / "runtime"
    root.mkdir()
    shutil.copy(COMMITTED, root / "manifest.toml")
    bundle = RuntimeBundle(root)
    pair = next(p for p in bundle.manifest.release_pairs() if p.pyscript == "0.3.14")  # 2024.1.1
    Fetcher(bundle, tmp_path / "cache", npm=npm).prefetch([pair])
    assert not bundle.is_installed(pair)  # only downloaded
    fetched = Fetcher(bundle, tmp_path / "cache", npm=Npm(None)).fetch(pair)  # no npm: the cache must answer
    assert fetched == ["pyscript-core 0.3.14", "pyodide 0.24.1", "micropython 1.21.0-278"]
    assert folder_defaults(bundle.component_dir("pyscript-core", "0.3.14") / "dist") == {
        "pyodide": "0.24.1", "micropython": "1.21.0-278"}
