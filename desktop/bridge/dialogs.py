"""Native dialogs for page code, as a small Protocol the window side implements.

The bridge never imports the window (data flows window -> page -> bridge): the
command that composes the app hands in a `DialogHost` (see
`desktop.window.pickers.WindowPickers`). What the person picks is granted to
the page for the session.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Protocol, Sequence

from .errors import BridgeError

__all__ = ["DialogHost", "file_types"]

_TYPE = re.compile(r"^[\w ]+ \((\*(\.[\w-]+)?)(;\*(\.[\w-]+)?)*\)$")
_PATTERN = re.compile(r"^\*(\.[\w-]+)?$")


class DialogHost(Protocol):
    """Shows a dialog in the window showing `origin`'s page; blocks until the person answers."""

    def open_files(self, origin: str, file_types: Sequence[str], multiple: bool) -> list[Path]: ...

    def save_file(self, origin: str, suggested_name: str, file_types: Sequence[str]) -> Path | None: ...

    def choose_folder(self, origin: str) -> Path | None: ...


def file_types(types: object) -> list[str]:
    """Page-given file types -> dialog filters ("CSV files (*.csv;*.tsv)").

    Accepts None, "*.csv", ".csv", "CSV files (*.csv)", ("CSV files", "*.csv", "*.tsv"),
    or a list of those.
    """
    if types is None or types == []:
        return []
    if isinstance(types, str):
        items: object = [types]
    elif isinstance(types, (list, tuple)) and all(isinstance(t, str) for t in types) and _is_single(types):
        items = [tuple(types)]
    else:
        items = types
    if not isinstance(items, (list, tuple)):
        raise BridgeError("EINVAL", "types must be a pattern like '*.csv', a list of them, or (description, pattern...).")
    out = []
    for item in items:
        if isinstance(item, str) and _TYPE.match(item):
            out.append(item)
            continue
        if isinstance(item, str):
            description, patterns = _describe([item]), [item]
        elif isinstance(item, (list, tuple)) and len(item) >= 2 and all(isinstance(x, str) for x in item):
            description, patterns = item[0], list(item[1:])
        else:
            raise BridgeError("EINVAL", f"Not a file type: {item!r}; use '*.csv' or ('CSV files', '*.csv').")
        patterns = ["*" + p if p.startswith(".") else p for p in patterns]
        text = f"{description} ({';'.join(patterns)})"
        if not all(_PATTERN.match(p) for p in patterns) or not _TYPE.match(text):
            raise BridgeError("EINVAL", f"Not a file type: {item!r}; use letters, digits and spaces for the "
                                        "description and *.ext patterns.")
        out.append(text)
    return out


def _is_single(types: Sequence[str]) -> bool:
    """("CSV files", "*.csv") is one type; ["*.csv", "*.tsv"] is two."""
    return len(types) >= 2 and not types[0].startswith(("*", ".")) and not _TYPE.match(types[0])


def _describe(patterns: list[str]) -> str:
    exts = [p.lstrip("*.").upper() for p in patterns if p.strip("*.")]
    return (" ".join(exts) + " files") if exts else "All files"
