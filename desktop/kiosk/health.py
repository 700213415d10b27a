"""The kiosk's HTTP side, mounted at /_desktop/api/kiosk/ on every page server (127.0.0.1 only).

    POST heartbeat  {token, url, idle_ms}  the page is alive (token: injected into the page, per app launch)
    POST shown      {token, url, title}    a page has loaded into the window (top frame only)
    POST exit       {token, pin}       the exit chord was pressed; 204 exits, 403 is a wrong PIN
    GET  health     Authorization: Bearer <health token>
                    uptime, current page, last heartbeat, reload and crash counts, memory

Like every request to the page server, heartbeat, shown and exit need the server's session
cookie (desktop/server/access.py: only the kiosk's own window has it) as well as the page token.
`health` alone is public on the server (`public_paths`): it is for external monitors, which
authenticate with the health token (compared in constant time) instead.
The page never sees the health token or the PIN: a PIN is checked here.
"""

from __future__ import annotations

import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, UTC
from typing import Callable

import bottle

from ..server.jsonbody import read_token_json

from .memory import memory_kib
from .watchdog import Watchdog

__all__ = ["KioskStatus", "kiosk_app", "MOUNT_NAME", "MAX_BODY", "PIN_TRIES", "PIN_LOCK_SECONDS"]

MOUNT_NAME = "kiosk"
MAX_BODY = 4096
PIN_TRIES = 5  # wrong PINs in a row before the prompt is locked ...
PIN_LOCK_SECONDS = 30.0  # ... for this long


@dataclass
class KioskStatus:
    """What the health endpoint reports; the app process updates it."""

    watchdog: Watchdog
    started: float = field(default_factory=time.time)  # the kiosk (supervisor) start, epoch seconds
    app_started: float = field(default_factory=time.time)
    app_restarts: int = 0
    current_page: str = ""
    scheduled_reloads: int = 0
    watchdog_reloads: int = 0
    renderer_crashes: int = 0
    page_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))

    def report(self) -> dict:
        now = time.time()
        silent = self.watchdog.silent_for() if self.watchdog.last_beat is not None else None
        return {
            "uptime_s": round(now - self.started, 1),
            "app_uptime_s": round(now - self.app_started, 1),
            "current_page": self.current_page,
            "last_heartbeat": None if silent is None else datetime.fromtimestamp(now - silent, UTC)
            .isoformat(timespec="milliseconds"),
            "last_heartbeat_age_s": None if silent is None else round(silent, 1),
            "reloads": {"scheduled": self.scheduled_reloads, "watchdog": self.watchdog_reloads},
            "crashes": {"renderer": self.renderer_crashes, "app": self.app_restarts},
            "memory": memory_kib(),
        }


def kiosk_app(status: KioskStatus, *, health_token: str, exit_pin: str | None,
              on_heartbeat: Callable[[str, float | None], None], on_shown: Callable[[str, str], None],
              on_exit: Callable[[], None]) -> bottle.Bottle:
    app = bottle.Bottle()
    app.public_paths = ("/health",)  # the page server lets monitors in without its session cookie
    lock = threading.Lock()
    wrong = {"count": 0, "until": 0.0}

    def page_json() -> dict | bottle.HTTPError:
        return read_token_json(status.page_token, MAX_BODY)

    @app.post("/heartbeat")
    def heartbeat():
        payload = page_json()
        if isinstance(payload, bottle.HTTPError):
            return payload
        idle = payload.get("idle_ms")
        idle = float(idle) if isinstance(idle, (int, float)) and not isinstance(idle, bool) and idle >= 0 else None
        on_heartbeat(str(payload.get("url", ""))[:2000], idle)
        bottle.response.status = 204
        return ""

    @app.post("/shown")
    def shown():
        payload = page_json()
        if isinstance(payload, bottle.HTTPError):
            return payload
        on_shown(str(payload.get("url", ""))[:2000], str(payload.get("title", ""))[:500])
        bottle.response.status = 204
        return ""

    @app.post("/exit")
    def exit_():
        payload = page_json()
        if isinstance(payload, bottle.HTTPError):
            return payload
        with lock:
            if time.monotonic() < wrong["until"]:
                return bottle.HTTPError(429, "Too many wrong PINs; try again later.")
            if exit_pin is not None and not hmac.compare_digest(str(payload.get("pin", "")).encode(), exit_pin.encode()):
                wrong["count"] += 1
                if wrong["count"] >= PIN_TRIES:
                    wrong["count"], wrong["until"] = 0, time.monotonic() + PIN_LOCK_SECONDS
                return bottle.HTTPError(403, "Wrong PIN.")
            wrong["count"] = 0
        threading.Thread(target=on_exit, daemon=True, name="kiosk-exit").start()
        bottle.response.status = 204
        return ""

    @app.get("/health")
    def health():
        given = bottle.request.get_header("Authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {health_token}".encode()):
            return bottle.HTTPError(401, "A health token is needed: Authorization: Bearer <token>.")
        bottle.response.content_type = "application/json"
        return json.dumps(status.report())

    return app
