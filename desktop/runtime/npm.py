"""The npm client, wrapped: the only way the app talks to the npm registry.

Used for two things: `npm pack` to obtain a registry tarball (which the caller
then checks against the pinned SRI integrity) and `npm view` to read the
registry's integrity when `runtime pin` regenerates the manifest. Going
through the client keeps the user's registry, proxy and certificate settings.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from ..errors import DesktopError, FetchError
from ..tools import Tool

__all__ = ["Npm"]

_TIMEOUT = 900


@dataclass(frozen=True)
class Npm(Tool):
    """`npm` on PATH (or a given executable); `None` means not installed."""

    command: ClassVar[str] = "npm"
    label: ClassVar[str] = "The npm client"
    purpose: ClassVar[str] = ("it is needed to download the runtime's npm packages "
                              "(they are not in the download cache yet)")
    install: ClassVar[str] = ("Install Node.js with npm (for example `sudo apt-get install npm`, or from nodejs.org), "
                              "then run the command again.")
    error: ClassVar[type[DesktopError]] = FetchError

    def pack(self, spec: str, dest: Path) -> Path:
        """Download the registry tarball of `spec` (e.g. "pyodide@0.27.7") into `dest`; returns its path."""
        self.verify()
        dest.mkdir(parents=True, exist_ok=True)
        result = self._run(["pack", spec, "--pack-destination", str(dest)], cwd=dest)
        if result.returncode != 0:
            raise FetchError(f"npm could not download {spec}: {_last_lines(result.stderr)}")
        lines = [line for line in result.stdout.strip().splitlines() if line.strip().endswith(".tgz")]
        tarball = dest / lines[-1].strip() if lines else None
        if tarball is None or not tarball.is_file():
            candidates = sorted(dest.glob("*.tgz"))
            if len(candidates) != 1:
                raise FetchError(f"npm reported success for {spec} but the tarball is not in {dest}.")
            tarball = candidates[0]
        return tarball

    def view(self, spec: str, field: str) -> str:
        """One field of the registry's metadata, e.g. view("pyodide@0.27.7", "dist.integrity")."""
        self.verify()
        result = self._run(["view", spec, field])
        value = result.stdout.strip()
        if result.returncode != 0 or not value:
            detail = _last_lines(result.stderr) or "no such version"
            raise FetchError(f"npm could not read {field} of {spec}: {detail}")
        return value

    def versions(self, package: str) -> list[str]:
        """Every version of `package` the registry publishes, oldest first."""
        self.verify()
        result = self._run(["view", package, "versions", "--json"])
        try:
            versions = json.loads(result.stdout) if result.returncode == 0 else None
        except ValueError:
            versions = None
        if not isinstance(versions, list):
            raise FetchError(f"npm could not list the versions of {package}: {_last_lines(result.stderr) or 'no answer'}")
        return [str(v) for v in versions]

    def integrities(self, package: str, versions: list[str]) -> dict[str, str]:
        """The registry's SRI integrity of each of `versions` of `package`, in one `npm view`
        (a client start costs about half a CPU-second, and `runtime pin` asks for some 60)."""
        wanted = sorted(set(versions))
        self.verify()
        result = self._run(["view", f"{package}@{' || '.join(wanted)}", "version", "dist.integrity", "--json"])
        try:
            rows = json.loads(result.stdout) if result.returncode == 0 and result.stdout.strip() else None
        except ValueError:
            rows = None
        if isinstance(rows, dict):  # npm answers one match with the object itself
            rows = [rows]
        if not isinstance(rows, list):
            raise FetchError(f"npm could not read the integrity of {package} {', '.join(wanted)}: "
                             f"{_last_lines(result.stderr) or 'no answer'}")
        found = {str(r.get("version")): str(r.get("dist.integrity") or "") for r in rows if isinstance(r, dict)}
        missing = [v for v in wanted if not found.get(v)]
        if missing:
            raise FetchError(f"npm could not read dist.integrity of {package}@{', '.join(missing)}: no such version")
        return {v: found[v] for v in wanted}

    def view_json(self, spec: str, field: str) -> object:
        """One field as JSON; for a range, a list with one value per matching version (or one value)."""
        self.verify()
        result = self._run(["view", spec, field, "--json"])
        if result.returncode != 0 or not result.stdout.strip():
            detail = _last_lines(result.stderr) or "no such version"
            raise FetchError(f"npm could not read {field} of {spec}: {detail}")
        try:
            return json.loads(result.stdout)
        except ValueError:
            raise FetchError(f"npm gave unreadable metadata for {spec}: {result.stdout[:200]}") from None


    def _run(self, args: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess:
        env = {**os.environ, "npm_config_update_notifier": "false", "npm_config_fund": "false",
               "npm_config_audit": "false", "npm_config_loglevel": "error"}
        try:
            return subprocess.run(
                [self.verify(), *args], capture_output=True, text=True, timeout=_TIMEOUT, cwd=cwd, env=env
            )
        except subprocess.TimeoutExpired:
            raise FetchError(f"npm {' '.join(args)} did not finish within {_TIMEOUT} s.") from None
        except OSError as exc:
            raise FetchError(f"npm could not be started ({exc}).", "Check the npm installation.") from None


def _last_lines(text: str, count: int = 4) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip() and "Unknown user config" not in line]
    return " ".join(lines[-count:])[-600:]
