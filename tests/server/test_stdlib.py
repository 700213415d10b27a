"""Standard-library names in a page's `packages`: served as `micropip` (already loaded), with a notice."""

from __future__ import annotations

import json
import tomllib

import pytest

from desktop.server.stdlib import drop_stdlib_packages, is_stdlib


def test_standard_library_names_are_known_and_packages_are_not():
    assert is_stdlib("asyncio") and is_stdlib("collections") and is_stdlib("json")
    assert not is_stdlib("numpy") and not is_stdlib("pyodide-http")


def test_toml_and_json_stay_valid_and_only_packages_arrays_change():
    toml = 'name = "asyncio"\npackages = [\n    "asyncio",\n    "numpy",\n]\n[files]\n"x" = "json"\n'
    text, notices = drop_stdlib_packages(toml)
    parsed = tomllib.loads(text)
    assert parsed["packages"] == ["micropip", "numpy"] and parsed["name"] == "asyncio" and parsed["files"] == {"x": "json"}
    assert notices == ["asyncio is part of Python's standard library, not a package to install: the page's packages "
                       "list names it, and its imports use the standard library's."]
    config = '{"packages": ["json", "pandas", "collections"], "name": "json"}'
    text, notices = drop_stdlib_packages(config)
    assert json.loads(text) == {"packages": ["micropip", "pandas", "micropip"], "name": "json"} and len(notices) == 2


def test_a_config_without_standard_library_names_is_returned_as_it_is():
    toml = 'packages = ["numpy", "matplotlib"]\n'
    assert drop_stdlib_packages(toml) == (toml, [])


def test_modules_pyodide_ships_as_packages_are_kept():
    """`packages = ["sqlite3"]` loads Pyodide's sqlite3 package (split out of its standard library):
    replacing it with micropip would break `import sqlite3`."""
    toml = 'packages = ["sqlite3", "ssl", "asyncio"]\n'
    text, notices = drop_stdlib_packages(toml)
    assert tomllib.loads(text)["packages"] == ["sqlite3", "ssl", "micropip"] and len(notices) == 1
    assert not is_stdlib("sqlite3") and not is_stdlib("pydoc-data") and is_stdlib("asyncio")


def test_split_modules_match_the_bundled_pyodide_locks():
    """Every standard-library name a bundled Pyodide lock lists as a package is kept (the set is
    read from the real locks, so a Pyodide that splits out another module fails here)."""
    import sys

    from desktop.runtime.bundle import RuntimeBundle
    from desktop.settings import default_runtime_dir
    from desktop.server.stdlib import PYODIDE_SPLIT_MODULES

    pyodide = RuntimeBundle(default_runtime_dir()).root / "pyodide"
    split: set[str] = set()
    for lock in pyodide.glob("*/pyodide-lock.json"):
        names = json.loads(lock.read_text(encoding="utf-8"))["packages"]
        split |= {n.replace("-", "_") for n in names if n.replace("-", "_") in sys.stdlib_module_names}
    assert split and split <= PYODIDE_SPLIT_MODULES, sorted(split - PYODIDE_SPLIT_MODULES)


_SQLITE_PAGE = """<!DOCTYPE html><html><head>
<script type="module" src="https://pyscript.net/releases/2025.3.1/core.js"></script></head><body>
<div id="out">waiting</div>
<script type="py" config='{"packages": ["sqlite3", "asyncio"]}'>
import sqlite3
from pyscript import document
db = sqlite3.connect(":memory:")
db.execute("create table t (n)")
db.executemany("insert into t values (?)", [(1,), (2,), (39,)])
document.getElementById("out").innerText = f"sqlite total: {db.execute('select sum(n) from t').fetchone()[0]}"
</script></body></html>
"""


@pytest.mark.e2e
def test_a_page_listing_sqlite3_and_asyncio_runs(serve, tmp_path, browser_page, output_dir):
    """In Chromium through the real server: sqlite3 is loaded as Pyodide's package (without it, `import
    sqlite3` raised ModuleNotFoundError), asyncio is left to the standard library."""
    (tmp_path / "index.html").write_text(_SQLITE_PAGE)
    run = browser_page(serve(tmp_path).url + "index.html")
    run.wait_for_text("sqlite total: 42", timeout=60)
    run.page.screenshot(path=str(output_dir / "stdlib-sqlite3.png"))
    assert "standard library" in run.console_text() and run.errors == []
