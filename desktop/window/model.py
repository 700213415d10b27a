"""The window model: what a window is asked to be (`WindowOptions`), what the app keeps of each one
(`AppWindow`), and what the title bar says. Plain data, no toolkit: every other window module builds on it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from .. import APP_NAME

if TYPE_CHECKING:
    from ..server import PageServer
    from .events import PageEvent

__all__ = ["AppWindow", "WindowOptions", "WindowPart", "window_title"]


def window_title(page_title: str, app_name: str = APP_NAME) -> str:
    """What the title bar shows for a page titled `page_title` in the app called `app_name`."""
    page_title = " ".join(page_title.split())
    if not page_title or page_title == app_name:
        return app_name
    return f"{page_title} — {app_name}"


@dataclass
class WindowOptions:
    debug: bool = False
    reload: bool = False
    size: tuple[int, int] | None = None  # width, height; None = remembered or default
    fullscreen: bool = False
    frameless: bool = False
    hidden: bool = False
    remember_geometry: bool = True
    menu: bool = True  # the app menu (off for screenshots, so --size is the page's size)
    pair: str | None = None
    port: int | None = None  # None = stable port per folder
    #: Kiosk lockdown: no app shortcuts (reload, zoom, open...), no zoom, no dragging a frameless window,
    #: and web links refused instead of handed to the system browser.
    locked: bool = False
    screen: int | None = None  # index into webview.screens; None = the toolkit's choice


@dataclass
class AppWindow:
    """One window the app shows: its pywebview window, the server of its folder and the page it opened."""

    webview_window: Any  # webview.Window: .events (shown, loaded, closing, closed), .evaluate_js, .load_url...
    server: PageServer
    page_url: str
    key: str  # the page file's path: what geometry is remembered under
    zoom: float = 1.0
    #: The renderer ended and the window shows (or is loading) the "page stopped" notice.
    stopped: bool = False
    #: When the page reported the title shown (its `at`, ms): page events arrive on the server's
    #: threads in any order, and a title reported earlier must not replace a later one.
    title_at: float = float("-inf")

    def newer_title(self, at: object) -> bool:
        """Whether a title reported at `at` replaces the one shown (and, if so, remember `at`).

        A report without a usable time is shown, and does not move the clock."""
        if not isinstance(at, (int, float)) or isinstance(at, bool) or at != at:
            return True
        if at < self.title_at:
            return False
        self.title_at = float(at)
        return True


class WindowPart(Protocol):
    """A part mounted on the app (the launcher), as the bridge is mounted on its servers: told of each
    window opened and each page event, it adds what it offers without the app knowing it."""

    def window_opened(self, entry: AppWindow) -> None: ...

    def page_event(self, entry: AppWindow | None, event: PageEvent) -> None: ...
