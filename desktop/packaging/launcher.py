"""What a built app does when started with no command: open its own entry page (or its kiosk).

`build` writes `desktop-app.toml` next to the frozen app's runtime (in the folder
app_root() names); the source checkout and the plain PyScript Desktop app have
none, so they start the launcher as before. Paths in the file are relative to
that folder, so the installed app can live anywhere.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from ..settings import app_root

__all__ = ["LAUNCH_CONFIG", "default_argv", "launch_config"]

LAUNCH_CONFIG = "desktop-app.toml"


def launch_config(root: Path | None = None) -> dict | None:
    """The built app's launch settings, or None for the plain app (an unreadable file counts as none)."""
    path = (root or app_root()) / LAUNCH_CONFIG
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("entry"), str) else None


def default_argv(root: Path | None = None) -> list[str]:
    """The command line a start with no command runs: `launch`, or a built app's `open ENTRY` / `kiosk TOML`."""
    root = root or app_root()
    config = launch_config(root)
    if config is None:
        return ["launch"]
    if isinstance(config.get("kiosk"), str):
        return ["kiosk", str(root / config["kiosk"])]
    argv = ["open", str(root / config["entry"])]
    size = config.get("size")
    if isinstance(size, list) and len(size) == 2:
        argv += ["--size", f"{size[0]}x{size[1]}"]
    for flag, key in (("--allow-read", "allow_read"), ("--allow-write", "allow_write")):
        for path in config.get(key, []):
            argv += [flag, str(Path(path).expanduser())]
    return argv
