"""WebView2 (Windows). Written to the same interface; not run in this project's CI (no Windows here)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..backend import Shortcuts
from ..links import Decision

__all__ = ["create"]


class EdgeChromiumBackend:
    name = "edgechromium"

    def prepare(self, *, debug: bool) -> None:
        pass  # WebView2 honours COOP/COEP itself, so crossOriginIsolated needs nothing extra

    def install_policy(self, decide: Callable[[str, bool], Decision], external: Callable[[str], None]) -> None:
        from webview.platforms import edgechromium

        original = edgechromium.EdgeChrome.on_navigation_start

        def on_navigation_start(self, sender, args):  # noqa: ANN001 - WebView2 event
            verdict = decide(str(args.Uri), True)
            if verdict is not Decision.ALLOW:
                if verdict is Decision.EXTERNAL:
                    external(str(args.Uri))
                args.Cancel = True
                return
            return original(self, sender, args)

        edgechromium.EdgeChrome.on_navigation_start = on_navigation_start

    def attach(self, window, shortcuts: Shortcuts, on_renderer_crash: Callable[[], None] | None) -> None:
        pass  # the pywebview menu carries the shortcuts on Windows

    def set_zoom(self, window, factor: float) -> None:
        window.evaluate_js(f"document.body.style.zoom = {factor!r}")

    def screenshot(self, window, path: Path) -> None:
        raise OSError("screenshots are implemented for the Qt backend only")


def create() -> EdgeChromiumBackend:
    return EdgeChromiumBackend()
