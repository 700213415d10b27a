"""A page's own copy of Pyodide whose big files are not there: answered from the bundled Pyodide.

Pages that want control over their runtime vendor Pyodide beside themselves and load it with
`loadPyodide({indexURL: "./vendor/"})` (or `<script src="pyodide/pyodide.js">`). Such copies
often arrive without their heavy files: `pyodide.asm.wasm` is kept in Git LFS (a pointer of
a few bytes in a plain clone), left out by `.gitignore` and downloaded by a build step, or
dropped by a repository mirror's size limit. Online that page works; here it would fail in
`WebAssembly.compile` with a 404 and show nothing.

Such a folder is answered from the bundled Pyodide of the version the copy names (its
`pyodide-lock.json` or `package.json`), mapped the way a CDN URL of that version is, so the
runtime the page gets matches the `pyodide.js` it loaded from a CDN. Every runtime file of the
folder is answered from the bundle, the ones present too: `pyodide.asm.js` and
`pyodide.asm.wasm` of two versions do not work together. The folder's other files (the
page's own scripts beside the copy) are served from disk as usual. A complete copy is left
alone: it is the author's runtime, served as is.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

__all__ = ["RUNTIME_NAMES", "is_stand_in", "stand_in_version", "incomplete_copy"]

#: The file names of a Pyodide distribution that its loader asks for by name.
RUNTIME_NAMES = frozenset({
    "pyodide.js", "pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip",
    "pyodide-lock.json", "repodata.json", "pyodide.js.map", "pyodide.mjs.map", "pyodide.asm.data",
})
#: Without these two the copy cannot start (every release since 0.23 has both).
_HEAVY = ("pyodide.asm.js", "pyodide.asm.wasm")
#: Package files a lock names, fetched from the same folder (indexURL).
_PACKAGE_FILE = re.compile(r"^[\w.+-]+\.(?:whl|zip|tar)$")
_LFS_POINTER = b"version https://git-lfs"
_VERSION = re.compile(r"^(\d+\.\d+\.\d+)")


def _missing(file: Path) -> bool:
    """Absent, or a Git LFS pointer standing where the file should be."""
    try:
        if not file.is_file():
            return True
        if file.stat().st_size > 1024:
            return False
        return file.read_bytes().startswith(_LFS_POINTER)
    except OSError:
        return True


def incomplete_copy(folder: Path) -> bool:
    """Is `folder` a copy of Pyodide (or where one belongs) that cannot start as it is?"""
    return any(_missing(folder / name) for name in _HEAVY)


def is_stand_in(folder: Path, name: str) -> bool:
    """Should the request for `name` in `folder` be answered from the bundled Pyodide?

    Only when the folder cannot start as it is. Then a runtime file name that is missing (or an LFS
    pointer), and one present beside other runtime files (one consistent version: this is a copy of
    Pyodide, not a page's own script that happens to be called pyodide.js); a package file only when
    the folder has no such file (a page's own wheel stays its own)."""
    if not incomplete_copy(folder):
        return False
    if _missing(folder / name):
        return name in RUNTIME_NAMES or bool(_PACKAGE_FILE.match(name))
    if name not in RUNTIME_NAMES:
        return False
    return sum(not _missing(folder / other) for other in RUNTIME_NAMES) >= 2


def stand_in_version(folder: Path) -> str | None:
    """The Pyodide version the copy in `folder` names ("0.28.0"), or None when it names none."""
    for name, read in (("pyodide-lock.json", lambda d: d.get("info", {}).get("version")),
                       ("repodata.json", lambda d: d.get("info", {}).get("version")),
                       ("package.json", lambda d: d.get("version") if d.get("name") == "pyodide" else None)):
        file = folder / name
        if _missing(file):
            continue
        try:
            value = read(json.loads(file.read_text(encoding="utf-8")))
        except (OSError, ValueError, AttributeError):
            continue
        m = _VERSION.match(value) if isinstance(value, str) else None
        if m:
            return m[1]
    return None
