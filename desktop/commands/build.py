"""`build APP_DIR`: a folder of pages into a branded app and installers that run offline (see desktop/packaging)."""

from __future__ import annotations

import argparse
from pathlib import Path

from .. import console
from ..settings import Settings

__all__ = ["BuildCommand"]


class BuildCommand:
    name = "build"
    help = "turn a folder of pages into an app and installers that run with no network"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("app_dir", type=Path, metavar="APP_DIR", help="the folder of pages (optionally with a desktop.toml)")
        parser.add_argument("--name", default=None, help="the app's name (default: desktop.toml's name, else the folder's)")
        parser.add_argument("--icon", type=Path, default=None, metavar="FILE", help="a PNG icon for menus and the .deb")
        parser.add_argument("--kiosk", action="store_true", help="start the app in kiosk mode (desktop.toml [kiosk] settings)")
        parser.add_argument("--out", type=Path, default=Path("dist"), metavar="DIR", help="where the app and installers go (default: dist)")
        parser.add_argument("--base", type=Path, default=None, metavar="DIR",
                            help="a one-folder PyScript Desktop build to start from (default: this installed app, "
                                 "or this checkout frozen once and cached)")
        parser.add_argument("--engine", choices=("bundled", "system"), default="bundled",
                            help="bundled (default): the app carries Qt WebEngine (.tar.gz and .deb, runs anywhere); "
                                 "system: a small .deb on the system's Python and WebKitGTK (Debian/Ubuntu)")
        parser.add_argument("--no-installers", dest="installers", action="store_false",
                            help="make the app folder only (no .tar.gz or .deb)")
        parser.add_argument("--fast", action="store_true",
                            help="stored, not compressed (the quickest) instead of the smallest: for installers made to be tested")

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        from ..packaging.build import BuildRequest, build_app

        result = build_app(BuildRequest(app_dir=args.app_dir, out=args.out, name=args.name, icon=args.icon,
                                        kiosk=args.kiosk, base=args.base, installers=args.installers,
                                        engine=args.engine, fast=args.fast), settings)
        console.info(f"Built {result.config.name} {result.config.version}: {result.app}")
        console.info(f"  run it: {result.executable}")
        for artifact in result.artifacts:
            console.info(f"  {artifact.name}: {artifact}")
        return 0
