"""Where things live, decided once at start-up and passed down.

Settings are built from the command line and the environment and then handed
to the runtime bundle, the server and the window; nothing below reads the
environment for these paths again.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from . import APP_ID

__all__ = ["Settings", "app_root", "default_runtime_dir", "LOOPBACK"]

#: The only address the app ever listens on. Pinned here, never configurable.
LOOPBACK = "127.0.0.1"

#: Environment overrides, mostly for tests and portable installs.
ENV_HOME = "PYSCRIPT_DESKTOP_HOME"  # one folder for config, data, cache and logs
ENV_RUNTIME = "PYSCRIPT_DESKTOP_RUNTIME"  # the runtime bundle folder
ENV_MIRROR = "PYSCRIPT_DESKTOP_MIRROR"  # base URL that plays the Pyodide CDN


def app_root() -> Path:
    """The folder holding `bundled_runtime/` and `pages/`: the source tree, or the frozen app's folder."""
    if getattr(sys, "frozen", False):
        return Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent))
    return Path(__file__).resolve().parent.parent


def default_runtime_dir() -> Path:
    override = os.environ.get(ENV_RUNTIME)
    return Path(override).expanduser().resolve() if override else app_root() / "bundled_runtime"


def _user_dir(kind: str) -> Path:
    home = os.environ.get(ENV_HOME)
    if home:
        return Path(home).expanduser().resolve() / kind
    getter = {
        "config": platformdirs.user_config_dir,
        "data": platformdirs.user_data_dir,
        "cache": platformdirs.user_cache_dir,
        "log": platformdirs.user_log_dir,
    }[kind]
    return Path(getter(APP_ID, appauthor=False))


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
    debug: bool = False

    @classmethod
    def from_env(cls, *, debug: bool = False) -> "Settings":
        return cls(debug=debug)
