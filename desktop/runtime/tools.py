"""The external package clients the fetcher drives, each with a `verify()` that says what is missing."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from ..errors import FetchError

__all__ = ["Npm", "Pip"]


@dataclass(frozen=True)
class Npm:
    """The npm client, used only to obtain registry tarballs (`npm pack`)."""

    executable: str | None = None

    @classmethod
    def find(cls) -> "Npm":
        return cls(shutil.which("npm"))

    def available(self) -> bool:
        return self.executable is not None

    def verify(self) -> None:
        if not self.available():
            raise FetchError(
                "The npm client is not installed, and the runtime's npm packages are not in the cache.",
                "Install Node.js with npm (e.g. `apt-get install npm`), or fetch with a mirror: --mirror URL.",
            )

    def pack(self, spec: str, dest: Path) -> Path:
        """Download the registry tarball of `spec` into `dest`; returns its path."""
        self.verify()
        result = subprocess.run(
            [self.executable, "pack", spec, "--silent", "--pack-destination", str(dest)],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if result.returncode != 0:
            raise FetchError(f"npm could not download {spec}: {result.stderr.strip()[-500:]}")
        name = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
        tarball = dest / name
        if not name or not tarball.is_file():
            candidates = sorted(dest.glob("*.tgz"))
            if not candidates:
                raise FetchError(f"npm reported success for {spec} but wrote no tarball.")
            tarball = candidates[-1]
        return tarball


@dataclass(frozen=True)
class Pip:
    """pip, for PyPI distributions: carriers of Pyodide files and pure-Python wheels."""

    python: str = sys.executable

    def verify(self) -> None:
        result = subprocess.run([self.python, "-m", "pip", "--version"], capture_output=True, text=True)
        if result.returncode != 0:
            raise FetchError(
                "pip is not available for this Python.", "Install it with `python -m ensurepip` and try again."
            )

    def download(self, requirement: str, dest: Path, *, pure_python_for: str | None = None, deps: bool = False) -> list[Path]:
        """Download `requirement` into `dest`. With `pure_python_for="3.12"`, only a py3-none-any wheel will do."""
        self.verify()
        dest.mkdir(parents=True, exist_ok=True)
        before = set(dest.iterdir())
        command = [self.python, "-m", "pip", "download", "--disable-pip-version-check", "-q", "-d", str(dest)]
        if not deps:
            command.append("--no-deps")
        if pure_python_for:
            command += ["--only-binary=:all:", "--python-version", pure_python_for, "--implementation", "py",
                        "--abi", "none", "--platform", "any"]
        command.append(requirement)
        result = subprocess.run(command, capture_output=True, text=True, timeout=1800)
        if result.returncode != 0:
            lines = [l for l in result.stderr.strip().splitlines() if l.startswith("ERROR")] or result.stderr.strip().splitlines()[-3:]
            raise FetchError(f"pip could not download {requirement}: {' '.join(lines)[-600:]}")
        return sorted(set(dest.iterdir()) - before)
