"""The file operations page code may ask for, each behind the grant check and the size caps.

Every public method takes the page's path spelling, resolves it
(`paths.resolve`), checks it against the grants (`GrantSet.check`) and only
then touches the disk. Failures become `BridgeError`s named by errno, which
the page turns into the matching Python exception.
"""

from __future__ import annotations

import errno as errno_module
import os
import stat as stat_module
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .atomic import AtomicWriter, is_temp_name
from .errors import BridgeError
from .grants import GrantSet
from .paths import resolve

__all__ = ["Limits", "FileOps", "os_error"]

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Size caps (configurable by the composing command). Larger files move in `chunk`-sized requests."""

    max_read: int = 512 * MiB  # the largest file a page may read
    max_write: int = 512 * MiB  # the largest file a page may write
    chunk: int = 8 * MiB  # the most file bytes one request carries (reads are sliced, writes are streamed)
    max_entries: int = 10_000  # entries one listdir returns

    @property
    def max_request(self) -> int:
        """The largest request body: one chunk, base64-encoded, plus the JSON around it."""
        return self.chunk * 4 // 3 + 64 * 1024


_ERRNO_ALIASES = {"EPERM": "EACCES", "EROFS": "EACCES", "ELOOP": "EACCES", "ENAMETOOLONG": "EACCES", "EXDEV": "EINVAL",
                  "EDQUOT": "ENOSPC", "EBUSY": "EIO", "ETXTBSY": "EIO"}


def os_error(exc: OSError, path: Path | str) -> BridgeError:
    """The page-facing form of an OSError: its errno name and plain message, never a traceback."""
    name = errno_module.errorcode.get(exc.errno or 0, "EIO")
    name = _ERRNO_ALIASES.get(name, name)
    reason = exc.strerror or exc.__class__.__name__
    return BridgeError(name, f"{reason}: {path}")


@contextmanager
def _disk(path: Path) -> Iterator[None]:
    try:
        yield
    except BridgeError:
        raise
    except OSError as exc:
        raise os_error(exc, path) from None


def _kind(mode: int) -> str:
    if stat_module.S_ISDIR(mode):
        return "dir"
    if stat_module.S_ISREG(mode):
        return "file"
    if stat_module.S_ISLNK(mode):
        return "link"
    return "other"


class FileOps:
    """File operations for one page: its grants, the folder relative paths start from, the caps."""

    def __init__(self, grants: GrantSet, base: Path, limits: Limits = Limits(), home: Path | None = None) -> None:
        self.grants = grants
        self.base = base
        self.limits = limits
        self.home = home

    def real(self, spelling: object, *, write: bool = False) -> Path:
        """The granted real path for a page's spelling (BridgeError when refused)."""
        real = resolve(spelling, base=self.base, home=self.home)
        return self.grants.check(real, write=write)

    # -- reading -----------------------------------------------------------------------------------
    def read(self, spelling: object, offset: int = 0, length: int | None = None) -> tuple[bytes, int]:
        """(bytes from `offset`, at most `length` and one chunk, total size of the file)."""
        path = self.real(spelling)
        if not isinstance(offset, int) or offset < 0 or (length is not None and (not isinstance(length, int) or length < 0)):
            raise BridgeError("EINVAL", "offset and length must be non-negative whole numbers.")
        length = min(self.limits.chunk, length if length is not None else self.limits.chunk)
        with _disk(path):
            flags = os.O_RDONLY | getattr(os, "O_BINARY", 0)
            if path.is_dir():
                raise BridgeError("EISDIR", f"Is a folder, not a file: {path}")
            fd = os.open(path, flags)
            try:
                size = os.fstat(fd).st_size
                if size > self.limits.max_read:
                    raise BridgeError(
                        "EFBIG",
                        f"{path} is {size} bytes, more than the {self.limits.max_read}-byte read limit of the bridge.",
                    )
                os.lseek(fd, offset, os.SEEK_SET)
                parts, wanted = [], length
                while wanted > 0:
                    block = os.read(fd, min(wanted, 1024 * 1024))
                    if not block:
                        break
                    parts.append(block)
                    wanted -= len(block)
                return b"".join(parts), size
            finally:
                os.close(fd)

    def stream(self, spelling: object, start: int = 0, end: int | None = None, *, whole_file_cap: bool = True
               ) -> tuple[int, int, Iterator[bytes]]:
        """(file size, bytes that follow, their blocks) of the file from `start` to `end` (exclusive).

        For the raw transport: the blocks are read while the answer is sent, so a read of any size
        holds one block in memory. Reading a whole file is capped at `max_read` (`whole_file_cap`);
        a range is not, so a page can stream a file larger than its memory (desktop.files.open)."""
        path = self.real(spelling)
        with _disk(path):
            if path.is_dir():
                raise BridgeError("EISDIR", f"Is a folder, not a file: {path}")
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        try:
            size = os.fstat(fd).st_size
            if whole_file_cap and size > self.limits.max_read:
                raise BridgeError(
                    "EFBIG",
                    f"{path} is {size:,} bytes, more than the {self.limits.max_read:,} bytes one read may return. "
                    "Read it in parts: with desktop.files.open(path, 'rb') as f: f.read(n) (or 'r' for text, "
                    "e.g. pandas.read_csv(f, chunksize=...)).",
                )
            start = min(start, size)
            stop = size if end is None else min(end, size)
        except BaseException:
            os.close(fd)
            raise

        def blocks() -> Iterator[bytes]:
            try:
                os.lseek(fd, start, os.SEEK_SET)
                left = max(0, stop - start)
                while left > 0:
                    block = os.read(fd, min(left, 1024 * 1024))
                    if not block:
                        break
                    left -= len(block)
                    yield block
            finally:
                os.close(fd)

        return size, max(0, stop - start), blocks()

    # -- writing -----------------------------------------------------------------------------------
    def writer(self, spelling: object, *, exclusive: bool = False) -> AtomicWriter:
        """An atomic writer for the file (created or replaced when committed)."""
        path = self.real(spelling, write=True)
        with _disk(path):
            if path.is_dir():
                raise BridgeError("EISDIR", f"Is a folder, not a file: {path}")
            if exclusive and os.path.lexists(path):
                raise BridgeError("EEXIST", f"File exists: {path}")
            if not path.parent.exists():
                raise BridgeError("ENOENT", f"No such folder: {path.parent} (create it with desktop.files.mkdir)")
            if not path.parent.is_dir():
                raise BridgeError("ENOTDIR", f"Not a folder: {path.parent}")
            if is_temp_name(path.name):
                raise BridgeError("EACCES", f"Refused: {path.name} is a name the bridge reserves for temporary files.")
            return AtomicWriter(path)

    def write_chunk(self, writer: AtomicWriter, data: bytes, *, capped: bool = True) -> None:
        """Append to an upload; `capped` is False for a streamed write (desktop.files.open(path, 'wb'))."""
        if capped and writer.size + len(data) > self.limits.max_write:
            writer.abort()
            raise BridgeError("EFBIG", f"Refused: more than the {self.limits.max_write}-byte write limit of the bridge.")
        with _disk(writer.target):
            writer.write(data)

    def commit(self, writer: AtomicWriter) -> int:
        with _disk(writer.target):
            return writer.commit()

    # -- folders and metadata ------------------------------------------------------------------------
    def stat(self, spelling: object) -> dict:
        path = self.real(spelling)
        with _disk(path):
            st = os.stat(path)
        return {"path": str(path), "kind": _kind(st.st_mode), "size": st.st_size, "modified": st.st_mtime,
                "writable": self.grants.allows(path, write=True)}

    def exists(self, spelling: object) -> bool:
        path = self.real(spelling)
        return os.path.exists(path)

    def listdir(self, spelling: object) -> dict:
        path = self.real(spelling)
        entries, truncated = [], False
        with _disk(path):
            if not path.is_dir():
                raise BridgeError("ENOTDIR", f"Not a folder: {path}")
            with os.scandir(path) as scan:
                for entry in scan:
                    if is_temp_name(entry.name):
                        continue
                    if len(entries) >= self.limits.max_entries:
                        truncated = True
                        break
                    try:
                        st = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    entries.append({"name": entry.name, "kind": _kind(st.st_mode), "size": st.st_size,
                                    "modified": st.st_mtime})
        entries.sort(key=lambda e: e["name"])
        return {"entries": entries, "truncated": truncated}

    def walk(self, spelling: object) -> dict:
        """Every folder and file under a folder (relative paths, symlinks not followed), up to max_entries."""
        root = self.real(spelling)
        entries, truncated = [], False
        with _disk(root):
            if not root.is_dir():
                raise BridgeError("ENOTDIR", f"Not a folder: {root}")
            for folder, dirs, names in os.walk(root):
                dirs.sort()
                rel = os.path.relpath(folder, root)
                for name, kind in [(d, "dir") for d in dirs] + [(n, "file") for n in sorted(names)]:
                    if is_temp_name(name):
                        continue
                    if len(entries) >= self.limits.max_entries:
                        truncated = True
                        break
                    entries.append({"path": name if rel == "." else f"{rel}/{name}", "kind": kind})
                if truncated:
                    break
        return {"entries": entries, "truncated": truncated}

    def mkdir(self, spelling: object, *, parents: bool = False, exist_ok: bool = False) -> str:
        path = self.real(spelling, write=True)
        with _disk(path):
            path.mkdir(parents=bool(parents), exist_ok=bool(exist_ok))
        return str(path)

    def remove(self, spelling: object) -> None:
        """Remove a file, or an empty folder (never a tree: that is one call per file, each audited)."""
        path = self.real(spelling, write=True)
        if any(g.path == path for g in self.grants):
            raise BridgeError("EACCES", f"Refused: {path} is a granted folder itself; only what is inside it can be removed.")
        with _disk(path):
            if path.is_dir() and not path.is_symlink():
                os.rmdir(path)
            else:
                os.unlink(path)

    def rename(self, source: object, target: object, *, overwrite: bool = False) -> str:
        src = self.real(source, write=True)
        dst = self.real(target, write=True)
        if any(g.path == src for g in self.grants):
            raise BridgeError("EACCES", f"Refused: {src} is a granted folder itself and cannot be moved.")
        with _disk(src):
            if not os.path.lexists(src):
                raise BridgeError("ENOENT", f"No such file or folder: {src}")
            if os.path.lexists(dst) and not overwrite:
                raise BridgeError("EEXIST", f"File exists: {dst} (pass overwrite=True to replace it)")
            os.replace(src, dst)
        return str(dst)
