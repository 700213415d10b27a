"""The window side of the bridge's dialogs: `desktop.dialogs.*` in page code shows native dialogs here.

Implements `desktop.bridge.DialogHost` by duck typing (the window does not
import the bridge; the composing command hands this object to it). A call
arrives on a server thread, which may block on a dialog.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from .dialogs import ask_folder, ask_open_files, ask_save_file

if TYPE_CHECKING:
    from .app import DesktopApp
    from .model import AppWindow

__all__ = ["WindowPickers"]


class WindowPickers:
    """Dialogs over the window that shows a page of `origin` (the most recently opened one)."""

    def __init__(self, app: "DesktopApp") -> None:
        self.app = app

    def _window(self, origin: str) -> "AppWindow":
        matching = [w for w in self.app.windows if w.server.origin == origin]
        if not matching:
            raise LookupError(f"no window shows a page of {origin}")
        return matching[-1]

    def open_files(self, origin: str, file_types: Sequence[str], multiple: bool) -> list[Path]:
        return ask_open_files(self._window(origin), file_types=file_types, multiple=multiple)

    def save_file(self, origin: str, suggested_name: str, file_types: Sequence[str]) -> Path | None:
        return ask_save_file(self._window(origin), suggested_name=suggested_name, file_types=file_types)

    def choose_folder(self, origin: str) -> Path | None:
        return ask_folder(self._window(origin))
