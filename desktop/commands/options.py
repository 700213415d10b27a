"""The options several verbs share, and what they turn into: runtime, window and grants.

Every verb that shows pages takes its options from here and its wiring from
`desktop.session`, never from another verb, so `open`, `launch`, `screenshot`,
`serve` and `kiosk` cannot drift apart.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..bridge.cli import add_grant_arguments, grants_from_args
from ..errors import UsageError

__all__ = [
    "add_grant_arguments", "add_runtime_arguments", "add_window_arguments", "grants_from_args", "page_folder",
    "parse_size",
]


def add_runtime_arguments(parser: argparse.ArgumentParser) -> None:
    """Options shared by every command that serves pages: where (port) and with which runtime pair."""
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument(
        "--runtime",
        default=None,
        metavar="PAIR",
        help="runtime pair to prefer: 'default' (PyScript 0.6.66 + Pyodide 0.27.7) or 'latest'",
    )


def add_window_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the verbs that open a person's window (`launch`, `open`), the runtime ones included."""
    parser.add_argument("--reload", action="store_true", help="reload the page when a file in its folder changes")
    # SUPPRESS: absent here, the global `--debug` (before the command) still counts.
    parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="developer tools (F12, View menu, right-click > Inspect) and full tracebacks")
    add_runtime_arguments(parser)


def page_folder(target: Path) -> tuple[Path, Path | None]:
    """(folder to serve, page inside it or None) for a page file or a folder."""
    target = target.expanduser()
    if target.is_dir():
        return target.resolve(), None
    if target.is_file():
        return target.resolve().parent, target.resolve()
    raise UsageError(f"{target} does not exist.", "Give the path of an .html page or of a folder of pages.")


def parse_size(text: str) -> tuple[int, int]:
    """`--size WxH` as (width, height), within what a window can be."""
    try:
        width, height = (int(v) for v in text.lower().split("x", 1))
    except ValueError:
        raise UsageError(f"--size {text!r} is not WIDTHxHEIGHT.", "Write it like --size 1280x800.") from None
    if not (100 <= width <= 10000 and 100 <= height <= 10000):
        raise UsageError(f"--size {text} is out of range.", "Use 100 to 10000 pixels per side.")
    return width, height
