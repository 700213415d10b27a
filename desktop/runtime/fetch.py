"""Filling `bundled_runtime/` with verified files, without ever breaking the bundle in place.

Everything is fetched into a staging folder next to the bundle and verified
there; only when a whole component verifies is it swapped in with renames.
A failure at any point leaves the previous bundle exactly as it was.
"""

from __future__ import annotations

import json
import shutil
import tarfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from .. import console
from ..errors import FetchError, IntegrityError
from .bundle import RuntimeBundle
from .cache import DownloadCache
from .integrity import sha256_file, sri_matches
from .manifest import Pair
from .sources import Sources
from .tools import Npm, Pip

__all__ = ["Fetcher", "FILES_INDEX", "component_is_complete"]

#: Inside each component folder: {relative path: sha256} of every file, written after verification.
FILES_INDEX = ".files.json"


def component_is_complete(folder: Path, expected_files: dict[str, str] | None = None) -> bool:
    """Cheap check (names and presence, no hashing) used to make repeated fetches instant."""
    index = folder / FILES_INDEX
    if not index.is_file():
        return False
    try:
        files = json.loads(index.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if expected_files and any(files.get(name) != sha for name, sha in expected_files.items()):
        return False
    return all((folder / name).is_file() for name in files)


@dataclass
class Fetcher:
    bundle: RuntimeBundle
    cache_dir: Path
    mirror: str | None = None
    npm: Npm = field(default_factory=Npm.find)
    pip: Pip = field(default_factory=Pip)

    def fetch(self, pair: Pair, *, force: bool = False) -> list[str]:
        """Make `pair` complete and verified on disk; returns the components (re)fetched."""
        manifest = self.bundle.manifest
        wanted = [
            (kind, version)
            for kind, version in pair.versions().items()
            if force or not component_is_complete(self.bundle.component_dir(kind, version), self._pinned_files(kind, version))
        ]
        if not wanted:
            return []
        self.bundle.root.mkdir(parents=True, exist_ok=True)
        staging = self.bundle.root / f".staging-{uuid.uuid4().hex[:8]}"
        staging.mkdir()
        sources = Sources(DownloadCache(self.cache_dir), staging / ".work", self.npm, self.pip, self.mirror)
        (staging / ".work").mkdir()
        try:
            staged: list[tuple[Path, Path]] = []
            for kind, version in wanted:
                folder = staging / kind / version
                self._stage_npm(sources, kind, version, folder)
                if kind == "pyodide":
                    self._stage_packages(sources, version, folder, manifest.carriers)
                _write_index(folder, self._pinned_files(kind, version))
                staged.append((folder, self.bundle.component_dir(kind, version)))
            for folder, target in staged:
                _swap_in(folder, target)
        finally:
            sources.close()
            shutil.rmtree(staging, ignore_errors=True)
        return [f"{kind} {version}" for kind, version in wanted]

    def _pinned_files(self, kind: str, version: str) -> dict[str, str]:
        if kind != "pyodide":
            return {}
        return {e.file: e.sha256 for e in self.bundle.manifest.packages_for(version).values()}

    # -- npm components ---------------------------------------------------------------------
    def _stage_npm(self, sources: Sources, kind: str, version: str, folder: Path) -> None:
        package = self.bundle.manifest.npm_package(kind, version)
        problems = []
        for source, tarball in sources.npm_tarball(package):
            if not sri_matches(tarball, package.integrity):
                problems.append(f"{source}: integrity mismatch")
                if source == "cache":
                    sources.cache.discard(package.integrity, tarball.name)
                continue
            _extract_npm(tarball, folder)
            if source != "cache":
                sources.cache.put(package.integrity, tarball.name, tarball)
            console.info(f"  {package.spec}: verified ({source})")
            return
        if problems:
            raise IntegrityError(
                f"Could not obtain a verified copy of the npm package {package.spec} ({'; '.join(problems)}).",
                "The previous bundle is untouched. Check that npm reaches its registry and run `runtime fetch` again.",
            )
        raise FetchError(
            f"Could not obtain the npm package {package.spec}: no source answered.",
            "The previous bundle is untouched. Install npm, make sure it reaches its registry, and run `runtime fetch` again.",
        )

    # -- Pyodide package files ----------------------------------------------------------------
    def _stage_packages(self, sources: Sources, version: str, folder: Path, carriers) -> None:
        entries = self.bundle.manifest.packages_for(version)
        if not entries:
            return
        official = json.loads((folder / "pyodide-lock.json").read_text(encoding="utf-8"))["packages"]
        for name, entry in entries.items():
            lock_entry = official.get(name)
            if lock_entry is None or lock_entry["sha256"] != entry.sha256 or lock_entry["file_name"] != entry.file:
                raise IntegrityError(
                    f"manifest.toml pins {entry.file} with a sha256 that the official pyodide-lock.json of Pyodide {version} does not have.",
                    "Restore bundled_runtime/manifest.toml from the app's source.",
                )
        with console.progress() as progress:
            task = progress.add_task(f"Pyodide {version} packages", total=len(entries))
            for entry in entries.values():
                self._stage_one(sources, version, entry, folder, carriers)
                progress.advance(task)
        console.info(f"  Pyodide {version}: {len(entries)} package files verified against the official lock")

    def _stage_one(self, sources: Sources, version: str, entry, folder: Path, carriers) -> None:
        problems = []
        for source, path in sources.package_file(version, entry, carriers):
            if sha256_file(path) != entry.sha256:
                problems.append(f"{source}: sha256 mismatch")
                if source == "cache":
                    sources.cache.discard(entry.sha256, entry.file)
                continue
            shutil.copyfile(path, folder / entry.file)
            if source != "cache":
                sources.cache.put(entry.sha256, entry.file, path)
            return
        if problems:
            raise IntegrityError(
                f"{entry.file} did not match the official sha256 from any source ({'; '.join(problems)}).",
                "The previous bundle is untouched. Try again, or use another mirror with --mirror URL.",
            )
        raise FetchError(
            f"Could not download {entry.file} from any source (cache, PyPI carrier, {sources.cdn_base}).",
            "The previous bundle is untouched. Check the network to the package registries, or pass --mirror URL.",
        )


def _extract_npm(tarball: Path, folder: Path) -> None:
    """Extract an npm tarball's `package/` folder into `folder`, refusing unsafe members."""
    folder.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tarball, "r:gz") as archive:
        for member in archive.getmembers():
            if not member.name.startswith("package/") or not (member.isfile() or member.isdir()):
                continue
            member.name = member.name[len("package/"):]
            if member.name:
                archive.extract(member, folder, filter="data")


def _write_index(folder: Path, pinned: dict[str, str]) -> None:
    files = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            rel = path.relative_to(folder).as_posix()
            files[rel] = pinned.get(rel) or sha256_file(path)
    (folder / FILES_INDEX).write_text(json.dumps(files, indent=1, sort_keys=True), encoding="utf-8")


def _swap_in(staged: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    old = target.with_name(f".old-{target.name}-{uuid.uuid4().hex[:8]}")
    if target.exists():
        target.rename(old)
    try:
        staged.rename(target)
    except OSError:
        if old.exists():
            old.rename(target)  # put the previous version back
        raise
    shutil.rmtree(old, ignore_errors=True)

