"""What page code may reach: folders (or single files) granted for reading or for writing.

A grant names a real path (resolved once, when granted); a request is allowed
when its real path is that path or lies under it. Sources, in the order a
person meets them: the page's own folder (read-only), `--allow-read` /
`--allow-write` on the command line, an app's manifest, and what the person
picked in a dialog during this session.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .errors import BridgeError

__all__ = ["Grant", "GrantSet", "denied_message"]


@dataclass(frozen=True)
class Grant:
    """Read (and optionally write) access to `path` and everything under it."""

    path: Path
    write: bool = False
    source: str = "command line"  # shown in messages: "command line", "page folder", "dialog", "manifest"

    @classmethod
    def of(cls, path: Path | str, *, write: bool = False, source: str = "command line") -> "Grant":
        return cls(Path(os.path.realpath(os.path.expanduser(str(path)))), write, source)

    def covers(self, real: Path) -> bool:
        return real == self.path or self.path in real.parents


def denied_message(shown: Path, *, write: bool, readable: bool, folder: bool = False, escapes: bool = False) -> str:
    """What a page is told when a path is not granted: which grant is missing, and how to give it.

    Built from the path as the page spelled it (`shown`) and the operation
    alone, never from the disk: outside the grants a page learns nothing, not
    whether a path exists, is a folder, or where a symlink points. `folder`
    says the operation names a folder (listdir, walk, watch of a folder), so
    the flag suggested is for that folder; else for the folder holding the
    name. `escapes`: the spelling lies in a grant but a symlink in it leads out.
    """
    where = shown if folder else shown.parent
    verb, flag, dialog = (
        ("write", "--allow-write", "desktop.dialogs.save_file() or choose_folder()")
        if write
        else ("read", "--allow-read", "desktop.dialogs.open_file() or choose_folder()")
    )
    if escapes:
        return (
            f"Not granted: {shown} leads through a symbolic link to a place outside the folders this page may "
            f"{verb}. Use the file in a granted folder, or grant the place the link leads to with {flag} "
            f"(or let the person pick it with {dialog})."
        )
    if write and readable:
        return (
            f"Not granted: {shown} may be read but not written by this page. "
            f"Give write access with --allow-write {where} (or let the person pick it with "
            "desktop.dialogs.save_file() or choose_folder())."
        )
    return (
        f"Not granted: {shown} is outside the folders this page may {verb}. "
        f"Give access with {flag} {where} (or let the person pick it with {dialog})."
    )


class GrantSet:
    """A thread-safe collection of grants; `check` is the single gate every operation passes."""

    def __init__(self, grants: Iterable[Grant] = ()) -> None:
        self._grants: list[Grant] = []
        self._lock = threading.Lock()
        for grant in grants:
            self.add(grant)

    def add(self, grant: Grant) -> None:
        with self._lock:
            if grant not in self._grants:
                self._grants.append(grant)

    def __iter__(self):  # noqa: ANN204
        with self._lock:
            return iter(list(self._grants))

    def __len__(self) -> int:
        return len(self._grants)

    def allows(self, real: Path, *, write: bool = False) -> bool:
        return any(g.covers(real) and (g.write or not write) for g in self)

    def check(self, real: Path, *, write: bool = False, shown: Path | None = None, folder: bool = False) -> Path:
        """`real` if a grant covers it (with write access when `write`), else BridgeError(EACCES).

        The refusal names `shown` (the page's own spelling, made absolute), or
        `real` when not given; see `denied_message` for what it may say.
        """
        if self.allows(real, write=write):
            return real
        shown = shown if shown is not None else real
        readable = write and self.allows(real, write=False) and self.allows(shown, write=False)
        escapes = self.allows(shown, write=write)
        raise BridgeError("EACCES", denied_message(shown, write=write, readable=readable, folder=folder,
                                                   escapes=escapes))

    def root_for(self, real: Path, *, write: bool = False) -> Path:
        """The innermost granted path that covers `real` (call after `check`)."""
        roots = [g.path for g in self if g.covers(real) and (g.write or not write)]
        return max(roots, key=lambda p: len(p.parts))

    def writable_roots(self) -> list[Path]:
        return [g.path for g in self if g.write]
