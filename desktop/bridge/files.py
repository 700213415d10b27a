"""The file operations page code may ask for, each behind the grant check and the size caps.

Every public method takes the page's path spelling, resolves it
(`paths.resolve`), checks it against the grants (`GrantSet.check`) and only
then touches the disk, through folder descriptors walked from the root with
no symlink followed (`folders.open_folder`): a folder swapped for a symlink
after the check is refused, never followed. `remove` and `rename` act on a
symlink itself. Refusals name the path as the page spelled it and say
nothing about the disk outside the grants. Failures become `BridgeError`s
named by errno, which the page turns into the matching Python exception.
This module knows nothing of HTTP (that is `api`).
"""

from __future__ import annotations

import errno as errno_module
import os
import stat as stat_module
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

from .atomic import AtomicWriter, is_temp_name
from .errors import BridgeError
from .folders import Folder, open_folder
from .grants import GrantSet
from .paths import check_length, resolve, spelled

__all__ = ["Limits", "FileOps", "os_error", "MiB"]

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

    def __init__(self, grants: GrantSet, base: Path, limits: Limits = Limits(), home: Path | None = None,
                 fallback: bool | None = None) -> None:
        self.grants = grants
        self.base = base
        self.limits = limits
        self.home = home
        self.fallback = fallback  # None: descriptors wherever the platform has them (see folders.open_folder)

    def real(self, spelling: object, *, write: bool = False, follow_last: bool = True, folder: bool = False) -> Path:
        """The granted real path for a page's spelling (BridgeError when refused, saying nothing of the outside)."""
        shown = spelled(spelling, base=self.base, home=self.home)
        real = resolve(spelling, base=self.base, home=self.home, follow_last=follow_last, check_case=False)
        self.grants.check(real, write=write, shown=shown, folder=folder)
        check_length(real, spelling)
        self._check_case(real)  # looks at the disk: only once the path is known to be granted
        return real

    def _check_case(self, real: Path) -> None:
        """Refuse an existing component spelled in another case than on disk (case-insensitive disks).

        Walked through folder descriptors like every operation. A folder is
        listed only where a case variant of the name reaches the same entry,
        i.e. where the disk ignores case.
        """
        try:
            current = self._folder(Path(real.anchor))
        except OSError:
            return
        try:
            for part in real.parts[1:]:
                try:
                    st = current.lstat(part)
                except OSError:
                    return  # the rest does not exist yet (a file about to be written), or is not a folder
                variant = part.swapcase()
                if variant != part:
                    try:
                        other = current.lstat(variant)
                    except OSError:
                        other = None
                    if other is not None and (other.st_dev, other.st_ino) == (st.st_dev, st.st_ino):
                        names = [name for name, _ in current.entries()]
                        if part not in names:
                            matches = [n for n in names if n.casefold() == part.casefold()]
                            raise BridgeError("EACCES", f"Refused path {str(real)!r}: {part!r} is spelled "
                                                        f"{(matches or ['?'])[0]!r} on disk; use the exact spelling.")
                if not stat_module.S_ISDIR(st.st_mode):
                    return
                try:
                    nxt = current.child(part)
                except (OSError, BridgeError):
                    return  # swapped meanwhile: the operation's own walk refuses it
                current.close()
                current = nxt
        finally:
            current.close()

    def _folder(self, path: Path, **kwargs) -> Folder:  # noqa: ANN003
        return open_folder(path, fallback=self.fallback, **kwargs)

    @contextmanager
    def _located(self, path: Path) -> Iterator[tuple[Folder, str | None]]:
        """(the folder holding `path`, its name there), the folder walked from the root; name None for a root."""
        if path.parent == path:
            with self._folder(path) as folder:
                yield folder, None
            return
        with self._folder(path.parent) as folder:
            yield folder, path.name

    # -- reading -----------------------------------------------------------------------------------
    def read(self, spelling: object, offset: int = 0, length: int | None = None) -> tuple[bytes, int]:
        """(bytes from `offset`, at most `length` and one chunk, total size of the file)."""
        path = self.real(spelling)
        if not isinstance(offset, int) or offset < 0 or (length is not None and (not isinstance(length, int) or length < 0)):
            raise BridgeError("EINVAL", "offset and length must be non-negative whole numbers.")
        length = min(self.limits.chunk, length if length is not None else self.limits.chunk)
        with _disk(path), self._located(path) as (folder, name):
            if name is None:
                raise BridgeError("EISDIR", f"Is a folder, not a file: {path}")
            # O_NONBLOCK: opening a FIFO must not hang the bridge; it is refused below as not a regular file
            fd = folder.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
            try:
                st = os.fstat(fd)
                if stat_module.S_ISDIR(st.st_mode):
                    raise BridgeError("EISDIR", f"Is a folder, not a file: {path}")
                if not stat_module.S_ISREG(st.st_mode):
                    raise BridgeError("EINVAL", f"Not a regular file (a device, pipe or socket): {path}")
                size = st.st_size
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
        with _disk(path), self._located(path) as (folder, name):
            if name is None:
                raise BridgeError("EISDIR", f"Is a folder, not a file: {path}")
            # through the folder's descriptor, as read(): a folder swapped for a symlink is not followed
            fd = folder.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        try:
            st = os.fstat(fd)
            if stat_module.S_ISDIR(st.st_mode):
                raise BridgeError("EISDIR", f"Is a folder, not a file: {path}")
            if not stat_module.S_ISREG(st.st_mode):
                raise BridgeError("EINVAL", f"Not a regular file (a device, pipe or socket): {path}")
            size = st.st_size
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
        """An atomic writer for the file (created or replaced when committed); it holds its folder open."""
        path = self.real(spelling, write=True)
        if path.parent == path:
            raise BridgeError("EISDIR", f"Is a folder, not a file: {path}")
        if is_temp_name(path.name):
            raise BridgeError("EACCES", f"Refused: {path.name} is a name the bridge reserves for temporary files.")
        with _disk(path):
            try:
                folder = self._folder(path.parent)
            except FileNotFoundError:
                raise BridgeError("ENOENT", f"No such folder: {path.parent} (create it with desktop.files.mkdir)") from None
            except NotADirectoryError:
                raise BridgeError("ENOTDIR", f"Not a folder: {path.parent}") from None
            try:
                try:
                    st = folder.lstat(path.name)
                except FileNotFoundError:
                    st = None
                if st is not None and stat_module.S_ISDIR(st.st_mode):
                    raise BridgeError("EISDIR", f"Is a folder, not a file: {path}")
                if exclusive and st is not None:
                    raise BridgeError("EEXIST", f"File exists: {path}")
                writer = AtomicWriter(path, folder)
            except BaseException:
                folder.close()
                raise
            writer.exclusive = bool(exclusive)
            return writer

    def write_chunk(self, writer: AtomicWriter, data: bytes | memoryview, *, capped: bool = True) -> None:
        """Append to an upload; `capped` is False for a streamed write (desktop.files.open(path, 'wb'))."""
        if capped and writer.size + len(data) > self.limits.max_write:
            writer.abort()
            raise BridgeError("EFBIG", f"Refused: more than the {self.limits.max_write}-byte write limit of the bridge; "
                                       "larger files are written with desktop.files.open(path, 'wb').")
        with _disk(writer.target):
            writer.write(data)

    def write_part(self, writer: AtomicWriter, offset: object, length: int, blocks: Iterable[bytes | memoryview], *,
                   capped: bool = True) -> int:
        """Place one part of an upload at `offset` (parts of one upload may arrive in parallel requests)."""
        if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
            writer.abort()
            raise BridgeError("EINVAL", "offset must be a non-negative whole number.")
        if capped and offset + length > self.limits.max_write:
            writer.abort()
            raise BridgeError("EFBIG", f"Refused: more than the {self.limits.max_write}-byte write limit of the bridge; "
                                       "larger files are written with desktop.files.open(path, 'wb').")
        with _disk(writer.target):
            try:
                return writer.write_at(offset, blocks)
            except ValueError as exc:  # overlapping parts
                raise BridgeError("EINVAL", f"Refused: {exc}.") from None

    def commit(self, writer: AtomicWriter) -> int:
        if not writer.complete:
            writer.abort()
            raise BridgeError("EINVAL", f"Refused: the upload of {writer.target} has {writer.size} of its {writer.extent} "
                                        "bytes (a part is missing or still being sent); nothing was written.")
        with _disk(writer.target):
            try:
                return writer.commit(exclusive=writer.exclusive)
            except FileExistsError:
                raise BridgeError("EEXIST", f"File exists: {writer.target}") from None
            except IsADirectoryError:
                raise BridgeError("EISDIR", f"Is a folder, not a file: {writer.target}") from None

    # -- folders and metadata ------------------------------------------------------------------------
    def stat(self, spelling: object) -> dict:
        path = self.real(spelling)
        with _disk(path), self._located(path) as (folder, name):
            st = folder.lstat(name)
        return {"path": str(path), "kind": _kind(st.st_mode), "size": st.st_size, "modified": st.st_mtime,
                "writable": self.grants.allows(path, write=True)}

    def exists(self, spelling: object) -> bool:
        path = self.real(spelling)
        try:
            with self._located(path) as (folder, name):
                folder.lstat(name)
        except (FileNotFoundError, NotADirectoryError):
            return False
        except OSError as exc:
            raise os_error(exc, path) from None
        return True

    def access(self, spelling: object, *, write: bool = False) -> str:
        """The granted real path, once its folder is reachable without following a symlink."""
        path = self.real(spelling, write=write)
        try:
            with self._located(path):
                pass
        except (FileNotFoundError, NotADirectoryError):
            pass  # granted but not there (yet): access is about the grant
        except OSError as exc:
            raise os_error(exc, path) from None
        return str(path)

    def watchable(self, spelling: object) -> Path:
        """The granted real path of an existing file or folder to watch (reached without following a symlink)."""
        path = self.real(spelling)
        try:
            with self._located(path) as (folder, name):
                folder.lstat(name)
        except (FileNotFoundError, NotADirectoryError):
            raise BridgeError("ENOENT", f"No such file or folder to watch: {path}") from None
        except OSError as exc:
            raise os_error(exc, path) from None
        return path

    def _open_dir(self, path: Path) -> Folder:
        try:
            return self._folder(path)
        except NotADirectoryError:
            raise BridgeError("ENOTDIR", f"Not a folder: {path}") from None

    def listdir(self, spelling: object) -> dict:
        path = self.real(spelling, folder=True)
        entries: list[dict[str, Any]] = []
        truncated = False
        with _disk(path), self._open_dir(path) as folder:
            for name, st in folder.entries():
                if is_temp_name(name) or st is None:
                    continue
                if len(entries) >= self.limits.max_entries:
                    truncated = True
                    break
                entries.append({"name": name, "kind": _kind(st.st_mode), "size": st.st_size, "modified": st.st_mtime})
        entries.sort(key=lambda e: e["name"])
        return {"entries": entries, "truncated": truncated}

    def walk(self, spelling: object) -> dict:
        """Every folder and file under a folder (relative paths; a symlink is listed as 'link', never followed).

        Each folder is reached from the walk's root through descriptors, one
        open at a time, so a subfolder swapped for a symlink meanwhile is
        skipped rather than followed.
        """
        root = self.real(spelling, folder=True)
        entries: list[dict[str, Any]] = []
        truncated = False
        with _disk(root), self._open_dir(root) as top:
            stack: list[tuple[str, ...]] = [()]
            while stack and not truncated:
                parts = stack.pop()
                try:
                    current = top.descend(parts)
                except (OSError, BridgeError):
                    continue  # removed or swapped since it was listed
                with current:
                    listing = sorted((n, st) for n, st in current.entries() if st is not None and not is_temp_name(n))
                dirs = [n for n, st in listing if stat_module.S_ISDIR(st.st_mode)]
                others = [(n, _kind(st.st_mode)) for n, st in listing if not stat_module.S_ISDIR(st.st_mode)]
                prefix = "/".join(parts)
                for name, kind in [(d, "dir") for d in dirs] + others:
                    if len(entries) >= self.limits.max_entries:
                        truncated = True
                        break
                    entries.append({"path": f"{prefix}/{name}" if prefix else name,
                                    "kind": "file" if kind == "other" else kind})
                stack.extend((*parts, d) for d in reversed(dirs))
        return {"entries": entries, "truncated": truncated}

    def mkdir(self, spelling: object, *, parents: bool = False, exist_ok: bool = False) -> str:
        path = self.real(spelling, write=True)
        with _disk(path):
            if parents:
                grant_root = self.grants.root_for(path, write=True)
                if path == grant_root:
                    self._folder(path).close()  # a granted folder is never created, only checked
                    if not exist_ok:
                        raise BridgeError("EEXIST", f"File exists: {path}")
                    return str(path)
                with self._folder(path.parent, create_below=grant_root) as folder:
                    self._mkdir_in(folder, path, exist_ok=bool(exist_ok))
            else:
                with self._located(path) as (folder, name):
                    if name is None:
                        raise BridgeError("EEXIST", f"File exists: {path}")
                    self._mkdir_in(folder, path, exist_ok=bool(exist_ok))
        return str(path)

    @staticmethod
    def _mkdir_in(folder: Folder, path: Path, *, exist_ok: bool) -> None:
        try:
            folder.mkdir(path.name)
        except FileExistsError:
            if not exist_ok or not stat_module.S_ISDIR(folder.lstat(path.name).st_mode):
                raise

    def remove(self, spelling: object) -> None:
        """Remove a file, a symlink (the link itself) or an empty folder (never a tree: one call per file, each audited)."""
        path = self.real(spelling, write=True, follow_last=False)
        if any(g.path == path for g in self.grants):
            raise BridgeError("EACCES", f"Refused: {path} is a granted folder itself; only what is inside it can be removed.")
        with _disk(path), self._located(path) as (folder, name):
            if name is None:
                raise BridgeError("EACCES", f"Refused: {path} cannot be removed.")
            if stat_module.S_ISDIR(folder.lstat(name).st_mode):
                folder.rmdir(name)
            else:
                folder.unlink(name)

    def rename(self, source: object, target: object, *, overwrite: bool = False) -> str:
        """Move a file, folder or symlink (the link itself, not what it points to) to another granted place."""
        src = self.real(source, write=True, follow_last=False)
        dst = self.real(target, write=True, follow_last=False)
        for path, verb in ((src, "moved"), (dst, "replaced")):
            if any(g.path == path for g in self.grants):
                raise BridgeError("EACCES", f"Refused: {path} is a granted folder itself and cannot be {verb}.")
        if src.parent == src or dst.parent == dst:
            raise BridgeError("EACCES", "Refused: a file system root cannot be moved or replaced.")
        with _disk(src), self._located(src) as (src_folder, src_name), self._located(dst) as (dst_folder, dst_name):
            try:
                src_folder.lstat(src_name)
            except FileNotFoundError:
                raise BridgeError("ENOENT", f"No such file or folder: {src}") from None
            if not overwrite:
                try:
                    dst_folder.lstat(dst_name)
                except FileNotFoundError:
                    pass
                else:
                    raise BridgeError("EEXIST", f"File exists: {dst} (pass overwrite=True to replace it)")
            src_folder.rename(src_name, dst_folder, dst_name)  # type: ignore[arg-type]  # names checked above
        return str(dst)
