"""The bridge object a command composes: grants + caps + dialogs in, an injection and a mount out.

    bridge = Bridge(grants_from_args(args), log_dir=settings.log_dir)
    server/app gets  injections=[bridge.injection], mounts=bridge.mounts
    bridge.dialogs = WindowPickers(app)        # only with a window; else dialogs answer ENOTSUP
    ...
    bridge.close()

Each page the server sends gets a session: a random token (per launch, per
page origin and folder) that its injected code presents on every call, the
page's folder as a read-only grant and relative-path base, and the grants of
what the person picks in dialogs on that page.
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

__all__ = ["Bridge", "PageSession", "MOUNT_NAME", "API_PATH"]

MOUNT_NAME = "files"
API_PATH = f"/_desktop/api/{MOUNT_NAME}/"
UPLOAD_TTL = 600.0


@dataclass
class PageSession:
    token: str
    origin: str  # exactly "http://127.0.0.1:PORT"
    page_dir: Path
    grants: GrantSet
    ops: FileOps
    uploads: dict[str, tuple[AtomicWriter, float]] = field(default_factory=dict)


class Bridge:
    """Local files for page code. One per launch; shared by every page server of the app."""

    def __init__(self, grants: GrantSet | None = None, *, log_dir: Path, limits: Limits = Limits(),
                 dialogs: DialogHost | None = None, home: Path | None = None, sweep_age: float = 60.0) -> None:
        self.grants = grants or GrantSet()
        self.limits = limits
        self.dialogs = dialogs
        self.home = home
        self.audit = AuditLog(log_dir)
        self.watcher = Watcher()
        self._sessions: dict[tuple[str, Path], PageSession] = {}
        self._lock = threading.Lock()
        self.swept = [p for root in self.grants.writable_roots() if root.is_dir() for p in sweep(root, older_than=sweep_age)]
        from .api import build_app  # the HTTP side needs the session types above

        self.app = build_app(self)

    # -- what composing code hands to the server ---------------------------------------------------
    @property
    def injection(self):  # noqa: ANN201 - an Injection: PageContext -> HTML
        from .inject import bridge_snippet

        return lambda ctx: bridge_snippet(self, ctx)

    @property
    def mount(self):  # noqa: ANN201 - the WSGI app for /_desktop/api/files/
        return self.app

    @property
    def mounts(self) -> dict[str, object]:
        return {MOUNT_NAME: self.app}

    def close(self) -> None:
        self.watcher.stop()
        with self._lock:
            for session in self._sessions.values():
                for writer, _ in session.uploads.values():
                    writer.abort()
                session.uploads.clear()

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

    def expire_uploads(self, session: PageSession) -> None:
        now = time.monotonic()
        for uid, (writer, started) in list(session.uploads.items()):
            if now - started > UPLOAD_TTL:
                writer.abort()
                session.uploads.pop(uid, None)
