"""The bridge's state: grants, and one session per page with its uploads and watches.

Each page the server sends gets a session: a random token (per launch, per
page origin and folder) that its injected code presents on every call, the
page's folder as a read-only grant and relative-path base, and the grants of
what the person picks in dialogs on that page.

Uploads (chunked writes) each hold a temporary file and its folder open, so a
page may have at most `max_uploads` unfinished at once, and one idle for
`upload_idle` seconds is dropped by a timer (its temporary removed).
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .atomic import AtomicWriter, sweep
from .audit import AuditLog
from .dialogs import DialogHost
from .files import FileOps, Limits
from .grants import Grant, GrantSet
from .watch import Watcher

__all__ = ["BridgeCore", "PageSession", "MAX_UPLOADS", "MAX_WATCHES", "UPLOAD_IDLE"]

MAX_UPLOADS = 16  # unfinished uploads per page (each holds two descriptors)
MAX_WATCHES = 64  # watches per page (each watched folder costs a thread and an inotify instance)
UPLOAD_IDLE = 120.0  # seconds an upload may go without a chunk before it is dropped


@dataclass
class PageSession:
    token: str
    origin: str  # exactly "http://127.0.0.1:PORT"
    page_dir: Path
    grants: GrantSet
    ops: FileOps
    uploads: dict[str, AtomicWriter] = field(default_factory=dict)
    begun: dict[str, None] = field(default_factory=dict)  # upload ids started, oldest first (api._BEGUN_KEPT)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


class BridgeCore:
    """Grants, page sessions, uploads and watches: what the files API (api.py) and the page snippet
    (inject.py) work on. `Bridge` (bridge.py) adds those two on top."""

    def __init__(self, grants: GrantSet | None = None, *, log_dir: Path, limits: Limits = Limits(),
                 dialogs: DialogHost | None = None, home: Path | None = None, sweep_age: float = 60.0,
                 max_uploads: int = MAX_UPLOADS, upload_idle: float = UPLOAD_IDLE,
                 max_watches: int = MAX_WATCHES) -> None:
        self.grants = grants or GrantSet()
        self.limits = limits
        self.dialogs = dialogs
        self.home = home
        self.audit = AuditLog(log_dir)
        self.max_uploads = max_uploads
        self.upload_idle = upload_idle
        self.max_watches = max_watches
        self.watcher = Watcher()
        self._sessions: dict[tuple[str, Path], PageSession] = {}
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self.sweep_age = sweep_age
        self.swept: list[Path] = []
        for root in self.grants.writable_roots():
            self.sweep(root)
        self._timer = threading.Thread(target=self._expire_loop, daemon=True, name="bridge-upload-expiry")
        self._timer.start()

    def close(self) -> None:
        self._closed.set()
        self.watcher.stop()
        with self._lock:
            sessions = list(self._sessions.values())
        for session in sessions:
            with session.lock:
                writers = list(session.uploads.values())
                session.uploads.clear()
            for writer in writers:
                writer.abort()

    def sweep(self, root: Path) -> list[Path]:
        """Remove stale temporaries under a write grant (at start, and when a dialog grants a folder)."""
        removed = sweep(root, older_than=self.sweep_age)
        self.swept.extend(removed)
        return removed

    # -- sessions ----------------------------------------------------------------------------------
    def session_for(self, origin: str, page_dir: Path) -> PageSession:
        """The session of a page (created the first time the page is served this launch)."""
        page_dir = page_dir.resolve()
        with self._lock:
            key = (origin, page_dir)
            session = self._sessions.get(key)
            if session is None:
                grants = GrantSet([Grant.of(page_dir, write=False, source="page folder"), *self.grants])
                session = PageSession(secrets.token_urlsafe(32), origin, page_dir, grants,
                                      FileOps(grants, page_dir, self.limits, self.home))
                self._sessions[key] = session
            return session

    def find_session(self, token: str) -> PageSession | None:
        """The session whose token matches, compared in constant time against every session."""
        found = None
        supplied = token.encode("utf-8", "replace")
        with self._lock:
            sessions = list(self._sessions.values())
        for session in sessions:
            if hmac.compare_digest(session.token.encode(), supplied):
                found = session
        return found

    def expire_uploads(self, session: PageSession) -> list[str]:
        """Drop the page's uploads idle longer than `upload_idle`; returns their ids."""
        now = time.monotonic()
        with session.lock:
            idle = [(uid, w) for uid, w in session.uploads.items() if now - w.last_used > self.upload_idle]
            for uid, _ in idle:
                del session.uploads[uid]
        for _, writer in idle:
            writer.abort()
        return [uid for uid, _ in idle]

    def _expire_loop(self) -> None:
        """The timer: idle uploads go even when the page never calls again (it crashed or was closed)."""
        period = min(10.0, max(0.05, self.upload_idle / 4))
        while not self._closed.wait(period):
            with self._lock:
                sessions = list(self._sessions.values())
            for session in sessions:
                self.expire_uploads(session)
