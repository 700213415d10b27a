"""The committed pin list for the runtime bundle (`bundled_runtime/manifest.toml`).

The manifest is data, not code: it names every component with its version and
the integrity data it must match. Everything that fetches, verifies or serves
runtime files reads it through this module.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError

__all__ = ["Manifest", "Pair", "NpmPackage", "PackageFile", "Carrier", "COMPONENTS", "NPM_NAMES", "PACKAGE_SOURCES"]

#: Component kinds, each a folder under the bundle root: <kind>/<version>/...
COMPONENTS = ("pyscript-core", "pyodide", "micropython")

#: The npm package each component kind is published as (what `runtime pin` asks npm about).
NPM_NAMES = {
    "pyscript-core": "@pyscript/core",
    "pyodide": "pyodide",
    "micropython": "@micropython/micropython-webassembly-pyscript",
}

#: Where a pair's `packages` come from: the official files of the Pyodide lock (pinned by the
#: lock's sha256), or, when those are unreachable, the same versions' pure-Python wheels on PyPI
#: (pinned by their sha256 in `[pypi_wheels]`, installed into the wheelhouse).
PACKAGE_SOURCES = ("lock", "pypi")


@dataclass(frozen=True)
class NpmPackage:
    """An npm tarball pinned by its SRI integrity string."""

    kind: str  # one of COMPONENTS
    package: str  # npm name, e.g. "@pyscript/core"
    version: str
    integrity: str

    @property
    def spec(self) -> str:
        return f"{self.package}@{self.version}"


@dataclass(frozen=True)
class PackageFile:
    """One Pyodide package file, pinned by the sha256 of the official lock file."""

    name: str
    version: str
    file: str
    sha256: str
    #: Set for a wheel made here from PyPI's source distribution (runtime/purebuild.py): that file's sha256.
    sdist_sha256: str = ""


@dataclass(frozen=True)
class Carrier:
    """A PyPI distribution that happens to contain official Pyodide files (transport only)."""

    pyodide: str
    requirement: str
    folder: str


@dataclass(frozen=True)
class Pair:
    """A PyScript core release with the Pyodide and MicroPython it is served with."""

    name: str
    pyscript: str
    pyodide: str
    micropython: str
    description: str = ""
    packages: tuple[str, ...] = ()
    optional: bool = False
    packages_from: str = "lock"  # one of PACKAGE_SOURCES
    #: Also bundle every pure-Python package of the Pyodide lock (and what those need) that can be had
    #: at the lock's version: the official file where a carrier has it, else PyPI's wheel (pinned).
    pure_python: bool = False
    #: Lock packages compiled by Pyodide whose compiled part is optional: built as pure-Python wheels from
    #: PyPI's source distribution of the lock's version when no official file is reachable (hand-chosen).
    pure_builds: tuple[str, ...] = ()
    #: Packages Pyodide's lock lacks, as exact requirements, bundled from PyPI's pure-Python wheels with the
    #: dependencies the lock lacks too (pinned in [pypi_wheels] by `runtime pin`; hand-chosen).
    pypi_packages: tuple[str, ...] = ()

    def versions(self) -> dict[str, str]:
        return {"pyscript-core": self.pyscript, "pyodide": self.pyodide, "micropython": self.micropython}


@dataclass(frozen=True)
class Manifest:
    path: Path
    default_pair: str
    pairs: dict[str, Pair]
    npm: dict[str, NpmPackage]  # key: "<kind>@<version>"
    carriers: tuple[Carrier, ...] = ()
    pyodide_packages: dict[str, dict[str, PackageFile]] = field(default_factory=dict)
    pypi_wheels: dict[str, dict[str, PackageFile]] = field(default_factory=dict)
    schema: int = 1
    #: {pyodide version: {lock name: version}}: packages `pure_python` wanted that no source gives at the
    #: lock's version (no official file reachable, no pure-Python wheel of that version on PyPI).
    unbundled: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> "Manifest":
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(
                f"The runtime manifest {path} is missing.",
                "Restore bundled_runtime/manifest.toml from the app's source or reinstall the app.",
            ) from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"The runtime manifest {path} is not valid TOML: {exc}.") from None
        try:
            pairs = {
                name: Pair(
                    name=name,
                    pyscript=p["pyscript"],
                    pyodide=p["pyodide"],
                    micropython=p["micropython"],
                    description=p.get("description", ""),
                    packages=tuple(p.get("packages", ())),
                    optional=bool(p.get("optional", False)),
                    packages_from=p.get("packages_from", "lock"),
                    pure_python=bool(p.get("pure_python", False)),
                    pure_builds=tuple(p.get("pure_builds", ())),
                    pypi_packages=tuple(p.get("pypi_packages", ())),
                )
                for name, p in data["pairs"].items()
            }
            npm = {
                key: NpmPackage(
                    kind=key.split("@", 1)[0], package=e["package"], version=e["version"], integrity=e["integrity"]
                )
                for key, e in data["npm"].items()
            }
            carriers = tuple(Carrier(**c) for c in data.get("carriers", ()))
            packages = _package_files(data.get("pyodide_packages", {}))
            wheels = _package_files(data.get("pypi_wheels", {}))
            unbundled = {v: {str(n): str(ver) for n, ver in t.items()} for v, t in data.get("unbundled", {}).items()}
            manifest = cls(
                path, data["default_pair"], pairs, npm, carriers, packages, wheels, int(data.get("schema", 1)), unbundled
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"The runtime manifest {path} lacks or mistypes the entry {exc}.") from None
        for pair in pairs.values():
            if pair.packages_from not in PACKAGE_SOURCES:
                raise ConfigError(
                    f"The runtime manifest gives pair {pair.name!r} packages_from = {pair.packages_from!r}.",
                    f"Use one of: {', '.join(PACKAGE_SOURCES)}.",
                )
        if manifest.default_pair not in pairs:
            raise ConfigError(f"The runtime manifest names default pair {manifest.default_pair!r}, which it does not define.")
        return manifest

    def pair(self, name: str | None = None) -> Pair:
        name = name or self.default_pair
        try:
            return self.pairs[name]
        except KeyError:
            known = ", ".join(sorted(self.pairs))
            raise ConfigError(f"There is no runtime pair called {name!r}.", f"Choose one of: {known}.") from None

    def npm_package(self, kind: str, version: str) -> NpmPackage:
        try:
            return self.npm[f"{kind}@{version}"]
        except KeyError:
            raise ConfigError(
                f"The runtime manifest {self.path} has no [npm.\"{kind}@{version}\"] entry for a pair that uses it.",
                "Regenerate the pins with: python main.py runtime pin",
            ) from None

    def packages_for(self, pyodide_version: str) -> dict[str, PackageFile]:
        """Official package files pinned for a Pyodide version (they live in pyodide/<version>/)."""
        return self.pyodide_packages.get(pyodide_version, {})

    def wheels_for(self, pyodide_version: str) -> dict[str, PackageFile]:
        """PyPI wheels pinned for a Pyodide version (they live in wheelhouse/<version>/)."""
        return self.pypi_wheels.get(pyodide_version, {})

    def unbundled_for(self, pyodide_version: str) -> dict[str, str]:
        """{lock name: version} of the lock's packages `pure_python` could not bundle."""
        return self.unbundled.get(pyodide_version, {})


def _package_files(table: dict) -> dict[str, dict[str, PackageFile]]:
    return {
        pyodide_version: {
            name: PackageFile(name=name, version=e["version"], file=e["file"], sha256=e["sha256"],
                              sdist_sha256=e.get("sdist_sha256", ""))
            for name, e in entries.items()
        }
        for pyodide_version, entries in table.items()
    }
