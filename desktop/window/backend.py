"""The small interface between the app and a webview toolkit, and lazy loading of the right one.

pywebview does most of the work on every platform; what differs (navigation
policy hooks, zoom, screenshots, keyboard shortcuts, renderer crashes, engine
flags) lives in one module per toolkit under `backends/`, imported only when
chosen. `PYSCRIPT_DESKTOP_GUI` overrides the choice, as PYWEBVIEW_GUI does for
pywebview.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Callable, Protocol

from ..errors import DesktopError
from .links import Decision

__all__ = ["Backend", "Shortcuts", "load_backend", "ENV_GUI", "DEFAULTS"]

ENV_GUI = "PYSCRIPT_DESKTOP_GUI"

#: The default backend per platform (pywebview's gui names).
DEFAULTS = {"linux": "qt", "win32": "edgechromium", "darwin": "cocoa"}

Shortcuts = dict[str, Callable[[], None]]  # key sequence ("Ctrl+R", "F11") -> action


class Backend(Protocol):
    name: str  # the gui name handed to webview.start()

    def prepare(self, *, debug: bool, storage: Path, cache: Path) -> None:
        """Set what the engine reads at start-up (flags, environment, where the persistent profile
        and its cache live); called before pywebview starts."""

    def install_policy(self, decide: Callable[[str, bool], Decision], external: Callable[[str], None]) -> None:
        """Route every navigation through `decide(url, top_level)`; EXTERNAL urls go to `external`."""

    def attach(self, window, shortcuts: Shortcuts, on_renderer_crash: Callable[[], None] | None) -> None:
        """Per window, once shown: keyboard shortcuts and the renderer-crash hook.

        Both callbacks may be called on the GUI thread and must return at once.
        """

    def set_zoom(self, window, factor: float) -> None: ...

    def position(self, window) -> tuple[int, int]:
        """Where the window's outer frame is: what `window.move(x, y)` places, so a remembered
        position puts the window back where it was."""

    def show_devtools(self, window) -> None:
        """Open the engine's developer tools for `window` (the app calls this only with --debug)."""

    def screenshot(self, window, path: Path) -> None:
        """Save what the window shows as PNG."""

    def renderer_pid(self, window) -> int | None:
        """The process id of the window's page renderer, or None where the engine does not say
        (the kiosk watchdog ends a hung renderer so that the page can load again)."""

    def show_message(self, window, title: str, text: str) -> None:
        """An information box with one OK button (About), over `window`."""


def load_backend(name: str | None = None) -> Backend:
    name = name or os.environ.get(ENV_GUI) or DEFAULTS.get(sys.platform, "qt")
    module_name = {"qt": "qt", "gtk": "gtk", "edgechromium": "edgechromium", "cocoa": "cocoa"}.get(name)
    if module_name is None:
        raise DesktopError(f"Unknown window backend {name!r}.", f"Set {ENV_GUI} to one of: qt, gtk, edgechromium, cocoa.")
    try:
        module = importlib.import_module(f"{__package__}.backends.{module_name}")
    except ImportError as exc:
        raise DesktopError(
            f"The {name} window backend is not installed ({exc}).",
            "Install it with: pip install 'pywebview[qt]' (Linux), or run ./run-app which installs it.",
        ) from None
    return module.create()
