"""`open PAGE|FOLDER`: one page in its own window (or, with no display, served for a browser)."""

from __future__ import annotations

import argparse
from pathlib import Path

from .. import console
from ..bridge.cli import add_grant_arguments
from ..settings import Settings
from .serve import add_runtime_arguments, package_installer, page_folder, serve_until_interrupted

__all__ = ["OpenCommand", "add_window_arguments"]


def add_window_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--reload", action="store_true", help="reload the page when a file in its folder changes")
    # SUPPRESS: absent here, the global `--debug` (before the command) still counts.
    parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="developer tools (F12, View menu, right-click > Inspect) and full tracebacks")
    add_runtime_arguments(parser)


class OpenCommand:
    name = "open"
    help = "open a page (or a folder's index.html) in its own window"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("page", type=Path, help="an .html page, or a folder with an index.html")
        parser.add_argument("--size", default=None, metavar="WxH", help="window size (default: remembered per page)")
        add_window_arguments(parser)
        add_grant_arguments(parser)

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        from ..window import DesktopApp, WindowOptions, has_display

        folder, page = page_folder(args.page)
        if not has_display():
            console.warn("No display found: serving the page for a browser instead of opening a window.")
            return serve_until_interrupted(settings, folder, page, args)
        from ..window.instance import SingleInstance

        instance = SingleInstance(settings.data_dir)
        if instance.hand_off(page or folder):
            console.info(f"Opened {page or folder} in the running {settings.app_name}.")
            return 0
        from .screenshot import parse_size

        options = WindowOptions(debug=settings.debug, reload=args.reload, pair=args.runtime,
                                port=args.port or None, size=parse_size(args.size) if args.size else None)
        from ..bridge import Bridge, grants_from_args
        from ..window.pickers import WindowPickers

        bridge = Bridge(grants_from_args(args), log_dir=settings.log_dir)
        installer = package_installer(settings, args.runtime)
        app = DesktopApp(settings, options, injections=[bridge.injection, installer.injection],
                         mounts=bridge.mounts | installer.mounts)
        bridge.dialogs = WindowPickers(app)
        app.open(page or folder)
        stop = instance.listen(app.open)
        try:
            app.run()
        finally:
            stop()
            bridge.close()
        return 0
