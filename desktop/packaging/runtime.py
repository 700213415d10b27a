"""The trimmed runtime of a built app: the core of one pair plus only the packages its pages use.

Names are resolved the way `runtime add` resolves them: the Pyodide lock first (its
file must be in the bundle, or obtainable and checked against the lock's sha256),
then the wheelhouse, then pure-Python wheels from PyPI through pip. The dependency
closure follows the lock's `depends` and the wheels' metadata. What is written is a
complete runtime folder in the same layout, with a manifest listing exactly what it
holds, so `runtime verify` passes on it and the server serves it unchanged.

Pages pinned to a PyScript release (`pyscript.net/releases/2024.1.1/`) also get that release's
vendored core and the interpreters it loads, when `runtime fetch --releases` installed them,
with their `[releases]` rows, so the built app serves them as `serve` does.
"""

from __future__ import annotations

import json
import re
import shutil
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import tomli_w

from ..errors import PackageNotFoundError
from ..runtime.bundle import RuntimeBundle, closest_version
from ..runtime.fetch import FILES_INDEX, read_files_index
from ..runtime.manifest import Pair
from ..runtime.pip import Pip
from ..runtime.precompile import STDLIB, Precompiled
from ..runtime.releases import folder_defaults
from ..runtime.wheelhouse import INDEX, Wheelhouse, canonical_name, read_lock
from ..server.cdn import CdnResolver

__all__ = ["RuntimeSelection", "select_packages", "add_release_components", "write_runtime", "ALWAYS"]

#: PyScript installs a page's `packages` with micropip, so any app with packages needs it.
ALWAYS = ("micropip",)


@dataclass
class RuntimeSelection:
    """What goes into the trimmed runtime of one pair."""

    pair: Pair
    lock_files: dict[str, str] = field(default_factory=dict)  # canonical name -> file in pyodide/<v>/
    wheels: dict[str, tuple[dict, Path]] = field(default_factory=dict)  # canonical name -> (lock-style entry, file)
    extra: set[tuple[str, str]] = field(default_factory=set)  # (kind, version) of release components the pages use

    @property
    def names(self) -> list[str]:
        return sorted({*self.lock_files, *self.wheels})


@dataclass
class _StagingWheelhouse(Wheelhouse):
    """A wheelhouse that resolves against the source bundle but writes into a build's temporary folder."""

    target: Path | None = None

    @property
    def folder(self) -> Path:
        assert self.target is not None
        return self.target


def _closure(selection: RuntimeSelection, names: list[str], lock: dict, pyodide_dir: Path,
             wheel_sources: list[tuple[dict, Path]]) -> list[str]:
    """Add `names` and their dependencies to `selection`; returns the names found nowhere."""
    lock_packages = {canonical_name(n): e for n, e in lock["packages"].items()}
    wheel_entries = {canonical_name(name): (entry, folder) for entries, folder in wheel_sources for name, entry in entries.items()}
    missing: list[str] = []
    queue = [canonical_name(n) for n in names]
    seen: set[str] = set()
    while queue:
        name = queue.pop(0)
        if name in seen:
            continue
        seen.add(name)
        entry = lock_packages.get(name)
        if entry and (pyodide_dir / entry["file_name"]).is_file():
            selection.lock_files[name] = entry["file_name"]
            queue += [canonical_name(d) for d in entry.get("depends", [])]
        elif name in wheel_entries and (wheel_entries[name][1] / wheel_entries[name][0]["file_name"]).is_file():
            wheel, folder = wheel_entries[name]
            selection.wheels[name] = (wheel, folder / wheel["file_name"])
            queue += [canonical_name(d) for d in wheel.get("depends", [])]
        else:
            missing.append(name)
    return missing


def select_packages(bundle: RuntimeBundle, pair: Pair, names: list[str], *, staging: Path, cache_dir: Path,
                    mirror: str | None = None, pip: Pip | None = None) -> RuntimeSelection:
    """Resolve `names` (and ALWAYS, when any are given) for `pair`; raises PackageNotFoundError naming the package.

    Packages the bundle lacks are downloaded into `staging` (a temporary folder of the build).
    """
    pyodide_dir = bundle.component_dir("pyodide", pair.pyodide)
    lock = read_lock(pyodide_dir)
    selection = RuntimeSelection(pair)
    wanted = [*ALWAYS, *names] if names else []
    source_house = Wheelhouse(bundle, pair.pyodide)
    sources = [(source_house.entries(), source_house.folder)]
    missing = _closure(selection, wanted, lock, pyodide_dir, sources)
    if missing:
        house = _StagingWheelhouse(bundle, pair.pyodide, pip=pip or Pip(), target=staging)
        house.add(missing, cache_dir, mirror)  # all or nothing; a PackageNotFoundError names the package and why
        selection = RuntimeSelection(pair)
        still = _closure(selection, wanted, lock, pyodide_dir, [(house.entries(), house.folder), *sources])
        if still:
            raise PackageNotFoundError(f"{', '.join(still)} could not be resolved for Pyodide {pair.pyodide}.")
    return selection


def add_release_components(bundle: RuntimeBundle, selection: RuntimeSelection, pages: list[Path]) -> list[str]:
    """Add to `selection` the installed release cores these pages load (resolved as the server does)
    and the interpreters those cores load; returns the cores added, e.g. ["0.3.14"]."""
    pair = selection.pair
    resolver = CdnResolver(
        installed=bundle.installed_versions, preferred=lambda kind: pair.versions()[kind],
        releases=bundle.manifest.releases, pair_pyodides=(pair.pyodide,),
    )
    cores: set[str] = set()
    for page in pages:
        text, _ = resolver.rewrite(page.read_text(encoding="utf-8", errors="replace"), "")
        cores.update(v.split("+", 1)[0] for v in re.findall(r"/_runtime/pyscript-core/([^/\s\"'`]+)/", text))
    cores.discard(pair.pyscript)
    for core in sorted(cores):
        selection.extra.add(("pyscript-core", core))
        for kind, version in folder_defaults(bundle.component_dir("pyscript-core", core) / "dist").items():
            chosen = closest_version(version, bundle.installed_versions(kind))
            if chosen and chosen != pair.versions()[kind]:
                selection.extra.add((kind, chosen))
    return sorted(cores)


def write_runtime(bundle: RuntimeBundle, selection: RuntimeSelection, dest: Path) -> None:
    """Write the trimmed runtime folder `dest` (which must not exist yet)."""
    pair = selection.pair
    dest.mkdir(parents=True)
    for kind in ("pyscript-core", "micropython"):
        version = pair.versions()[kind]
        shutil.copytree(bundle.component_dir(kind, version), dest / kind / version)
    for kind, version in sorted(selection.extra):  # release components: whole npm packages, no package files
        shutil.copytree(bundle.component_dir(kind, version), dest / kind / version)
    source = bundle.component_dir("pyodide", pair.pyodide)
    lock = read_lock(source)
    package_files = {e["file_name"] for e in lock["packages"].values()}
    keep = set(selection.lock_files.values())
    target = dest / "pyodide" / pair.pyodide
    target.mkdir(parents=True)
    record = read_files_index(source) or {}
    kept_record = {}
    for path in sorted(source.iterdir()):
        if path.name == FILES_INDEX or not path.is_file():
            continue
        if path.name in package_files and path.name not in keep:
            continue
        shutil.copy2(path, target / path.name)
        if path.name in record:
            kept_record[path.name] = record[path.name]
    (target / FILES_INDEX).write_text(json.dumps(kept_record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    if selection.wheels:
        house = dest / "wheelhouse" / pair.pyodide
        house.mkdir(parents=True)
        entries = {}
        for name, (entry, path) in selection.wheels.items():
            shutil.copy2(path, house / entry["file_name"])
            entries[name] = entry
        (house / INDEX).write_text(json.dumps(entries, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    kept = keep | {entry["file_name"] for entry, _ in selection.wheels.values()} | {STDLIB}
    Precompiled(bundle, pair.pyodide).copy_to(dest, kept)  # their bytecode (and the standard library's), where `runtime fetch` made it
    _write_manifest(bundle, selection, dest / "manifest.toml")


def _write_manifest(bundle: RuntimeBundle, selection: RuntimeSelection, path: Path) -> None:
    """The source manifest reduced to the one pair and the package files this runtime holds."""
    pair = selection.pair
    data = tomllib.loads(bundle.manifest.path.read_text(encoding="utf-8"))
    pair_table = dict(data["pairs"][pair.name])
    pair_table["packages"] = selection.names
    pair_table.pop("optional", None)
    versions = {f"{kind}@{version}" for kind, version in [*pair.versions().items(), *selection.extra]}
    reduced = {
        "schema": data.get("schema", 1),
        "default_pair": pair.name,
        "pairs": {pair.name: pair_table},
        "npm": {key: value for key, value in data.get("npm", {}).items() if key in versions},
    }
    held = {*pair.versions().items(), *selection.extra}
    releases = {
        name: row for name, row in data.get("releases", {}).items()
        if {("pyscript-core", row["serve_core"]), ("pyodide", row["serve_pyodide"]), ("micropython", row["serve_micropython"])} <= held
    }
    if releases:
        reduced["releases"] = releases
    carriers = [c for c in data.get("carriers", []) if c.get("pyodide") == pair.pyodide]
    if carriers:
        reduced["carriers"] = carriers
    for table in ("pyodide_packages", "pypi_wheels"):
        entries = data.get(table, {}).get(pair.pyodide, {})
        kept = {name: e for name, e in entries.items() if canonical_name(name) in selection.names}
        if kept:
            reduced[table] = {pair.pyodide: kept}
    header = (
        "# The trimmed runtime of an app made by `python main.py build`: one pair, and only the\n"
        "# packages its pages use (with their dependencies). Written from the source manifest.\n\n"
    )
    path.write_text(header + tomli_w.dumps(reduced), encoding="utf-8")
