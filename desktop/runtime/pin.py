"""`runtime pin`: regenerate manifest.toml's pins from the official metadata.

The hand-written part of the manifest is the choice of pairs (versions, the
packages each bundles, where those come from) and the carriers. Everything
else is derived and regenerated here:

  * `[npm."<kind>@<version>"]`: the registry's SRI integrity (`npm view`);
  * `[pyodide_packages."<version>"]`: the dependency closure of the pairs'
    `packages` in the official pyodide-lock.json, read from the pyodide npm
    tarball after it matched that integrity;
  * `[pypi_wheels."<version>"]`: for pairs with `packages_from = "pypi"`, the
    same closure's PyPI wheels at the lock's versions, pinned by the sha256
    of what pip downloads;
  * for pairs with `pure_python = true`, every pure-Python package of the lock
    and what those depend on: the official file (into `[pyodide_packages]`)
    where a carrier holds it, else PyPI's pure-Python wheel of the lock's
    version (into `[pypi_wheels]`), else it is listed in `[unbundled]`.

`render()` is deterministic, so a test can check that pinning again reproduces
the committed file exactly.
"""

from __future__ import annotations

import dataclasses
import json
import tarfile
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..errors import ConfigError, FetchError
from .cache import DownloadCache
from .integrity import sha256_file
from .manifest import NPM_NAMES, Manifest, NpmPackage, PackageFile, Pair
from .npm import Npm
from .pip import PURE_PYTHON_SUFFIX, Pip
from .purebuild import build_pure_wheel
from .sources import Sources
from .wheelhouse import canonical_name

__all__ = ["resolve_pins", "render", "lock_closure", "official_lock", "pure_python_set"]

#: pip runs at once while pinning the pure-Python set (each is mostly waiting on the index).
_PIP_JOBS = 4

HEADER = """\
# The pinned offline runtime. Every file the app serves from bundled_runtime/ is listed
# here with the integrity data it is checked against. The fetched files themselves are not
# committed: `python main.py runtime fetch` fills the folder and `runtime verify` re-checks it.
#
# Trust roots: npm tarballs are checked against the registry's SRI integrity below; Pyodide
# package files are checked against the sha256 in the official pyodide-lock.json that ships
# inside the verified `pyodide` npm tarball (copied below so the pins are readable here).
# Carriers (PyPI distributions that happen to contain official files) are transport only.
#
# Hand-edited: schema, default_pair, [pairs.*] and [[carriers]]. Everything after the
# "generated" line is rewritten by `python main.py runtime pin` from the official metadata.
"""


def resolve_pins(manifest: Manifest, *, npm: Npm, pip: Pip, cache_dir: Path) -> Manifest:
    """A copy of `manifest` whose generated tables are re-derived from npm, the official locks and PyPI."""
    npm_entries: dict[str, NpmPackage] = {}
    for pair in manifest.pairs.values():
        for kind, version in pair.versions().items():
            key = f"{kind}@{version}"
            if key not in npm_entries:
                spec = f"{NPM_NAMES[kind]}@{version}"
                npm_entries[key] = NpmPackage(kind, NPM_NAMES[kind], version, npm.view(spec, "dist.integrity"))
    pyodide_packages: dict[str, dict[str, PackageFile]] = {}
    pypi_wheels: dict[str, dict[str, PackageFile]] = {}
    unbundled: dict[str, dict[str, str]] = {}
    with tempfile.TemporaryDirectory(prefix="pyscript-desktop-pin-") as work:
        sources = Sources(DownloadCache(cache_dir), Path(work), npm=npm, pip=pip)
        locks: dict[str, dict] = {}
        for pair in manifest.pairs.values():
            if pair.pyodide not in locks:
                locks[pair.pyodide] = official_lock(sources, npm_entries[f"pyodide@{pair.pyodide}"])
            lock = locks[pair.pyodide]
            closure = lock_closure(lock, pair)
            if pair.packages_from == "lock":
                table = pyodide_packages.setdefault(pair.pyodide, {})
                for name in closure:
                    e = lock["packages"][name]
                    table[name] = PackageFile(name, e["version"], e["file_name"], e["sha256"])
                if pair.pure_python:
                    wheels, missing = _pure_python_pins(sources, pip, lock, table, manifest, pair, Path(work))
                    pypi_wheels.setdefault(pair.pyodide, {}).update(wheels)
                    unbundled.setdefault(pair.pyodide, {}).update(missing)
                if pair.pypi_packages:
                    pypi_wheels.setdefault(pair.pyodide, {}).update(_pypi_package_pins(pip, lock, pair, Path(work)))
            else:
                python = ".".join(str(lock["info"]["python"]).split(".")[:2])
                table = pypi_wheels.setdefault(pair.pyodide, {})
                for name in closure:
                    table[name] = _pypi_pin(pip, lock["packages"][name], python, Path(work), pair)
    return dataclasses.replace(
        manifest,
        npm=npm_entries,
        pyodide_packages={v: dict(sorted(t.items())) for v, t in pyodide_packages.items() if t},
        pypi_wheels={v: dict(sorted(t.items())) for v, t in pypi_wheels.items() if t},
        unbundled={v: dict(sorted(t.items())) for v, t in unbundled.items() if t},
    )


def official_lock(sources: Sources, package: NpmPackage) -> dict:
    """pyodide-lock.json from the pyodide npm tarball, once the tarball matched its integrity."""
    tarball = sources.npm_tarball(package)
    with tarfile.open(tarball, "r:gz") as archive:
        for member in archive.getmembers():
            if member.isfile() and member.name.split("/", 1)[-1] == "pyodide-lock.json":
                return json.load(archive.extractfile(member))
    raise FetchError(f"The npm package {package.spec} has no pyodide-lock.json.")


def lock_closure(lock: dict, pair: Pair) -> list[str]:
    """The pair's packages and everything they depend on, as lock names, sorted."""
    by_canonical = {canonical_name(n): n for n in lock["packages"]}
    seen: set[str] = set()
    queue = list(pair.packages)
    while queue:
        wanted = queue.pop()
        name = by_canonical.get(canonical_name(wanted))
        if name is None:
            raise ConfigError(
                f"Pair {pair.name!r} bundles {wanted!r}, which the official lock of Pyodide {pair.pyodide} does not have.",
                "Fix the pair's `packages` in bundled_runtime/manifest.toml.",
            )
        if name not in seen:
            seen.add(name)
            queue += lock["packages"][name].get("depends", [])
    return sorted(seen)


def pure_python_set(lock: dict) -> list[str]:
    """The lock's pure-Python packages and everything they depend on, as lock names, sorted."""
    by_canonical = {canonical_name(n): n for n in lock["packages"]}
    queue = [n for n, e in lock["packages"].items() if e["file_name"].endswith(PURE_PYTHON_SUFFIX)]
    seen: set[str] = set()
    while queue:
        name = by_canonical.get(canonical_name(queue.pop()))
        if name is not None and name not in seen:
            seen.add(name)
            queue += lock["packages"][name].get("depends", [])
    return sorted(seen)


def _pure_python_pins(
    sources: Sources, pip: Pip, lock: dict, table: dict[str, PackageFile], manifest: Manifest, pair: Pair, work: Path
) -> tuple[dict[str, PackageFile], dict[str, str]]:
    """Pin the pure-Python set beyond `table` (the pair's closure, extended in place with official files a
    carrier holds); returns (PyPI wheels, {name: version} of what no source gives)."""
    python = ".".join(str(lock["info"]["python"]).split(".")[:2])
    from_pypi: list[tuple[str, dict]] = []  # (lock name, lock entry)
    for name in pure_python_set(lock):
        if name in table:
            continue
        e = lock["packages"][name]
        if sources.carrier_has(pair.pyodide, e["file_name"], manifest.carriers):
            table[name] = PackageFile(name, e["version"], e["file_name"], e["sha256"])
        else:
            from_pypi.append((name, e))
    with ThreadPoolExecutor(_PIP_JOBS) as pool:
        found = list(pool.map(lambda item: _pure_wheel_or_none(pip, *item, python, work), from_pypi))
    wheels = {pin.name: pin for pin in found if pin is not None}
    missing = {key: e["version"] for (key, e), pin in zip(from_pypi, found) if pin is None}
    builds = {canonical_name(n) for n in pair.pure_builds}
    for key in [k for k in missing if canonical_name(k) in builds]:
        wheels[key] = _pure_build_pin(pip, key, lock["packages"][key], work)
        del missing[key]
    return wheels, missing


def _pypi_package_pins(pip: Pip, lock: dict, pair: Pair, work: Path) -> dict[str, PackageFile]:
    """The pair's `pypi_packages` and their dependencies that the lock lacks, as PyPI's pure-Python wheels. A
    requirement that names a lock package at another version replaces it (jsonschema 4.17, which needs no
    compiled rpds-py)."""
    from packaging.requirements import Requirement

    from .wheelhouse import pypi_entry

    python = ".".join(str(lock["info"]["python"]).split(".")[:2])
    in_lock = {canonical_name(n): e for n, e in lock["packages"].items()}
    pins: dict[str, PackageFile] = {}
    queue = list(pair.pypi_packages)
    while queue:
        requirement = Requirement(queue.pop(0))
        key = canonical_name(requirement.name)
        if key in pins or (key in in_lock and requirement.specifier.contains(in_lock[key]["version"], prereleases=True)):
            continue
        files = pip.download(str(requirement), Path(tempfile.mkdtemp(dir=work)), pure_python_for=python)
        wheel = next((f for f in files if f.name.endswith(PURE_PYTHON_SUFFIX)), None)
        if wheel is None:
            raise FetchError(f"pip found no pure-Python wheel of {requirement} on PyPI.")
        entry = pypi_entry(wheel, python, in_lock)
        pins[key] = PackageFile(key, entry["version"], wheel.name, entry["sha256"])
        queue += entry["depends"]
    return pins


def _pure_build_pin(pip: Pip, key: str, lock_entry: dict, work: Path) -> PackageFile:
    """Pin a wheel made from PyPI's source distribution of the lock's version (both files' sha256)."""
    version = lock_entry["version"]
    folder = Path(tempfile.mkdtemp(dir=work))
    files = pip.download(f"{lock_entry['name']}=={version}", folder, source=True)
    sdist = next((f for f in files if f.name.endswith(".tar.gz")), None)
    if sdist is None:
        raise FetchError(f"pip found no source distribution of {lock_entry['name']}=={version} on PyPI.")
    wheel = build_pure_wheel(sdist, lock_entry["name"], version, lock_entry.get("imports", [key]), folder / "built")
    return PackageFile(key, version, wheel.name, sha256_file(wheel), sha256_file(sdist))


def _pure_wheel_or_none(pip: Pip, key: str, lock_entry: dict, python: str, work: Path) -> PackageFile | None:
    """PyPI's pure-Python wheel of exactly the lock's version, or None when PyPI has none (only a source
    distribution, or only compiled wheels). Any other pip failure (no network) stops the pinning."""
    name, version = lock_entry["name"], lock_entry["version"]
    try:
        files = pip.download(f"{name}=={version}", Path(tempfile.mkdtemp(dir=work)), pure_python_for=python)
    except FetchError as exc:
        if "No matching distribution" in exc.message or "Could not find a version" in exc.message:
            return None
        raise
    wheel = next((f for f in files if f.name.endswith(PURE_PYTHON_SUFFIX)), None)
    return PackageFile(key, version, wheel.name, sha256_file(wheel)) if wheel else None


def _pypi_pin(pip: Pip, lock_entry: dict, python: str, work: Path, pair: Pair) -> PackageFile:
    name, version = lock_entry["name"], lock_entry["version"]
    if not lock_entry["file_name"].endswith(PURE_PYTHON_SUFFIX):
        raise ConfigError(
            f"Pair {pair.name!r} takes its packages from PyPI, but {name} is compiled for Pyodide "
            f"({lock_entry['file_name']}); only the official file would work.",
            "Remove it from the pair's `packages`, or set packages_from = \"lock\" where the official files are reachable.",
        )
    files = pip.download(f"{name}=={version}", Path(tempfile.mkdtemp(dir=work)), pure_python_for=python)
    wheel = next((f for f in files if f.name.endswith(PURE_PYTHON_SUFFIX)), None)
    if wheel is None:
        raise FetchError(f"pip found no pure-Python wheel of {name}=={version} on PyPI.")
    return PackageFile(name, version, wheel.name, sha256_file(wheel))


# -- rendering ---------------------------------------------------------------------------------------


def render(manifest: Manifest) -> str:
    """manifest.toml as text, in a fixed order and layout."""
    out = [HEADER, f"schema = {manifest.schema}", f"default_pair = {_s(manifest.default_pair)}", ""]
    for pair in manifest.pairs.values():
        out.append(f"[pairs.{_key(pair.name)}]")
        if pair.description:
            out.append(f"description = {_s(pair.description)}")
        out += [f"pyscript = {_s(pair.pyscript)}", f"pyodide = {_s(pair.pyodide)}", f"micropython = {_s(pair.micropython)}"]
        out.append(f"packages = [{', '.join(_s(p) for p in pair.packages)}]")
        if pair.packages_from != "lock":
            out.append("# The official package files of this Pyodide are not reachable: these pure-Python")
            out.append("# packages are taken from PyPI at the lock's versions (pinned in [pypi_wheels] below).")
            out.append(f"packages_from = {_s(pair.packages_from)}")
        if pair.pure_python:
            out.append("# And every pure-Python package of the lock (with what those need) that can be had at the")
            out.append("# lock's version: official files a carrier holds, else PyPI's wheels (pinned below).")
            out.append("pure_python = true")
        if pair.pure_builds:
            out.append("# Compiled in Pyodide, but their compiled part is optional: built as pure-Python wheels from")
            out.append("# PyPI's source of the lock's version when the official file is unreachable (runtime/purebuild.py).")
            out.append(f"pure_builds = [{', '.join(_s(p) for p in pair.pure_builds)}]")
        if pair.pypi_packages:
            out.append("# Not in the lock: PyPI's pure-Python wheels, with what they need that the lock lacks (pinned below).")
            out.append(f"pypi_packages = [{', '.join(_s(p) for p in pair.pypi_packages)}]")
        if pair.optional:
            out.append("optional = true")
        out.append("")
    if manifest.carriers:
        out.append("# PyPI distributions that carry official Pyodide package files (transport only).")
        for carrier in manifest.carriers:
            out += ["[[carriers]]", f"pyodide = {_s(carrier.pyodide)}", f"requirement = {_s(carrier.requirement)}",
                    f"folder = {_s(carrier.folder)}", ""]
    out.append("# --- generated by `python main.py runtime pin` below this line ---")
    out.append("")
    out.append("# npm packages: npm name, version, SRI integrity of the registry tarball.")
    for key, package in manifest.npm.items():
        out += [f"[npm.{_s(key)}]", f"package = {_s(package.package)}", f"version = {_s(package.version)}",
                f"integrity = {_s(package.integrity)}", ""]
    for version, entries in manifest.pyodide_packages.items():
        out.append(f"# Pyodide {version} package files: the dependency closure of the pairs' packages in the")
        out.append("# official pyodide-lock.json (name = version, file, sha256).")
        out.append(f"[pyodide_packages.{_s(version)}]")
        out += [_file_line(entry) for entry in entries.values()]
        out.append("")
    for version, entries in manifest.pypi_wheels.items():
        out.append(f"# Pure-Python wheels from PyPI for Pyodide {version}, at its lock's versions (sha256 of the PyPI file).")
        out.append(f"[pypi_wheels.{_s(version)}]")
        out += [_file_line(entry) for entry in entries.values()]
        out.append("")
    for version, entries in manifest.unbundled.items():
        out.append(f"# Packages of the Pyodide {version} lock that `pure_python` wanted and no source gives at the")
        out.append("# lock's version: no official file reachable, and no pure-Python wheel of it on PyPI.")
        out.append(f"[unbundled.{_s(version)}]")
        out += [f"{_s(name)} = {_s(v)}" for name, v in entries.items()]
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _file_line(entry: PackageFile) -> str:
    sdist = f", sdist_sha256 = {_s(entry.sdist_sha256)}" if entry.sdist_sha256 else ""
    return f"{_s(entry.name)} = {{ version = {_s(entry.version)}, file = {_s(entry.file)}, sha256 = {_s(entry.sha256)}{sdist} }}"


def _s(value: str) -> str:
    """A TOML basic string (JSON's escaping is valid TOML)."""
    return json.dumps(value)


def _key(name: str) -> str:
    return name if name.replace("-", "").replace("_", "").isalnum() else _s(name)
