"""The window app: pywebview windows over the server pool, their actions, and the page events.

One `DesktopApp` per process. Its parts live in modules of their own: the window
model (model.py), the page servers and navigation policy (servers.py), menus and
shortcuts (menus.py); the launcher is a part mounted on it (launcher.py).

The API other parts build on (kiosk mode, the file bridge) is documented in
`desktop/window/__init__.py`; everything here starting with `_` may change.
"""

from __future__ import annotations

import threading
import webbrowser
from pathlib import Path
from typing import TYPE_CHECKING, Callable
from urllib.parse import quote

from .. import APP_NAME, __version__, console
from ..runtime.bundle import RuntimeBundle
from ..server import PageServer
from ..server.app import WSGIApp
from ..server.inject import Injection
from ..settings import Settings
from .backend import Backend, load_backend
from .dialogs import ask_open_files
from .events import PageEvent, PageEvents
from .geometry import Geometry, GeometryStore
from .launcher_api import SealedApi
from .links import Decision
from .menus import app_menu, off_gui_thread, shortcuts
from .model import AppWindow, WindowOptions, WindowPart, window_title
from .servers import ServerPool
from .webview_log import route_webview_log

if TYPE_CHECKING:
    from webview import Window

__all__ = ["STOPPED_PAGE", "ZOOM_STEPS", "AppWindow", "DesktopApp", "WindowOptions", "window_title"]

ZOOM_STEPS = (0.5, 0.67, 0.8, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0)
#: Shown in a window whose renderer process ended (desktop/static/window/stopped.html).
STOPPED_PAGE = "/_desktop/window/stopped.html"


class DesktopApp:
    """The process's windows over its page servers.

    `injections` and `mounts` go on every page server. `on_renderer_crash` is called (off the GUI
    thread) when a window's renderer process ends; default: explain it in the window. `parts` (the
    launcher) are told of every window opened and every page event. `backend`: the toolkit; default:
    the one `settings.gui` (or the platform's default) names, loaded here, so `self.backend` is always set.
    """

    def __init__(
        self,
        settings: Settings,
        options: WindowOptions | None = None,
        *,
        injections: list[Injection] | None = None,
        mounts: dict[str, WSGIApp] | None = None,
        on_page_event: Callable[[DesktopApp, PageEvent], None] | None = None,
        on_renderer_crash: Callable[[DesktopApp, AppWindow], None] | None = None,
        parts: list[WindowPart] | None = None,
        backend: Backend | None = None,
    ) -> None:
        self.settings = settings
        self.options = options if options is not None else WindowOptions()
        self.injections = injections if injections is not None else []
        self.mounts = mounts if mounts is not None else {}
        self.on_page_event = on_page_event
        self.on_renderer_crash = on_renderer_crash
        self.parts = parts if parts is not None else []
        self.bundle = RuntimeBundle(self.settings.runtime_dir)
        self.bundle.require(self.options.pair)  # fail before any window appears
        self.events = PageEvents(on_event=self._page_event)
        self.backend: Backend = backend if backend is not None else load_backend(self.settings.gui)
        self.geometry = GeometryStore(self.settings.config_dir / "windows.json")
        self.servers = ServerPool(self.settings, self.bundle, pair=self.options.pair, port=self.options.port,
                                  injections=[self.events.injection, *self.injections],
                                  mounts=lambda: {"window": self.events.app(), **self.mounts})
        self._windows: list[AppWindow] = []
        self._lock = threading.Lock()
        self._title_lock = threading.Lock()  # only around titles: a backend's set_title may wait for the GUI thread
        self._watchers: list[threading.Event] = []

    # -- servers ----------------------------------------------------------------------------------
    def server_for(self, folder: Path) -> PageServer:
        """The page server of `folder` (started on first use)."""
        return self.servers.server_for(folder)

    # -- windows ----------------------------------------------------------------------------------
    def open(self, page: Path) -> AppWindow:
        """Create a window for `page` (a file, or a folder meaning its index.html)."""

        page = page.resolve()
        folder, file = (page, page / "index.html") if page.is_dir() else (page.parent, page)
        server = self.server_for(folder)
        url = server.url_for(file)
        key = str(file)
        remembered = self.geometry.get(key) if self.options.remember_geometry else None
        if remembered:
            remembered = remembered.on_screens(self._screens())
        width, height = self.options.size or ((remembered.width, remembered.height) if remembered else (1100, 800))
        x, y = (remembered.x, remembered.y) if remembered and not self.options.size else (None, None)
        window = self.backend.create_window(
            self.settings.app_name,
            server.login_url(url),  # a one-time URL: the server sets its session cookie and shows `url`
            js_api=SealedApi(),  # every window: page code reaches no Python object by attribute
            width=width,
            height=height,
            x=x,
            y=y,
            fullscreen=self.options.fullscreen,
            frameless=self.options.frameless,
            hidden=self.options.hidden,
            zoomable=not self.options.locked,
            easy_drag=not self.options.locked,
            text_select=True,
            menu=app_menu(self, self._active, debug=self.options.debug, app_name=self.settings.app_name)
            if self.options.menu else [],
            screen=self._screen(),
        )
        entry = AppWindow(window, server, url, key)
        with self._lock:
            self._windows.append(entry)
        window.events.shown += lambda: self._attach(entry)
        window.events.closing += lambda: self._remember(entry)
        window.events.closed += lambda: self._forget(entry)
        for part in self.parts:
            part.window_opened(entry)
        if self.options.reload:
            self._watch(entry, folder)
        return entry

    def run(self, after_start: Callable[[], None] | None = None) -> None:
        """Start the GUI loop (returns when the last window closes)."""
        route_webview_log(self.options.debug)
        storage = self.settings.data_dir / "webview"
        storage.mkdir(parents=True, exist_ok=True)
        self.backend.prepare(debug=self.options.debug, storage=storage, cache=self.settings.cache_dir / "webview")
        self.backend.install_policy(self._decide, self._open_external)
        try:
            self.backend.start(after_start, debug=self.options.debug, storage=storage)
        finally:
            for stop in self._watchers:
                stop.set()
            self.servers.shutdown()

    @property
    def windows(self) -> list[AppWindow]:
        with self._lock:
            return list(self._windows)

    # -- actions (menus.Actions: menu, shortcuts, launcher) --------------------------------------------------------
    def reload(self, entry: AppWindow) -> None:
        """Reload what the window shows (its page again, after a renderer crash)."""
        # Decided by the app's own flag: the engine's URL still names the crashed page until the
        # notice's navigation commits, and reloading that would only show the notice again.
        if entry.stopped:
            entry.stopped = False
            entry.webview_window.load_url(entry.server.login_url(entry.page_url))
        else:
            entry.webview_window.evaluate_js("location.reload()")

    def zoom(self, entry: AppWindow, direction: int) -> None:
        if direction == 0:
            entry.zoom = 1.0
        else:
            steps = [z for z in ZOOM_STEPS if (z > entry.zoom if direction > 0 else z < entry.zoom)]
            entry.zoom = (min(steps) if direction > 0 else max(steps)) if steps else entry.zoom
        self.backend.set_zoom(entry.webview_window, entry.zoom)

    def toggle_fullscreen(self, entry: AppWindow) -> None:
        entry.webview_window.toggle_fullscreen()

    def choose_and_open(self, parent: AppWindow | None = None) -> str | None:
        """File > Open: a native dialog, then a window for the chosen page. Blocks; not on the GUI thread."""
        parent = parent or (self._windows[0] if self._windows else None)
        if parent is None:
            return None
        chosen = ask_open_files(parent, file_types=("HTML pages (*.html;*.htm)", "All files (*.*)"))
        if chosen:
            self.open(chosen[0])
            return str(chosen[0])
        return None

    def show_devtools(self, entry: AppWindow) -> None:
        """The engine's developer tools for this window; only with --debug."""
        if self.options.debug:
            self.backend.show_devtools(entry.webview_window)

    def about_text(self) -> str:
        pair = self.bundle.manifest.pair(self.options.pair)
        made_with = "" if self.settings.app_name == APP_NAME else f"{self.settings.app_name}\nMade with "
        return (
            made_with
            + f"{APP_NAME} {__version__}\nPyScript core {pair.pyscript}\nPyodide {pair.pyodide}\n"
            f"MicroPython {pair.micropython}\nRuntime: {self.bundle.root}"
        )

    def show_about(self, entry: AppWindow) -> None:
        self.backend.show_message(entry.webview_window, f"About {self.settings.app_name}", self.about_text())

    def screenshot(self, entry: AppWindow, path: Path) -> None:
        self.backend.screenshot(entry.webview_window, path)

    # -- internals ------------------------------------------------------------------------------
    def _entry_for(self, window: Window | None) -> AppWindow | None:
        return next((e for e in self._windows if e.webview_window is window), None)

    def _active(self) -> AppWindow | None:
        return self._entry_for(self.backend.active_window()) or (self._windows[-1] if self._windows else None)

    def _attach(self, entry: AppWindow) -> None:
        keys = shortcuts(self, entry, debug=self.options.debug, locked=self.options.locked)
        crashed = off_gui_thread(lambda: self._renderer_crashed(entry))
        self.backend.attach(entry.webview_window, keys, on_renderer_crash=crashed)

    def _renderer_crashed(self, entry: AppWindow) -> None:
        console.warn(f"The page {entry.page_url} stopped: its renderer process ended.")
        if self.on_renderer_crash is not None:
            self.on_renderer_crash(self, entry)
            return
        path = entry.page_url.removeprefix(entry.server.origin) or "/"
        entry.stopped = True
        entry.webview_window.load_url(entry.server.login_url(f"{STOPPED_PAGE}?page={quote(path, safe='/')}"))
        entry.webview_window.set_title(window_title("Page stopped", self.settings.app_name))

    def _forget(self, entry: AppWindow) -> None:
        with self._lock:
            if entry in self._windows:
                self._windows.remove(entry)

    def _decide(self, url: str, top_level: bool) -> Decision:
        return self.servers.decide(url, top_level, locked=self.options.locked)

    def _screen(self) -> object | None:
        if self.options.screen is None:
            return None
        screens = self.backend.screens()
        return screens[self.options.screen] if self.options.screen < len(screens) else None

    @staticmethod
    def _open_external(url: str) -> None:
        console.info(f"Opening in the system browser: {url}")
        threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()

    def _window_for(self, url: str) -> AppWindow | None:
        """The window showing `url`: the one opened on it, else the only one on its server."""
        page = url.split("#", 1)[0].split("?", 1)[0]
        exact = [e for e in self._windows if e.page_url == page]
        if exact:
            return exact[-1]
        same_server = [e for e in self._windows if page.startswith(e.server.origin + "/")]
        return same_server[0] if len(same_server) == 1 else None

    def _page_event(self, event: PageEvent) -> None:
        entry = self._window_for(event.url)
        if entry is not None and event.type == "loaded" and STOPPED_PAGE not in event.url:
            entry.stopped = False  # a page came back (the notice's own link, or a navigation)
        if entry is not None and event.type in ("title", "loaded") and event.title:
            with self._title_lock:  # decide and set together: another server thread may hold a newer title
                if entry.newer_title(event.data.get("at")):
                    entry.webview_window.set_title(window_title(event.title, self.settings.app_name))
        for part in self.parts:
            part.page_event(entry, event)
        if self.on_page_event:
            self.on_page_event(self, event)

    def _remember(self, entry: AppWindow) -> None:
        window = entry.webview_window
        if not self.options.remember_geometry or self.options.fullscreen:
            return
        try:
            x, y = self.backend.position(window)
            self.geometry.put(entry.key, Geometry(int(window.width), int(window.height), x, y))
        except (TypeError, ValueError, OSError, AttributeError):
            pass

    def _screens(self) -> list[tuple[int, int, int, int]]:
        try:
            return [(s.x, s.y, s.width, s.height) for s in self.backend.screens()]
        except Exception:  # noqa: BLE001 - screens are a hint; no screen info means "keep position"
            return []

    def _watch(self, entry: AppWindow, folder: Path) -> None:
        """Reload the window when a file in the page's folder changes (keeps size and position)."""
        from watchfiles import watch

        stop = threading.Event()
        self._watchers.append(stop)

        def loop() -> None:
            for _changes in watch(folder, stop_event=stop, debounce=300, recursive=True):
                console.info(f"Changed: reloading {entry.page_url}")
                self.reload(entry)

        threading.Thread(target=loop, daemon=True, name="reload-watch").start()
