"""Folder handles: every bridge operation reaches its file through folders opened one at a time, never by name.

Why: a path checked against the grants and then used by its name can change
in between. Another local process that can write inside a grant swaps a
subfolder (or the granted folder, or a folder above it) for a symlink to an
outside folder, and a write by name lands outside. So the checked real path
(which, being a realpath, contains no symlink) is walked from the file
system root one component at a time, each opened with
`O_DIRECTORY | O_NOFOLLOW` relative to the one before; the operation then
acts on the last name relative to its folder's descriptor (`dir_fd=`,
`O_NOFOLLOW`, `follow_symlinks=False`). A component that became a symlink
(or stopped being a folder) since the check makes the operation fail with
EACCES, "changed while in use"; nothing is followed.

Platforms without `dir_fd` support (Windows) get `PathFolder`: the same
interface over path strings, which refuses a symlink or reparse point found
on the way (checked with `lstat` just before use). That check narrows the
race but cannot close it; the README says so. `open_folder` is the one place
that picks the implementation.
"""

from __future__ import annotations

import errno
import os
import stat as stat_module
from pathlib import Path
from typing import Iterator

from .errors import BridgeError

__all__ = ["Folder", "FdFolder", "PathFolder", "USES_DIR_FD", "open_folder", "changed", "uses_dir_fd"]

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_PATH = getattr(os, "O_PATH", 0)
_REPARSE = getattr(stat_module, "FILE_ATTRIBUTE_REPARSE_POINT", 0x400)


def uses_dir_fd() -> bool:
    """True where folders can be opened and used as `dir_fd` for every call the bridge makes."""
    needed = (os.open, os.stat, os.mkdir, os.rmdir, os.unlink, os.rename, os.link)
    return (os.name == "posix" and bool(_NOFOLLOW and _DIRECTORY)
            and all(f in os.supports_dir_fd for f in needed) and os.scandir in os.supports_fd)


USES_DIR_FD = uses_dir_fd()


def changed(path: Path | str) -> BridgeError:
    """The refusal when a folder on the way was swapped (for a symlink or a file) after the grant check."""
    return BridgeError("EACCES", f"Refused: {path} changed while in use (a folder on the way is now a symbolic "
                                 "link or not a folder); nothing was followed. Try again.")


class Folder:
    """An opened folder. `path` is the real path it stood for when opened (for messages only)."""

    path: Path

    def child(self, name: str) -> "Folder":
        raise NotImplementedError

    def open(self, name: str, flags: int, mode: int = 0o666) -> int:
        raise NotImplementedError

    def lstat(self, name: str | None = None) -> os.stat_result:
        raise NotImplementedError

    def mkdir(self, name: str, mode: int = 0o777) -> None:
        raise NotImplementedError

    def rmdir(self, name: str) -> None:
        raise NotImplementedError

    def unlink(self, name: str) -> None:
        raise NotImplementedError

    def rename(self, name: str, to: "Folder", new_name: str) -> None:
        raise NotImplementedError

    def link(self, name: str, to: "Folder", new_name: str) -> None:
        raise NotImplementedError

    def entries(self) -> Iterator[tuple[str, os.stat_result | None]]:
        """(name, lstat or None when it vanished) for each entry."""
        raise NotImplementedError

    def fsync(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def descend(self, names: tuple[str, ...] | list[str]) -> "Folder":
        """The folder `names` below this one, as a new handle (this one stays open)."""
        current = self.child(".")
        try:
            for name in names:
                nxt = current.child(name)
                current.close()
                current = nxt
        except BaseException:
            current.close()
            raise
        return current

    def __enter__(self) -> "Folder":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class FdFolder(Folder):
    """A folder held by a descriptor; every call is relative to it and follows no symlink."""

    def __init__(self, fd: int, path: Path, *, listable: bool = True) -> None:
        self.fd: int | None = fd
        self.path = path
        self.listable = listable  # False for a folder opened only to pass through (O_PATH: no read permission)

    @classmethod
    def root(cls, anchor: Path) -> "FdFolder":
        return cls(os.open(str(anchor), os.O_RDONLY | _DIRECTORY | _CLOEXEC), anchor)

    def _fd(self) -> int:
        if self.fd is None:
            raise ValueError("folder already closed")
        return self.fd

    def child(self, name: str) -> "FdFolder":
        path = self.path / name if name != "." else self.path
        flags = _DIRECTORY | _NOFOLLOW | _CLOEXEC
        try:
            fd = os.open(name, os.O_RDONLY | flags, dir_fd=self._fd())
        except PermissionError:
            if not _PATH:
                raise
            try:
                fd = os.open(name, _PATH | flags, dir_fd=self._fd())  # a folder we may pass through but not list
            except OSError as exc:
                raise self._refusal(exc, name, path) from None
            return FdFolder(fd, path, listable=False)
        except OSError as exc:
            raise self._refusal(exc, name, path) from None
        return FdFolder(fd, path)

    def _refusal(self, exc: OSError, name: str, path: Path) -> Exception:
        if exc.errno == errno.ELOOP or (exc.errno == errno.ENOTDIR and self._is_link(name)):  # the name is a symlink
            return changed(path)
        return exc

    def _is_link(self, name: str) -> bool:
        try:
            return stat_module.S_ISLNK(os.stat(name, dir_fd=self._fd(), follow_symlinks=False).st_mode)
        except OSError:
            return False

    def open(self, name: str, flags: int, mode: int = 0o666) -> int:
        try:
            return os.open(name, flags | _NOFOLLOW | _CLOEXEC, mode, dir_fd=self._fd())
        except OSError as exc:
            if exc.errno == errno.ELOOP:  # ELOOP: the name is a symlink now
                raise changed(self.path / name) from None
            raise

    def lstat(self, name: str | None = None) -> os.stat_result:
        if name is None:
            return os.fstat(self._fd())
        return os.stat(name, dir_fd=self._fd(), follow_symlinks=False)

    def mkdir(self, name: str, mode: int = 0o777) -> None:
        os.mkdir(name, mode, dir_fd=self._fd())

    def rmdir(self, name: str) -> None:
        os.rmdir(name, dir_fd=self._fd())

    def unlink(self, name: str) -> None:
        os.unlink(name, dir_fd=self._fd())

    def rename(self, name: str, to: Folder, new_name: str) -> None:
        assert isinstance(to, FdFolder)
        os.rename(name, new_name, src_dir_fd=self._fd(), dst_dir_fd=to._fd())

    def link(self, name: str, to: Folder, new_name: str) -> None:
        assert isinstance(to, FdFolder)
        os.link(name, new_name, src_dir_fd=self._fd(), dst_dir_fd=to._fd(), follow_symlinks=False)

    def entries(self) -> Iterator[tuple[str, os.stat_result | None]]:
        if not self.listable:
            raise PermissionError(errno.EACCES, "Permission denied", str(self.path))
        with os.scandir(self._fd()) as scan:  # scandir works on a duplicate of the descriptor
            for entry in scan:
                try:
                    yield entry.name, entry.stat(follow_symlinks=False)
                except OSError:
                    yield entry.name, None

    def fsync(self) -> None:
        os.fsync(self._fd())

    def close(self) -> None:
        if self.fd is not None:
            fd, self.fd = self.fd, None
            os.close(fd)


class PathFolder(Folder):
    """The fallback without `dir_fd` (Windows): path strings, each component checked with lstat before use.

    Rules (unit-tested on every platform): a component that is a symlink, a
    reparse point (junction) or not a folder is refused as "changed"; a final
    name that is a symlink is never opened for reading or writing (acted on
    only by remove and rename, which act on the link itself).
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def root(cls, anchor: Path) -> "PathFolder":
        return cls(anchor)

    @staticmethod
    def _is_link(st: os.stat_result) -> bool:
        return stat_module.S_ISLNK(st.st_mode) or bool(getattr(st, "st_file_attributes", 0) & _REPARSE)

    def child(self, name: str) -> "PathFolder":
        if name == ".":
            return PathFolder(self.path)
        path = self.path / name
        st = os.lstat(path)
        if self._is_link(st) or not stat_module.S_ISDIR(st.st_mode):
            if self._is_link(st):
                raise changed(path)
            raise NotADirectoryError(errno.ENOTDIR, "Not a directory", str(path))
        return PathFolder(path)

    def open(self, name: str, flags: int, mode: int = 0o666) -> int:
        path = self.path / name
        try:
            if self._is_link(os.lstat(path)):
                raise changed(path)
        except FileNotFoundError:
            pass
        return os.open(path, flags | _NOFOLLOW | getattr(os, "O_BINARY", 0), mode)

    def lstat(self, name: str | None = None) -> os.stat_result:
        return os.lstat(self.path if name is None else self.path / name)

    def mkdir(self, name: str, mode: int = 0o777) -> None:
        os.mkdir(self.path / name, mode)

    def rmdir(self, name: str) -> None:
        os.rmdir(self.path / name)

    def unlink(self, name: str) -> None:
        os.unlink(self.path / name)

    def rename(self, name: str, to: Folder, new_name: str) -> None:
        os.replace(self.path / name, to.path / new_name)

    def link(self, name: str, to: Folder, new_name: str) -> None:
        os.link(self.path / name, to.path / new_name, follow_symlinks=False)

    def entries(self) -> Iterator[tuple[str, os.stat_result | None]]:
        with os.scandir(self.path) as scan:
            for entry in scan:
                try:
                    yield entry.name, entry.stat(follow_symlinks=False)
                except OSError:
                    yield entry.name, None

    def fsync(self) -> None:
        if os.name == "nt":
            return  # Windows cannot open a folder for fsync; MoveFileEx with write-through is its equivalent
        fd = os.open(self.path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def close(self) -> None:
        pass


def open_folder(real: Path, *, create_below: Path | None = None, fallback: bool | None = None) -> Folder:
    """The folder at `real` (a realpath), walked from its anchor one component at a time, symlinks refused.

    With `create_below`, missing components strictly below that folder are
    created on the way (mkdir -p that never creates a grant's own folder or
    anything above it). `fallback` forces the implementation (tests); by
    default it is `FdFolder` wherever `dir_fd` works.
    """
    use_fd = USES_DIR_FD if fallback is None else not fallback
    kind = FdFolder if use_fd else PathFolder
    real = Path(real)
    current: Folder = kind.root(Path(real.anchor))
    depth_floor = len(create_below.parts) if create_below is not None else None
    try:
        for depth, name in enumerate(real.parts[1:], start=2):
            try:
                nxt = current.child(name)
            except FileNotFoundError:
                if depth_floor is None or depth <= depth_floor:
                    raise
                try:
                    current.mkdir(name)
                except FileExistsError:
                    pass
                nxt = current.child(name)
            current.close()
            current = nxt
    except BaseException:
        current.close()
        raise
    return current
