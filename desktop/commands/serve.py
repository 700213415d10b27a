"""`serve DIR`: serve a page folder and the runtime for any browser, until interrupted."""

from __future__ import annotations

import argparse
from pathlib import Path

from .. import console
from ..bridge import Bridge, add_grant_arguments, grants_from_args
from ..errors import UsageError
from ..runtime.bundle import RuntimeBundle
from ..server import PageServer, ServerOptions
from ..server.livereload import LiveReload
from ..settings import Settings

__all__ = ["ServeCommand", "add_runtime_arguments", "page_folder", "serve_until_interrupted"]


def add_runtime_arguments(parser: argparse.ArgumentParser) -> None:
    """Options shared by every command that serves pages."""
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument(
        "--runtime",
        default=None,
        metavar="PAIR",
        help="runtime pair to prefer: 'default' (PyScript 0.6.66 + Pyodide 0.27.7) or 'latest'",
    )


def page_folder(target: Path) -> tuple[Path, Path | None]:
    """(folder to serve, page inside it or None) for a page file or a folder."""
    target = target.expanduser()
    if target.is_dir():
        return target.resolve(), None
    if target.is_file():
        return target.resolve().parent, target.resolve()
    raise UsageError(f"{target} does not exist.", "Give the path of an .html page or of a folder of pages.")


class ServeCommand:
    name = "serve"
    help = "serve a folder of pages with the offline runtime for a browser"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("dir", nargs="?", type=Path, default=None, help="folder (or page) to serve; default: the bundled example pages")
        parser.add_argument("--reload", action="store_true", help="reload open pages when a file in the folder changes")
        add_runtime_arguments(parser)
        add_grant_arguments(parser)

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        folder, page = page_folder(args.dir or settings.pages_dir)
        return serve_until_interrupted(settings, folder, page, args, gallery=folder == settings.pages_dir.resolve())


def serve_until_interrupted(
    settings: Settings, folder: Path, page: Path | None, args: argparse.Namespace, *, gallery: bool = False
) -> int:
    """Serve `folder`, print the URL (of `page` if given), and block until Ctrl+C."""
    reload = LiveReload(folder).start() if getattr(args, "reload", False) else None
    bridge = Bridge(grants_from_args(args), log_dir=settings.log_dir)  # each page's own folder is added per page
    server = PageServer(
        ServerOptions(
            root=folder,
            bundle=RuntimeBundle(settings.runtime_dir),
            pair=args.runtime,
            port=args.port,
            gallery=gallery,
            thumbnails=settings.cache_dir / "thumbnails",
            snapshots=settings.cache_dir / "snapshots",
            secrets_dir=settings.data_dir,
            injections=([reload.injection] if reload else []) + [bridge.injection],
            mounts=({"reload": reload.app()} if reload else {}) | bridge.mounts,
        )
    ).start()
    url = server.login_url(server.url_for(page) if page else server.url)
    console.info(f"Serving {folder} at {url}")
    console.info("That URL works once: it logs one browser in (other local users get 403). Press Ctrl+C to stop.")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass  # Ctrl+C is how a person stops serving: a normal end, not an interruption
    finally:
        server.shutdown()
        bridge.close()
        if reload:
            reload.stop()
    return 0
