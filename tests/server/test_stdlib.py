"""Standard-library names in a page's `packages`: served as `micropip` (already loaded), with a notice."""

from __future__ import annotations

import json
import tomllib

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
