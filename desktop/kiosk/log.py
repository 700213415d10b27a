"""The kiosk's event log: one JSON object per line, shared by the supervisor and the app process.

Every line has `time` (UTC, ISO 8601), `event` and `pid`; the events are the
ones in `EVENTS`. Each line is one `write()` on a file opened for appending,
so lines from the two processes never interleave. The file is rotated to
`<name>.1` past `MAX_BYTES`, so a kiosk that runs for months keeps a bounded log.
"""

from __future__ import annotations

import json
import os
import threading
from datetime import datetime, UTC
from pathlib import Path

from ..settings import Settings

__all__ = ["EVENTS", "EventLog", "default_log_path", "private", "read_events", "MAX_BYTES"]

EVENTS = frozenset({
    "start", "page_shown", "scheduled_reload", "watchdog_reload", "renderer_crash", "app_restart", "crash_loop", "exit",
})
MAX_BYTES = 10 * 1024 * 1024


def private(fd: int) -> None:
    """Keep a log readable by this user only (pages shown, PIN attempts): 0600, even if an older
    version of the app made it 0644."""
    if hasattr(os, "fchmod") and os.fstat(fd).st_mode & 0o077:
        os.fchmod(fd, 0o600)


def default_log_path(settings: Settings) -> Path:
    """Under the user log folder (platformdirs' user_log_dir, or PYSCRIPT_DESKTOP_HOME/log)."""
    return settings.log_dir / "kiosk.log"


class EventLog:
    def __init__(self, path: Path, *, max_bytes: int = MAX_BYTES) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)

    def write(self, event: str, **fields: object) -> dict:
        if event not in EVENTS:
            raise ValueError(f"unknown kiosk event {event!r}")
        record = {"time": datetime.now(UTC).isoformat(timespec="milliseconds"), "event": event,
                  "pid": os.getpid(), **fields}
        line = (json.dumps(record, default=str) + "\n").encode("utf-8")
        with self._lock:
            self._rotate_if_large()
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                private(fd)
                os.write(fd, line)
            finally:
                os.close(fd)
        return record

    def _rotate_if_large(self) -> None:
        try:
            if self.path.stat().st_size >= self.max_bytes:
                os.replace(self.path, self.path.with_name(self.path.name + ".1"))
        except FileNotFoundError:
            pass


def read_events(path: Path) -> list[dict]:
    """The log's records (lines that are not JSON objects are skipped)."""
    records = []
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            records.append(record)
    return records
