"""The command-line side of grants: `--allow-read PATH` / `--allow-write PATH`, for every command that shows pages.

`open`, `serve` and `kiosk` call `add_grant_arguments(parser)` and, after
parsing, `grants_from_args(args, page_folder)`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import UsageError
from .grants import Grant, GrantSet

__all__ = ["add_grant_arguments", "grants_from_args"]


def add_grant_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the repeatable grant options to a command's parser."""
    group = parser.add_argument_group("local files for page code (desktop.files)")
    group.add_argument("--allow-read", action="append", default=[], type=Path, metavar="PATH",
                       help="let page code read this folder or file (repeatable)")
    group.add_argument("--allow-write", action="append", default=[], type=Path, metavar="PATH",
                       help="let page code read and write this folder or file (repeatable)")


def grants_from_args(args: argparse.Namespace, page_folder: Path | None = None) -> GrantSet:
    """The grants a command line gives: the page folder read-only, then each --allow-read/--allow-write.

    A granted path must exist, so a typo is reported now rather than as a refusal inside the page.
    """
    grants = GrantSet()
    if page_folder is not None:
        grants.add(Grant.of(page_folder, write=False, source="page folder"))
    for flag, paths, write in (("--allow-read", getattr(args, "allow_read", None) or [], False),
                               ("--allow-write", getattr(args, "allow_write", None) or [], True)):
        for path in paths:
            expanded = Path(path).expanduser()
            if not expanded.exists():
                raise UsageError(
                    f"{flag} {path}: no such file or folder.",
                    "Grant a folder that exists (create it first), or check the spelling.",
                )
            grants.add(Grant.of(expanded, write=write, source="command line"))
    return grants
