"""The kiosk's app process (`kiosk --child`): one locked-down fullscreen window and the loop that keeps it showing.

Every quarter second, off the GUI thread, the loop asks the schedule whether
another page is due, reloads on `reload_interval`, goes back home after
`idle_reset` seconds without input, and reloads when the watchdog says the
page has gone silent. A silent page's renderer is ended first: Python stuck on
the page's main thread would never run a reload asked of it. A renderer that
dies on its own gets a new window.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

from .. import console
from ..session import AppSession
from ..settings import Settings
from ..window import AppWindow, DesktopApp, WindowOptions
from .config import KioskConfig
from .health import MOUNT_NAME, KioskStatus, kiosk_app
from .lockdown import Lockdown
from .log import EventLog
from .schedule import Choice, Rotation
from .supervisor import EXIT_REQUESTED, EXIT_WINDOW_CLOSED
from .watchdog import Watchdog

__all__ = ["TICK", "KioskRunner", "health_file"]

TICK = 0.25


def health_file(settings: Settings) -> Path:
    """Where the app process writes the health endpoint's URL and token (readable by this user only)."""
    return settings.data_dir / "kiosk-health.json"


class KioskRunner:
    def __init__(self, config: KioskConfig, session: AppSession, log: EventLog, *,
                 health_token: str, started: float, restarts: int) -> None:
        self.config = config
        self.settings = session.settings
        self.log = log
        self.session = session
        self.health_token = health_token
        self.status = KioskStatus(Watchdog(config.watchdog_timeout), started=started, app_restarts=restarts)
        self.rotation = Rotation(config.pages, config.home, config.order)
        self.window: AppWindow | None = None
        self.page: Path = config.home
        self._exit_requested = threading.Event()
        self._expected_kill = threading.Event()  # the watchdog ended the renderer: reload, not a crash
        self._last_load = time.monotonic()
        self._idle_ms: float | None = None
        self._lock = threading.RLock()
        options = WindowOptions(fullscreen=True, frameless=True, menu=False, remember_geometry=False, locked=True,
                                screen=config.screen, debug=False)
        mounts = {MOUNT_NAME: kiosk_app(self.status, health_token=health_token, exit_pin=config.exit_pin,
                                        on_heartbeat=self._heartbeat, on_shown=self._shown,
                                        on_exit=self.request_exit)}
        # No file dialogs: a native file dialog is a way out of a kiosk (page code still has its grants).
        self.app = session.window_app(options, injections=(Lockdown.of(config, self.status.page_token),),
                                      mounts=mounts, personal=False, on_renderer_crash=self._renderer_crashed)

    # -- lifecycle ------------------------------------------------------------------------------------
    def run(self) -> int:
        choice = self.rotation.tick(datetime.now())
        assert choice is not None  # the first tick always chooses
        self.page = choice.path
        self.window = self.app.open(choice.path)
        self.status.current_page = self.window.page_url
        self._write_health_file()
        self.session.run(after_start=self._loop)
        return EXIT_REQUESTED if self._exit_requested.is_set() else EXIT_WINDOW_CLOSED

    def request_exit(self) -> None:
        self._exit_requested.set()
        for entry in self.app.windows:
            entry.webview_window.destroy()

    def _write_health_file(self) -> None:
        assert self.window is not None
        path = health_file(self.settings)
        path.parent.mkdir(parents=True, exist_ok=True)
        # A new 0600 file renamed over the old one: an existing file keeps its mode (an old 0644
        # one would stay readable), and a reader never sees half a file.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".kiosk-health-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump({"url": f"{self.window.server.origin}/_desktop/api/{MOUNT_NAME}/health",
                           "token": self.health_token, "pid": os.getpid()}, out)
            os.chmod(tmp, 0o600)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    # -- the loop ---------------------------------------------------------------------------------------
    def _loop(self) -> None:
        while not self._exit_requested.wait(TICK):
            try:
                self._tick()
            except Exception as exc:  # noqa: BLE001 - the loop must outlive any one failed action
                console.warn(f"kiosk: {type(exc).__name__}: {exc}")

    def _tick(self) -> None:
        config = self.config
        with self._lock:
            choice = self.rotation.tick(datetime.now())
        if choice is not None:
            self._show(choice.path)
            return
        if (config.idle_reset and self._idle_ms is not None and self._idle_ms >= config.idle_reset * 1000
                and time.monotonic() - self._last_load >= config.idle_reset):  # (not a late beat of the last page)
            self._idle_ms = None
            self._go_home()
            return
        if config.reload_interval and time.monotonic() - self._last_load >= config.reload_interval:
            self.status.scheduled_reloads += 1
            self.log.write("scheduled_reload", page=self._page_name(), interval_s=config.reload_interval)
            self._show(self.page)
            return
        if self.status.watchdog.expired():
            silent = round(self.status.watchdog.silent_for(), 2)
            self.status.watchdog_reloads += 1
            self.log.write("watchdog_reload", page=self._page_name(), silent_s=silent, timeout_s=config.watchdog_timeout)
            self._hard_reload()

    def _go_home(self) -> None:
        home = self.config.home
        index = next((i for i, p in enumerate(self.config.pages) if p.path == home), None)
        duration = self.config.pages[index].duration if index is not None else None
        until = datetime.now() + timedelta(seconds=duration) if duration else None
        with self._lock:
            self.rotation.current = Choice(home, index, until)
        self._show(home)

    # -- showing pages -----------------------------------------------------------------------------------
    def _show(self, page: Path) -> None:
        with self._lock:
            entry = self.window
            if entry is None:
                return
            server = self.app.server_for(page.parent)
            url = server.url_for(page)
            self.page = page
            entry.server, entry.page_url = server, url
            self.status.current_page = url
            self._idle_ms = None
            self._last_load = time.monotonic()
            self.status.watchdog.rearm()
            entry.webview_window.load_url(server.login_url(url))  # (another folder may be another server)

    def _hard_reload(self) -> None:
        """A page that stopped answering: end its renderer (so nothing waits on it), then load it again."""
        entry = self.window
        pid = self.app.backend.renderer_pid(entry.webview_window) if entry is not None else None
        if pid:
            self._expected_kill.set()
            self.status.watchdog.rearm()
            try:
                os.kill(pid, 9)
            except OSError:
                self._expected_kill.clear()
                self._show(self.page)
            return  # _renderer_crashed loads the page once the engine has noticed
        self._show(self.page)

    def _renderer_crashed(self, app: DesktopApp, entry: AppWindow) -> None:
        with self._lock:
            if entry is not self.window:
                return  # the engine may report one ending more than once; this window is replaced already
            if self._expected_kill.is_set():
                self._expected_kill.clear()
                self._show(self.page)
                return
            self.status.renderer_crashes += 1
            self.log.write("renderer_crash", page=self._page_name())
            # A new window: nothing of the dead renderer's page (or its hung state) carries over.
            fresh = self.app.open(self.page)
            self.window = fresh
            self.status.current_page = fresh.page_url
            self._idle_ms = None
            self._last_load = time.monotonic()
            self.status.watchdog.rearm()
        entry.webview_window.destroy()

    # -- what the page says ---------------------------------------------------------------------------------
    # (Only the kiosk's own pages carry the page token, and the kiosk has one window: whatever app
    # page that window shows, a link followed inside the app included, speaks for it.)
    def _heartbeat(self, url: str, idle_ms: float | None) -> None:
        self.status.watchdog.beat()
        self.status.current_page = url
        self._idle_ms = idle_ms

    def _shown(self, url: str, title: str) -> None:
        self.status.current_page = url
        with self._lock:
            self.rotation.shown(datetime.now())
        self.log.write("page_shown", page=self._page_name(), url=url, title=title)

    def _page_name(self) -> str:
        try:
            return str(self.page.relative_to(self.config.source.parent)) if self.config.source else self.page.name
        except ValueError:
            return str(self.page)
