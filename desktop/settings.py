"""Where things live, decided once at start-up and passed down.

Settings are built from the command line and the environment and then handed
to the runtime bundle, the server and the window; nothing below reads the
environment for these paths again.
"""

from __future__ import annotations

import os
import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from . import APP_ID, APP_NAME

__all__ = ["ENV_GUI", "Settings", "app_root", "default_runtime_dir", "launch_config", "LOOPBACK", "LAUNCH_CONFIG", "STATIC_DIR", "ENV_HOME",
           "ENV_RUNTIME", "ENV_MIRROR"]

#: The only address the app ever listens on. Pinned here, never configurable.
LOOPBACK = "127.0.0.1"

#: The scripts and pages the app adds to what it serves (error overlay, window status, bridge, classic layer,
#: start modules, export's service worker): package data, next to this module in the source tree and in a
#: frozen app alike. The one place that knows where they are.
STATIC_DIR = Path(__file__).resolve().parent / "static"

#: Environment overrides, mostly for tests and portable installs.
ENV_HOME = "PYSCRIPT_DESKTOP_HOME"  # one folder for config, data, cache and logs
ENV_RUNTIME = "PYSCRIPT_DESKTOP_RUNTIME"  # the runtime bundle folder
ENV_MIRROR = "PYSCRIPT_DESKTOP_MIRROR"  # base URL that plays the Pyodide CDN
ENV_GUI = "PYSCRIPT_DESKTOP_GUI"  # the window backend (qt, gtk, edgechromium, cocoa), as PYWEBVIEW_GUI for pywebview


def app_root() -> Path:
    """The folder holding `bundled_runtime/` and `pages/`: the source tree, or the frozen app's folder."""
    if getattr(sys, "frozen", False):
        return Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent))
    return Path(__file__).resolve().parent.parent


#: A built app's launch settings, next to its runtime in the folder app_root() names (`build` writes it).
LAUNCH_CONFIG = "desktop-app.toml"


def launch_config(root: Path | None = None) -> dict | None:
    """The built app's launch settings, or None for the plain app (an unreadable file counts as none).

    Settings read it for the app's name and identity; packaging.launcher for what a start with no
    command opens. Paths in it are relative to its folder, so the installed app can live anywhere."""
    path = (root or app_root()) / LAUNCH_CONFIG
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("entry"), str) else None


def default_runtime_dir() -> Path:
    override = os.environ.get(ENV_RUNTIME)
    return Path(override).expanduser().resolve() if override else app_root() / "bundled_runtime"


#: Where each kind of user folder lives, by platform convention.
_USER_DIRS = {
    "config": platformdirs.user_config_dir,
    "data": platformdirs.user_data_dir,
    "cache": platformdirs.user_cache_dir,
    "log": platformdirs.user_log_dir,
}
_SAFE_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


def _user_dir(kind: str, app_id: str = APP_ID) -> Path:
    home = os.environ.get(ENV_HOME)
    if home:
        return Path(home).expanduser().resolve() / kind
    getter = _USER_DIRS[kind]
    return Path(getter(app_id, appauthor=False))


@dataclass(frozen=True)
class Settings:
    """Resolved locations and switches for one run of the app."""

    runtime_dir: Path = field(default_factory=default_runtime_dir)
    pages_dir: Path = field(default_factory=lambda: app_root() / "pages")
    config_dir: Path = field(default_factory=lambda: _user_dir("config"))
    data_dir: Path = field(default_factory=lambda: _user_dir("data"))
    cache_dir: Path = field(default_factory=lambda: _user_dir("cache"))
    log_dir: Path = field(default_factory=lambda: _user_dir("log"))
    mirror: str | None = field(default_factory=lambda: os.environ.get(ENV_MIRROR))
    #: The window backend to use; None: the platform's first installed one (window/backend.py).
    gui: str | None = field(default_factory=lambda: os.environ.get(ENV_GUI) or None)
    debug: bool = False
    #: Whose app this is: "PyScript Desktop", or the name a `build` gave (titles, About, messages).
    app_name: str = APP_NAME

    def library_dirs(self) -> tuple[Path, Path]:
        """Where vendored JavaScript/CSS libraries live, searched in order: the runtime bundle's (bundled or
        built in) and the user cache's (`runtime add --js`, writable even when the app is installed)."""
        return (self.runtime_dir / "js", self.cache_dir / "js")

    @classmethod
    def from_env(cls, *, debug: bool = False, root: Path | None = None) -> "Settings":
        """Settings for this process. A built app (a launch config next to its runtime) is an app of its own:
        its name in titles, and its own config, data, cache and log folders, so it shares no windows,
        single-instance hand-off or settings with PyScript Desktop or another built app."""
        config = launch_config(root or app_root()) or {}
        name, app_id = config.get("name"), config.get("id")
        if not (isinstance(name, str) and name.strip() and isinstance(app_id, str) and _SAFE_ID.fullmatch(app_id)):
            return cls(debug=debug)
        dirs: dict[str, Any] = {f"{kind}_dir": _user_dir(kind, app_id) for kind in _USER_DIRS}
        return cls(debug=debug, app_name=name.strip(), **dirs)
