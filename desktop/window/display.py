"""Is there a screen to put a window on?"""

from __future__ import annotations

import os
import sys

from ..errors import NoDisplayError

__all__ = ["has_display", "require_display"]


def has_display() -> bool:
    """On Linux and the BSDs a window needs X11 or Wayland; Windows and macOS always have a desktop."""
    if sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def require_display(command: str) -> None:
    if not has_display():
        raise NoDisplayError(
            f"`{command}` needs a display, and there is none (DISPLAY and WAYLAND_DISPLAY are unset).",
            f"Run it under a virtual screen: xvfb-run -a python main.py {command} ...",
        )
