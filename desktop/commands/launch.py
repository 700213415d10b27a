"""`launch` (the default with no command): the launcher window, a gallery of pages/."""

from __future__ import annotations

import argparse

from .. import console
from ..settings import Settings
from .open import add_window_arguments
from .serve import package_installer, serve_until_interrupted

__all__ = ["LaunchCommand"]


class LaunchCommand:
    name = "launch"
    help = "open the launcher: the bundled example pages, recent pages, Open file (the default)"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        add_window_arguments(parser)

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        from ..window import DesktopApp, WindowOptions, has_display

        if not has_display():
            console.warn("No display found: serving the example pages for a browser instead of opening a window.")
            return serve_until_interrupted(settings, settings.pages_dir, None, args, gallery=True)
        from ..window.instance import SingleInstance

        from ..bridge import Bridge, grants_from_args
        from ..window.pickers import WindowPickers

        bridge = Bridge(grants_from_args(args), log_dir=settings.log_dir)  # pages' own folders + dialog picks
        installer = package_installer(settings, args.runtime)
        app = DesktopApp(settings, WindowOptions(debug=settings.debug, reload=args.reload, pair=args.runtime, port=args.port or None),
                         injections=[bridge.injection, installer.injection], mounts=bridge.mounts | installer.mounts)
        bridge.dialogs = WindowPickers(app)
        app.open(settings.pages_dir / "index.html", gallery=True)
        stop = SingleInstance(settings.data_dir).listen(app.open)
        try:
            app.run()
        finally:
            stop()
            bridge.close()
        return 0
