"""The PyScript calendar releases a page can name, and the runtime each one is served with.

Pages load `pyscript.net/releases/2024.1.1/core.js`: a calendar release, which ships one
`@pyscript/core` version, which in turn loads, by default, one Pyodide and one MicroPython
(their versions are written into polyscript, which the core bundles). The app vendors a core
for each release and the interpreters those cores expect, so a page gets the PyScript it was
written for (APIs differ between releases: `pyweb` of early 2024, `page["#id"]` of 2025...).

This module derives that table from the sources, so it is data read from the releases
themselves and not typed by hand:

  * the core version: `version` of `core/package.json` (`pyscript.core/` before 2024.10) at the tag;
  * the polyscript it was built with: the tag's `package-lock.json`;
  * the interpreter defaults: `module: (version = "...")` of polyscript's
    `esm/interpreter/{pyodide,micropython}.js` at that polyscript tag;
  * the vendored core: that version when npm has it; otherwise the nearest published version
    of the same minor series at or above it, else below it (npm does not have every core a
    release shipped: 2024.8.2's 0.5.3 is missing), recorded with the reason. A later patch is
    preferred to an earlier one: it has the features the page's release added;
  * the interpreters served: the defaults written in the vendored core's own `dist/` (the npm
    build can differ from the tag's lock: 0.7.31 on npm loads Pyodide 314.0.2, its tag's lock
    says 314.0.3), because that is what the served core asks for.

`python main.py runtime releases --pyscript-repo DIR --polyscript-repo DIR` rewrites the
`[releases]` table of manifest.toml from git directories of both repositories (bare clones
will do); `runtime pin` then pins the npm integrity of every component the table names.
"""

from __future__ import annotations

import json
import re
import subprocess
import tarfile
from typing import Callable, Iterable
from pathlib import Path

from ..errors import ConfigError
from .bundle import version_key
from .manifest import Release

__all__ = ["derive_releases", "nearest_published", "calendar_tags", "release_row", "tarball_defaults", "folder_defaults",
           "CALENDAR_TAG", "FIRST_CORE_RELEASE", "INTERPRETERS", "LABELS"]

#: Calendar releases of the modern (core-based) PyScript: 2023.11.1 onwards. Earlier tags are the
#: classic pyscript.js releases, which the classic layer serves.
CALENDAR_TAG = re.compile(r"^(\d{4})\.(\d{1,2})\.(\d+)$")
FIRST_CORE_RELEASE = (2023, 11)

_CORE_DIRS = ("core", "pyscript.core")
INTERPRETERS = ("pyodide", "micropython")
LABELS = {"pyodide": "Pyodide", "micropython": "MicroPython"}
_DIST_DEFAULT = re.compile(r"""type:\s*["'](pyodide|micropython)["']\s*,\s*module:\s*\(\s*\w+\s*=\s*["']([^"']+)["']""")
_DEFAULT = re.compile(r"""module:\s*\(\s*version\s*=\s*['"]([^'"]+)['"]\s*\)""")


def calendar_tags(tags: list[str]) -> list[str]:
    """The modern calendar release tags among `tags`, oldest first."""
    found = []
    for tag in tags:
        m = CALENDAR_TAG.match(tag)
        if m and (int(m[1]), int(m[2])) >= FIRST_CORE_RELEASE:
            found.append(tag)
    return sorted(found, key=version_key)


def nearest_published(version: str, published: list[str]) -> str | None:
    """`version` if npm has it, else the nearest published version of the same major.minor at or
    above it, else the nearest below it; None when npm has nothing of that series."""
    if version in published:
        return version
    head, patch = version.split(".")[:2], _patch(version)
    same = sorted((v for v in published if v.split(".")[:2] == head and _patch(v) is not None), key=lambda v: _patch(v) or 0)
    if patch is None or not same:
        return None
    above = [v for v in same if (_patch(v) or 0) >= patch]
    return above[0] if above else same[-1]


def release_row(
    name: str, core: str, polyscript: str, expects: dict[str, str], published: list[str],
    dist_defaults: Callable[[str], dict[str, str]],
) -> Release:
    """A release with its served core chosen from the published versions, the interpreters that
    core loads, and the reason for every difference from what the release shipped."""
    serve = nearest_published(core, published)
    series = ".".join(core.split(".")[:2])
    if serve is None:
        raise ConfigError(
            f"PyScript {name} shipped @pyscript/core {core}, and npm publishes no version of its {series} series.",
            "Leave this release out of the table, or build its core from the tagged source.",
        )
    loads = dist_defaults(serve)
    notes = [] if serve == core else [f"core {core} is not published on npm: nearest published {series}.x at or above it"]
    for kind in INTERPRETERS:
        if loads[kind] != expects[kind]:
            notes.append(f"the npm build of core {serve} loads {LABELS[kind]} {loads[kind]} (the tag's sources: {expects[kind]})")
    return Release(
        name, core, polyscript, expects["pyodide"], expects["micropython"],
        serve, loads["pyodide"], loads["micropython"], "; ".join(notes),
    )


def derive_releases(
    pyscript_git: Path, polyscript_git: Path, published: list[str], dist_defaults: Callable[[str], dict[str, str]]
) -> list[Release]:
    """Every modern calendar release in the PyScript repository, read from its tag (see the module doc).

    `published` lists the @pyscript/core versions on npm; `dist_defaults(version)` gives the
    interpreter versions that published core loads (see `tarball_defaults`)."""
    rows = []
    for tag in calendar_tags(_git(pyscript_git, "tag").split()):
        core, polyscript = _core_at(pyscript_git, tag)
        expects = {kind: _default_version(polyscript_git, polyscript, kind) for kind in INTERPRETERS}
        rows.append(release_row(tag, core, polyscript, expects, published, dist_defaults))
    return rows


def tarball_defaults(tarball: Path) -> dict[str, str]:
    """The default Pyodide and MicroPython versions a @pyscript/core npm tarball loads, read from
    its bundled polyscript (`type:"pyodide",module:(e="0.26.2")=>...` in a dist chunk)."""
    def texts():
        with tarfile.open(tarball, "r:gz") as archive:
            for member in archive.getmembers():
                if member.isfile() and member.name.endswith(".js") and "/dist/" in member.name:
                    yield archive.extractfile(member).read().decode("utf-8", "replace")

    return _defaults_in(texts(), tarball.name)


def folder_defaults(dist: Path) -> dict[str, str]:
    """The same, for an installed core's `dist/` folder."""
    return _defaults_in((p.read_text(encoding="utf-8", errors="replace") for p in sorted(dist.glob("*.js"))), str(dist))


def _defaults_in(texts: Iterable[str], where: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for text in texts:
        for kind, version in _DIST_DEFAULT.findall(text):
            found.setdefault(kind, version)
    missing = [kind for kind in INTERPRETERS if kind not in found]
    if missing:
        raise ConfigError(f"{where} names no default version for {', '.join(missing)}.")
    return {kind: found[kind] for kind in INTERPRETERS}


def _core_at(git_dir: Path, tag: str) -> tuple[str, str]:
    """(core version, polyscript version) of the release `tag`."""
    for folder in _CORE_DIRS:
        try:
            package = json.loads(_git(git_dir, "show", f"{tag}:{folder}/package.json"))
        except ConfigError:
            continue
        lock = json.loads(_git(git_dir, "show", f"{tag}:{folder}/package-lock.json"))
        polyscript = lock.get("packages", {}).get("node_modules/polyscript", {}).get("version")
        if not polyscript:
            raise ConfigError(f"The package-lock.json of PyScript {tag} names no polyscript version.")
        return package["version"], polyscript
    raise ConfigError(f"PyScript {tag} has neither core/package.json nor pyscript.core/package.json.")


def _default_version(git_dir: Path, polyscript: str, kind: str) -> str:
    text = _git(git_dir, "show", f"{_polyscript_ref(git_dir, polyscript)}:esm/interpreter/{kind}.js")
    m = _DEFAULT.search(text)
    if m is None:
        raise ConfigError(f"polyscript {polyscript}'s {kind}.js has no default version (`module: (version = ...)`).")
    return m[1]


def _polyscript_ref(git_dir: Path, version: str) -> str:
    """The tag `v<version>`, or (a few releases were never tagged, e.g. 0.16.17) the newest commit
    whose subject is the bare version, as polyscript's release commits are named."""
    try:
        _git(git_dir, "rev-parse", "--verify", "--quiet", f"refs/tags/v{version}")
        return f"v{version}"
    except ConfigError:
        pass
    for line in _git(git_dir, "log", "--all", "--format=%H %s").splitlines():
        commit, _, subject = line.partition(" ")
        if subject.strip() == version:
            return commit
    raise ConfigError(f"The polyscript repository {git_dir} has neither the tag v{version} nor a commit named {version}.")


def _git(git_dir: Path, *args: str) -> str:
    try:
        result = subprocess.run(["git", "--git-dir", str(git_dir), *args], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ConfigError(f"git could not read {git_dir}: {exc}.", "Install git and give the path of a clone.") from None
    if result.returncode != 0:
        raise ConfigError(f"git {' '.join(args)} failed in {git_dir}: {result.stderr.strip()[-300:]}")
    return result.stdout


def _patch(version: str) -> int | None:
    parts = version.split(".")
    return int(parts[2]) if len(parts) == 3 and parts[2].isdigit() else None
