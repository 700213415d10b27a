"""WebKitGTK (chosen with PYSCRIPT_DESKTOP_GUI=gtk when PyGObject and WebKit2GTK are installed).
Written to the same interface; not run in this project's tests (the Qt backend is): see the README.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from ... import console
from ..backend import Shortcuts
from ..links import Decision

__all__ = ["create", "GtkBackend"]


class GtkBackend:
    name = "gtk"
    debug = False

    def prepare(self, *, debug: bool, storage: Path, cache: Path) -> None:
        self.debug = debug
        # WebKitGTK only exposes SharedArrayBuffer (needed by PyScript workers, with crossOriginIsolated)
        # when told to, and JavaScriptCore reads this before the first web view exists.
        os.environ["JSC_useSharedArrayBuffer"] = "1"

    def install_policy(self, decide: Callable[[str, bool], Decision], external: Callable[[str], None]) -> None:
        from webview.platforms import gtk

        original = gtk.BrowserView.on_navigation

        def on_navigation(view, webview, decision, decision_type):  # noqa: ANN001 - WebKit 'decide-policy'
            action = getattr(decision, "get_navigation_action", None)
            navigation = action() if action else None
            url = navigation.get_request().get_uri() if navigation else None
            if url:
                # WebKitGTK does not say whether a navigation is the main frame's, so every one is
                # judged as if it were: subframes get the stricter rule, never a looser one.
                verdict = decide(url, True)
                if verdict is not Decision.ALLOW:
                    if verdict is Decision.EXTERNAL:
                        # only what the person clicked: page code's own navigations, popups and
                        # forms could carry its data in the URL
                        if _person_asked(navigation):
                            external(url)
                        else:
                            console.warn(f"Not handed to the system browser (page code asked, not a click): {url[:200]}")
                    decision.ignore()
                    return True
            return original(view, webview, decision, decision_type)

        gtk.BrowserView.on_navigation = on_navigation

    def attach(self, window, shortcuts: Shortcuts, on_renderer_crash: Callable[[], None] | None) -> None:
        from gi.repository import GLib, Gtk

        native = window.native

        def install() -> bool:
            # No WebRTC: its packets could carry page data off the machine, and WebKitGTK has no
            # proxied-only mode (the setting exists from WebKitGTK 2.38; off is its default there).
            settings = native.webview.get_settings()
            if settings.find_property("enable-webrtc") is not None:
                settings.set_property("enable-webrtc", False)
            group = Gtk.AccelGroup()
            for keys, action in shortcuts.items():
                accel = "<Control>plus" if keys == "Ctrl++" else keys.replace("Ctrl+", "<Control>").replace("=", "equal").replace("-", "minus")
                key, mods = Gtk.accelerator_parse(accel)
                if key:
                    group.connect(key, mods, 0, lambda *args, run=action: (run(), True)[1])
            native.window.add_accel_group(group)
            if on_renderer_crash is not None:
                def terminated(webview, reason) -> None:  # noqa: ANN001 - 'web-process-terminated'
                    if reason.value_nick != "terminated-by-api":
                        on_renderer_crash()

                native.webview.connect("web-process-terminated", terminated)
            return False

        GLib.idle_add(install)

    def set_zoom(self, window, factor: float) -> None:
        from gi.repository import GLib

        GLib.idle_add(lambda: window.native.webview.set_zoom_level(factor) or False)

    def show_devtools(self, window) -> None:
        from gi.repository import GLib

        GLib.idle_add(lambda: window.native.webview.get_inspector().show() or False)

    def renderer_pid(self, window) -> int | None:
        return None  # the engine does not name its renderer process here

    def show_message(self, window, title: str, text: str) -> None:
        window.create_confirmation_dialog(title, text)  # pywebview's only message box (OK/Cancel)

    def position(self, window) -> tuple[int, int]:
        return int(window.x), int(window.y)  # pywebview reports the outer frame here

    def screenshot(self, window, path: Path) -> None:
        import threading

        from gi.repository import GLib, WebKit2

        done = threading.Event()
        failure: list[str] = []

        def finished(webview, result) -> None:  # noqa: ANN001
            try:
                surface = webview.get_snapshot_finish(result)
                surface.write_to_png(str(path))
            except Exception as exc:  # noqa: BLE001 - reported below
                failure.append(str(exc))
            finally:
                done.set()

        def start() -> bool:
            window.native.webview.get_snapshot(
                WebKit2.SnapshotRegion.VISIBLE, WebKit2.SnapshotOptions.NONE, None, finished
            )
            return False

        GLib.idle_add(start)
        if not done.wait(20) or failure:
            raise OSError(failure[0] if failure else "WebKitGTK did not answer the screenshot request")


def _person_asked(navigation) -> bool:  # noqa: ANN001 - a WebKit2.NavigationAction
    from gi.repository import WebKit2

    form = getattr(WebKit2.NavigationType, "FORM_SUBMITTED", None)
    return bool(navigation.is_user_gesture()) and navigation.get_navigation_type() != form


def create() -> GtkBackend:
    return GtkBackend()
