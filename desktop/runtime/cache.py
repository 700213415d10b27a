"""The user cache of verified downloads, keyed by the digest they were verified against.

A file is only ever taken from the cache after it verifies again, so a corrupted
cache costs a download, never a bad bundle.
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

    def _path(self, key: str, name: str) -> Path:
        safe_key = re.sub(r"[^A-Za-z0-9]", "_", key)[:120]
        return self.root / "files" / safe_key / name

    def get(self, key: str, name: str) -> Path | None:
        path = self._path(key, name)
        return path if path.is_file() else None

    def put(self, key: str, name: str, source: Path) -> Path:
        """Copy a verified file into the cache (atomically); returns the cached path."""
        target = self._path(key, name)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            os.close(fd)
            shutil.copyfile(source, tmp)
            os.replace(tmp, target)
        except OSError:
            return source  # a cache we cannot write is not an error
        return target

    def discard(self, key: str, name: str) -> None:
        self._path(key, name).unlink(missing_ok=True)
