"""Keep the display awake while the kiosk runs, with the platform's own inhibitor.

    inhibitor = display_inhibitor()     # for this platform
    applied = inhibitor.start()         # names of what took effect, e.g. ["xset", "systemd-inhibit"]
    ...
    inhibitor.stop()                    # gives back what it changed

Linux (X11): `xset s off s noblank -dpms` (restored on stop) and, where logind
runs, a held `systemd-inhibit --what=idle`. Windows: SetThreadExecutionState.
macOS: `caffeinate -d -w <pid>`. Only the Linux one runs on this project's machines.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from typing import Protocol

from ..tools import Caffeinate, SystemdInhibit, Xset

__all__ = ["DisplayInhibitor", "display_inhibitor", "LinuxInhibitor", "WindowsInhibitor", "MacInhibitor"]


class DisplayInhibitor(Protocol):
    def start(self) -> list[str]:
        """Stop the screen saver and display power-off; return the names of the mechanisms that took effect."""

    def stop(self) -> None:
        """Undo what start() changed (a no-op when nothing was)."""


def _run(*args: str) -> subprocess.CompletedProcess | None:
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None


class LinuxInhibitor:
    """X11 screen saver and DPMS through xset, and logind's idle inhibitor through systemd-inhibit."""

    def __init__(self) -> None:
        self._xset_before: dict[str, object] | None = None
        self._held: subprocess.Popen | None = None

    def start(self) -> list[str]:
        applied = []
        if os.environ.get("DISPLAY") and Xset.find().available():
            self._xset_before = _xset_state()
            done = _run("xset", "s", "off", "s", "noblank")
            if done is not None and done.returncode == 0:
                _run("xset", "-dpms")  # fails quietly on servers without the DPMS extension
                applied.append("xset")
        if SystemdInhibit.find().available() and os.path.exists("/run/systemd/seats"):
            held = subprocess.Popen(
                ["systemd-inhibit", "--what=idle:sleep", "--who=PyScript Desktop kiosk",
                 "--why=A kiosk is showing pages", "--mode=block", "sleep", "infinity"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                held.wait(0.5)  # exits at once when logind refuses
            except subprocess.TimeoutExpired:
                self._held = held
                applied.append("systemd-inhibit")
        return applied

    def stop(self) -> None:
        if self._held is not None:
            self._held.terminate()
            self._held.wait(5)
            self._held = None
        before, self._xset_before = self._xset_before, None
        if before:
            _run("xset", "s", str(before.get("timeout", 600)), str(before.get("cycle", 600)))
            _run("xset", "s", "blank" if before.get("blank", True) else "noblank")
            if before.get("dpms"):
                _run("xset", "+dpms")


def _xset_state() -> dict[str, object]:
    """The screen-saver timeout/cycle, blanking and DPMS state from `xset q`."""
    done = _run("xset", "q")
    text = done.stdout if done is not None and done.returncode == 0 else ""
    state: dict[str, object] = {}
    match = re.search(r"timeout:\s*(\d+)\s+cycle:\s*(\d+)", text)
    if match:
        state["timeout"], state["cycle"] = int(match[1]), int(match[2])
    match = re.search(r"prefer blanking:\s*(yes|no)", text)
    if match:
        state["blank"] = match[1] == "yes"
    state["dpms"] = "DPMS is Enabled" in text
    return state


class WindowsInhibitor:
    """SetThreadExecutionState(ES_CONTINUOUS | ES_SYSTEM_REQUIRED | ES_DISPLAY_REQUIRED) (not run here)."""

    ES_CONTINUOUS, ES_SYSTEM_REQUIRED, ES_DISPLAY_REQUIRED = 0x80000000, 0x00000001, 0x00000002

    def start(self) -> list[str]:
        import ctypes

        flags = self.ES_CONTINUOUS | self.ES_SYSTEM_REQUIRED | self.ES_DISPLAY_REQUIRED
        return ["SetThreadExecutionState"] if ctypes.windll.kernel32.SetThreadExecutionState(flags) else []  # type: ignore[attr-defined]

    def stop(self) -> None:
        import ctypes

        ctypes.windll.kernel32.SetThreadExecutionState(self.ES_CONTINUOUS)  # type: ignore[attr-defined]


class MacInhibitor:
    """`caffeinate -d -i -w <this pid>`: ends by itself when the app does (not run here)."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen | None = None

    def start(self) -> list[str]:
        if not Caffeinate.find().available():
            return []
        self._proc = subprocess.Popen(["caffeinate", "-d", "-i", "-w", str(os.getpid())])
        return ["caffeinate"]

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.terminate()
            self._proc = None


def display_inhibitor() -> DisplayInhibitor:
    if sys.platform == "win32":
        return WindowsInhibitor()
    if sys.platform == "darwin":
        return MacInhibitor()
    return LinuxInhibitor()
