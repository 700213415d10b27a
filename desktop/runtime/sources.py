"""Where runtime files come from, tried in order, and the one place their bytes are checked.

For each file the chain is: the user cache, then the package clients (npm for
npm tarballs; pip for PyPI carriers of official Pyodide files and for
pure-Python wheels), then the Pyodide CDN or its mirror over HTTP. No source is
trusted: every candidate is checked against the pinned digest, and the first
one that matches is stored in the cache and returned. When none matches, the
error names the file and what each source did.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .. import console
from ..errors import FetchError, IntegrityError
from .cache import DownloadCache
from .download import download
from .integrity import sha256_file, sri_matches
from .manifest import Carrier, NpmPackage, PackageFile
from .npm import Npm
from .pip import Pip

__all__ = ["Sources", "DEFAULT_CDN", "cdn_url", "Check", "ProgressHook"]

#: The official Pyodide CDN layout: {base}/v{version}/full/{file}. A mirror replaces the base.
DEFAULT_CDN = "https://cdn.jsdelivr.net/pyodide"

Check = Callable[[Path], bool]
#: Hook for download progress: (file name, bytes so far, total or None).
ProgressHook = Callable[[str, int, "int | None"], None]


def cdn_url(base: str, pyodide_version: str, file_name: str) -> str:
    return f"{base.rstrip('/')}/v{pyodide_version}/full/{file_name}"


@dataclass
class _Attempts:
    """What each source did for one file, for the error message."""

    file: str
    failed: list[str] = field(default_factory=list)
    mismatched: list[str] = field(default_factory=list)

    def error(self, digest: str, hint: str) -> FetchError:
        if self.mismatched:
            others = f"; also {'; '.join(self.failed)}" if self.failed else ""
            return IntegrityError(
                f"{self.file} did not match its pinned {digest} from {', '.join(self.mismatched)}{others}.", hint
            )
        tried = "; ".join(self.failed) or "no source is configured for it"
        return FetchError(f"Could not obtain {self.file} from any source ({tried}).", hint)


@dataclass
class Sources:
    cache: DownloadCache
    work: Path  # scratch folder for this run, removed by the caller
    npm: Npm = field(default_factory=Npm.find)
    pip: Pip = field(default_factory=Pip)
    mirror: str | None = None
    on_progress: ProgressHook | None = None
    backoff: float = 0.5  # first retry delay of CDN downloads (doubles each time, capped)
    _carriers: dict[str, zipfile.ZipFile] = field(default_factory=dict)
    _carrier_failures: dict[str, str] = field(default_factory=dict)

    @property
    def cdn_base(self) -> str:
        return (self.mirror or DEFAULT_CDN).rstrip("/")

    # -- npm tarballs ---------------------------------------------------------------------------
    def npm_tarball(self, package: NpmPackage) -> Path:
        """A tarball of `package` that matches its pinned SRI integrity: from the cache, else `npm pack`."""
        name = f"{package.package.lstrip('@').replace('/', '-')}-{package.version}.tgz"
        attempts = _Attempts(f"the npm package {package.spec}")
        check: Check = lambda path: sri_matches(path, package.integrity)  # noqa: E731 - a typed one-line check
        found = self._from_cache(package.integrity, name, check, attempts)
        if found:
            return found
        try:
            tarball = self.npm.pack(package.spec, Path(tempfile.mkdtemp(dir=self._scratch(), prefix="npm-")))
        except FetchError as exc:
            attempts.failed.append(f"npm: {exc.message}")
        else:
            if check(tarball):
                return self.cache.put(package.integrity, name, tarball)
            attempts.mismatched.append("npm")
        raise attempts.error(
            "SRI integrity",
            "The previous bundle is untouched. Install npm if it is missing, make sure it reaches its registry "
            "(`npm ping`), and run the command again.",
        )

    # -- Pyodide package files -------------------------------------------------------------------
    def package_file(self, pyodide_version: str, entry: PackageFile, carriers: tuple[Carrier, ...] = ()) -> Path:
        """An official package file matching the lock's sha256: cache, PyPI carriers, then the CDN or mirror."""
        attempts = _Attempts(entry.file)
        check: Check = lambda path: sha256_file(path) == entry.sha256  # noqa: E731 - a typed one-line check
        found = self._from_cache(entry.sha256, entry.file, check, attempts)
        if found:
            return found
        for carrier in carriers:
            if carrier.pyodide != pyodide_version:
                continue
            label = f"PyPI carrier {carrier.requirement}"
            path = self._from_carrier(carrier, entry.file, attempts, label)
            if path is None:
                continue
            if check(path):
                return self.cache.put(entry.sha256, entry.file, path)
            attempts.mismatched.append(label)
        found = self._from_cdn(pyodide_version, entry, check, attempts)
        if found:
            return found
        raise attempts.error(
            "sha256 (from the official pyodide-lock.json)",
            "The previous bundle is untouched. Try again (downloads resume), or point --mirror URL "
            "(or PYSCRIPT_DESKTOP_MIRROR) at a copy of the Pyodide CDN.",
        )

    # -- pure-Python wheels from PyPI ------------------------------------------------------------
    def pypi_wheel(self, entry: PackageFile, python: str, imports: tuple[str, ...] = ()) -> Path:
        """A pinned pure-Python wheel (`name==version`) matching its pinned sha256: cache, then pip (for a
        wheel made from the source distribution, `imports` names its package folders)."""
        attempts = _Attempts(entry.file)
        check: Check = lambda path: sha256_file(path) == entry.sha256  # noqa: E731 - a typed one-line check
        found = self._from_cache(entry.sha256, entry.file, check, attempts)
        if found:
            return found
        requirement = f"{entry.name}=={entry.version}"
        if entry.sdist_sha256:
            return self._pure_build(entry, requirement, imports, attempts)
        try:
            files = self.pip.download(requirement, Path(tempfile.mkdtemp(dir=self._scratch(), prefix="pip-")),
                                      pure_python_for=python)
        except FetchError as exc:
            attempts.failed.append(f"pip: {exc.message}")
        else:
            wheel = next((f for f in files if f.name == entry.file), None)
            if wheel is None:
                attempts.failed.append(f"pip: downloaded {', '.join(f.name for f in files) or 'nothing'}, not {entry.file}")
            elif check(wheel):
                return self.cache.put(entry.sha256, entry.file, wheel)
            else:
                attempts.mismatched.append("PyPI (through pip)")
        raise attempts.error(
            "sha256 (from manifest.toml)",
            "The previous bundle is untouched. Check that pip reaches its package index and try again.",
        )

    def _pure_build(self, entry: PackageFile, requirement: str, imports: tuple[str, ...], attempts: _Attempts) -> Path:
        """A wheel made from PyPI's source distribution (runtime/purebuild.py): the source must match its
        pinned sha256, and the wheel made from it the wheel's."""
        from .purebuild import build_pure_wheel

        folder = Path(tempfile.mkdtemp(dir=self._scratch(), prefix="pip-"))
        try:
            files = self.pip.download(requirement, folder, source=True)
        except FetchError as exc:
            attempts.failed.append(f"pip: {exc.message}")
        else:
            sdist = next((f for f in files if f.name.endswith(".tar.gz")), None)
            if sdist is None:
                attempts.failed.append(f"pip: downloaded {', '.join(f.name for f in files) or 'nothing'}, no source distribution")
            elif sha256_file(sdist) != entry.sdist_sha256:
                attempts.mismatched.append(f"PyPI's source distribution {sdist.name} (through pip)")
            else:
                wheel = build_pure_wheel(sdist, entry.name, entry.version, list(imports) or [entry.name], folder / "built")
                if sha256_file(wheel) == entry.sha256:
                    return self.cache.put(entry.sha256, entry.file, wheel)
                attempts.mismatched.append(f"the wheel made from {sdist.name}")
        raise attempts.error(
            "sha256 (from manifest.toml)",
            "The previous bundle is untouched. Check that pip reaches its package index and try again.",
        )

    def carrier_has(self, pyodide_version: str, file_name: str, carriers: tuple[Carrier, ...]) -> bool:
        """Whether one of the carriers for this Pyodide holds a file of that name (not yet checked)."""
        for carrier in carriers:
            archive = self._carrier_archive(carrier) if carrier.pyodide == pyodide_version else None
            if archive is not None and carrier.folder + file_name in archive.NameToInfo:
                return True
        return False

    def close(self) -> None:
        for archive in self._carriers.values():
            archive.close()
        self._carriers.clear()

    # -- the individual sources --------------------------------------------------------------------
    def _scratch(self) -> Path:
        self.work.mkdir(parents=True, exist_ok=True)
        return self.work

    def _from_cache(self, key: str, name: str, check: Check, attempts: _Attempts) -> Path | None:
        cached = self.cache.get(key, name)
        if cached is None:
            return None
        if check(cached):
            return cached
        attempts.failed.append("cache: a corrupted copy (discarded)")
        self.cache.discard(key, name)
        return None

    def _from_cdn(self, pyodide_version: str, entry: PackageFile, check: Check, attempts: _Attempts) -> Path | None:
        url = cdn_url(self.cdn_base, pyodide_version, entry.file)
        dest = self.cache.incoming(entry.sha256, entry.file)
        if dest.is_file():  # downloaded by a run that stopped before checking it
            if check(dest):
                return self.cache.put(entry.sha256, entry.file, dest)
            dest.unlink()
        report = self.on_progress
        hook = (lambda done, total: report(entry.file, done, total)) if report else None
        for _ in range(2):  # a second, fresh try when a resumed partial file turned out bad
            resumed = dest.with_name(dest.name + ".part").exists()
            try:
                path = download(url, dest, on_progress=hook, backoff=self.backoff)
            except FetchError as exc:
                attempts.failed.append(exc.message)
                return None
            if check(path):
                return self.cache.put(entry.sha256, entry.file, path)
            self.cache.discard(entry.sha256, entry.file)
            if not resumed:
                break
        attempts.mismatched.append(url)
        return None

    def _from_carrier(self, carrier: Carrier, file_name: str, attempts: _Attempts, label: str) -> Path | None:
        archive = self._carrier_archive(carrier)
        if archive is None:
            attempts.failed.append(f"{label}: {self._carrier_failures[carrier.requirement]}")
            return None
        try:
            info = archive.getinfo(carrier.folder + file_name)
        except KeyError:
            attempts.failed.append(f"{label}: does not contain it")
            return None
        dest = self._scratch() / "carrier" / file_name
        dest.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(info) as src, dest.open("wb") as out:
            shutil.copyfileobj(src, out, 1 << 20)
        return dest

    def _carrier_archive(self, carrier: Carrier) -> zipfile.ZipFile | None:
        """The carrier wheel, opened once per run; downloaded with pip only when not cached."""
        if carrier.requirement in self._carriers:
            return self._carriers[carrier.requirement]
        if carrier.requirement in self._carrier_failures:
            return None
        cache_name = carrier.requirement.replace("==", "-") + ".whl"
        cached = self.cache.get("carrier", cache_name)
        try:
            if cached is None:
                console.info(f"  downloading {carrier.requirement} with pip (it carries official Pyodide files)...")
                files = self.pip.download(carrier.requirement, Path(tempfile.mkdtemp(dir=self._scratch(), prefix="pip-")))
                wheels = [f for f in files if f.suffix == ".whl"]
                if not wheels:
                    raise FetchError(f"pip downloaded no wheel for {carrier.requirement}.")
                cached = self.cache.put("carrier", cache_name, wheels[0])
            archive = zipfile.ZipFile(cached)
        except (FetchError, zipfile.BadZipFile, OSError) as exc:
            message = getattr(exc, "message", None) or str(exc)
            self._carrier_failures[carrier.requirement] = message
            if cached is not None:
                self.cache.discard("carrier", cache_name)
            return None
        self._carriers[carrier.requirement] = archive
        return archive
