"""WebView2 (Windows), reached through pywebview's EdgeChrome. Written to the same interface;
not run in this project's tests (there is no Windows machine here): see the README.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ... import console
from ..backend import Shortcuts
from .base import BaseBackend, toolkit_window
from ..links import Decision

if TYPE_CHECKING:
    from webview import Window

__all__ = ["create", "EdgeChromiumBackend"]

#: Our key names -> System.Windows.Forms.Keys member names.
_KEYS = {"=": "Oemplus", "+": "Oemplus", "-": "OemMinus", "0": "D0"}


class EdgeChromiumBackend(BaseBackend):
    name = "edgechromium"
    debug = False

    def prepare(self, *, debug: bool, storage: Path, cache: Path) -> None:
        self.debug = debug  # WebView2 honours COOP/COEP itself: crossOriginIsolated needs no flag
        # WebRTC without non-proxied UDP, as in the Qt window (WebView2 reads Chromium flags from here)
        flags = os.environ.get("WEBVIEW2_ADDITIONAL_BROWSER_ARGUMENTS", "").split()
        flags += ["--webrtc-ip-handling-policy=disable_non_proxied_udp", "--force-webrtc-ip-handling-policy=disable_non_proxied_udp"]
        os.environ["WEBVIEW2_ADDITIONAL_BROWSER_ARGUMENTS"] = " ".join(dict.fromkeys(flags))

    def install_policy(self, decide: Callable[[str, bool], Decision], external: Callable[[str], None]) -> None:
        from webview.platforms import edgechromium

        original = edgechromium.EdgeChrome.on_navigation_start

        def hand_over(url: str, asked: bool) -> None:
            if asked:
                external(url)
            else:
                console.warn(f"Not handed to the system browser (page code asked, not a click): {url[:200]}")

        def on_navigation_start(self, sender, args):  # noqa: ANN001 - WebView2 event (top-level only)
            verdict = decide(str(args.Uri), True)
            if verdict is not Decision.ALLOW:
                if verdict is Decision.EXTERNAL:
                    hand_over(str(args.Uri), bool(args.IsUserInitiated))  # (a form or page script: not the person)
                args.Cancel = True
                return
            return original(self, sender, args)

        def on_new_window_request(self, sender, args):  # noqa: ANN001 - target=_blank, window.open
            args.set_Handled(True)  # never a second, unmanaged window
            url = str(args.get_Uri())
            verdict = decide(url, True)
            if verdict is Decision.EXTERNAL:
                hand_over(url, bool(args.IsUserInitiated))
            elif verdict is Decision.ALLOW:
                self.load_url(url)

        edgechromium.EdgeChrome.on_navigation_start = on_navigation_start
        edgechromium.EdgeChrome.on_new_window_request = on_new_window_request

    def attach(self, window: Window, shortcuts: Shortcuts, on_renderer_crash: Callable[[], None] | None) -> None:
        import System
        from System.Windows.Forms import Keys

        native = toolkit_window(window)  # pywebview's WinForms BrowserView
        table = {}
        for keys, action in shortcuts.items():
            *mods, key = keys.split("+") if keys != "Ctrl++" else ("Ctrl", "+")
            table[(getattr(Keys, _KEYS.get(key, key)), "Ctrl" in mods)] = action

        def on_key(sender, args) -> None:  # noqa: ANN001 - WebView2 raises KeyDown for accelerator keys
            action = table.get((args.KeyCode, bool(args.Control)))
            if action is not None:
                args.Handled = True
                action()

        def on_process_failed(sender, args) -> None:  # noqa: ANN001
            if on_renderer_crash is not None and "Render" in str(args.ProcessFailedKind):
                on_renderer_crash()

        def install() -> None:
            webview = native.webview
            webview.KeyDown += on_key
            core = webview.CoreWebView2
            if core is not None:
                core.ProcessFailed += on_process_failed
            else:
                webview.CoreWebView2InitializationCompleted += (
                    lambda s, a: webview.CoreWebView2.ProcessFailed.__iadd__(on_process_failed)
                )

        native.Invoke(System.Action(install))

    def set_zoom(self, window: Window, factor: float) -> None:
        import System

        native = toolkit_window(window)
        native.Invoke(System.Action(lambda: setattr(native.webview, "ZoomFactor", factor)))

    def show_devtools(self, window: Window) -> None:
        import System

        native = toolkit_window(window)
        native.Invoke(System.Action(lambda: native.webview.CoreWebView2.OpenDevToolsWindow()))

    def screenshot(self, window: Window, path: Path) -> None:
        import threading

        import System
        from System.IO import FileMode, FileStream
        from Microsoft.Web.WebView2.Core import CoreWebView2CapturePreviewImageFormat

        native = toolkit_window(window)
        done = threading.Event()
        failure: list[str] = []

        def capture() -> None:
            stream = FileStream(str(path), FileMode.Create)
            task = native.webview.CoreWebView2.CapturePreviewAsync(CoreWebView2CapturePreviewImageFormat.Png, stream)

            def finished(t) -> None:  # noqa: ANN001
                stream.Close()
                if t.IsFaulted:
                    failure.append(str(t.Exception))
                done.set()

            task.ContinueWith(System.Action[System.Threading.Tasks.Task](finished))

        native.Invoke(System.Action(capture))
        if not done.wait(20) or failure:
            raise OSError(failure[0] if failure else "WebView2 did not answer the screenshot request")


def create() -> EdgeChromiumBackend:
    return EdgeChromiumBackend()
