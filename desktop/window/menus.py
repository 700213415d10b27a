"""The app menu (File, View, Help) and the keyboard shortcuts, both over the app's window actions.

The menu acts on the active window; a shortcut on the window it was pressed in. Kiosk windows
(`locked`) get no shortcuts, and F12 / Developer tools exist only with debug.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol

from .model import AppWindow

__all__ = ["Actions", "app_menu", "off_gui_thread", "shortcuts"]


class Actions(Protocol):
    """What menus and shortcuts call (DesktopApp provides it)."""

    def reload(self, entry: AppWindow) -> None: ...
    def zoom(self, entry: AppWindow, direction: int) -> None: ...
    def toggle_fullscreen(self, entry: AppWindow) -> None: ...
    def choose_and_open(self, parent: AppWindow | None = None) -> str | None: ...
    def show_devtools(self, entry: AppWindow) -> None: ...
    def show_about(self, entry: AppWindow) -> None: ...


def shortcuts(actions: Actions, entry: AppWindow, *, debug: bool, locked: bool) -> dict[str, Callable[[], None]]:
    """Key sequence -> action for `entry`; each runs on a thread of its own, since shortcuts fire on the
    GUI thread, where pywebview's blocking calls would deadlock."""
    if locked:
        return {}
    keys: dict[str, Callable[[], object]] = {
        "Ctrl+O": lambda: actions.choose_and_open(entry),
        "Ctrl+R": lambda: actions.reload(entry),
        "F5": lambda: actions.reload(entry),
        "Ctrl+=": lambda: actions.zoom(entry, +1),
        "Ctrl++": lambda: actions.zoom(entry, +1),
        "Ctrl+-": lambda: actions.zoom(entry, -1),
        "Ctrl+0": lambda: actions.zoom(entry, 0),
        "F11": lambda: actions.toggle_fullscreen(entry),
    }
    if debug:
        keys["F12"] = lambda: actions.show_devtools(entry)
    return {sequence: off_gui_thread(action) for sequence, action in keys.items()}


def off_gui_thread(action: Callable[[], object]) -> Callable[[], None]:
    return lambda: threading.Thread(target=action, daemon=True, name="window-action").start()


def app_menu(actions: Actions, active: Callable[[], AppWindow | None], *, debug: bool, app_name: str) -> list:
    """pywebview menus; each item acts on `active()`, the window in front."""
    from webview.menu import Menu, MenuAction, MenuSeparator

    def on_active(action: Callable[[AppWindow], object]) -> Callable[[], None]:
        def run() -> None:
            entry = active()
            if entry is not None:
                action(entry)

        return run

    view: list[Menu | MenuAction | MenuSeparator] = [
        MenuAction("Reload\tCtrl+R", on_active(actions.reload)),
        MenuSeparator(),
        MenuAction("Zoom in\tCtrl++", on_active(lambda e: actions.zoom(e, +1))),
        MenuAction("Zoom out\tCtrl+-", on_active(lambda e: actions.zoom(e, -1))),
        MenuAction("Actual size\tCtrl+0", on_active(lambda e: actions.zoom(e, 0))),
        MenuSeparator(),
        MenuAction("Full screen\tF11", on_active(actions.toggle_fullscreen)),
    ]
    if debug:  # and pywebview adds "Inspect" to the page's context menu
        view += [MenuSeparator(), MenuAction("Developer tools\tF12", on_active(actions.show_devtools))]
    return [
        Menu("File", [MenuAction("Open…\tCtrl+O", on_active(actions.choose_and_open))]),
        Menu("View", view),
        Menu("Help", [MenuAction(f"About {app_name}", on_active(actions.show_about))]),
    ]
