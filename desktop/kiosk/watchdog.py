"""Heartbeat tracking: has the page in the window said it is alive recently enough?

The page posts a heartbeat every second from a JavaScript timer. Python running
on the page's main thread (a hung loop) stops that timer too, as does a stuck
renderer, so silence for `timeout` seconds means the page must be reloaded.
Silence is counted from the later of the last heartbeat and the last (re)load,
so a page that is still starting up gets the full timeout.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Callable

__all__ = ["Watchdog"]


@dataclass
class Watchdog:
    timeout: float
    clock: Callable[[], float] = time.monotonic
    last_beat: float | None = None  # clock() of the last heartbeat
    _armed_at: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._armed_at = self.clock()

    def beat(self) -> None:
        with self._lock:
            self.last_beat = self.clock()

    def rearm(self) -> None:
        """A (re)load has just been asked for: give the page the full timeout again."""
        with self._lock:
            self._armed_at = self.clock()

    def silent_for(self) -> float:
        with self._lock:
            since = max(self._armed_at, self.last_beat or 0.0)
            return self.clock() - since

    def expired(self) -> bool:
        return self.silent_for() > self.timeout
