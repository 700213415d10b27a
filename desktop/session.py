"""One app session: the one place that wires what every page shown by the app gets.

Every verb that shows pages (`launch`, `open`, `screenshot`, `serve`, `kiosk`,
and a built app, which runs `open` or `kiosk`) composes an `AppSession`, so each
page gets the same bridge (`import desktop` in page code), the same injections
and the same mounts whichever verb showed it:

    session = AppSession(settings, grants, pair=args.runtime)
    app = session.window_app(WindowOptions(...))   # DesktopApp + the bridge's dialogs + the launcher part
    app.open(page)                                 # or session.launcher.open_gallery()
    session.run()                                  # GUI loop; hand-offs from a second `open` go to `app.open`
    session.close()                                # (or `with AppSession(...) as session:`)

    server = session.serve(folder, port=0)         # no window: a page server for a browser

The package installer ("Add NAME and reload") is part of a person's own session;
kiosks leave it out (`install_packages=False`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

from . import console
from .bridge import Bridge
from .bridge.grants import GrantSet
from .runtime.bundle import RuntimeBundle
from .server import PageServer, ServerOptions
from .server.app import WSGIApp
from .server.inject import Injection
from .server.livereload import LiveReload
from .server.packages import PackageInstaller
from .settings import Settings
from .window import AppWindow, DesktopApp, Launcher, WindowOptions
from .window.instance import SingleInstance
from .window.pickers import WindowPickers

__all__ = ["AppSession"]


@dataclass
class AppSession:
    """The bridge, the package installer, the window app or page server, and single-instance hand-off."""

    settings: Settings
    grants: GrantSet = field(default_factory=GrantSet)
    pair: str | None = None
    #: The "Add NAME and reload" action on pages that name a package the runtime lacks.
    install_packages: bool = True

    def __post_init__(self) -> None:
        self.bundle = RuntimeBundle(self.settings.runtime_dir)
        self.bundle.require(self.pair)  # a missing runtime is said before any window or server starts
        self.bridge = Bridge(self.grants, log_dir=self.settings.log_dir)  # pages' own folders + dialog picks
        self.installer: PackageInstaller | None = None
        if self.install_packages:
            bundle = self.bundle
            self.installer = PackageInstaller(bundle, bundle.manifest.pair(self.pair).pyodide,
                                              self.settings.cache_dir / "downloads", mirror=self.settings.mirror)
        self.app: DesktopApp | None = None
        self.launcher: Launcher | None = None
        self._closers: list[Callable[[], None]] = []

    # -- what every page gets ------------------------------------------------------------------------
    def injections(self, *first: Injection) -> list[Injection]:
        """`first` (the verb's own: kiosk lockdown, live reload), then the bridge's and the installer's."""
        return [*first, self.bridge.injection, *([self.installer.injection] if self.installer else [])]

    def mounts(self, **first: WSGIApp) -> dict[str, WSGIApp]:
        return {**first, **self.bridge.mounts, **(self.installer.mounts if self.installer else {})}

    # -- with a window -------------------------------------------------------------------------------
    def window_app(self, options: WindowOptions, *, injections: tuple[Injection, ...] = (),
                   mounts: dict[str, WSGIApp] | None = None, personal: bool = True,
                   on_renderer_crash: Callable[[DesktopApp, AppWindow], None] | None = None) -> DesktopApp:
        """The session's window app, with the launcher part mounted (recent pages, thumbnails; `self.launcher`).

        `personal=False` (kiosk): no native file dialogs, which are a way out of a kiosk, and no launcher
        (a kiosk's pages are no one's recent pages)."""
        app = DesktopApp(self.settings, options, injections=self.injections(*injections),
                         mounts=self.mounts(**(mounts or {})), on_renderer_crash=on_renderer_crash)
        if personal:
            self.bridge.dialogs = WindowPickers(app)
            self.launcher = Launcher(app)
        self.app = app
        return app

    def hand_off(self, page: Path) -> bool:
        """Give `page` to this user's running app instead of opening a window here; False if none runs."""
        return SingleInstance(self.settings.data_dir).hand_off(page)

    def run(self, after_start: Callable[[], None] | None = None, *, single_instance: bool = False) -> None:
        """The window app's GUI loop, until its last window closes. With `single_instance`, this process is
        the user's app instance meanwhile: a later `open` hands its page to `app.open`."""
        assert self.app is not None, "window_app() first"
        if single_instance:
            self._closers.append(SingleInstance(self.settings.data_dir).listen(self.app.open))
        self.app.run(after_start)

    # -- without a window ------------------------------------------------------------------------------
    def serve(self, folder: Path, *, port: int = 0, gallery: bool = False, reload: bool = False) -> PageServer:
        """A started page server for a browser, with what a window's pages get (and live reload on request)."""
        live = LiveReload(folder).start() if reload else None
        if live is not None:
            self._closers.append(live.stop)
        server = PageServer(
            ServerOptions(
                root=folder,
                bundle=self.bundle,
                pair=self.pair,
                port=port,
                gallery=gallery,
                thumbnails=self.settings.cache_dir / "thumbnails",
                snapshots=self.settings.cache_dir / "snapshots",
                libraries=self.settings.library_dirs(),
                secrets_dir=self.settings.data_dir,
                injections=self.injections(*([live.injection] if live else [])),
                mounts=self.mounts(**({"reload": live.app()} if live else {})),
            )
        ).start()
        self._closers.append(server.shutdown)
        return server

    def serve_until_interrupted(self, folder: Path, page: Path | None = None, *, port: int = 0,
                                gallery: bool = False, reload: bool = False) -> None:
        """Serve `folder`, print the URL (of `page` if given), and block until Ctrl+C."""
        server = self.serve(folder, port=port, gallery=gallery, reload=reload)
        url = server.login_url(server.url_for(page) if page else server.url)
        console.info(f"Serving {folder} at {url}")
        console.info("That URL works once: it logs one browser in (other local users get 403). Press Ctrl+C to stop.")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass  # Ctrl+C is how a person stops serving: a normal end, not an interruption

    # -- the end ---------------------------------------------------------------------------------------
    def close(self) -> None:
        """Stop hand-offs, servers and watchers (last started, first stopped), then the bridge."""
        while self._closers:
            self._closers.pop()()
        self.bridge.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
