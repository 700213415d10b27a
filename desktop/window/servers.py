"""The server pool: one loopback page server per folder the app shows, on a port stable per folder,
and the navigation policy over all of them (a window may go to any page the app serves).

A stable port keeps the origin, and with it localStorage and IndexedDB, the same at every launch;
when that port is taken the pool says so and uses a free one for this session.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from pathlib import Path

from .. import console
from ..errors import PortInUseError
from ..runtime.bundle import RuntimeBundle
from ..server import PageServer, ServerOptions
from ..server.app import WSGIApp
from ..server.inject import Injection
from ..settings import Settings
from .links import Decision, NavigationPolicy

__all__ = ["STABLE_PORTS", "ServerPool", "stable_port"]

#: Stable ports come from 20000-32767: below every system's ephemeral range (Linux starts at 32768,
#: Windows and macOS at 49152), so an outgoing connection's local port never takes a folder's port.
STABLE_PORTS = range(20000, 32768)


def stable_port(key: str) -> int:
    """A port in STABLE_PORTS derived from `key`: the same page folder gets the same origin every launch."""
    return STABLE_PORTS[int(hashlib.sha256(key.encode()).hexdigest(), 16) % len(STABLE_PORTS)]


class ServerPool:
    """Page servers by folder, each with the same injections and mounts (the bridge's, the window's events)."""

    def __init__(self, settings: Settings, bundle: RuntimeBundle, *, pair: str | None, port: int | None,
                 injections: list[Injection], mounts: Callable[[], dict[str, WSGIApp]]) -> None:
        self.settings = settings
        self.bundle = bundle
        self.pair = pair
        self.port = port  # None: a stable port per folder
        self.injections = injections
        self.mounts = mounts  # called per server: a bottle app is mounted on one server only
        self._servers: dict[Path, PageServer] = {}
        self._origins: set[str] = set()
        self._lock = threading.Lock()

    def server_for(self, folder: Path) -> PageServer:
        folder = folder.resolve()
        gallery = folder == self.settings.pages_dir.resolve()  # the launcher lists the bundled pages
        with self._lock:
            if folder in self._servers:
                return self._servers[folder]
            options = ServerOptions(
                root=folder,
                bundle=self.bundle,
                pair=self.pair,
                injections=list(self.injections),
                mounts=self.mounts(),
                gallery=gallery,
                thumbnails=self.settings.cache_dir / "thumbnails",
                snapshots=self.settings.cache_dir / "snapshots",
                libraries=self.settings.library_dirs(),
                secrets_dir=self.settings.data_dir,
            )
            wanted = self.port if self.port is not None else stable_port(str(folder))
            try:
                server = PageServer(ServerOptions(**{**options.__dict__, "port": wanted})).start()
            except PortInUseError:
                server = PageServer(options).start()
                console.warn(
                    f"Port {wanted} is taken, so {folder} is served on port {server.port} this time; "
                    "pages will not see the storage (localStorage, IndexedDB) they saved in earlier launches."
                )
            self._servers[folder] = server
            self._origins.add(server.origin)
            return server

    def decide(self, url: str, top_level: bool, *, locked: bool = False) -> Decision:
        """Where a navigation to `url` goes: any of the pool's origins stays in the window; a web link goes
        to the system browser, or nowhere when `locked` (kiosk)."""
        for origin in list(self._origins):
            decision = NavigationPolicy(origin).decide(url, top_level=top_level)
            if decision is Decision.ALLOW:
                return decision
        decision = NavigationPolicy("http://127.0.0.1:0").decide(url, top_level=top_level)
        return Decision.REFUSE if locked and decision is Decision.EXTERNAL else decision

    def shutdown(self) -> None:
        with self._lock:
            servers = list(self._servers.values())
        for server in servers:
            server.shutdown()
