"""What page JavaScript may call in Python (`pywebview.api`): four launcher functions, nothing else.

pywebview resolves a called name attribute by attribute from the window's `js_api` object
(`getattr` per dotted part), so any object given as `js_api` leaks what its attributes
reach: with closures in a namespace, `recent.__globals__.get` returned the app module's
globals to page code. Here every window's `js_api` is `SealedApi`, on which every attribute
lookup fails, and the launcher's functions are registered by exact name (`window.expose`),
which pywebview looks up in a dict, never by attribute. `LauncherApi` is the allow-listed
facade: plain methods, its state in a private slot that no name can reach.
"""

from __future__ import annotations

from typing import Any, Callable, Protocol

__all__ = ["ALLOWED", "LauncherApi", "SealedApi"]

#: The names `pywebview.api` offers the launcher page.
ALLOWED = ("open_page", "open_path", "choose_file", "recent")


class _Launcher(Protocol):
    """What the facade needs of the launcher (window/launcher.Launcher provides it)."""

    def open_page_in_gallery(self, href: str) -> bool: ...
    def open_html_file(self, path: str) -> bool: ...
    def choose_and_open(self) -> Any: ...
    def recent_pages(self) -> list[str]: ...


class SealedApi:
    """A `js_api` with no attributes at all: dotted names sent by page code resolve to nothing."""

    __slots__ = ()

    def __getattribute__(self, name: str) -> Any:
        raise AttributeError(name)

    def __dir__(self) -> list[str]:
        return []


class LauncherApi:
    """The launcher's functions; `exposed()` gives them to `window.expose`, by exact name."""

    __slots__ = ("_app",)

    def __init__(self, app: _Launcher) -> None:
        self._app = app

    def open_page(self, href: str) -> bool:
        return bool(self._app.open_page_in_gallery(str(href)))

    def open_path(self, path: str) -> bool:
        return bool(self._app.open_html_file(str(path)))

    def choose_file(self) -> str | None:
        chosen = self._app.choose_and_open()
        return str(chosen) if chosen is not None else None

    def recent(self) -> list[str]:
        return [str(p) for p in self._app.recent_pages()]

    def exposed(self) -> list[Callable[..., Any]]:
        return [getattr(self, name) for name in ALLOWED]
