"""The native window: pywebview, one backend module per toolkit, and the app that drives them.

Public API used by commands (and by kiosk mode later):

    from desktop.window import DesktopApp, WindowOptions, has_display
"""

from .app import DesktopApp, WindowOptions
from .display import has_display, require_display

__all__ = ["DesktopApp", "WindowOptions", "has_display", "require_display"]
