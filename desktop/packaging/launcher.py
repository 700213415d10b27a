"""What a built app does when started with no command: open its own entry page (or its kiosk).

`build` writes `desktop-app.toml` (settings.LAUNCH_CONFIG, read by settings.launch_config)
next to the frozen app's runtime; the source checkout and the plain PyScript Desktop app
have none, so they start the launcher as before.
"""

from __future__ import annotations

from pathlib import Path

from ..settings import app_root, launch_config

__all__ = ["default_argv"]


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
