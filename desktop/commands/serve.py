"""`serve DIR`: serve a page folder and the runtime for any browser, until interrupted."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..settings import Settings
from .options import add_grant_arguments, add_runtime_arguments, grants_from_args, page_folder

__all__ = ["ServeCommand"]


class ServeCommand:
    name = "serve"
    help = "serve a folder of pages with the offline runtime for a browser"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("dir", nargs="?", type=Path, default=None, help="folder (or page) to serve; default: the bundled example pages")
        parser.add_argument("--reload", action="store_true", help="reload open pages when a file in the folder changes")
        add_runtime_arguments(parser)
        add_grant_arguments(parser)

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        from ..session import AppSession

        folder, page = page_folder(args.dir or settings.pages_dir)
        with AppSession(settings, grants_from_args(args), pair=args.runtime) as session:
            session.serve_until_interrupted(folder, page, port=args.port, reload=args.reload,
                                            gallery=folder == settings.pages_dir.resolve())
        return 0
