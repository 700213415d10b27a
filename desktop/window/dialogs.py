"""Native file dialogs over a window, as paths: the one way app code asks a person for a file.

pywebview shows the toolkit's own dialog (Qt, GTK, WebView2 host, Cocoa). Each
call blocks until the person answers, so call it from a worker thread (a
bottle request handler, a js_api method, a menu action): on the GUI thread it
would wait for itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from ..errors import UsageError

if TYPE_CHECKING:
    from .model import AppWindow

__all__ = ["ask_open_files", "ask_save_file", "ask_folder", "file_type"]

def file_type(description: str, *patterns: str) -> str:
    """`file_type("CSV files", "*.csv", "*.tsv")` -> "CSV files (*.csv;*.tsv)", checked as pywebview needs it."""
    text = f"{description} ({';'.join(patterns or ('*.*',))})"
    _check(text)
    return text


def _check(text: str) -> None:
    from webview.util import parse_file_type

    try:
        parse_file_type(text)
    except ValueError:
        raise UsageError(
            f"{text!r} is not a file type a dialog accepts.",
            'Use letters, digits and spaces for the description and *.ext patterns: "CSV files (*.csv;*.tsv)".',
        ) from None


def _dialog(window: "AppWindow", kind: int, **kwargs: Any) -> tuple[str, ...]:
    for text in kwargs.get("file_types", ()):
        _check(text)
    chosen = window.webview_window.create_file_dialog(kind, **kwargs)
    if not chosen:
        return ()
    return (chosen,) if isinstance(chosen, str) else tuple(chosen)


def ask_open_files(
    window: "AppWindow", *, file_types: Sequence[str] = (), multiple: bool = False, directory: Path | None = None
) -> list[Path]:
    """Files the person picked to open (empty when they cancelled)."""
    import webview

    return [Path(p) for p in _dialog(window, webview.FileDialog.OPEN, directory=str(directory or ""),
                                     allow_multiple=multiple, file_types=tuple(file_types))]


def ask_save_file(
    window: "AppWindow", *, suggested_name: str = "", directory: Path | None = None, file_types: Sequence[str] = ()
) -> Path | None:
    """Where the person wants a file saved (None when they cancelled). Nothing is written here."""
    import webview

    chosen = _dialog(window, webview.FileDialog.SAVE, directory=str(directory or ""), save_filename=suggested_name,
                     file_types=tuple(file_types))
    return Path(chosen[0]) if chosen else None


def ask_folder(window: "AppWindow", *, directory: Path | None = None) -> Path | None:
    """A folder the person picked (None when they cancelled)."""
    import webview

    chosen = _dialog(window, webview.FileDialog.FOLDER, directory=str(directory or ""))
    return Path(chosen[0]) if chosen else None
