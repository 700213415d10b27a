"""WKWebView (macOS). Written to the same interface; not run in this project's CI (no macOS here)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..backend import Shortcuts
from ..links import Decision

__all__ = ["create"]


class CocoaBackend:
    name = "cocoa"

    def prepare(self, *, debug: bool) -> None:
        pass

    def install_policy(self, decide: Callable[[str, bool], Decision], external: Callable[[str], None]) -> None:
        from webview.platforms import cocoa

        delegate = cocoa.BrowserView.BrowserDelegate
        original = delegate.webView_decidePolicyForNavigationAction_decisionHandler_

        def policy(self, webview, action, handler):  # noqa: ANN001 - WKNavigationDelegate
            url = str(action.request().URL().absoluteString())
            verdict = decide(url, bool(action.targetFrame() and action.targetFrame().isMainFrame()))
            if verdict is not Decision.ALLOW:
                if verdict is Decision.EXTERNAL:
                    external(url)
                handler(0)  # WKNavigationActionPolicyCancel
                return
            return original(self, webview, action, handler)

        delegate.webView_decidePolicyForNavigationAction_decisionHandler_ = policy

    def attach(self, window, shortcuts: Shortcuts, on_renderer_crash: Callable[[], None] | None) -> None:
        pass  # the pywebview menu carries the shortcuts on macOS

    def set_zoom(self, window, factor: float) -> None:
        window.evaluate_js(f"document.body.style.zoom = {factor!r}")

    def screenshot(self, window, path: Path) -> None:
        raise OSError("screenshots are implemented for the Qt backend only")


def create() -> CocoaBackend:
    return CocoaBackend()
