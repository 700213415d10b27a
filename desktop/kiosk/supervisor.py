"""The `kiosk` process: keeps the app process running, restarting it with capped exponential backoff.

The app (the window, its servers, the watchdog) runs in a child process,
`main.py kiosk --child ...`. When it dies (a crash, a kill, an out-of-memory
kill, its window closed) the supervisor logs `app_restart` and starts it
again after `delay`, doubling per crash up to `max_delay`. `crash_loop`
crashes within `crash_window` seconds is a crash loop: it logs `crash_loop`,
then `exit`, and gives up rather than flash a broken page forever. The
supervisor also holds the display inhibitor, so the screen stays on across
restarts. The child exits 0 only when the exit chord was used.
"""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

from .config import RestartPolicy
from .inhibit import DisplayInhibitor
from .log import EventLog

__all__ = ["Backoff", "Supervisor", "EXIT_REQUESTED", "EXIT_WINDOW_CLOSED", "EXIT_CRASH_LOOP", "ENV_HEALTH_TOKEN",
           "ENV_STARTED", "NO_RESTART", "STOP_GRACE"]

EXIT_REQUESTED = 0  # the child's code when the exit chord (and PIN) ended the kiosk
EXIT_WINDOW_CLOSED = 3  # the child's window went away without the exit chord: restart it
EXIT_CRASH_LOOP = 8
NO_RESTART = {2}  # the child refused its configuration: restarting cannot help
ENV_HEALTH_TOKEN = "PYSCRIPT_DESKTOP_KIOSK_HEALTH_TOKEN"  # not on the command line, where `ps` shows it
ENV_STARTED = "PYSCRIPT_DESKTOP_KIOSK_STARTED"  # epoch seconds the kiosk started (uptime spans restarts)
STOP_GRACE = 10.0


@dataclass
class Backoff:
    """Pure restart arithmetic: `crashed(now)` is the delay before the next start, or None for a crash loop."""

    policy: RestartPolicy
    crashes: collections.deque = field(default_factory=collections.deque)

    def crashed(self, now: float) -> float | None:
        self.crashes.append(now)
        while self.crashes and now - self.crashes[0] > self.policy.crash_window:
            self.crashes.popleft()
        count = len(self.crashes)
        if count >= self.policy.crash_loop:
            return None
        return min(self.policy.max_delay, self.policy.delay * 2 ** (count - 1))


def _die_with_parent() -> None:
    """In the child, before exec: end when the supervisor ends, however it ends (Linux prctl)."""
    try:
        import ctypes

        pr_set_pdeathsig = 1  # <linux/prctl.h>
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


class Supervisor:
    def __init__(self, command: Callable[[int], Sequence[str]], policy: RestartPolicy, log: EventLog, *,
                 env: dict[str, str] | None = None, inhibitor: DisplayInhibitor | None = None,
                 start_fields: dict | None = None) -> None:
        self.command = command  # restarts so far -> the child's command line
        self.policy = policy
        self.log = log
        self.env = env
        self.inhibitor = inhibitor
        self.start_fields = start_fields or {}
        self._stop = threading.Event()
        self._signal: str | None = None
        self._child: subprocess.Popen | None = None

    def request_stop(self, signum: int, _frame: object = None) -> None:
        self._signal = signal.Signals(signum).name
        self._stop.set()
        child = self._child
        if child is not None and child.poll() is None:
            child.terminate()

    def run(self) -> int:
        for signum in (signal.SIGTERM, signal.SIGINT) + ((signal.SIGHUP,) if hasattr(signal, "SIGHUP") else ()):
            signal.signal(signum, self.request_stop)
        inhibited = self.inhibitor.start() if self.inhibitor else []
        self.log.write("start", supervisor=os.getpid(), keep_awake=inhibited, **self.start_fields)
        try:
            return self._loop()
        finally:
            if self.inhibitor:
                self.inhibitor.stop()

    def _loop(self) -> int:
        backoff = Backoff(self.policy)
        restarts = 0
        while True:
            started = time.monotonic()
            preexec = _die_with_parent if sys.platform.startswith("linux") else None
            self._child = subprocess.Popen(list(self.command(restarts)), env=self.env, preexec_fn=preexec)
            code = self._wait(self._child)
            ran = round(time.monotonic() - started, 1)
            if self._stop.is_set():
                self.log.write("exit", reason=f"stopped by {self._signal}", app_exit_code=code)
                return 0
            if code == EXIT_REQUESTED:
                self.log.write("exit", reason="exit chord", app_exit_code=code)
                return 0
            if code in NO_RESTART:
                self.log.write("exit", reason="the app refused its configuration", app_exit_code=code)
                return code
            delay = backoff.crashed(time.monotonic())
            if delay is None:
                self.log.write("crash_loop", crashes=len(backoff.crashes), within_s=self.policy.crash_window,
                               last_exit_code=code, ran_s=ran)
                self.log.write("exit", reason="crash loop: the app keeps dying, so the kiosk gave up",
                               app_exit_code=code)
                return EXIT_CRASH_LOOP
            restarts += 1
            reason = "window closed" if code == EXIT_WINDOW_CLOSED else "app died"
            self.log.write("app_restart", reason=reason, exit_code=code, ran_s=ran, delay_s=delay, restarts=restarts)
            if self._stop.wait(delay):
                self.log.write("exit", reason=f"stopped by {self._signal}", app_exit_code=code)
                return 0

    def _wait(self, child: subprocess.Popen) -> int:
        """The child's exit code (negative: the signal that killed it)."""
        while True:
            try:
                return child.wait(0.5)
            except subprocess.TimeoutExpired:
                if self._stop.is_set():
                    try:
                        return child.wait(STOP_GRACE)
                    except subprocess.TimeoutExpired:
                        child.kill()
                        return child.wait()
