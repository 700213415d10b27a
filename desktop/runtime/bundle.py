"""The runtime files as they sit on disk, and questions the server asks of them.

Layout (fixed; `runtime fetch` writes it, the server reads it):

    bundled_runtime/
      manifest.toml                      committed pins
      pyscript-core/<version>/...        the @pyscript/core npm package (dist/, package.json)
      pyodide/<version>/...              the pyodide npm package plus the pinned package files, flat
      micropython/<version>/...          the MicroPython npm package (micropython.mjs, .wasm)
      wheelhouse/<pyodide version>/      wheels added with `runtime add`, with their lock entries

A component folder exists only when it was fetched and verified completely:
fetch writes into a temporary folder and moves it into place at the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ..errors import RuntimeMissingError
from .manifest import COMPONENTS, Manifest, Pair

__all__ = ["RuntimeBundle", "version_key", "closest_version"]


def version_key(version: str) -> tuple:
    """Order versions numerically where they are numeric ("0.27.7" < "314.0.7"; previews sort low)."""
    parts: list[tuple[int, int | str]] = []
    for chunk in version.replace("-", ".").split("."):
        parts.append((1, int(chunk)) if chunk.isdigit() else (0, chunk))
    return tuple(parts)


def closest_version(wanted: str, available: list[str]) -> str | None:
    """The available version nearest to `wanted`: exact, else same major.minor, else the nearest below, else the lowest above."""
    if not available:
        return None
    if wanted in available:
        return wanted
    ordered = sorted(available, key=version_key)
    key = version_key(wanted)
    below = [v for v in ordered if version_key(v) < key]
    head = wanted.split(".")[:2]
    same_minor = [v for v in ordered if v.split(".")[:2] == head]
    if same_minor:
        return same_minor[-1]
    return below[-1] if below else ordered[0]


@dataclass
class RuntimeBundle:
    root: Path

    @cached_property
    def manifest(self) -> Manifest:
        return Manifest.load(self.root / "manifest.toml")

    def component_dir(self, kind: str, version: str) -> Path:
        assert kind in COMPONENTS, kind
        return self.root / kind / version

    def installed_versions(self, kind: str) -> list[str]:
        """Versions of a component present on disk, lowest first."""
        folder = self.root / kind
        if not folder.is_dir():
            return []
        return sorted((p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")), key=version_key)

    def is_installed(self, pair: Pair) -> bool:
        return all(self.component_dir(kind, v).is_dir() for kind, v in pair.versions().items())

    def require(self, pair_name: str | None = None) -> Pair:
        """The pair to serve, or a clear error saying how to fetch it."""
        pair = self.manifest.pair(pair_name)
        if not self.is_installed(pair):
            flag = "" if pair.name == self.manifest.default_pair else f" --pair {pair.name}"
            raise RuntimeMissingError(
                f"The runtime pair {pair.name!r} (PyScript {pair.pyscript}, Pyodide {pair.pyodide}) is not in {self.root}.",
                f"Fetch it with: python main.py runtime fetch{flag}",
            )
        return pair

    def wheelhouse_dir(self, pyodide_version: str) -> Path:
        return self.root / "wheelhouse" / pyodide_version
