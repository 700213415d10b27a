"""`open PAGE|FOLDER`: one page in its own window (or, with no display, served for a browser)."""

from __future__ import annotations

import argparse
from pathlib import Path

from .. import console
from ..settings import Settings
from .options import add_grant_arguments, add_window_arguments, grants_from_args, page_folder, parse_size

__all__ = ["OpenCommand"]


class OpenCommand:
    name = "open"
    help = "open a page (or a folder's index.html) in its own window"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("page", type=Path, help="an .html page, or a folder with an index.html")
        parser.add_argument("--size", default=None, metavar="WxH", help="window size (default: remembered per page)")
        add_window_arguments(parser)
        add_grant_arguments(parser)

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        from ..session import AppSession
        from ..window import WindowOptions, has_display

        folder, page = page_folder(args.page)
        size = parse_size(args.size) if args.size else None
        with AppSession(settings, grants_from_args(args), pair=args.runtime) as session:
            if not has_display():
                console.warn("No display found: serving the page for a browser instead of opening a window.")
                session.serve_until_interrupted(folder, page, port=args.port, reload=args.reload)
                return 0
            if session.hand_off(page or folder):
                console.info(f"Opened {page or folder} in the running {settings.app_name}.")
                return 0
            app = session.window_app(WindowOptions(debug=settings.debug, reload=args.reload, pair=args.runtime,
                                                   port=args.port or None, size=size))
            app.open(page or folder)
            session.run(single_instance=True)
        return 0
