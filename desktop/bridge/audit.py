"""The audit log: one JSON line per bridge call (allowed or refused), under the user's log folder.

A person can see afterwards exactly what page code read, wrote or was
refused. The file rotates at `MAX_BYTES` (one previous file is kept).
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

__all__ = ["AuditLog", "AUDIT_NAME", "MAX_BYTES"]

AUDIT_NAME = "bridge-audit.jsonl"
MAX_BYTES = 10 * 1024 * 1024


class AuditLog:
    """Append-only JSON lines; `record` never raises (a full disk must not break the page)."""

    def __init__(self, log_dir: Path) -> None:
        self.path = log_dir / AUDIT_NAME
        self._lock = threading.Lock()

    def record(self, *, op: str, outcome: str, origin: str = "", page: str = "", path: str = "",
               detail: str = "", size: int | None = None) -> None:
        entry: dict[str, object] = {"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "op": op, "outcome": outcome,
                 "origin": origin, "page": page, "path": path}
        if detail:
            entry["detail"] = detail
        if size is not None:
            entry["bytes"] = size
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        with self._lock:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                if self.path.exists() and self.path.stat().st_size > MAX_BYTES:
                    os.replace(self.path, self.path.with_suffix(".jsonl.1"))
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                if hasattr(os, "fchmod") and os.fstat(fd).st_mode & 0o077:
                    os.fchmod(fd, 0o600)  # what page code read and wrote is this user's business only
                with os.fdopen(fd, "a", encoding="utf-8") as fh:
                    fh.write(line)
            except OSError:
                pass

    def entries(self) -> list[dict]:
        """Every entry in the current file (for tests and for a person's own tools)."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except OSError:
            return []
        return [json.loads(line) for line in text.splitlines() if line.strip()]
