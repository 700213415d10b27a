"""A built app: a frozen PyScript Desktop with someone's pages, their trimmed runtime and a launch config.

The frozen base is copied as it is (Python, Qt, the app's code) except for its
example pages and full runtime, which are replaced; the executable is renamed
after the app. No PyInstaller run is needed, so the installed app can build too.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import tomli_w

from .appconfig import AppConfig
from ..errors import PackagingError
from .pyinstaller import APP_FOLDER
from .runtime import RuntimeSelection, write_runtime
from ..runtime.bundle import RuntimeBundle
from ..settings import LAUNCH_CONFIG, STATIC_DIR, app_root

__all__ = ["assemble", "internal_dir", "executable_name", "write_launch_config"]

_SKIP_PAGES = shutil.ignore_patterns(".*", "__pycache__", "*.pyc")


def executable_name(stem: str) -> str:
    return stem + (".exe" if sys.platform == "win32" else "")


def internal_dir(app: Path) -> Path:
    """The folder of a one-folder build that holds bundled_runtime/ (PyInstaller's `_internal`)."""
    for candidate in (app / "_internal", app):
        if (candidate / "bundled_runtime").is_dir() and (candidate / STATIC_DIR.relative_to(app_root())).is_dir():
            return candidate
    raise PackagingError(
        f"{app} is not a one-folder build of PyScript Desktop (no _internal/bundled_runtime).",
        "Give --base the folder PyInstaller made (dist/pyscript-desktop), or leave --base out.",
    )


def assemble(base: Path, config: AppConfig, bundle: RuntimeBundle, selection: RuntimeSelection, dest: Path) -> Path:
    """Write the app folder `dest` (which must not exist) from `base`; returns it."""
    base_internal = internal_dir(base)
    rel_internal = base_internal.relative_to(base)
    replaced = {base_internal / "bundled_runtime", base_internal / "pages", base_internal / LAUNCH_CONFIG}

    def skip(folder: str, names: list[str]) -> set[str]:
        return {n for n in names if Path(folder) / n in replaced}

    shutil.copytree(base, dest, symlinks=True, ignore=skip)
    internal = dest / rel_internal
    old_exe = dest / executable_name(APP_FOLDER)
    if not old_exe.is_file():
        raise PackagingError(f"{base} has no {old_exe.name} executable.", "Give --base a one-folder build of PyScript Desktop.")
    if config.slug != APP_FOLDER:
        os.replace(old_exe, dest / executable_name(config.slug))
    shutil.copytree(config.folder, internal / "pages", ignore=_SKIP_PAGES)
    write_runtime(bundle, selection, internal / "bundled_runtime")
    write_launch_config(internal, config)
    return dest


def write_launch_config(internal: Path, config: AppConfig) -> None:
    """The launch file (and kiosk.toml) in the folder that holds the app's pages and runtime; copies the icon."""
    launch: dict = {"name": config.name, "id": config.slug, "version": config.version, "entry": f"pages/{config.entry}"}
    if config.size:
        launch["size"] = list(config.size)
    if config.icon:
        shutil.copyfile(config.icon, internal / "icons" / f"app{config.icon.suffix.lower()}")
        launch["icon"] = f"icons/app{config.icon.suffix.lower()}"
    if config.kiosk is not None:
        kiosk = {"home": f"pages/{config.entry}", **config.kiosk}
        grants = {k: list(v) for k, v in (("read", config.grants_read), ("write", config.grants_write)) if v}
        if grants:
            kiosk["grants"] = grants
        (internal / "kiosk.toml").write_text(tomli_w.dumps(kiosk), encoding="utf-8")
        launch["kiosk"] = "kiosk.toml"
    else:
        launch["allow_read"] = list(config.grants_read)
        launch["allow_write"] = list(config.grants_write)
    (internal / LAUNCH_CONFIG).write_text(tomli_w.dumps(launch), encoding="utf-8")
