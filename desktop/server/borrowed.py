"""Pure-Python packages for a release's own Pyodide, lent by the pair's Pyodide of the same Python.

A PyScript release runs on the Pyodide it shipped with (0.27.3 for 2025.3.1), and npm carries that
Pyodide's core but none of its package files. The server already runs a page that names packages
on the pair's Pyodide instead (a variant core), but it cannot see every need: polyscript loads
micropip (and packaging) whenever a config has a `packages` key, even an empty one, and a worker's
config built in Python (`XWorker("w.py", config=to_js({"packages": [], "files": ...}))`) is not in
the page's text. Such a worker then failed with "Failed to fetch" for micropip and raised
`ModuleNotFoundError: No module named 'micropip'`.

So the lock served for such a Pyodide lists, for each of its packages whose file is not bundled,
the pair Pyodide's entry of that package when it is a pure-Python wheel (`*-none-any.whl`) and
both Pyodides run the same Python: the file is the pair's, checked against the pair's official
lock like every bundled file, and the entry carries its sha256, so Pyodide's own integrity check
holds. Compiled packages are not lent: their ABI belongs to one Pyodide build.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

__all__ = ["lent_entries", "python_of", "read_lock_file"]


@lru_cache(maxsize=32)
def _lock(path: str, mtime_ns: int) -> dict:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def read_lock_file(lock_path: Path) -> dict:
    """A pyodide-lock.json, parsed once per version of the file ({} when unreadable); not to be changed."""
    try:
        return _lock(str(lock_path), lock_path.stat().st_mtime_ns)
    except (OSError, ValueError):
        return {}


def python_of(lock: dict) -> str:
    """The Python minor version a lock is for ("3.12"), or ""."""
    return ".".join(str(lock.get("info", {}).get("python", "")).split(".")[:2])


def lent_entries(lock_path: Path, has_file: Callable[[str], bool], pair_lock_path: Path,
                 pair_entries: dict[str, dict], pair_has_file: Callable[[str], bool]) -> dict[str, dict]:
    """{package: the pair's lock entry} for the packages of the lock at `lock_path` whose file is not
    bundled (`has_file(file_name)` is False) and that the pair lends: a pure-Python wheel the pair has
    (`pair_entries`: its lock plus its wheelhouse), for the same Python. Empty when the Pythons differ."""
    lock, pair_lock = read_lock_file(lock_path), read_lock_file(pair_lock_path)
    if not lock or not pair_lock or python_of(lock) != python_of(pair_lock) or not python_of(lock):
        return {}
    lent: dict[str, dict] = {}
    for name, entry in lock.get("packages", {}).items():
        if not isinstance(entry, dict) or has_file(str(entry.get("file_name", ""))):
            continue
        theirs = pair_entries.get(name)
        if not isinstance(theirs, dict):
            continue
        file_name = str(theirs.get("file_name", ""))
        if file_name.endswith("-none-any.whl") and "/" not in file_name and pair_has_file(file_name):
            lent[name] = theirs
    return lent
