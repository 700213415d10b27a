"""Turning a URL path into a file under a root, refusing every way out.

Checks happen on the decoded path before any disk access (`..` segments,
backslashes, drive letters, NUL bytes, absolute paths), and again on the
resolved path afterwards, so a symlink that leads outside the root is refused
too.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

__all__ = ["resolve_under", "PathRefused"]

_DRIVE = re.compile(r"^[A-Za-z]:")


class PathRefused(Exception):
    """The URL path does not name a file under the root (status 403 or 404)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def resolve_under(root: Path, url_path: str, *, decoded: bool = False) -> Path:
    """The real path of `url_path` inside `root`, or PathRefused.

    `url_path` is the path part of a request URL (percent-encoded unless
    `decoded`). Decoding happens exactly once, so `%252e%252e` stays literal.
    """
    text = url_path if decoded else unquote(url_path, errors="strict")
    if "\x00" in text:
        raise PathRefused(400, "NUL byte in path")
    if "\\" in text:
        raise PathRefused(403, "backslash in path")
    parts = [p for p in text.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise PathRefused(403, "'..' segment in path")
    if parts and _DRIVE.match(parts[0]):
        raise PathRefused(403, "drive letter in path")
    if any(":" in p for p in parts):
        raise PathRefused(403, "':' in path")  # alternate data streams, drive forms
    root_real = root.resolve()
    candidate = root_real.joinpath(*parts)
    try:
        real = candidate.resolve(strict=True)
    except (FileNotFoundError, NotADirectoryError):
        raise PathRefused(404, "not found") from None
    except (OSError, RuntimeError):  # symlink loops, over-long names
        raise PathRefused(404, "not found") from None
    if real != root_real and root_real not in real.parents:
        raise PathRefused(403, "path leads outside the served folder")
    return real
