"""The page side of the lockdown: the snippet every kiosk page gets (settings + /_desktop/kiosk/kiosk.js).

The window side (fullscreen, frameless, no app shortcuts or menu, web links
refused rather than handed to a browser, no developer tools, no new windows)
is `WindowOptions(locked=True, ...)` in desktop.window.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..server.inject import PageContext, script_json
from .config import Chord, KioskConfig
from .health import MOUNT_NAME

__all__ = ["Lockdown", "HEARTBEAT_MS"]

HEARTBEAT_MS = 1000


@dataclass(frozen=True)
class Lockdown:
    """An Injection: `Lockdown(config, page_token)(ctx)` is the HTML put first in every page's <head>."""

    chord: Chord
    pin_required: bool
    hide_cursor_after: float | None
    page_token: str

    @classmethod
    def of(cls, config: KioskConfig, page_token: str) -> "Lockdown":
        return cls(config.exit_chord, config.exit_pin is not None, config.hide_cursor_after, page_token)

    def settings(self) -> dict:
        return {
            "token": self.page_token,
            "api": f"/_desktop/api/{MOUNT_NAME}/",
            "heartbeat": HEARTBEAT_MS,
            "hideCursorAfter": None if self.hide_cursor_after is None else int(self.hide_cursor_after * 1000),
            "chord": {"key": self.chord.key, "ctrl": self.chord.ctrl, "alt": self.chord.alt,
                      "shift": self.chord.shift, "meta": self.chord.meta},
            "pin": self.pin_required,
        }

    def __call__(self, ctx: PageContext) -> str:
        data = script_json(self.settings())
        return f"<script>window.__pyscriptDesktopKiosk={data};</script><script src=\"/_desktop/kiosk/kiosk.js\"></script>"
