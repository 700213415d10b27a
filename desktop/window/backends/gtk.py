"""WebKitGTK (chosen with PYSCRIPT_DESKTOP_GUI=gtk). Not run in this project's CI: see README."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from ..backend import Shortcuts
from ..links import Decision

__all__ = ["create"]


class GtkBackend:
    name = "gtk"

    def prepare(self, *, debug: bool) -> None:
        # WebKitGTK only exposes SharedArrayBuffer (needed by PyScript workers) when told to,
        # and it reads this before the first web view exists.
        os.environ["JSC_useSharedArrayBuffer"] = "1"

    def install_policy(self, decide: Callable[[str, bool], Decision], external: Callable[[str], None]) -> None:
        from webview.platforms import gtk

        original = gtk.BrowserView.on_navigation

        def on_navigation(view, webview, decision, decision_type):  # noqa: ANN001 - WebKit signal
            request = getattr(getattr(decision, "get_navigation_action", lambda: None)(), "get_request", lambda: None)()
            url = request.get_uri() if request else None
            if url:
                verdict = decide(url, True)
                if verdict is not Decision.ALLOW:
                    if verdict is Decision.EXTERNAL:
                        external(url)
                    decision.ignore()
                    return True
            return original(view, webview, decision, decision_type)

        gtk.BrowserView.on_navigation = on_navigation

    def attach(self, window, shortcuts: Shortcuts, on_renderer_crash: Callable[[], None] | None) -> None:
        native = window.native
        if on_renderer_crash is not None and hasattr(native, "webview"):
            native.webview.connect("web-process-terminated", lambda *args: on_renderer_crash())

    def set_zoom(self, window, factor: float) -> None:
        window.native.webview.set_zoom_level(factor)

    def screenshot(self, window, path: Path) -> None:
        raise OSError("screenshots are implemented for the Qt backend only")


def create() -> GtkBackend:
    return GtkBackend()
