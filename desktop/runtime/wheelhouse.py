"""`runtime add`: packages beyond the pinned bundle, made installable offline.

    bundled_runtime/wheelhouse/<pyodide version>/
      wheelhouse.json     {canonical name: pyodide-lock.json-style entry}
      <wheel files>

A name is resolved from the official Pyodide lock when it is there (its file
is fetched and checked against the lock's sha256, and its lock entry is kept),
otherwise as a pure-Python wheel from PyPI through pip (pip checks the index's
hashes; we record the sha256 of what it fetched). Dependencies are resolved the
same way, preferring the lock. The server merges these entries into the
`pyodide-lock.json` it serves and serves the wheels under the pyodide folder's
URL, so `packages = [...]`, micropip and `pyodide.loadPackage` find them
offline.

Lock packages go here too rather than into `pyodide/<version>/`: that folder is
exactly the pinned component (re-fetching it swaps it whole), and this way
added packages survive `runtime fetch --force`. The served URL is the same.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from email.message import Message
from email.parser import Parser
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import InvalidRequirement, Requirement

from .. import console
from ..errors import FetchError, PackageNotFoundError, RuntimeMissingError
from .bundle import RuntimeBundle
from .cache import DownloadCache
from .integrity import sha256_file
from .locking import bundle_lock
from .manifest import PackageFile
from .pip import PURE_PYTHON_SUFFIX, Pip
from .sources import Sources, cdn_url

__all__ = ["Wheelhouse", "canonical_name", "read_lock", "pypi_entry", "wheel_requirements", "INDEX"]

INDEX = "wheelhouse.json"


def canonical_name(name: str) -> str:
    """PEP 503 normalisation, which is also how pyodide-lock.json names packages."""
    return re.sub(r"[-_.]+", "-", name).lower()


def read_lock(pyodide_dir: Path) -> dict:
    """The official pyodide-lock.json of an installed Pyodide folder."""
    try:
        return json.loads((pyodide_dir / "pyodide-lock.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RuntimeMissingError(
            f"The Pyodide lock file in {pyodide_dir} cannot be read ({exc}).",
            "Fetch the runtime again with: python main.py runtime fetch --force",
        ) from None


@dataclass
class Wheelhouse:
    bundle: RuntimeBundle
    pyodide_version: str
    pip: Pip = field(default_factory=Pip)

    @property
    def folder(self) -> Path:
        return self.bundle.wheelhouse_dir(self.pyodide_version)

    # -- what the server asks -------------------------------------------------------------------
    def entries(self) -> dict[str, dict]:
        """Lock-style entries of the wheels in the wheelhouse, by canonical name."""
        try:
            data = json.loads((self.folder / INDEX).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def file_path(self, file_name: str) -> Path | None:
        """The wheel file for a lock entry's `file_name`, or None (never a path outside the folder)."""
        if "/" in file_name or "\\" in file_name or file_name.startswith("."):
            return None
        if not any(e.get("file_name") == file_name for e in self.entries().values()):
            return None
        path = self.folder / file_name
        return path if path.is_file() else None

    # -- checks -------------------------------------------------------------------------------------
    def verify(self) -> tuple[int, list[str]]:
        """(files checked, problems): each wheel against its recorded sha256, pinned ones against the manifest."""
        pins = self.bundle.manifest.wheels_for(self.pyodide_version)
        label = f"wheelhouse/{self.pyodide_version}"
        problems: list[str] = []
        entries = self.entries()
        for name, entry in entries.items():
            path = self.folder / entry["file_name"]
            if not path.is_file():
                problems.append(f"{label}/{entry['file_name']}: missing")
            elif sha256_file(path) != entry["sha256"]:
                problems.append(f"{label}/{entry['file_name']}: content changed (sha256 mismatch)")
            elif name in pins and pins[name].sha256 != entry["sha256"]:
                problems.append(f"{label}/{entry['file_name']}: not the wheel manifest.toml pins")
        for name, pin in pins.items():
            if name not in entries:
                problems.append(f"{label}/{pin.file}: missing (pinned in manifest.toml)")
        return len(entries), problems

    def has_pinned(self, pins: dict[str, PackageFile]) -> bool:
        """Cheap check (no hashing) that every pinned wheel is recorded and present."""
        entries = self.entries()
        return all(
            name in entries and entries[name]["sha256"] == pin.sha256 and (self.folder / pin.file).is_file()
            for name, pin in pins.items()
        )

    # -- writing ------------------------------------------------------------------------------------
    def install(self, staged: dict[str, tuple[dict, Path]]) -> None:
        """Move verified wheels in, then record their entries (the index is replaced atomically)."""
        if not staged:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        entries = self.entries()
        for name, (entry, path) in staged.items():
            tmp = self.folder / f".{entry['file_name']}.tmp"
            shutil.copyfile(path, tmp)
            os.replace(tmp, self.folder / entry["file_name"])
            old = entries.get(name)
            entries[name] = entry
            if old and old["file_name"] != entry["file_name"] and not any(
                    e["file_name"] == old["file_name"] for e in entries.values()):
                (self.folder / old["file_name"]).unlink(missing_ok=True)
        tmp_index = self.folder / f".{INDEX}.tmp"
        tmp_index.write_text(json.dumps(entries, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(tmp_index, self.folder / INDEX)

    def add(self, names: list[str], cache_dir: Path, mirror: str | None = None) -> list[str]:
        """Resolve `names` and their dependencies into the wheelhouse; returns the names newly added.

        Nothing is written unless every name resolves.
        """
        pyodide_dir = self.bundle.component_dir("pyodide", self.pyodide_version)
        if not pyodide_dir.is_dir():
            raise RuntimeMissingError(
                f"Pyodide {self.pyodide_version} is not in {self.bundle.root}.",
                "Fetch its runtime pair first: python main.py runtime fetch --pair NAME",
            )
        lock = read_lock(pyodide_dir)
        resolver = _Resolver(self, lock, pyodide_dir)
        self.folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self.folder, prefix=".work-") as work:
            sources = Sources(DownloadCache(cache_dir), Path(work), pip=self.pip, mirror=mirror)
            try:
                staged = resolver.resolve(names, sources, Path(work))
            finally:
                sources.close()
            with bundle_lock(self.bundle.root):
                self.install(staged)
        for entry, _ in staged.values():
            console.info(f"  added {entry['file_name']}")
        return list(staged)


@dataclass
class _Resolver:
    """Breadth-first resolution: the lock first, then PyPI's pure-Python wheels."""

    wheelhouse: Wheelhouse
    lock: dict
    pyodide_dir: Path

    @property
    def python(self) -> str:
        return ".".join(str(self.lock["info"]["python"]).split(".")[:2])

    def resolve(self, names: list[str], sources: Sources, work: Path) -> dict[str, tuple[dict, Path]]:
        lock_packages = {canonical_name(n): e for n, e in self.lock["packages"].items()}
        existing = self.wheelhouse.entries()
        staged: dict[str, tuple[dict, Path]] = {}
        queue: list[tuple[str, str]] = []  # (canonical name, requirement)
        for name in names:
            try:
                requirement = Requirement(name)
            except InvalidRequirement:
                raise PackageNotFoundError(f"{name!r} is not a package name or requirement.") from None
            queue.append((canonical_name(requirement.name), str(requirement)))
        seen: set[str] = set()
        while queue:
            name, wanted = queue.pop(0)
            if name in seen:
                continue
            seen.add(name)
            lock_entry = lock_packages.get(name)
            if lock_entry and (self.pyodide_dir / lock_entry["file_name"]).is_file():
                queue += [(canonical_name(d), d) for d in lock_entry.get("depends", [])]
                continue  # in the bundle already
            if name in existing and (self.wheelhouse.folder / existing[name]["file_name"]).is_file():
                continue
            if lock_entry:
                entry, path = self._from_lock(sources, lock_entry, work)
            else:
                entry, path = self._from_pypi(wanted, work, lock_packages)
            staged[name] = (entry, path)
            queue += [(canonical_name(d), d) for d in entry.get("depends", [])]
        return staged

    def _from_lock(self, sources: Sources, lock_entry: dict, work: Path) -> tuple[dict, Path]:
        pinned = PackageFile(lock_entry["name"], lock_entry["version"], lock_entry["file_name"], lock_entry["sha256"])
        manifest = self.wheelhouse.bundle.manifest
        try:
            return dict(lock_entry), sources.package_file(self.wheelhouse.pyodide_version, pinned, manifest.carriers)
        except FetchError as exc:
            if not pinned.file.endswith(PURE_PYTHON_SUFFIX):
                version = self.wheelhouse.pyodide_version
                raise PackageNotFoundError(
                    f"{pinned.name} {pinned.version} is compiled for Pyodide {version}, so only Pyodide's own build "
                    f"of it runs: the file {pinned.file} (sha256 {pinned.sha256[:16]}...) from "
                    f"{cdn_url(sources.cdn_base, version, pinned.file)}, which could not be obtained. {exc.message}",
                    f"Connect to the network and run `python main.py runtime add {pinned.name}` again, or copy "
                    f"Pyodide {version}'s package folder (at least this file) to a server or folder you can reach "
                    "and pass --mirror URL (PyPI has no build of it for Pyodide).",
                ) from None
            # The official build is unavailable; PyPI's wheel of the same version is the same code.
            console.warn(f"{exc.message} Trying PyPI's wheel of {pinned.name} {pinned.version} instead.")
            try:
                entry, path = self._from_pypi(f"{pinned.name}=={pinned.version}", work, {})
            except _NoWheel as missing:
                raise PackageNotFoundError(
                    f"{pinned.name} is in the Pyodide {self.wheelhouse.pyodide_version} lock, but its file could not "
                    f"be obtained ({exc.message}), and PyPI has no pure-Python wheel of {pinned.name}=={pinned.version} "
                    f"either ({missing.reason}).",
                    "Pass --mirror URL pointing at a copy of the Pyodide CDN, or try again with network access to it.",
                ) from None
            return {**lock_entry, "file_name": entry["file_name"], "sha256": entry["sha256"]}, path

    def _from_pypi(self, requirement: str, work: Path, lock_packages: dict[str, dict]) -> tuple[dict, Path]:
        pip = self.wheelhouse.pip
        target = Path(tempfile.mkdtemp(dir=work, prefix="pypi-"))
        try:
            files = pip.download(requirement, target, pure_python_for=self.python)
        except FetchError:
            reason = pip.why_no_wheel(requirement, self.python, work)
            raise _NoWheel(reason,
                f"{requirement} is not in the Pyodide {self.wheelhouse.pyodide_version} lock, and PyPI has no "
                f"pure-Python wheel of it for Python {self.python}: {reason}.",
                "Check the spelling. Packages with compiled code only run in Pyodide when Pyodide itself "
                "builds them (they are then in its lock); otherwise use a pure-Python alternative.",
            ) from None
        wheel = next((f for f in files if f.name.endswith(PURE_PYTHON_SUFFIX)), None)
        if wheel is None:
            raise PackageNotFoundError(f"pip found no pure-Python wheel for {requirement}.")
        return pypi_entry(wheel, self.python, lock_packages), wheel


def pypi_entry(wheel: Path, python: str, lock_packages: dict[str, dict]) -> dict:
    """A pyodide-lock.json-style entry for a pure-Python wheel from PyPI (its dependencies as they apply
    inside Pyodide, named as the lock names them where it has them)."""
    metadata, imports = _read_wheel(wheel)
    depends = []
    for dependency in _requirements(metadata, python):
        key = canonical_name(dependency.name)
        depends.append(lock_packages[key]["name"] if key in lock_packages else key)
    return {
        "name": canonical_name(metadata["Name"]),
        "version": metadata["Version"],
        "file_name": wheel.name,
        "install_dir": "site",
        "sha256": sha256_file(wheel),
        "package_type": "package",
        "imports": imports,
        "depends": sorted(set(depends)),
        "unvendored_tests": False,
    }


def wheel_requirements(wheel: Path, python: str) -> list[str]:
    """The wheel's dependencies inside Pyodide with their version ranges and extras (no markers: those
    are decided here), as requirement strings for pip."""
    found = []
    for requirement in _requirements(_read_wheel(wheel)[0], python):
        requirement.marker = None
        found.append(str(requirement))
    return found


class _NoWheel(PackageNotFoundError):
    """PyPI has no pure-Python wheel; `reason` is pip's explanation."""

    def __init__(self, reason: str, message: str, hint: str) -> None:
        super().__init__(message, hint)
        self.reason = reason


def _requirements(metadata: Message, python: str) -> list[Requirement]:
    """The wheel's unconditional dependencies as they apply inside Pyodide (emscripten, wasm32)."""
    env: dict[str, str] = {**default_environment(), "python_version": python, "python_full_version": python + ".0",  # type: ignore[dict-item]
           "sys_platform": "emscripten", "platform_system": "Emscripten", "os_name": "posix",
           "implementation_name": "cpython", "platform_python_implementation": "CPython",
           "platform_machine": "wasm32", "extra": ""}
    found = []
    for line in metadata.get_all("Requires-Dist") or []:
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            continue
        if requirement.marker is None or requirement.marker.evaluate(env):
            found.append(requirement)
    return found


def _read_wheel(wheel: Path):
    """(METADATA, top-level import names) of a wheel."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        meta_name = next((n for n in names if n.endswith(".dist-info/METADATA")), None)
        if meta_name is None:
            raise PackageNotFoundError(f"{wheel.name} is not a valid wheel (no METADATA).")
        metadata = Parser().parsestr(archive.read(meta_name).decode("utf-8", "replace"))
        top_level = next((n for n in names if n.endswith(".dist-info/top_level.txt")), None)
        if top_level:
            imports = [line.strip() for line in archive.read(top_level).decode().splitlines() if line.strip()]
        else:
            imports = sorted({
                n.split("/", 1)[0].removesuffix(".py") for n in names
                if not n.split("/", 1)[0].endswith((".dist-info", ".data")) and (n.endswith(".py") or "/" in n)
            })
    return metadata, imports
