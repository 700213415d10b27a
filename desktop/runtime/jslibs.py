"""The local library cache: npm packages of JavaScript/CSS libraries that pages load from CDNs.

Layout, in each root (the bundle's `bundled_runtime/js/` for what is bundled or
built into an app, the user cache's `js/` for what `runtime add --js` added):

    <root>/<package>@<version>/...          the npm package as published (package.json, dist/...)
    <root>/@scope/<name>@<version>/...      scoped packages
    <root>/<package>@<version>/.files.json  sha256 of every file, written after the tarball verified

A package folder exists only when its tarball matched the registry's integrity:
`jsvendor` unpacks into a staging folder and renames it into place. Reading is
all offline: which versions are here, which one a range picks, and which file
a CDN would have served for a package URL without a file name.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .semver import is_exact, max_satisfying, parse_version

__all__ = ["JsLibraries", "LIBRARY_FOLDER"]

#: The folder name of a library root, inside the runtime bundle and inside the user cache.
LIBRARY_FOLDER = "js"
_ESM_CONDITIONS = ("browser", "import", "module", "default")
_NAME = re.compile(r"^(?P<name>[^@/][^@/]*)@(?P<version>[^/@]+)$")


@dataclass(frozen=True)
class JsLibraries:
    """The library roots, searched in order (a package version in an earlier root wins)."""

    roots: tuple[Path, ...]

    # -- what is here -----------------------------------------------------------------------------
    def _listing(self) -> dict[str, dict[str, Path]]:
        return _list_roots(self._stamps())

    def _stamps(self) -> tuple:
        stamps = []
        for root in self.roots:
            try:
                stamps.append((str(root), root.stat().st_mtime_ns,
                               tuple((p.name, p.stat().st_mtime_ns) for p in root.iterdir() if p.name.startswith("@"))))
            except OSError:
                stamps.append((str(root), 0, ()))
        return tuple(stamps)

    def stamp(self) -> tuple:
        """Changes whenever a package version is added or removed (a cache key for derived answers)."""
        return self._stamps()

    def packages(self) -> dict[str, list[str]]:
        """{package: [versions]} of everything vendored."""
        return {name: sorted(found, key=_order) for name, found in self._listing().items()}

    def versions(self, package: str) -> list[str]:
        return sorted(self._listing().get(package, {}), key=_order)

    def folder(self, package: str, version: str) -> Path | None:
        return self._listing().get(package, {}).get(version)

    def best(self, package: str, range_text: str) -> str | None:
        """The vendored version a range picks: the exact one, else the highest that satisfies it."""
        versions = self.versions(package)
        if range_text in versions:
            return range_text
        if is_exact(range_text):
            return None
        return max_satisfying(versions, range_text)

    # -- inside one package -----------------------------------------------------------------------
    def package_json(self, package: str, version: str) -> dict:
        folder = self.folder(package, version)
        if folder is None:
            return {}
        try:
            return _read_json(str(folder / "package.json"), (folder / "package.json").stat().st_mtime_ns)
        except OSError:
            return {}

    def find_file(self, package: str, version: str, file: str, prefixes: tuple[str, ...] = ("",)) -> str | None:
        """The package-relative path of `file`, looked up under each prefix; a missing `x.min.js` falls
        back to `x.js` (jsDelivr minifies on the fly) and a missing `x.js` to `x.min.js`."""
        folder = self.folder(package, version)
        if folder is None:
            return None
        for prefix in prefixes:
            for name in _variants(prefix + file.lstrip("/")):
                if ".." in name.split("/"):
                    return None
                if (folder / name).is_file():
                    return name
        return None

    def default_file(self, package: str, version: str, fields: tuple[str, ...]) -> str | None:
        """The file a CDN serves for a package URL without a file: the first of `fields` that names one."""
        meta = self.package_json(package, version)
        for name in fields:
            value = meta.get(name)
            if isinstance(value, str) and value:
                found = self.find_file(package, version, _clean(value), ("",)) or self.find_file(
                    package, version, _clean(value) + ".js", ("",)
                )
                if found:
                    return found
        return self.find_file(package, version, "index.js")

    def esm_entry(self, package: str, version: str, subpath: str = "") -> str | None:
        """The ES module file for `package[/subpath]`: package.json `exports`, then `module`, then
        `browser`/`main` (which an ESM CDN would convert; here they must already be ES modules)."""
        meta = self.package_json(package, version)
        key = "./" + subpath.strip("/") if subpath.strip("/") else "."
        exports = meta.get("exports")
        if exports is not None:
            target = _export_target(exports, key)
            if target:
                found = self.find_file(package, version, _clean(target))
                if found:
                    return found
        if key == ".":
            for name in ("module", "browser", "main"):
                value = meta.get(name)
                if isinstance(value, str) and value:
                    found = self.find_file(package, version, _clean(value)) or self.find_file(package, version, _clean(value) + ".js")
                    if found:
                        return found
            return self.find_file(package, version, "index.js")
        sub = subpath.strip("/")
        for candidate in (sub, sub + ".js", sub + ".mjs", sub + "/index.js"):
            found = self.find_file(package, version, candidate)
            if found:
                return found
        nested = self.folder(package, version)
        if nested is not None and (nested / sub / "package.json").is_file():
            inner = json.loads((nested / sub / "package.json").read_text(encoding="utf-8"))
            for name in ("module", "main"):
                if isinstance(inner.get(name), str):
                    found = self.find_file(package, version, f"{sub}/{_clean(inner[name])}")
                    if found:
                        return found
        return None

    def dependency_range(self, package: str, version: str, dependency: str) -> str | None:
        """The range `package@version` declares for `dependency` (dependencies, then peer ones)."""
        meta = self.package_json(package, version)
        for table in ("dependencies", "peerDependencies", "optionalDependencies"):
            deps = meta.get(table)
            if isinstance(deps, dict) and isinstance(deps.get(dependency), str):
                return deps[dependency]
        return None


def _variants(name: str) -> list[str]:
    out = [name]
    if not name.rsplit("/", 1)[-1].count("."):  # unpkg resolves `lodash@4/lodash` as Node would
        out += [name + ".js", name + "/index.js"]
    for ext in (".js", ".css"):
        if name.endswith(".min" + ext):
            out.append(name[: -len(".min" + ext)] + ext)
        elif name.endswith(ext):
            out.append(name[: -len(ext)] + ".min" + ext)
    return out


def _clean(path: str) -> str:
    return path.strip().removeprefix("./").lstrip("/")


def _export_target(exports: object, key: str) -> str | None:
    """Resolve a package.json `exports` entry for `key` with browser ESM conditions."""
    if isinstance(exports, str):
        return exports if key == "." else None
    if isinstance(exports, list):
        for item in exports:
            found = _export_target(item, key)
            if found:
                return found
        return None
    if not isinstance(exports, dict):
        return None
    if exports and not all(k.startswith(".") for k in exports):  # conditions for "."
        return _conditions(exports) if key == "." else None
    if key in exports:
        return _conditions(exports[key])
    for pattern, target in exports.items():  # "./*": "./dist/*.js"
        if "*" in pattern:
            head, _, tail = pattern.partition("*")
            if key.startswith(head) and key.endswith(tail) and len(key) >= len(head) + len(tail):
                star = key[len(head): len(key) - len(tail) if tail else None]
                resolved = _conditions(target)
                return resolved.replace("*", star) if resolved else None
        elif pattern.endswith("/") and key.startswith(pattern):
            resolved = _conditions(target)
            return resolved + key[len(pattern):] if resolved else None
    return None


def _conditions(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        for item in value:
            found = _conditions(item)
            if found:
                return found
        return None
    if isinstance(value, dict):
        for condition in _ESM_CONDITIONS:
            if condition in value:
                found = _conditions(value[condition])
                if found and not found.endswith((".cjs", ".d.ts")):
                    return found
    return None


def _order(version: str) -> tuple:
    parsed = parse_version(version)
    return (1, parsed[:3], 1 if not parsed[3] else 0, parsed[3]) if parsed else (0, version)


@lru_cache(maxsize=8)
def _list_roots(stamps: tuple) -> dict[str, dict[str, Path]]:
    found: dict[str, dict[str, Path]] = {}
    for root_text, _, _ in stamps:
        root = Path(root_text)
        if not root.is_dir():
            continue
        for entry in root.iterdir():
            if entry.name.startswith("@") and entry.is_dir():
                children = [(f"{entry.name}/", child) for child in entry.iterdir()]
            else:
                children = [("", entry)]
            for scope, child in children:
                m = _NAME.match(child.name)
                if m and child.is_dir():
                    found.setdefault(scope + m["name"], {}).setdefault(m["version"], child)
    return found


@lru_cache(maxsize=256)
def _read_json(path: str, mtime_ns: int) -> dict:
    try:
        value = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}
