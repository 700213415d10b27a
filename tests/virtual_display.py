"""A private X screen (Xvfb) and window manager (openbox), started and checked before use.

Shared by the test fixture (tests/conftest.py) and the window benchmarks. Xvfb picks a free
display number itself (`-displayfd`) and writes it to a pipe, so parallel test workers and a
person's own screens never collide; a screen or window manager that did not come up is an
error naming what it printed, never a test drawing on some other display.
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DisplayError", "VirtualDisplay", "start", "start_xvfb", "start_openbox", "stop"]

SCREEN = "1280x800x24"


class DisplayError(RuntimeError):
    """Xvfb or the window manager did not start; the message says what they printed."""


@dataclass
class VirtualDisplay:
    display: str  # ":N", the DISPLAY value
    xvfb: subprocess.Popen
    wm: subprocess.Popen | None = None

    def close(self) -> None:
        for proc in (self.wm, self.xvfb):
            if proc is not None:
                stop(proc)


def _output(log: Path) -> str:
    try:
        return log.read_text(errors="replace").strip()[-2000:] or "(nothing)"
    except OSError:
        return "(no log)"


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL after 5 s."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def start_xvfb(screen: str = SCREEN, timeout: float = 30) -> tuple[str, subprocess.Popen]:
    """Start Xvfb on a display it chooses; return (":N", process) once its socket accepts clients."""
    if not shutil.which("Xvfb"):
        raise DisplayError("Xvfb is not installed (Debian package xvfb)")
    log = Path(tempfile.mkstemp(prefix="xvfb-", suffix=".log")[1])
    read_end, write_end = os.pipe()
    with log.open("wb") as err:
        proc = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write_end), "-screen", "0", screen, "-nolisten", "tcp"],
            stdin=subprocess.DEVNULL, stdout=err, stderr=err, pass_fds=(write_end,),
        )
    os.close(write_end)
    number = b""
    deadline = time.monotonic() + timeout
    try:
        while not number.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([read_end], [], [], left)[0]:
                stop(proc)
                raise DisplayError(f"Xvfb named no display within {timeout:g} s; it printed: {_output(log)}")
            chunk = os.read(read_end, 16)
            if not chunk:  # Xvfb exited without writing a display number
                stop(proc)
                raise DisplayError(f"Xvfb exited with {proc.poll()}; it printed: {_output(log)}")
            number += chunk
    finally:
        os.close(read_end)
    display = f":{int(number)}"
    socket = Path(f"/tmp/.X11-unix/X{int(number)}")
    if proc.poll() is not None or not socket.exists():
        stop(proc)
        raise DisplayError(f"Xvfb on {display} is not running (exit {proc.poll()}, socket {socket} "
                           f"{'exists' if socket.exists() else 'missing'}); it printed: {_output(log)}")
    log.unlink(missing_ok=True)
    return display, proc


def start_openbox(display: str, timeout: float = 30) -> subprocess.Popen:
    """Start openbox on `display` and return once it manages the screen (its --startup command ran)."""
    if not shutil.which("openbox"):
        raise DisplayError("openbox is not installed (Debian package openbox)")
    work = Path(tempfile.mkdtemp(prefix="openbox-"))
    ready, log = work / "ready", work / "log"
    with log.open("wb") as err:
        # openbox runs the --startup command once it has taken the screen over (not through a shell).
        proc = subprocess.Popen(["openbox", "--sm-disable", "--startup", f"touch {ready}"],
                                env={**os.environ, "DISPLAY": display}, stdin=subprocess.DEVNULL,
                                stdout=err, stderr=err)
    deadline = time.monotonic() + timeout
    while not ready.exists():
        if proc.poll() is not None:
            raise DisplayError(f"openbox exited with {proc.returncode} on {display}; it printed: {_output(log)}")
        if time.monotonic() > deadline:
            stop(proc)
            raise DisplayError(f"openbox did not take over {display} within {timeout:g} s; it printed: {_output(log)}")
        time.sleep(0.02)
    shutil.rmtree(work, ignore_errors=True)
    return proc


def start(screen: str = SCREEN, window_manager: bool = True) -> VirtualDisplay:
    """Xvfb, and openbox on it unless `window_manager` is False."""
    display, xvfb = start_xvfb(screen)
    try:
        wm = start_openbox(display) if window_manager else None
    except DisplayError:
        stop(xvfb)
        raise
    return VirtualDisplay(display, xvfb, wm)
