"""The user cache of verified downloads, keyed by the digest they were verified against.

A file is only ever taken from the cache after it verifies again, so a corrupted
cache costs a download, never a bad bundle. Downloads in progress live in
`incoming/` so that an interrupted fetch resumes (HTTP Range) on the next run.

    <cache_dir>/files/<digest>/<file name>      verified copies
    <cache_dir>/incoming/<digest>/<file name>   downloads not yet verified (and their .part)
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DownloadCache"]


@dataclass(frozen=True)
class DownloadCache:
    root: Path

    def _path(self, area: str, key: str, name: str) -> Path:
        safe_key = re.sub(r"[^A-Za-z0-9]", "_", key)[:120]
        return self.root / area / safe_key / Path(name).name

    def get(self, key: str, name: str) -> Path | None:
        """A cached copy (still to be verified by the caller), or None."""
        path = self._path("files", key, name)
        return path if path.is_file() else None

    def put(self, key: str, name: str, source: Path) -> Path:
        """Store a verified file (atomically); returns the cached path, or `source` if the cache is not writable."""
        target = self._path("files", key, name)
        if source == target:
            return target
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            os.close(fd)
            if source.is_relative_to(self.root / "incoming"):  # same file system: just move it
                os.replace(source, tmp)
            else:
                shutil.copyfile(source, tmp)
            os.replace(tmp, target)
        except OSError:
            return source  # a cache we cannot write is not an error
        return target

    def incoming(self, key: str, name: str) -> Path:
        """Where to download a file; its `.part` survives an interrupted run so the next one resumes."""
        path = self._path("incoming", key, name)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            path = Path(tempfile.mkdtemp(prefix="pyscript-desktop-")) / Path(name).name
        return path

    def discard(self, key: str, name: str) -> None:
        """Forget a cached or incoming copy that failed verification."""
        for area in ("files", "incoming"):
            path = self._path(area, key, name)
            for victim in (path, path.with_name(path.name + ".part")):
                try:
                    victim.unlink(missing_ok=True)
                except OSError:
                    pass
