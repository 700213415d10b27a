"""The window app: servers for the pages it shows, pywebview windows, menus and the page events.

One `DesktopApp` per process. Each page folder gets its own loopback server on
a port derived from the folder (so the origin, and with it localStorage and
IndexedDB, is the same at every launch); when that port is taken the app says
so and uses a free one for this session.

The API other parts build on (kiosk mode, the file bridge) is documented in
`desktop/window/__init__.py`; everything here starting with `_` may change.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
import webbrowser
from urllib.parse import quote
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .. import APP_NAME, __version__, console
from ..errors import PortInUseError
from ..runtime.bundle import RuntimeBundle
from ..server import PageServer, ServerOptions
from ..server.app import WSGIApp
from ..server.gallery import thumbnail_name
from ..server.inject import Injection
from ..settings import Settings
from .backend import Backend, load_backend
from .dialogs import ask_open_files
from .events import PageEvent, PageEvents
from .geometry import Geometry, GeometryStore
from .launcher_api import LauncherApi, SealedApi
from .links import Decision, NavigationPolicy

__all__ = ["AppWindow", "DesktopApp", "WindowOptions", "stable_port", "window_title", "ZOOM_STEPS", "RECENT_MAX",
           "STOPPED_PAGE", "STABLE_PORTS"]

ZOOM_STEPS = (0.5, 0.67, 0.8, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0)
RECENT_MAX = 10
#: Shown in a window whose renderer process ended (desktop/static/window/stopped.html).
STOPPED_PAGE = "/_desktop/window/stopped.html"


def window_title(page_title: str, app_name: str = APP_NAME) -> str:
    """What the title bar shows for a page titled `page_title` in the app called `app_name`."""
    page_title = " ".join(page_title.split())
    if not page_title or page_title == app_name:
        return app_name
    return f"{page_title} — {app_name}"


#: Stable ports come from 20000-32767: below every system's ephemeral range (Linux starts at 32768,
#: Windows and macOS at 49152), so an outgoing connection's local port never takes a folder's port.
STABLE_PORTS = range(20000, 32768)


def stable_port(key: str) -> int:
    """A port in STABLE_PORTS derived from `key`: the same page folder gets the same origin every launch."""
    return STABLE_PORTS[int(hashlib.sha256(key.encode()).hexdigest(), 16) % len(STABLE_PORTS)]


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

    webview_window: object  # webview.Window: .events (shown, loaded, closing, closed), .evaluate_js, .load_url...
    server: PageServer
    page_url: str
    key: str  # the page file's path: what geometry is remembered under
    zoom: float = 1.0
    #: The renderer ended and the window shows (or is loading) the "page stopped" notice.
    stopped: bool = False


@dataclass
class DesktopApp:
    settings: Settings
    options: WindowOptions = field(default_factory=WindowOptions)
    injections: list[Injection] = field(default_factory=list)
    mounts: dict[str, WSGIApp] = field(default_factory=dict)
    on_page_event: Callable[["DesktopApp", PageEvent], None] | None = None
    #: Called (off the GUI thread) when a window's renderer process ends; default: explain it in the window.
    on_renderer_crash: Callable[["DesktopApp", AppWindow], None] | None = None

    def __post_init__(self) -> None:
        self.bundle = RuntimeBundle(self.settings.runtime_dir)
        self.bundle.require(self.options.pair)  # fail before any window appears
        self.events = PageEvents(on_event=self._page_event)
        self.backend: Backend = load_backend()
        os.environ.setdefault("PYWEBVIEW_GUI", self.backend.name)  # so pywebview never probes other toolkits
        self.geometry = GeometryStore(self.settings.config_dir / "windows.json")
        self._servers: dict[Path, PageServer] = {}
        self._windows: list[AppWindow] = []
        self._policy_origins: set[str] = set()
        self._lock = threading.Lock()
        self._watchers: list[threading.Event] = []

    # -- servers ----------------------------------------------------------------------------------
    def server_for(self, folder: Path) -> PageServer:
        folder = folder.resolve()
        gallery = folder == self.settings.pages_dir.resolve()  # the launcher lists the bundled pages
        with self._lock:
            if folder in self._servers:
                return self._servers[folder]
            options = ServerOptions(
                root=folder,
                bundle=self.bundle,
                pair=self.options.pair,
                injections=[self.events.injection, *self.injections],
                mounts={"window": self.events.app(), **self.mounts},
                gallery=gallery,
                thumbnails=self.settings.cache_dir / "thumbnails",
                snapshots=self.settings.cache_dir / "snapshots",
                libraries=self.settings.library_dirs(),
                secrets_dir=self.settings.data_dir,
            )
            wanted = self.options.port if self.options.port is not None else stable_port(str(folder))
            try:
                server = PageServer(ServerOptions(**{**options.__dict__, "port": wanted})).start()
            except PortInUseError:
                server = PageServer(options).start()
                console.warn(
                    f"Port {wanted} is taken, so {folder} is served on port {server.port} this time; "
                    "pages will not see the storage (localStorage, IndexedDB) they saved in earlier launches."
                )
            self._servers[folder] = server
            self._policy_origins.add(server.origin)
            return server

    # -- windows ----------------------------------------------------------------------------------
    def open(self, page: Path, *, gallery: bool = False) -> AppWindow:
        """Create a window for `page` (a file, or a folder meaning its index.html)."""
        import webview

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
        window = webview.create_window(
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
            menu=self._menu() if self.options.menu else [],
            screen=self._screen(),
        )
        if gallery:
            window.expose(*LauncherApi(self).exposed())  # by exact name: see launcher_api
        entry = AppWindow(window, server, url, key)
        self._windows.append(entry)
        window.events.shown += lambda: self._attach(entry)
        if gallery:
            window.events.loaded += lambda: self._accept_drops(entry)
        window.events.closing += lambda: self._remember(entry)
        window.events.closed += lambda: self._forget(entry)
        if not gallery:
            self._add_recent(file)
        if self.options.reload:
            self._watch(entry, folder)
        return entry

    def run(self, after_start: Callable[[], None] | None = None) -> None:
        """Start the GUI loop (returns when the last window closes)."""
        import webview

        storage = self.settings.data_dir / "webview"
        storage.mkdir(parents=True, exist_ok=True)
        self.backend.prepare(debug=self.options.debug, storage=storage, cache=self.settings.cache_dir / "webview")
        self.backend.install_policy(self._decide, self._open_external)
        try:
            webview.start(
                after_start,
                gui=self.backend.name,
                debug=self.options.debug,
                private_mode=False,  # localStorage, IndexedDB and pyscript.storage survive restarts
                storage_path=str(storage),
            )
        finally:
            for stop in self._watchers:
                stop.set()
            for server in self._servers.values():
                server.shutdown()

    @property
    def windows(self) -> list[AppWindow]:
        return list(self._windows)

    # -- actions (menu, shortcuts, launcher) --------------------------------------------------------
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

    def screenshot(self, entry: AppWindow, path: Path) -> None:
        self.backend.screenshot(entry.webview_window, path)

    # -- internals ------------------------------------------------------------------------------
    def _entry_for(self, window) -> AppWindow | None:
        return next((e for e in self._windows if e.webview_window is window), None)

    def _active(self) -> AppWindow | None:
        import webview

        return self._entry_for(webview.active_window()) or (self._windows[-1] if self._windows else None)

    def _attach(self, entry: AppWindow) -> None:
        def off_gui_thread(action: Callable[[], None]) -> Callable[[], None]:
            # Shortcuts fire on the GUI thread, where pywebview's blocking calls would deadlock.
            return lambda: threading.Thread(target=action, daemon=True, name="window-action").start()

        actions = {
            "Ctrl+O": lambda: self.choose_and_open(entry),
            "Ctrl+R": lambda: self.reload(entry),
            "F5": lambda: self.reload(entry),
            "Ctrl+=": lambda: self.zoom(entry, +1),
            "Ctrl++": lambda: self.zoom(entry, +1),
            "Ctrl+-": lambda: self.zoom(entry, -1),
            "Ctrl+0": lambda: self.zoom(entry, 0),
            "F11": lambda: self.toggle_fullscreen(entry),
        }
        if self.options.debug:
            actions["F12"] = lambda: self.show_devtools(entry)
        if self.options.locked:
            actions = {}
        shortcuts = {keys: off_gui_thread(action) for keys, action in actions.items()}
        crashed = off_gui_thread(lambda: self._renderer_crashed(entry))
        self.backend.attach(entry.webview_window, shortcuts, on_renderer_crash=crashed)

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

    def _accept_drops(self, entry: AppWindow) -> None:
        """Open .html files dropped on the launcher (pywebview gives dropped files their full path)."""
        from webview.dom import DOMEventHandler

        def on_drop(event: dict) -> None:
            for item in (event.get("dataTransfer") or {}).get("files", []):
                path = item.get("pywebviewFullPath")
                if path and path.lower().endswith((".html", ".htm")) and Path(path).is_file():
                    self.open(Path(path))

        entry.webview_window.dom.document.events.drop += DOMEventHandler(on_drop, True, True)

    def _menu(self) -> list:
        from webview.menu import Menu, MenuAction, MenuSeparator

        def on_active(action: Callable[[AppWindow], None]) -> Callable[[], None]:
            def run() -> None:
                entry = self._active()
                if entry is not None:
                    action(entry)

            return run

        view = [
            MenuAction("Reload\tCtrl+R", on_active(self.reload)),
            MenuSeparator(),
            MenuAction("Zoom in\tCtrl++", on_active(lambda e: self.zoom(e, +1))),
            MenuAction("Zoom out\tCtrl+-", on_active(lambda e: self.zoom(e, -1))),
            MenuAction("Actual size\tCtrl+0", on_active(lambda e: self.zoom(e, 0))),
            MenuSeparator(),
            MenuAction("Full screen\tF11", on_active(self.toggle_fullscreen)),
        ]
        if self.options.debug:  # and pywebview adds "Inspect" to the page's context menu
            view += [MenuSeparator(), MenuAction("Developer tools\tF12", on_active(self.show_devtools))]
        return [
            Menu("File", [MenuAction("Open…\tCtrl+O", on_active(self.choose_and_open))]),
            Menu("View", view),
            Menu("Help", [MenuAction(f"About {self.settings.app_name}", on_active(self._show_about))]),
        ]

    def _show_about(self, entry: AppWindow) -> None:
        self.backend.show_message(entry.webview_window, f"About {self.settings.app_name}", self.about_text())

    def _decide(self, url: str, top_level: bool) -> Decision:
        for origin in list(self._policy_origins):
            decision = NavigationPolicy(origin).decide(url, top_level=top_level)
            if decision is Decision.ALLOW:
                return decision
        decision = NavigationPolicy("http://127.0.0.1:0").decide(url, top_level=top_level)
        return Decision.REFUSE if self.options.locked and decision is Decision.EXTERNAL else decision

    def _screen(self) -> object | None:
        if self.options.screen is None:
            return None
        import webview

        screens = list(webview.screens)
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
            entry.webview_window.set_title(window_title(event.title, self.settings.app_name))
        if entry is not None and event.type == "done" and not event.url.endswith(("/", "/index.html")):
            self._save_thumbnail(entry, event.url)
        if self.on_page_event:
            self.on_page_event(self, event)

    def _save_thumbnail(self, entry: AppWindow, url: str) -> None:
        folder = entry.server.root
        name = url.split("?", 1)[0].rsplit("/", 1)[-1]
        page = folder / name
        if not page.is_file():
            return
        target = self.settings.cache_dir / "thumbnails" / thumbnail_name(page)
        target.parent.mkdir(parents=True, exist_ok=True)
        time.sleep(0.5)  # let the loading indicator's removal paint
        try:
            self.backend.screenshot(entry.webview_window, target)
        except OSError:
            pass  # a thumbnail is a nicety

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
            import webview

            return [(s.x, s.y, s.width, s.height) for s in webview.screens]
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

    # -- the launcher's functions (launcher_api.LauncherApi calls these) ------------------------------
    def open_page_in_gallery(self, href: str) -> bool:
        """Open a page of the gallery's folder (a name directly in it) in a new window."""
        root = self.settings.pages_dir.resolve()
        target = (root / href).resolve()
        if target.parent != root or target.suffix.lower() not in (".html", ".htm") or not target.is_file():
            return False
        self.open(target)
        return True

    def open_html_file(self, path: str) -> bool:
        """Open an .html file (a recent page, a dropped one) in a new window."""
        target = Path(path).expanduser()
        if target.suffix.lower() not in (".html", ".htm") or not target.is_file():
            return False
        self.open(target)
        return True

    def recent_pages(self) -> list[str]:
        return self._recent()

    def _recent_path(self) -> Path:
        return self.settings.config_dir / "recent.json"

    def _recent(self) -> list[str]:
        try:
            items = json.loads(self._recent_path().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        return [p for p in items if isinstance(p, str) and Path(p).is_file()]

    def _add_recent(self, page: Path) -> None:
        pages_dir = self.settings.pages_dir.resolve()
        if page.parent == pages_dir:
            return  # the bundled examples are in the gallery already
        items = [str(page)] + [p for p in self._recent() if p != str(page)]
        path = self._recent_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(items[:RECENT_MAX], indent=1), encoding="utf-8")
        except OSError:
            pass
