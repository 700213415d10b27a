"""A backend with no toolkit behind it: windows are records, the GUI loop runs `after_start` and returns.

For testing the app's own logic (which server, which URL, which title, which shortcuts, which
navigation goes where, what the launcher records) without Xvfb; what the engine does with
it is tested with the real backend in the gui tests.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Self

from desktop.window.backends.base import BaseBackend

__all__ = ["FakeBackend", "FakeWindow"]


class FakeEvent:
    """pywebview's Event: handlers added with +=, all run by set()."""

    def __init__(self) -> None:
        self.handlers: list[Callable[[], None]] = []

    def __iadd__(self, handler: Callable[[], None]) -> Self:
        self.handlers.append(handler)
        return self

    def set(self) -> None:
        for handler in list(self.handlers):
            handler()


class FakeEvents:
    def __init__(self) -> None:
        self.shown, self.loaded, self.closing, self.closed = FakeEvent(), FakeEvent(), FakeEvent(), FakeEvent()


class FakeWindow:
    def __init__(self, title: str, url: str, **options: object) -> None:
        self.title, self.url, self.options = title, url, options
        self.width, self.height = options.get("width"), options.get("height")
        self.x, self.y = options.get("x") or 0, options.get("y") or 0
        self.events = FakeEvents()
        self.exposed: list[Callable] = []
        self.loaded_urls: list[str] = []
        self.scripts: list[str] = []
        self.destroyed = False

    def expose(self, *functions: Callable) -> None:
        self.exposed += functions

    def load_url(self, url: str) -> None:
        self.loaded_urls.append(url)

    def evaluate_js(self, script: str) -> None:
        self.scripts.append(script)

    def set_title(self, title: str) -> None:
        self.title = title

    def toggle_fullscreen(self) -> None:
        self.options["fullscreen"] = not self.options.get("fullscreen")

    def destroy(self) -> None:
        self.destroyed = True
        self.events.closing.set()
        self.events.closed.set()


class FakeBackend(BaseBackend):
    name = "fake"

    def __init__(self) -> None:
        self.windows: list[FakeWindow] = []
        self.attached: dict[int, dict] = {}  # id(window) -> shortcuts
        self.zooms: list[float] = []
        self.shots: list[Path] = []
        self.messages: list[tuple[str, str]] = []
        self.decide = None
        self.prepared = False

    def create_window(self, title: str, url: str, **options: object) -> FakeWindow:
        window = FakeWindow(title, url, **options)
        self.windows.append(window)
        return window

    def start(self, after_start, *, debug: bool, storage: Path) -> None:
        for window in list(self.windows):
            window.events.shown.set()
        if after_start is not None:
            after_start()

    def active_window(self) -> FakeWindow | None:
        return self.windows[-1] if self.windows else None

    def screens(self) -> list:
        return []

    def prepare(self, *, debug: bool, storage: Path, cache: Path) -> None:
        self.prepared = True

    def install_policy(self, decide, external) -> None:
        self.decide = decide

    def attach(self, window, shortcuts, on_renderer_crash) -> None:
        self.attached[id(window)] = shortcuts

    def set_zoom(self, window, factor: float) -> None:
        self.zooms.append(factor)

    def show_devtools(self, window) -> None:
        pass

    def screenshot(self, window, path: Path) -> None:
        self.shots.append(path)
