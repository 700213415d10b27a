"""What every backend shares: pywebview's own window, loop and screens, and the defaults three toolkits
use as they are (no renderer pid, pywebview's message box, pywebview's position). A backend subclasses
`BaseBackend` and overrides what its toolkit does differently."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

__all__ = ["BaseBackend"]


class BaseBackend:
    name = "base"  # the gui name handed to webview.start()

    # -- pywebview, the same on every toolkit ------------------------------------------------------------
    def create_window(self, title: str, url: str, **options: Any) -> Any:
        """A pywebview window (shown once the loop runs)."""
        import webview

        return webview.create_window(title, url, **options)

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

    def active_window(self) -> object | None:
        import webview

        return webview.active_window()

    def screens(self) -> list:
        """The screens pywebview knows (objects with x, y, width, height)."""
        import webview

        return list(webview.screens)

    # -- defaults a toolkit may override -----------------------------------------------------------------
    def renderer_pid(self, window) -> int | None:
        return None  # the engine does not name its renderer process here

    def show_message(self, window, title: str, text: str) -> None:
        window.create_confirmation_dialog(title, text)  # pywebview's only message box (OK/Cancel)

    def position(self, window) -> tuple[int, int]:
        return int(window.x), int(window.y)  # pywebview reports the outer frame here
