"""`launch` (the default with no command): the launcher window, a gallery of pages/."""

from __future__ import annotations

import argparse

from .. import console
from ..settings import Settings
from .options import add_window_arguments, grants_from_args

__all__ = ["LaunchCommand"]


class LaunchCommand:
    name = "launch"
    help = "open the launcher: the bundled example pages, recent pages, Open file (the default)"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        add_window_arguments(parser)

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        from ..session import AppSession
        from ..window import WindowOptions, has_display

        with AppSession(settings, grants_from_args(args), pair=args.runtime) as session:
            if not has_display():
                console.warn("No display found: serving the example pages for a browser instead of opening a window.")
                session.serve_until_interrupted(settings.pages_dir, port=args.port, gallery=True, reload=args.reload)
                return 0
            session.window_app(WindowOptions(debug=settings.debug, reload=args.reload, pair=args.runtime,
                                             port=args.port or None))
            assert session.launcher is not None
            session.launcher.open_gallery()
            session.run(single_instance=True)
        return 0
