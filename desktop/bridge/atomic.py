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

import bisect
import ctypes
import errno
import os
import re
import secrets
import stat
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from .errors import BridgeError
from .folders import Folder, open_folder

__all__ = ["AtomicWriter", "write_atomic", "sweep", "TEMP_MARK", "is_temp_name", "is_sweepable", "SWEEP_DEPTH",
           "SWEEP_ENTRIES"]

TEMP_MARK = ".desktop-tmp-"
SWEEP_DEPTH = 32  # folders below a grant the sweep descends
SWEEP_ENTRIES = 100_000  # entries one sweep of one grant looks at, at most
_SWEEPABLE = re.compile(r"\..{1,80}\.desktop-tmp-[0-9a-f]{12}", re.DOTALL)


def _find_writeback() -> Callable[[int, int, int], object] | None:
    """Linux's sync_file_range (not in the os module), or None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        call = ctypes.CDLL(None, use_errno=True).sync_file_range
    except (OSError, AttributeError):
        return None
    call.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]
    call.restype = ctypes.c_int
    return lambda fd, offset, length: call(fd, offset, length, 2)  # SYNC_FILE_RANGE_WRITE: start, do not wait


#: Starts the disk writing a range of a file now, without waiting for it. A large write_bytes
#: arrives in parts over half a second or more; the commit's fsync then found all 100 MB still
#: in memory and wrote them alone at the end (41-118 ms of a 500-900 ms write). With each part's
#: writeback started as it lands, the fsync waits only for the last ones (1-3 ms in a probe).
_WRITEBACK = _find_writeback()


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

    Pieces may also land at offsets (`write_at`), from several threads at once: a large
    write_bytes sends its parts in parallel requests. Parts may not overlap, and `commit`
    refuses a file with a hole, so what lands is exactly the bytes the page sent.
    """

    def __init__(self, target: Path, folder: Folder | None = None) -> None:
        self.target = target
        self.folder = folder if folder is not None else open_folder(target.parent)
        self.name = target.name
        self.temp_name = f".{target.name[:80]}{TEMP_MARK}{secrets.token_hex(6)}"
        self.temp = target.parent / self.temp_name
        self.streamed = False  # a streamed upload (desktop.files.open(path, "wb")) has no whole-file cap
        self.size = 0  # bytes written so far (appended and at offsets)
        self.extent = 0  # the file's length once every part is in (the end of the furthest part)
        self._spans: list[list[int]] = []  # [start, end) of the bytes placed, merged, in order
        self._appended = 0  # where the next append goes (the descriptor's position)
        self._busy = 0  # writes in progress in other threads: the descriptor stays open for them
        self._lock = threading.Lock()
        self._aborted = False
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

    def write(self, data: bytes | memoryview) -> None:
        """Append (after the bytes appended so far)."""
        view = memoryview(data)
        fd = self._claim(self._appended, len(view))
        self._appended += len(view)
        try:
            while view:
                written = os.write(fd, view)
                view = view[written:]
                with self._lock:
                    self.size += written
        except BaseException:
            self._release()
            self.abort()
            raise
        self._release()

    def write_at(self, offset: int, blocks: Iterable[bytes | memoryview]) -> int:
        """Place `blocks` (one part, in order) at `offset`; returns the bytes written.

        The part's span is claimed when its first block comes, and must not overlap
        another part's. An error aborts the whole writer: the target stays as it was."""
        written_here = 0
        try:
            for block in blocks:
                view = memoryview(block)
                if not view:
                    continue
                fd = self._claim(offset + written_here, len(view))
                try:
                    start = offset + written_here
                    while view:
                        n = os.pwrite(fd, view, offset + written_here)
                        view = view[n:]
                        written_here += n
                        with self._lock:
                            self.size += n
                    if _WRITEBACK is not None:
                        _WRITEBACK(fd, start, offset + written_here - start)  # a hint: its failure changes nothing
                finally:
                    self._release()
        except BaseException:
            self.abort()
            raise
        return written_here

    def _claim(self, start: int, length: int) -> int:
        """Mark [start, start+length) as being written (refusing an overlap) and hold the descriptor open;
        returns it, open until the matching `_release`."""
        with self._lock:
            fd = self._open_or_fail()
            end = start + length
            spans = self._spans
            i = bisect.bisect_left(spans, [start, start])
            if (i > 0 and spans[i - 1][1] > start) or (i < len(spans) and spans[i][0] < end):
                raise ValueError(f"bytes {start}-{end} overlap a part already written")
            if length:
                if i > 0 and spans[i - 1][1] == start:  # merge with the neighbours: the list stays short
                    spans[i - 1][1] = end
                    i -= 1
                else:
                    spans.insert(i, [start, end])
                if i + 1 < len(spans) and spans[i + 1][0] == spans[i][1]:
                    spans[i][1] = spans.pop(i + 1)[1]
            self.extent = max(self.extent, end)
            self._busy += 1
            self.last_used = time.monotonic()
        return fd

    def _release(self) -> None:
        with self._lock:
            self._busy -= 1
            closing = self._busy == 0 and self._aborted
        if closing:
            self._finish_abort()

    @property
    def complete(self) -> bool:
        """Every byte up to `extent` written, none in progress: what commit requires."""
        with self._lock:
            return self._busy == 0 and (self._spans == [[0, self.extent]] or self.extent == 0)

    def commit(self, *, exclusive: bool = False) -> int:
        """Make the new contents visible at `target` in one step; returns the size written.

        With `exclusive`, an existing target (made meanwhile by someone else) is
        never replaced: FileExistsError, and the temporary is removed.
        """
        fd = self._open_or_fail()
        if not self.complete:
            self.abort()
            raise ValueError("the file's parts are not all written (a part is missing or still arriving)")
        try:
            os.fsync(fd)
            os.close(fd)
            self._fd = None
            if exclusive:
                self._link_exclusive()
            else:
                replaced = self._hold_replaced()
                try:
                    self.folder.rename(self.temp_name, self.folder, self.name)
                finally:
                    if replaced is not None:
                        _close_later(replaced)
        except BaseException:
            self.abort()
            raise
        try:
            self.folder.fsync()
        except OSError:
            pass  # the data is in place; only the rename's durability across power loss is weaker
        self.folder.close()
        return self.size

    def _hold_replaced(self) -> int | None:
        """A descriptor of the large file the rename will replace, or None.

        Renaming over a file frees its blocks inside the rename when that was its last name and
        nobody has it open: 20-25 ms for 100 MB on this project's ext4, at the end of the write,
        where the page waits for it. Held open, the rename only drops the name, and the blocks
        are freed when the descriptor is closed, after the answer (`_close_later`)."""
        if os.name != "posix":
            return None
        try:
            old = self.folder.lstat(self.name)
            if not stat.S_ISREG(old.st_mode) or old.st_size < _HOLD_REPLACED:
                return None
            return self.folder.open(self.name, os.O_RDONLY | os.O_NONBLOCK)
        except (OSError, BridgeError):  # no such file, or it changed meanwhile: the rename frees it, as before
            return None

    def _open_or_fail(self) -> int:
        """The temporary's descriptor, or the error a write to a closed writer gets."""
        fd = self._fd
        if fd is None or self._aborted:  # aborted meanwhile (an idle upload dropped by the bridge's timer)
            raise OSError(errno.EBADF, "The upload was closed (aborted, or idle too long); start the write again",
                          str(self.target))
        return fd

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
        """Drop the temporary; with writes in progress in other threads, once the last one ends."""
        with self._lock:
            if self._aborted:
                return
            self._aborted = True
            busy = self._busy
        if busy == 0:
            self._finish_abort()

    def _finish_abort(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            try:
                os.close(fd)
            except OSError:
                pass
        try:
            self.folder.unlink(self.temp_name)
        except OSError:
            pass  # gone already, or swept at the next start
        except ValueError:
            pass  # folder already closed: committed or aborted before
        self.folder.close()


#: The smallest replaced file whose blocks are freed after the commit rather than inside it.
_HOLD_REPLACED = 1 << 20


def _close_later(fd: int) -> None:
    """Close `fd` on a thread of its own: the last close of a replaced file frees its blocks."""
    threading.Thread(target=os.close, args=(fd,), name="free-replaced-file", daemon=True).start()


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
