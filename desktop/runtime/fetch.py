"""`runtime fetch`: filling `bundled_runtime/` with verified files without ever breaking it in place.

Everything is fetched into a staging folder next to the bundle and verified
there; only when every component of the pair verifies are the component
folders swapped in with renames (and pinned wheels moved into the wheelhouse).
A failure at any point leaves the previous bundle exactly as it was.

After a component is verified, the sha256 of each of its files is recorded in
`<component>/.files.json`: `runtime verify` re-checks against that record (and
package files also against the manifest's pins), and a repeated fetch only
checks that the recorded files are present, so it takes milliseconds.
"""

from __future__ import annotations

import json
import shutil
import tarfile
import tempfile
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from rich.progress import Progress

from .. import console
from ..errors import FetchError, IntegrityError
from packaging.requirements import Requirement

from .bundle import RuntimeBundle
from .cache import DownloadCache
from .integrity import sha256_file
from .locking import bundle_lock
from .manifest import NpmPackage, Pair
from .npm import Npm
from .pip import PURE_PYTHON_SUFFIX, Pip
from .sources import Sources
from .wheelhouse import Wheelhouse, canonical_name, pypi_entry, read_lock

__all__ = ["Fetcher", "FILES_INDEX", "component_is_complete", "read_files_index"]

#: pip downloads at once for a pair's pinned PyPI wheels.
_PIP_JOBS = 4

#: Inside each component folder: {relative path: sha256} of every file, written after verification.
FILES_INDEX = ".files.json"


def read_files_index(folder: Path) -> dict[str, str] | None:
    try:
        files = json.loads((folder / FILES_INDEX).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return files if isinstance(files, dict) else None


def component_is_complete(folder: Path, expected_files: dict[str, str] | None = None) -> bool:
    """Cheap check (names and presence, no hashing) used to make repeated fetches instant."""
    files = read_files_index(folder)
    if files is None:
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
    backoff: float = 0.5  # first retry delay of CDN downloads

    def missing(self, pair: Pair, *, force: bool = False) -> tuple[list[tuple[str, str]], bool]:
        """(components to fetch, whether the pair's pinned wheels are needed), without hashing anything."""
        components = [
            (kind, version)
            for kind, version in pair.versions().items()
            if force or not component_is_complete(self.bundle.component_dir(kind, version), self._pinned_files(kind, version))
        ]
        pins = self._pinned_wheels(pair)
        wheels = bool(pins) and (force or not Wheelhouse(self.bundle, pair.pyodide, self.pip).has_pinned(pins))
        return components, wheels

    def prefetch(self, pairs: list[Pair], *, workers: int = 4) -> None:
        """Download the npm tarballs these pairs miss into the download cache, several at a time (each
        verified against its pin as usual), so fetching many small components, as the PyScript releases
        are, waits on the network once instead of once per tarball in turn. Best effort: whatever fails
        here is tried again, and reported, by `fetch`."""
        wanted: dict[str, NpmPackage] = {}
        for pair in pairs:
            for kind, version in self.missing(pair)[0]:
                package = self.bundle.manifest.npm_package(kind, version)
                wanted.setdefault(package.spec, package)
        if len(wanted) < 2:
            return
        console.info(f"Downloading {len(wanted)} npm packages, {workers} at a time...")
        work = Path(tempfile.mkdtemp(prefix="pyscript-desktop-prefetch-"))
        sources = Sources(DownloadCache(self.cache_dir), work, self.npm, self.pip, self.mirror, backoff=self.backoff)

        def one(package: NpmPackage) -> None:
            try:
                sources.npm_tarball(package)
            except (FetchError, IntegrityError):
                pass

        try:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                list(pool.map(one, wanted.values()))
        finally:
            sources.close()
            shutil.rmtree(work, ignore_errors=True)

    def fetch(self, pair: Pair, *, force: bool = False) -> list[str]:
        """Make `pair` complete and verified on disk; returns what was (re)fetched."""
        components, wheels = self.missing(pair, force=force)
        if not components and not wheels:
            return []
        with bundle_lock(self.bundle.root):
            if not force:  # another fetch may have finished while we waited
                components, wheels = self.missing(pair)
                if not components and not wheels:
                    return []
            _remove_leftovers(self.bundle.root)
            return self._fetch_locked(pair, components, wheels)

    def _fetch_locked(self, pair: Pair, components: list[tuple[str, str]], wheels: bool) -> list[str]:
        staging = self.bundle.root / f".staging-{uuid.uuid4().hex[:8]}"
        staging.mkdir()
        progress = console.progress()
        sources = Sources(DownloadCache(self.cache_dir), staging / ".work", self.npm, self.pip, self.mirror, backoff=self.backoff)
        try:
            with progress:
                staged: list[tuple[Path, Path]] = []
                for kind, version in components:
                    folder = staging / kind / version
                    self._stage_npm(sources, kind, version, folder)
                    if kind == "pyodide":
                        self._stage_packages(sources, version, folder, progress)
                    _write_index(folder, self._pinned_files(kind, version))
                    staged.append((folder, self.bundle.component_dir(kind, version)))
                staged_wheels = self._stage_wheels(sources, pair, staging) if wheels else {}
            for folder, target in staged:
                _swap_in(folder, target)
            Wheelhouse(self.bundle, pair.pyodide, self.pip).install(staged_wheels)
        finally:
            sources.close()
            shutil.rmtree(staging, ignore_errors=True)
        done = [f"{kind} {version}" for kind, version in components]
        return done + ([f"{len(staged_wheels)} PyPI wheel(s) for Pyodide {pair.pyodide}"] if wheels else [])

    def _pinned_files(self, kind: str, version: str) -> dict[str, str]:
        if kind != "pyodide":
            return {}
        return {e.file: e.sha256 for e in self.bundle.manifest.packages_for(version).values()}

    def _pinned_wheels(self, pair: Pair) -> dict:
        wanted = pair.packages_from == "pypi" or pair.pure_python or bool(pair.pypi_packages)
        return self.bundle.manifest.wheels_for(pair.pyodide) if wanted else {}

    # -- npm components ---------------------------------------------------------------------
    def _stage_npm(self, sources: Sources, kind: str, version: str, folder: Path) -> None:
        package = self.bundle.manifest.npm_package(kind, version)
        tarball = sources.npm_tarball(package)
        _extract_npm(tarball, folder)
        console.info(f"  {package.spec}: verified against its npm integrity")

    # -- Pyodide package files ----------------------------------------------------------------
    def _stage_packages(self, sources: Sources, version: str, folder: Path, progress: Progress) -> None:
        entries = self.bundle.manifest.packages_for(version)
        if not entries:
            return
        official = read_lock(folder)["packages"]
        for name, entry in entries.items():
            lock_entry = official.get(name)
            if lock_entry is None or lock_entry["sha256"] != entry.sha256 or lock_entry["file_name"] != entry.file:
                raise IntegrityError(
                    f"manifest.toml pins {entry.file} with a sha256 that the official pyodide-lock.json of "
                    f"Pyodide {version} does not have.",
                    "Restore bundled_runtime/manifest.toml from the app's source, or regenerate it with "
                    "`python main.py runtime pin`.",
                )
        task = progress.add_task(f"Pyodide {version} packages", total=None)
        counted: dict[str, int] = {}

        def on_bytes(file: str, done: int, total: int | None) -> None:
            progress.advance(task, done - counted.get(file, 0))
            counted[file] = done

        sources.on_progress = on_bytes
        try:
            for entry in entries.values():
                progress.update(task, description=f"Pyodide {version}: {entry.file}")
                path = sources.package_file(version, entry, self.bundle.manifest.carriers)
                shutil.copyfile(path, folder / entry.file)
                on_bytes(entry.file, path.stat().st_size, None)
        finally:
            sources.on_progress = None
        progress.update(task, description=f"Pyodide {version} packages", total=sum(counted.values()))
        console.info(f"  Pyodide {version}: {len(entries)} package files verified against the official lock")

    # -- pinned PyPI wheels (pairs whose official package files are unreachable) ------------------
    def _stage_wheels(self, sources: Sources, pair: Pair, staging: Path) -> dict[str, tuple[dict, Path]]:
        staged_lock = staging / "pyodide" / pair.pyodide
        lock = read_lock(staged_lock if staged_lock.is_dir() else self.bundle.component_dir("pyodide", pair.pyodide))
        python = ".".join(str(lock["info"]["python"]).split(".")[:2])
        target = staging / "wheelhouse"
        target.mkdir(parents=True, exist_ok=True)
        pins = self._pinned_wheels(pair)
        # `pypi_packages` wheels: packages the lock lacks, or replaces at another version. Their entries
        # are read from the wheel once it verified.
        extra = {canonical_name(n) for n in pins} - {canonical_name(n) for n in lock["packages"]}
        extra |= {n for n in pins if n in lock["packages"] and lock["packages"][n]["version"] != pins[n].version
                  and n in {canonical_name(Requirement(r).name) for r in pair.pypi_packages}}
        for name, pin in pins.items():
            lock_entry = lock["packages"].get(name)
            if name in extra:
                continue
            if lock_entry is None or lock_entry["version"] != pin.version or not pin.file.endswith(PURE_PYTHON_SUFFIX):
                raise IntegrityError(
                    f"manifest.toml pins {pin.file} from PyPI, but the official lock of Pyodide {pair.pyodide} does "
                    f"not have {name} {pin.version}, or that file is not a pure-Python wheel.",
                    "Regenerate the pins with `python main.py runtime pin`.",
                )
        # One pip at a time would spend most of a hundred wheels' time starting pip and waiting on the index.
        with ThreadPoolExecutor(_PIP_JOBS) as pool:
            paths = dict(zip(pins, pool.map(
                lambda pin: sources.pypi_wheel(pin, python, tuple(lock["packages"].get(pin.name, {}).get("imports", ()))),
                pins.values())))
        staged: dict[str, tuple[dict, Path]] = {}
        in_lock = {canonical_name(n): e for n, e in lock["packages"].items()}
        for name, pin in pins.items():
            shutil.copyfile(paths[name], target / pin.file)
            if name in lock["packages"] and name not in extra:
                # The lock's own entry (imports, depends), pointing at PyPI's file of the same version.
                staged[name] = ({**lock["packages"][name], "file_name": pin.file, "sha256": pin.sha256}, target / pin.file)
            else:
                staged[name] = (pypi_entry(target / pin.file, python, in_lock), target / pin.file)
        console.info(f"  Pyodide {pair.pyodide}: {len(staged)} PyPI wheel(s) verified against manifest.toml")
        return staged


def _extract_npm(tarball: Path, folder: Path) -> None:
    """Extract an npm tarball's top folder (`package/`) into `folder`, refusing unsafe members."""
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with tarfile.open(tarball, "r:gz") as archive:
            for member in archive.getmembers():
                if not (member.isfile() or member.isdir()):
                    continue  # npm packages need no links or devices
                _, _, rest = member.name.lstrip("./").partition("/")
                if not rest or rest.startswith("/") or ".." in rest.split("/"):
                    continue
                member.name = rest
                if hasattr(tarfile, "data_filter"):
                    archive.extract(member, folder, filter="data")
                else:  # Python < 3.11.4: the checks above are the filter
                    archive.extract(member, folder)
    except (tarfile.TarError, OSError) as exc:
        raise FetchError(f"Could not unpack {tarball.name}: {exc}.", "Run the command again.") from None


def _write_index(folder: Path, pinned: dict[str, str]) -> None:
    """Record the sha256 of every file of a verified component (pinned files keep their pinned digest)."""
    files = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            rel = path.relative_to(folder).as_posix()
            files[rel] = pinned.get(rel) or sha256_file(path)
    missing = sorted(set(pinned) - set(files))
    if missing:
        raise FetchError(f"{folder.name}: the pinned files {', '.join(missing)} were not staged.")
    (folder / FILES_INDEX).write_text(json.dumps(files, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def _swap_in(staged: Path, target: Path) -> None:
    """Replace `target` with `staged` by two renames; on failure the previous folder is put back."""
    target.parent.mkdir(parents=True, exist_ok=True)
    old = target.with_name(f".old-{target.name}-{uuid.uuid4().hex[:8]}")
    if target.exists():
        target.rename(old)
    try:
        staged.rename(target)
    except OSError:
        if old.exists():
            old.rename(target)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _remove_leftovers(root: Path) -> None:
    """Staging and swapped-out folders of a fetch that was killed (we hold the fetch lock)."""
    for pattern in (".staging-*", "*/.old-*"):
        for leftover in root.glob(pattern):
            shutil.rmtree(leftover, ignore_errors=True)
