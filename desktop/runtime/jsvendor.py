"""`runtime add --js`: npm packages of JavaScript/CSS libraries into a library root, verified.

The same trust model as the runtime's own npm components: the npm client
resolves the range and downloads the tarball (`npm view`, `npm pack`: the
user's registry, proxy and certificates), and the tarball is used only when it
matches the registry's `dist.integrity` (SRI), through the same download cache
and check as `runtime fetch` (`Sources.npm_tarball`). Each package version is
unpacked into a staging folder and renamed into place, so a library root never
holds a half-written package. With `deps`, the package's dependencies are
vendored too (recursively): an ES module entry imports them by bare name.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .. import console
from ..errors import FetchError
from .cache import DownloadCache
from .fetch import _extract_npm, _write_index
from .jslibs import JsLibraries
from .manifest import NpmPackage
from .npm import Npm
from .semver import is_exact, max_satisfying

__all__ = ["JsVendor"]

_WORKERS = 4


@dataclass
class JsVendor:
    """Vendors npm packages into `target` (one of `libraries.roots`)."""

    target: Path
    libraries: JsLibraries
    cache_dir: Path  # the download cache shared with `runtime fetch`
    npm: Npm = field(default_factory=Npm.find)

    def resolve(self, package: str, range_text: str) -> str:
        """The registry's highest version of `package` in the range (a dist-tag such as `latest` too)."""
        if is_exact(range_text):
            return range_text
        try:
            value = self.npm.view_json(f"{package}@{range_text}", "version")
        except FetchError as exc:
            if "404" in exc.message or "E404" in exc.message:
                raise FetchError(f"npm has no package {package} with a version matching {range_text!r}.",
                                 f"Check the name and the range (npm view {package} versions).") from None
            raise
        versions = value if isinstance(value, list) else [value]
        best = max_satisfying([str(v) for v in versions], "*" if range_text in ("latest", "") else range_text) or (
            str(versions[-1]) if versions else None
        )
        if not best:
            raise FetchError(f"npm has no version of {package} matching {range_text!r}.",
                             f"Check the name and range: npm view {package} versions")
        return best

    def add(self, specs: list[tuple[str, str]], *, deps: bool = False) -> list[str]:
        """Vendor each (package, range) not already satisfied; returns the `name@version`s added."""
        self.npm.verify()
        added: list[str] = []
        pending = list(specs)
        seen: set[tuple[str, str]] = set()
        progress = console.progress()
        with progress, tempfile.TemporaryDirectory(prefix="jsvendor-") as work:
            task = progress.add_task("JavaScript libraries", total=None)
            while pending:
                batch = []
                for package, range_text in pending:
                    if (package, range_text) in seen or self.libraries.best(package, range_text):
                        continue
                    seen.add((package, range_text))
                    batch.append((package, range_text))
                pending = []
                with ThreadPoolExecutor(_WORKERS) as pool:
                    results = list(pool.map(lambda spec: self._one(spec, Path(work)), batch))
                for package, version in results:
                    if version is None:
                        continue
                    added.append(f"{package}@{version}")
                    progress.update(task, description=f"{package}@{version}", advance=1)
                    if deps:
                        meta = self.libraries.package_json(package, version)
                        for name, rng in (meta.get("dependencies") or {}).items():
                            if isinstance(rng, str) and not rng.startswith(("file:", "git", "http", "link:", "workspace:", "npm:")):
                                pending.append((name, rng))
        return added

    def _one(self, spec: tuple[str, str], work: Path) -> tuple[str, str | None]:
        package, range_text = spec
        version = self.resolve(package, range_text)
        if self.libraries.folder(package, version) is not None:
            return package, None
        integrity = self.npm.view(f"{package}@{version}", "dist.integrity")
        from .sources import Sources  # sources imports the wheelhouse, which is heavier than this module needs

        sources = Sources(DownloadCache(self.cache_dir), work / uuid.uuid4().hex[:8], self.npm)
        try:
            tarball = sources.npm_tarball(NpmPackage("js", package, version, integrity))
            staging = self.target / f".staging-{uuid.uuid4().hex[:8]}"
            try:
                _extract_npm(tarball, staging)
                _write_index(staging, {})
                final = self.target / f"{package}@{version}"
                final.parent.mkdir(parents=True, exist_ok=True)
                if final.exists():
                    return package, None  # another run got there first
                staging.rename(final)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        finally:
            sources.close()
        console.info(f"  {package}@{version}: verified against its npm integrity")
        return package, version
