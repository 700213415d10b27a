"""PyInstaller, wrapped: one function that freezes the app with build_spec/pyscript-desktop.spec.

PyInstaller runs as a child process (`python -m PyInstaller`), so a failed
freeze is a message with the end of its log, not a crash of the caller.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import PackagingError
from ..settings import app_root
from ..tools import PyInstaller

__all__ = ["freeze", "SPEC", "APP_FOLDER", "PackagingError"]  # PackagingError: errors.py's, kept importable here

SPEC = Path("build_spec") / "pyscript-desktop.spec"
APP_FOLDER = "pyscript-desktop"  # the one-folder build's name (and its executable's)
_TIMEOUT = 3600


def freeze(dist: Path, *, trim: bool = True, work: Path | None = None, env: dict[str, str] | None = None) -> Path:
    """Freeze the app from the source tree into `dist/pyscript-desktop/`; returns that folder.

    The build happens in a temporary folder next to `dist` and is moved into place
    only when PyInstaller succeeded, so `dist` never holds half a build.
    """
    python = PyInstaller.find().verify()
    root = app_root()
    dist = dist.expanduser().resolve()
    dist.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".freeze-", dir=dist))
    work = work or staging / "work"
    run_env = {**os.environ, **(env or {}), "PYSCRIPT_DESKTOP_TRIM": "1" if trim else "0"}
    args = [python, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
            "--distpath", str(staging / "dist"), "--workpath", str(work), str(root / SPEC)]
    try:
        try:
            result = subprocess.run(args, cwd=root, env=run_env, capture_output=True, text=True, timeout=_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise PackagingError(f"PyInstaller did not finish within {_TIMEOUT} s.") from None
        built = staging / "dist" / APP_FOLDER
        if result.returncode != 0 or not built.is_dir():
            tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
            raise PackagingError(f"PyInstaller failed (exit {result.returncode}):\n{tail}",
                                 f"Run it by hand to see the whole log: {' '.join(args[:1])} -m PyInstaller {root / SPEC}")
        target = dist / APP_FOLDER
        if target.exists():
            shutil.rmtree(target)
        os.replace(built, target)
        return target
    finally:
        shutil.rmtree(staging, ignore_errors=True)
