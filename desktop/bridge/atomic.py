"""Atomic file replacement: a write either lands whole or leaves the old file byte-identical.

The classic recipe (as used by databases and editors): write a temporary file
in the same folder, fsync it, rename it over the target, fsync the folder so
the rename itself is durable. Every step goes through the target folder's
descriptor (`folders.Folder`): the temporary is created with `dir_fd` and
`O_NOFOLLOW | O_EXCL`, renamed with `src_dir_fd`/`dst_dir_fd`, and the
folder descriptor is fsynced, so a folder swapped for a symlink meanwhile
cannot redirect the file. Each writer has its own temporary file, so
concurrent writers never interleave; the last rename wins whole.
Temporaries left by a killed process are swept when the bridge starts, in
every writable grant and its subfolders (bounded).
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import stat
import time
from pathlib import Path

from .folders import Folder, open_folder

__all__ = ["AtomicWriter", "write_atomic", "sweep", "TEMP_MARK", "is_temp_name", "is_sweepable", "SWEEP_DEPTH",
           "SWEEP_ENTRIES"]

TEMP_MARK = ".desktop-tmp-"
SWEEP_DEPTH = 32  # folders below a grant the sweep descends
SWEEP_ENTRIES = 100_000  # entries one sweep of one grant looks at, at most
_SWEEPABLE = re.compile(r"\..{1,80}\.desktop-tmp-[0-9a-f]{12}", re.DOTALL)


def is_temp_name(name: str) -> bool:
    """Names hidden from listings and refused as targets (broad: anything that looks like a temporary)."""
    return name.startswith(".") and TEMP_MARK in name


def is_sweepable(name: str) -> bool:
    """Exactly the names `AtomicWriter` makes: only these are ever deleted by a sweep."""
    return _SWEEPABLE.fullmatch(name) is not None


class AtomicWriter:
    """Write `target` in pieces (`write`), then `commit()`; `abort()` (or an error) leaves it untouched.

    `folder` is the target's folder, already opened (the writer owns it and
    closes it when done); without it the folder is opened from `target.parent`.
    """

    def __init__(self, target: Path, folder: Folder | None = None) -> None:
        self.target = target
        self.folder = folder if folder is not None else open_folder(target.parent)
        self.name = target.name
        self.temp_name = f".{target.name[:80]}{TEMP_MARK}{secrets.token_hex(6)}"
        self.temp = target.parent / self.temp_name
        self.streamed = False  # a streamed upload (desktop.files.open(path, "wb")) has no whole-file cap
        self.size = 0
        self.exclusive = False  # commit never replaces an existing file (set by the bridge for exclusive writes)
        self.last_used = time.monotonic()
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        try:
            self._fd: int | None = self.folder.open(self.temp_name, flags, 0o666)  # the umask applies, as for a new file
        except BaseException:
            self.folder.close()
            raise
        try:
            old = self.folder.lstat(self.name)
            if stat.S_ISREG(old.st_mode):
                os.fchmod(self._fd, stat.S_IMODE(old.st_mode))  # replacing keeps the old mode
        except (OSError, AttributeError):  # no such file yet; no fchmod on Windows
            pass

    def write(self, data: bytes) -> None:
        self._open_or_fail()
        self.last_used = time.monotonic()
        view = memoryview(data)
        try:
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
                self.size += written
        except BaseException:
            self.abort()
            raise

    def commit(self, *, exclusive: bool = False) -> int:
        """Make the new contents visible at `target` in one step; returns the size written.

        With `exclusive`, an existing target (made meanwhile by someone else) is
        never replaced: FileExistsError, and the temporary is removed.
        """
        self._open_or_fail()
        try:
            os.fsync(self._fd)
            os.close(self._fd)
            self._fd = None
            if exclusive:
                self._link_exclusive()
            else:
                self.folder.rename(self.temp_name, self.folder, self.name)
        except BaseException:
            self.abort()
            raise
        try:
            self.folder.fsync()
        except OSError:
            pass  # the data is in place; only the rename's durability across power loss is weaker
        self.folder.close()
        return self.size

    def _open_or_fail(self) -> None:
        if self._fd is None:  # aborted meanwhile (an idle upload dropped by the bridge's timer)
            raise OSError(errno.EBADF, "The upload was closed (aborted, or idle too long); start the write again",
                          str(self.target))

    def _link_exclusive(self) -> None:
        try:
            self.folder.link(self.temp_name, self.folder, self.name)  # fails if the name exists, atomically
        except FileExistsError:
            raise
        except (OSError, NotImplementedError):  # no hard links here (or no link without following): check, then rename
            try:
                self.folder.lstat(self.name)
            except FileNotFoundError:
                self.folder.rename(self.temp_name, self.folder, self.name)
                return
            raise FileExistsError(17, "File exists", str(self.target)) from None
        self.folder.unlink(self.temp_name)

    def abort(self) -> None:
        if self._fd is not None:
            try:
                os.close(self._fd)
            except OSError:
                pass
            self._fd = None
        try:
            self.folder.unlink(self.temp_name)
        except OSError:
            pass  # gone already, or swept at the next start
        except ValueError:
            pass  # folder already closed: committed or aborted before
        self.folder.close()


def write_atomic(target: Path, data: bytes) -> int:
    writer = AtomicWriter(target)
    writer.write(data)
    return writer.commit()


def sweep(folder: Path, *, older_than: float = 60.0, depth: int = SWEEP_DEPTH,
          max_entries: int = SWEEP_ENTRIES) -> list[Path]:
    """Remove temporaries a killed writer left in `folder` and its subfolders; returns what was removed.

    Only names `AtomicWriter` makes (`is_sweepable`), only regular files, only
    older than `older_than` seconds (a writer in another process that is still
    running keeps its file). Subfolders are walked through descriptors
    (symlinks are never followed), at most `depth` levels and `max_entries`
    entries, so a huge or hostile tree cannot stall the start.
    """
    removed: list[Path] = []
    now = time.time()
    seen = 0
    try:
        root = open_folder(folder)
    except (OSError, ValueError):
        return removed
    except Exception:  # noqa: BLE001 - a grant swapped for a symlink (BridgeError): nothing to sweep there
        return removed
    stack: list[tuple[str, ...]] = [()]
    try:
        while stack and seen < max_entries:
            parts = stack.pop()
            try:
                current = root.descend(parts)
            except Exception:  # noqa: BLE001 - vanished or swapped meanwhile: skip it
                continue
            with current:
                try:
                    listing = list(current.entries())
                except OSError:
                    continue
                for name, st in listing:
                    seen += 1
                    if st is None or seen > max_entries:
                        continue
                    if stat.S_ISDIR(st.st_mode):
                        if len(parts) < depth:
                            stack.append((*parts, name))
                    elif is_sweepable(name) and stat.S_ISREG(st.st_mode) and now - st.st_mtime >= older_than:
                        try:
                            current.unlink(name)
                            removed.append(folder.joinpath(*parts, name))
                        except OSError:
                            continue
    finally:
        root.close()
    return removed
