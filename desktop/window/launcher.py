"""The launcher, a part mounted on the window app as the bridge is on its servers: the gallery window
(pages/index.html with its allow-listed `pywebview.api`), recent pages, pages dropped on the gallery,
and thumbnails of pages whose Python finished (the gallery shows them; see server/gallery.py).

    launcher = Launcher(app)          # app.parts gets it: every window opened is a recent page
    launcher.open_gallery()           # the launcher window (launch verb)
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ..server.gallery import thumbnail_name
from .launcher_api import LauncherApi
from .model import AppWindow

if TYPE_CHECKING:
    from .app import DesktopApp
    from .events import PageEvent

__all__ = ["RECENT_MAX", "Launcher"]

RECENT_MAX = 10


class Launcher:
    """The launcher's state and functions; `LauncherApi` is the face page code sees of it."""

    def __init__(self, app: DesktopApp) -> None:
        self.app = app
        self.settings = app.settings
        app.parts.append(self)

    def open_gallery(self) -> AppWindow:
        """The launcher window: the gallery of the bundled pages, the one window with functions for page code."""
        entry = self.app.open(self.settings.pages_dir / "index.html")
        window = entry.webview_window
        window.expose(*LauncherApi(self).exposed())  # by exact name: see launcher_api
        window.events.loaded += lambda: self._accept_drops(entry)
        return entry

    # -- the part's hooks ---------------------------------------------------------------------------
    def window_opened(self, entry: AppWindow) -> None:
        self._add_recent(Path(entry.key))

    def page_event(self, entry: AppWindow | None, event: PageEvent) -> None:
        if entry is not None and event.type == "done" and not event.url.endswith(("/", "/index.html")):
            self._save_thumbnail(entry, event.url)

    # -- what LauncherApi calls ----------------------------------------------------------------------
    def open_page_in_gallery(self, href: str) -> bool:
        """Open a page of the gallery's folder (a name directly in it) in a new window."""
        root = self.settings.pages_dir.resolve()
        target = (root / href).resolve()
        if target.parent != root or target.suffix.lower() not in (".html", ".htm") or not target.is_file():
            return False
        self.app.open(target)
        return True

    def open_html_file(self, path: str) -> bool:
        """Open an .html file (a recent page, a dropped one) in a new window."""
        target = Path(path).expanduser()
        if target.suffix.lower() not in (".html", ".htm") or not target.is_file():
            return False
        self.app.open(target)
        return True

    def choose_and_open(self) -> str | None:
        return self.app.choose_and_open()

    def recent_pages(self) -> list[str]:
        try:
            items = json.loads(self._recent_path().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        return [p for p in items if isinstance(p, str) and Path(p).is_file()]

    # -- internals ---------------------------------------------------------------------------------------
    def _recent_path(self) -> Path:
        return self.settings.config_dir / "recent.json"

    def _add_recent(self, page: Path) -> None:
        if page.parent == self.settings.pages_dir.resolve():
            return  # the bundled examples (and the gallery itself) are in the gallery already
        items = [str(page)] + [p for p in self.recent_pages() if p != str(page)]
        path = self._recent_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(items[:RECENT_MAX], indent=1), encoding="utf-8")
        except OSError:
            pass

    def _accept_drops(self, entry: AppWindow) -> None:
        """Open .html files dropped on the launcher (pywebview gives dropped files their full path)."""
        from webview.dom import DOMEventHandler

        def on_drop(event: dict) -> None:
            for item in (event.get("dataTransfer") or {}).get("files", []):
                path = item.get("pywebviewFullPath")
                if path and path.lower().endswith((".html", ".htm")) and Path(path).is_file():
                    self.app.open(Path(path))

        entry.webview_window.dom.document.events.drop += DOMEventHandler(on_drop, True, True)

    def _save_thumbnail(self, entry: AppWindow, url: str) -> None:
        page = entry.server.root / url.split("?", 1)[0].rsplit("/", 1)[-1]
        if not page.is_file():
            return
        target = self.settings.cache_dir / "thumbnails" / thumbnail_name(page)
        target.parent.mkdir(parents=True, exist_ok=True)
        time.sleep(0.5)  # let the loading indicator's removal paint
        try:
            self.app.screenshot(entry, target)
        except OSError:
            pass  # a thumbnail is a nicety
