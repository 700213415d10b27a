"""Which page is on screen now: days, time-of-day windows, durations, order or shuffle.

Pure: the caller passes the current local time (and a random generator for
shuffle), so every rule is testable without waiting for a clock.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Sequence

from .config import PageEntry

__all__ = ["Choice", "Rotation", "is_active"]


def is_active(entry: PageEntry, now: datetime) -> bool:
    """Whether `entry` may be shown at local time `now`.

    A window whose `to` is before its `from` runs across midnight; its hours after
    midnight belong to the day it started on (Friday 22:00-02:00 includes Saturday 01:00).
    """
    clock = now.time()
    start, end = entry.start, entry.end
    if start is None and end is None:
        return _day_ok(entry, now.weekday())
    if start is not None and end is not None and end < start:  # across midnight
        if clock >= start:
            return _day_ok(entry, now.weekday())
        return clock < end and _day_ok(entry, (now.weekday() - 1) % 7)
    after_start = start is None or clock >= start
    before_end = end is None or clock < end
    return after_start and before_end and _day_ok(entry, now.weekday())


def _day_ok(entry: PageEntry, weekday: int) -> bool:
    return not entry.days or weekday in entry.days


@dataclass(frozen=True)
class Choice:
    """Show `path` (`index` into the playlist, None for the home page) until `until` (None: no time limit)."""

    path: Path
    index: int | None
    until: datetime | None


class Rotation:
    """The playlist's state: `tick(now)` says when to show another page, and which."""

    def __init__(self, pages: Sequence[PageEntry], home: Path, order: str = "sequence",
                 rng: random.Random | None = None) -> None:
        self.pages = list(pages)
        self.home = home
        self.order = order
        self.rng = rng or random.Random()
        self.current: Choice | None = None

    def tick(self, now: datetime) -> Choice | None:
        """A new Choice when the screen should change at `now`, else None (keep what is shown)."""
        active = [i for i, page in enumerate(self.pages) if is_active(page, now)]
        current = self.current
        if current is None:
            return self._show(self._pick(active, None), now)
        if current.index is None:  # on the home page because nothing was scheduled
            return self._show(self._pick(active, None), now) if active else None
        if current.index not in active:
            return self._show(self._pick(active, current.index), now)
        if current.until is not None and now >= current.until:
            nxt = self._pick(active, current.index)
            if nxt == current.index:  # the only page showing: keep it, no reload
                self.current = Choice(current.path, current.index, self._until(nxt, now))
                return None
            return self._show(nxt, now)
        return None

    def shown(self, now: datetime) -> None:
        """The current page has just appeared: its duration counts from now, not from when it was asked for."""
        current = self.current
        if current is not None and current.index is not None:
            self.current = Choice(current.path, current.index, self._until(current.index, now))

    def _pick(self, active: list[int], current: int | None) -> int | None:
        if not active:
            return None
        if self.order == "shuffle":
            others = [i for i in active if i != current]
            return self.rng.choice(others or active)
        if current is None:
            return active[0]
        later = [i for i in active if i > current]
        return later[0] if later else active[0]

    def _until(self, index: int | None, now: datetime) -> datetime | None:
        if index is None:
            return None
        duration = self.pages[index].duration
        return now + timedelta(seconds=duration) if duration else None

    def _show(self, index: int | None, now: datetime) -> Choice:
        path = self.home if index is None else self.pages[index].path
        self.current = Choice(path, index, self._until(index, now))
        return self.current
