"""What pages in the window tell the app (loaded, title, done, error), over the app's own server.

Mounted by the window app at /_desktop/api/window/. Only JSON, only with the
per-launch token the app injected into its own pages; anything else is refused.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from typing import Callable

import bottle

from ..server.inject import PageContext, inline_script, script_json
from ..server.jsonbody import read_token_json
from ..settings import STATIC_DIR

__all__ = ["PageEvents", "PageEvent", "MAX_BODY", "STATUS_SCRIPT", "EVENT_TYPES"]

MAX_BODY = 64 * 1024
STATUS_SCRIPT = STATIC_DIR / "window" / "status.js"
EVENT_TYPES = frozenset({"loaded", "title", "done", "error", "progress"})


@dataclass(frozen=True)
class PageEvent:
    type: str
    url: str
    title: str
    data: dict


@dataclass
class PageEvents:
    """Receives page events; `wait(url_prefix, types, timeout)` lets commands block on them."""

    on_event: Callable[[PageEvent], None] | None = None
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    history: list[PageEvent] = field(default_factory=list)
    _cond: threading.Condition = field(default_factory=threading.Condition)

    def injection(self, ctx: PageContext) -> str:
        """The snippet that runs status.js in every page the window shows."""
        config = script_json({"token": self.token, "endpoint": "/_desktop/api/window/event"})
        return f"<script>window.__pyscriptDesktopWindow={config};</script>" + inline_script(STATUS_SCRIPT)

    def app(self) -> bottle.Bottle:
        app = bottle.Bottle()

        @app.post("/event")
        def event():
            payload = read_token_json(self.token, MAX_BODY)
            if isinstance(payload, bottle.HTTPError):
                return payload
            if payload.get("type") not in EVENT_TYPES:
                return bottle.HTTPError(400, "Unknown event.")
            self.record(
                PageEvent(
                    type=payload["type"],
                    url=str(payload.get("url", ""))[:2000],
                    title=str(payload.get("title", ""))[:500],
                    data={k: v for k, v in payload.items() if k not in ("token", "type", "url", "title")},
                )
            )
            bottle.response.status = 204
            return ""

        return app

    def record(self, event: PageEvent) -> None:
        with self._cond:
            self.history.append(event)
            self._cond.notify_all()
        if self.on_event:
            self.on_event(event)

    def wait(self, types: set[str], timeout: float, *, since: int = 0, url_prefix: str = "") -> PageEvent | None:
        """The first event of `types` (at index >= since), or None after `timeout` seconds."""
        with self._cond:
            def find() -> PageEvent | None:
                for event in self.history[since:]:
                    if event.type in types and event.url.startswith(url_prefix):
                        return event
                return None

            self._cond.wait_for(lambda: find() is not None, timeout)
            return find()


