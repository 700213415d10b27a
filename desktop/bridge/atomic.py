"""Atomic file replacement: a write either lands whole or leaves the old file byte-identical.

The classic recipe (as used by databases and editors): write a temporary file
in the same folder, fsync it, `os.replace` it over the target, fsync the
folder so the rename itself is durable. Each writer has its own temporary
file, so concurrent writers never interleave; the last rename wins whole.
Temporaries left by a killed process are swept when the bridge starts.
"""

from __future__ import annotations

import os
import secrets
import stat
import time
from pathlib import Path

__all__ = ["AtomicWriter", "write_atomic", "sweep", "TEMP_MARK", "is_temp_name"]

TEMP_MARK = ".desktop-tmp-"


def is_temp_name(name: str) -> bool:
    return name.startswith(".") and TEMP_MARK in name


def _fsync_dir(folder: Path) -> None:
    if os.name == "nt":
        return  # Windows cannot open a folder for fsync; MoveFileEx with write-through is its equivalent
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class AtomicWriter:
    """Write `target` in pieces (`write`), then `commit()`; `abort()` (or an error) leaves it untouched."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.streamed = False  # a streamed upload (desktop.files.open(path, "wb")) has no whole-file cap
        self.temp = target.parent / f".{target.name[:80]}{TEMP_MARK}{secrets.token_hex(6)}"
        self.size = 0
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
        self._fd: int | None = os.open(self.temp, flags, 0o666)  # the umask applies, as for a new file
        try:
            os.chmod(self.temp, stat.S_IMODE(os.stat(target).st_mode))  # replacing keeps the old mode
        except OSError:
            pass

    def write(self, data: bytes) -> None:
        assert self._fd is not None, "writer already closed"
        view = memoryview(data)
        try:
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
                self.size += written
        except BaseException:
            self.abort()
            raise

    def commit(self) -> int:
        """Make the new contents visible at `target` in one step; returns the size written."""
        assert self._fd is not None, "writer already closed"
        try:
            os.fsync(self._fd)
            os.close(self._fd)
            self._fd = None
            os.replace(self.temp, self.target)
        except BaseException:
            self.abort()
            raise
        try:
            _fsync_dir(self.target.parent)
        except OSError:
            pass  # the data is in place; only the rename's durability across power loss is weaker
        return self.size

    def abort(self) -> None:
        if self._fd is not None:
            try:
                os.close(self._fd)
            except OSError:
                pass
            self._fd = None
        try:
            os.unlink(self.temp)
        except FileNotFoundError:
            pass
        except OSError:
            pass  # swept at the next start


def write_atomic(target: Path, data: bytes) -> int:
    writer = AtomicWriter(target)
    writer.write(data)
    return writer.commit()


def sweep(folder: Path, *, older_than: float = 60.0) -> list[Path]:
    """Remove temporaries a killed writer left in `folder` (not recursive); returns what was removed.

    Only names this module makes, and only older than `older_than` seconds, so
    a writer in another process that is still running keeps its file.
    """
    removed: list[Path] = []
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not is_temp_name(entry.name):
            continue
        try:
            if entry.is_file(follow_symlinks=False) and now - entry.stat(follow_symlinks=False).st_mtime >= older_than:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed
