"""WKWebView (macOS), reached through pywebview's Cocoa BrowserView. Written to the same
interface; not run in this project's tests (there is no Mac here): see the README.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ... import console
from ..backend import Shortcuts
from .base import BaseBackend, toolkit_window
from ..links import Decision

if TYPE_CHECKING:
    from webview import Window

__all__ = ["create", "CocoaBackend"]


class CocoaBackend(BaseBackend):
    name = "cocoa"
    debug = False

    def __init__(self) -> None:
        self._crash_hooks: dict[int, Callable[[], None]] = {}  # id(WKWebView) -> hook

    def prepare(self, *, debug: bool, storage: Path, cache: Path) -> None:
        self.debug = debug  # WKWebView gives crossOriginIsolated with COOP/COEP (macOS 12.3+)

    def install_policy(self, decide: Callable[[str, bool], Decision], external: Callable[[str], None]) -> None:
        import objc
        from webview.platforms import cocoa

        delegate = cocoa.BrowserView.BrowserDelegate
        original = delegate.webView_decidePolicyForNavigationAction_decisionHandler_
        hooks = self._crash_hooks

        def hand_over(url: str, action) -> None:  # noqa: ANN001 - a WKNavigationAction
            # Only a link the person activated (WKNavigationTypeLinkActivated, and WebKit's own
            # user-initiated flag where it answers): page script and forms could carry page data.
            asked = action.navigationType() == 0
            flag = getattr(action, "_isUserInitiated", None)
            if asked and callable(flag):
                asked = bool(flag())
            if asked:
                external(url)
            else:
                console.warn(f"Not handed to the system browser (page code asked, not a click): {url[:200]}")

        def policy(self, webview, action, handler):  # noqa: ANN001 - WKNavigationDelegate
            url = str(action.request().URL().absoluteString())
            frame = action.targetFrame()
            verdict = decide(url, frame is None or bool(frame.isMainFrame()))
            if verdict is not Decision.ALLOW:
                if verdict is Decision.EXTERNAL:
                    hand_over(url, action)
                handler(0)  # WKNavigationActionPolicyCancel
                return
            return original(self, webview, action, handler)

        def new_window(self, webview, config, action, features):  # noqa: ANN001 - WKUIDelegate
            url = str(action.request().URL().absoluteString())
            verdict = decide(url, True)
            if verdict is Decision.EXTERNAL:
                hand_over(url, action)
            elif verdict is Decision.ALLOW:
                webview.loadRequest_(action.request())
            return None  # never a second, unmanaged window

        def terminated(self, webview):  # noqa: ANN001 - WKNavigationDelegate
            hook = hooks.get(id(webview))
            if hook is not None:
                hook()

        delegate.webView_decidePolicyForNavigationAction_decisionHandler_ = policy
        delegate.webView_createWebViewWithConfiguration_forNavigationAction_windowFeatures_ = new_window
        objc.classAddMethods(
            delegate,
            [objc.selector(terminated, selector=b"webViewWebContentProcessDidTerminate:", signature=b"v@:@")],
        )

    def attach(self, window: Window, shortcuts: Shortcuts, on_renderer_crash: Callable[[], None] | None) -> None:
        """Shortcuts become key equivalents of the app menu's items (Ctrl is Command on a Mac)."""
        import AppKit
        from PyObjCTools import AppHelper

        if on_renderer_crash is not None:
            self._crash_hooks[id(toolkit_window(window).webview)] = on_renderer_crash

        def install() -> None:
            for top in AppKit.NSApp.mainMenu().itemArray():
                submenu = top.submenu()
                for item in submenu.itemArray() if submenu is not None else ():
                    label, _, keys = str(item.title()).partition("\t")
                    if not keys:
                        continue
                    *mods, key = keys.split("+") if keys != "Ctrl++" else ("Ctrl", "+")
                    item.setTitle_(label)
                    item.setKeyEquivalent_(key.lower() if len(key) == 1 else "")
                    if "Ctrl" in mods:
                        item.setKeyEquivalentModifierMask_(AppKit.NSEventModifierFlagCommand)

        AppHelper.callAfter(install)

    def set_zoom(self, window: Window, factor: float) -> None:
        from PyObjCTools import AppHelper

        AppHelper.callAfter(lambda: toolkit_window(window).webview.setPageZoom_(factor))  # macOS 11+

    def show_devtools(self, window: Window) -> None:
        pass  # with --debug pywebview enables WebKit's inspector: right-click > Inspect Element

    def screenshot(self, window: Window, path: Path) -> None:
        import threading

        import AppKit
        from PyObjCTools import AppHelper

        done = threading.Event()
        failure: list[str] = []

        def finished(image, error) -> None:  # noqa: ANN001
            try:
                if image is None:
                    failure.append(str(error))
                    return
                rep = AppKit.NSBitmapImageRep.imageRepWithData_(image.TIFFRepresentation())
                data = rep.representationUsingType_properties_(AppKit.NSBitmapImageFileTypePNG, {})
                if not data.writeToFile_atomically_(str(path), True):
                    failure.append("could not write the PNG")
            finally:
                done.set()

        AppHelper.callAfter(lambda: toolkit_window(window).webview.takeSnapshotWithConfiguration_completionHandler_(None, finished))
        if not done.wait(20) or failure:
            raise OSError(failure[0] if failure else "WKWebView did not answer the screenshot request")


def create() -> CocoaBackend:
    return CocoaBackend()
