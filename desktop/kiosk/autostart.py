"""Start the kiosk at login: an XDG autostart entry (Linux), a Startup folder entry (Windows), a LaunchAgent (macOS).

    place = autostart_for_platform()
    path = place.install(["/usr/bin/python3", "/opt/app/main.py", "kiosk", "/etc/kiosk.toml"])
    place.uninstall()   # the removed file, or None when there was none

Each writer takes the folder it writes into, so all three can be checked on
any machine; only the Linux one is used here.
"""

from __future__ import annotations

import os
import plistlib
import shlex
import sys
from pathlib import Path
from typing import Protocol, Sequence

from .. import APP_ID
from ..entryformat import check_text, cmd_line, xdg_exec

__all__ = ["Autostart", "XdgAutostart", "WindowsStartup", "MacLaunchAgent", "autostart_for_platform", "kiosk_command", "ENTRY_NAME", "describe"]

ENTRY_NAME = f"{APP_ID}-kiosk"


class Autostart(Protocol):
    def install(self, command: Sequence[str]) -> Path:
        """Write the entry that runs `command` at login; return its path."""

    def uninstall(self) -> Path | None:
        """Remove the entry; return its path, or None when there was none."""


def _remove(path: Path) -> Path | None:
    try:
        path.unlink()
    except FileNotFoundError:
        return None
    return path


class XdgAutostart:
    """$XDG_CONFIG_HOME/autostart/<id>.desktop (freedesktop.org Desktop Application Autostart)."""

    def __init__(self, folder: Path | None = None) -> None:
        config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
        self.path = (folder or Path(config) / "autostart") / f"{ENTRY_NAME}.desktop"

    def install(self, command: Sequence[str]) -> Path:
        exec_line = xdg_exec(command, "The kiosk's start command")  # refuses control characters before writing
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(
            "[Desktop Entry]\nType=Application\nName=PyScript Desktop kiosk\n"
            "Comment=Shows the kiosk pages at login\n"
            f"Exec={exec_line}\n"
            "Terminal=false\nX-GNOME-Autostart-enabled=true\n",
            encoding="utf-8",
        )
        return self.path

    def uninstall(self) -> Path | None:
        return _remove(self.path)


class WindowsStartup:
    """A .cmd in the user's Startup folder (%APPDATA%\\Microsoft\\Windows\\Start Menu\\Programs\\Startup)."""

    def __init__(self, folder: Path | None = None) -> None:
        appdata = os.environ.get("APPDATA") or str(Path.home() / "AppData" / "Roaming")
        self.path = (folder or Path(appdata) / "Microsoft" / "Windows" / "Start Menu" / "Programs" / "Startup") / f"{ENTRY_NAME}.cmd"

    def install(self, command: Sequence[str]) -> Path:
        line = cmd_line(command, "The kiosk's start command")  # every argument quoted: no ^ escapes needed
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(f"@echo off\r\nstart \"\" {line}\r\n", encoding="utf-8")
        return self.path

    def uninstall(self) -> Path | None:
        return _remove(self.path)


class MacLaunchAgent:
    """~/Library/LaunchAgents/<id>.kiosk.plist, RunAtLoad (launchd loads it at the next login)."""

    def __init__(self, folder: Path | None = None) -> None:
        self.label = f"org.pyscript-desktop.{ENTRY_NAME}"
        self.path = (folder or Path.home() / "Library" / "LaunchAgents") / f"{self.label}.plist"

    def install(self, command: Sequence[str]) -> Path:
        arguments = [check_text(a, "The kiosk's start command") for a in command]  # XML cannot carry control characters
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("wb") as out:
            plistlib.dump({"Label": self.label, "ProgramArguments": arguments, "RunAtLoad": True,
                           "ProcessType": "Interactive"}, out)
        return self.path

    def uninstall(self) -> Path | None:
        return _remove(self.path)


def autostart_for_platform() -> Autostart:
    if sys.platform == "win32":
        return WindowsStartup()
    if sys.platform == "darwin":
        return MacLaunchAgent()
    return XdgAutostart()


def kiosk_command(target: Path, extra: Sequence[str] = ()) -> list[str]:
    """The command line that starts this kiosk: absolute paths, so it works from any folder."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "kiosk", str(target.resolve()), *extra]
    from ..settings import app_root

    return [sys.executable, str(app_root() / "main.py"), "kiosk", str(target.resolve()), *extra]


def describe(command: Sequence[str]) -> str:
    return shlex.join(command)
