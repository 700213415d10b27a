"""What every backend shares: pywebview's own window, loop and screens, and the defaults three toolkits
use as they are (no renderer pid, pywebview's message box, pywebview's position). A backend subclasses
`BaseBackend` and overrides what its toolkit does differently."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ...errors import DesktopError

if TYPE_CHECKING:
    from webview import Window
    from webview.screen import Screen

__all__ = ["BaseBackend", "toolkit_window"]


def toolkit_window(window: Window) -> Any:
    """The toolkit's own window behind a pywebview `Window` (Qt's or GTK's BrowserView, a WinForms form,
    Cocoa's BrowserView): pywebview declares the attribute None until its toolkit module sets it."""
    return window.native


class BaseBackend:
    name = "base"  # the gui name handed to webview.start()

    # -- pywebview, the same on every toolkit ------------------------------------------------------------
    def create_window(self, title: str, url: str, **options: Any) -> Window:
        """A pywebview window (shown once the loop runs)."""
        import webview

        window = webview.create_window(title, url, **options)
        if window is None:  # pywebview's answer when a handler of the window's `initialized` event refused it
            raise DesktopError(f"The window for {url} was not created: something refused it as it started.",
                               "Try again; if it keeps happening, report it with the output of --debug.")
        return window

    def start(self, after_start: Callable[[], None] | None, *, debug: bool, storage: Path) -> None:
        """The GUI loop on this thread, until the last window closes."""
        import webview

        webview.start(
            after_start,
            gui=cast(Any, self.name),
            debug=debug,
            private_mode=False,  # localStorage, IndexedDB and pyscript.storage survive restarts
            storage_path=str(storage),
        )

    def active_window(self) -> Window | None:
        import webview

        return webview.active_window()

    def screens(self) -> list[Screen]:
        """The screens pywebview knows (objects with x, y, width, height)."""
        import webview

        return list(webview.screens)

    # -- defaults a toolkit may override -----------------------------------------------------------------
    def renderer_pid(self, window: Window) -> int | None:
        return None  # the engine does not name its renderer process here

    def show_message(self, window: Window, title: str, text: str) -> None:
        window.create_confirmation_dialog(title, text)  # pywebview's only message box (OK/Cancel)

    def position(self, window: Window) -> tuple[int, int]:
        return int(window.x), int(window.y)  # pywebview reports the outer frame here
