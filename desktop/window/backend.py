"""The small interface between the app and a webview toolkit, and lazy loading of the right one.

pywebview does most of the work on every platform; what differs (navigation
policy hooks, zoom, screenshots, keyboard shortcuts, renderer crashes, engine
flags) lives in one module per toolkit under `backends/`, imported only when
chosen, on top of the shared `backends/base.py`. `Settings.gui` (from
PYSCRIPT_DESKTOP_GUI) names one; otherwise the first installed toolkit in the
platform's `FALLBACK` order is used.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Literal, Protocol, get_args

from ..errors import DesktopError
from ..settings import ENV_GUI
from .links import Decision

if TYPE_CHECKING:
    from webview import Window
    from webview.screen import Screen

__all__ = ["BACKEND_NAMES", "REQUIRES", "Backend", "BackendName", "ENV_GUI", "FALLBACK", "Shortcuts",
           "choose_backend", "load_backend"]

#: Every backend there is: pywebview's gui names, one module each under backends/.
BackendName = Literal["qt", "gtk", "edgechromium", "cocoa"]
BACKEND_NAMES: tuple[BackendName, ...] = get_args(BackendName)

#: Per platform, the backends to try in order when none is named: the first one installed is used.
FALLBACK: dict[str, tuple[BackendName, ...]] = {
    "linux": ("qt", "gtk"),
    "win32": ("edgechromium", "qt"),
    "darwin": ("cocoa", "qt"),
}
#: What each backend needs installed (a top-level module): pywebview checks the same.
REQUIRES: dict[BackendName, str] = {"qt": "qtpy", "gtk": "gi", "edgechromium": "clr", "cocoa": "WebKit"}

Shortcuts = dict[str, Callable[[], None]]  # key sequence ("Ctrl+R", "F11") -> action


class Backend(Protocol):
    name: str  # the gui name handed to webview.start()

    def prepare(self, *, debug: bool, storage: Path, cache: Path) -> None:
        """Set what the engine reads at start-up (flags, environment, where the persistent profile
        and its cache live); called before pywebview starts."""

    def install_policy(self, decide: Callable[[str, bool], Decision], external: Callable[[str], None]) -> None:
        """Route every navigation through `decide(url, top_level)`; EXTERNAL urls go to `external`."""

    def attach(self, window: Window, shortcuts: Shortcuts, on_renderer_crash: Callable[[], None] | None) -> None:
        """Per window, once shown: keyboard shortcuts and the renderer-crash hook.

        Both callbacks may be called on the GUI thread and must return at once.
        """

    def set_zoom(self, window: Window, factor: float) -> None: ...

    def position(self, window: Window) -> tuple[int, int]:
        """Where the window's outer frame is: what `window.move(x, y)` places, so a remembered
        position puts the window back where it was."""

    def show_devtools(self, window: Window) -> None:
        """Open the engine's developer tools for `window` (the app calls this only with --debug)."""

    def screenshot(self, window: Window, path: Path) -> None:
        """Save what the window shows as PNG."""

    def renderer_pid(self, window: Window) -> int | None:
        """The process id of the window's page renderer, or None where the engine does not say
        (the kiosk watchdog ends a hung renderer so that the page can load again)."""

    def show_message(self, window: Window, title: str, text: str) -> None:
        """An information box with one OK button (About), over `window`."""

    # pywebview itself (backends/base.py: the same for every toolkit)
    def create_window(self, title: str, url: str, **options: object) -> Window: ...

    def start(self, after_start: Callable[[], None] | None, *, debug: bool, storage: Path) -> None: ...

    def active_window(self) -> Window | None: ...

    def screens(self) -> list[Screen]: ...


def _installed(name: BackendName) -> bool:
    return importlib.util.find_spec(REQUIRES[name]) is not None


def choose_backend(name: str | None, platform: str = sys.platform,
                   installed: Callable[[BackendName], bool] = _installed) -> BackendName:
    """The backend to use: `name` if given (it must be one of BACKEND_NAMES), else the first installed one
    in the platform's FALLBACK order, else that order's first (whose loading then says what to install)."""
    if name is not None:
        if name not in BACKEND_NAMES:
            raise DesktopError(f"Unknown window backend {name!r}.",
                               f"Set {ENV_GUI} to one of: {', '.join(BACKEND_NAMES)}.")
        return name  # checked just above
    order = FALLBACK.get("linux" if platform.startswith(("linux", "freebsd", "openbsd", "netbsd")) else platform,
                         FALLBACK["linux"])
    return next((candidate for candidate in order if installed(candidate)), order[0])


def load_backend(name: str | None = None) -> Backend:
    """The backend `name` names (Settings.gui), or the platform's first installed one."""
    chosen = choose_backend(name)
    try:
        module = importlib.import_module(f"{__package__}.backends.{chosen}")
    except ImportError as exc:
        raise DesktopError(
            f"The {chosen} window backend is not installed ({exc}).",
            "Install it with: pip install 'pywebview[qt]' (Linux), or run ./run-app which installs it.",
        ) from None
    backend = module.create()
    os.environ.setdefault("PYWEBVIEW_GUI", backend.name)  # so pywebview never probes other toolkits
    return backend
