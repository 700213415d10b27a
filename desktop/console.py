"""All terminal output goes through this one console.

Commands never call print(); they use these helpers so that colour, quiet
mode and progress displays stay consistent.
"""

from __future__ import annotations

import sys
from typing import Callable

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

__all__ = ["console", "err_console", "info", "warn", "error", "progress", "funnel"]

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def info(message: str) -> None:
    """A line of normal output, to stdout."""
    console.print(_printable(message), markup=False)


def warn(message: str) -> None:
    """A warning the user should read, to stderr."""
    err_console.print(f"[yellow]warning:[/] {_escape(message)}")


def error(message: str, hint: str | None = None) -> None:
    """An error line (and optional next step), to stderr."""
    err_console.print(f"[bold red]error:[/] {_escape(message)}")
    if hint:
        err_console.print(f"[dim]hint:[/] {_escape(hint)}")


def progress() -> Progress:
    """A download progress display; disabled automatically when not on a terminal."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        disable=not sys.stderr.isatty(),
        transient=False,
    )


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(_printable(text))


def _printable(text: str) -> str:
    """`text` with each control character but newline and tab as "?". Messages carry what pages,
    file names and configs said, and an escape sequence in them must not drive the person's terminal
    (clear it, retitle it, fake a prompt); Rich escapes its markup, not those."""
    return "".join(ch if ch.isprintable() or ch in "\n\t" else "?" for ch in text)


def funnel(run: Callable[[], int]) -> int:
    """The one error funnel, for every entry point (the app's and the release script's): `run`'s exit code,
    or a DesktopError as its message, its next step and its exit code; Ctrl+C is 130. Anything else is
    a bug and keeps its traceback."""
    from .errors import DesktopError

    try:
        return run()
    except DesktopError as exc:
        error(exc.message, exc.hint)
        return exc.exit_code
    except KeyboardInterrupt:
        err_console.print("interrupted")
        return 130
