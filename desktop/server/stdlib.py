"""Standard-library modules that pages list as packages.

Pages name `asyncio`, `json` or `collections` in `packages` (PyScriptWidgets' pyscript.toml lists
`"asyncio"`). Online, micropip installs PyPI's namesake (asyncio 3.4.3, a 2015 backport the standard
library shadows) and the page runs; offline, that install fails and PyScript stops before any of
the page's Python. Such a name is imported from the standard library whatever is installed, so the
served config asks for `micropip` in its place (already loaded: a no-op that keeps TOML and JSON
valid) and the console says why.
"""

from __future__ import annotations

import re
import sys

__all__ = ["PYODIDE_SPLIT_MODULES", "STDLIB_MODULES", "is_stdlib", "drop_stdlib_packages"]

#: Standard-library modules Pyodide splits out of its standard library and ships as packages of its
#: own (entries of its lock: `packages = ["sqlite3"]` is how a page gets `import sqlite3` to work), so
#: they are real packages to load, never dropped (distutils: the locks of Pyodide 0.24-0.25).
#: tests/server/test_stdlib.py checks the set against every bundled Pyodide's lock.
PYODIDE_SPLIT_MODULES = frozenset({"distutils", "hashlib", "lzma", "pydoc_data", "sqlite3", "ssl"})
#: Top-level modules of the standard library (the host's Python; Pyodide's differs by a few
#: platform modules no page lists), less those Pyodide ships as packages.
STDLIB_MODULES = frozenset(sys.stdlib_module_names) - PYODIDE_SPLIT_MODULES

#: A `packages` array of a TOML or JSON config (inline in a page, or a config file).
_PACKAGES = re.compile(r"""(["']?packages["']?\s*[=:]\s*\[)([^\]]*)(\])""")
_ITEM = re.compile(r"""(["'])([A-Za-z_][A-Za-z0-9_.]*)\1""")


def is_stdlib(name: str) -> bool:
    """Whether a requirement name is a standard-library module (`asyncio`, `json`)."""
    return name.strip().replace("-", "_").lower() in STDLIB_MODULES


def drop_stdlib_packages(text: str) -> tuple[str, list[str]]:
    """`text` with each standard-library name in a `packages` array replaced by `micropip`, and a
    notice for each."""
    notices: list[str] = []

    def item(m: re.Match[str]) -> str:
        if not is_stdlib(m[2]):
            return m[0]
        notice = (f"{m[2]} is part of Python's standard library, not a package to install: the page's "
                  "packages list names it, and its imports use the standard library's.")
        if notice not in notices:
            notices.append(notice)
        return f"{m[1]}micropip{m[1]}"

    text = _PACKAGES.sub(lambda found: found[1] + _ITEM.sub(item, found[2]) + found[3], text)
    return text, notices
