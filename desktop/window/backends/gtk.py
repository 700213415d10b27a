"""WebKitGTK (PYSCRIPT_DESKTOP_GUI=gtk, and the `build --engine system` .deb): the system's web engine
through PyGObject, reached through pywebview's BrowserView. Run by the window and kiosk tests under Xvfb.

WebKitGTK runs PyScript pages only with two things set: JavaScriptCore's SharedArrayBuffer
(PyScript's workers need it with crossOriginIsolated) and a persistent web context (PyScript's
IndexedDB fails in an ephemeral one). One persistent context is shared by every window, as the
Qt backend shares one profile: two contexts on one storage folder would each start their own
network process on the same databases.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ... import console
from ..backend import Shortcuts
from .base import BaseBackend
from ..links import Decision

if TYPE_CHECKING:
    from webview import Window

__all__ = ["WEB_PROCESS", "create", "GtkBackend", "accelerator"]

#: The web process's executable name (WebKitGTK 4.1 starts one per page, as the UI process's children).
WEB_PROCESS = "WebKitWebProcess"


class GtkBackend(BaseBackend):
    name = "gtk"
    debug = False

    def prepare(self, *, debug: bool, storage: Path, cache: Path) -> None:
        self.debug = debug
        self.storage, self.cache = storage, cache
        # JavaScriptCore reads this before the first web view exists.
        os.environ["JSC_useSharedArrayBuffer"] = "1"
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            # bubblewrap cannot make its namespaces as root in a container; WebKit then refuses to start
            os.environ.setdefault("WEBKIT_DISABLE_SANDBOX_THIS_IS_DANGEROUS", "1")

    def install_policy(self, decide: Callable[[str, bool], Decision], external: Callable[[str], None]) -> None:
        from webview.platforms import gtk

        _share_web_context(gtk, self.storage, self.cache)
        original = getattr(gtk.BrowserView, "_desktop_on_navigation", gtk.BrowserView.on_navigation)
        gtk.BrowserView._desktop_on_navigation = original  # type: ignore[attr-defined]  # our mark: installing again wraps the original once

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
                if _new_window(decision_type):  # own pages open in the same window, never a second one
                    decision.ignore()
                    view.webview.load_uri(url)
                    return True
            return original(view, webview, decision, decision_type)

        gtk.BrowserView.on_navigation = on_navigation

    def attach(self, window: Window, shortcuts: Shortcuts, on_renderer_crash: Callable[[], None] | None) -> None:
        from gi.repository import GLib, Gtk

        def install() -> bool:
            view = _view(window)
            if view is None or getattr(view, "_desktop_attached", False):
                return False  # closed already, or attached once (a fullscreen window shows twice)
            view._desktop_attached = True
            # No WebRTC: its packets could carry page data off the machine, and WebKitGTK has no
            # proxied-only mode (the setting exists from WebKitGTK 2.38; off is its default there).
            settings = view.webview.get_settings()
            if settings.find_property("enable-webrtc") is not None:
                settings.set_property("enable-webrtc", False)
            group = Gtk.AccelGroup()
            for keys, action in shortcuts.items():
                key, mods = Gtk.accelerator_parse(accelerator(keys))
                if key:
                    group.connect(key, mods, 0, lambda *args, run=action: (run(), True)[1])
            view.window.add_accel_group(group)
            view._desktop_accels = group
            if on_renderer_crash is not None:
                def terminated(webview, reason) -> None:  # noqa: ANN001 - 'web-process-terminated'
                    if reason.value_nick != "terminated-by-api":
                        on_renderer_crash()

                view.webview.connect("web-process-terminated", terminated)
            return False

        GLib.idle_add(install)

    def set_zoom(self, window: Window, factor: float) -> None:
        from gi.repository import GLib

        GLib.idle_add(lambda: _view(window).webview.set_zoom_level(factor) or False)

    def show_devtools(self, window: Window) -> None:
        from gi.repository import GLib

        GLib.idle_add(lambda: _view(window).webview.get_inspector().show() or False)

    def renderer_pid(self, window: Window) -> int | None:
        """The newest web process below this one: WebKitGTK names no process per view, and the app's
        one window (the kiosk's) has one live page process."""
        found = [(start, pid) for pid, start in _children_named(os.getpid(), WEB_PROCESS)]
        return max(found)[1] if found else None

    def show_message(self, window: Window, title: str, text: str) -> None:
        from gi.repository import GLib, Gtk

        def show() -> bool:
            view = _view(window)
            dialog = Gtk.MessageDialog(transient_for=view.window if view else None, modal=False,
                                       message_type=Gtk.MessageType.INFO, buttons=Gtk.ButtonsType.OK, text=title)
            dialog.set_title(title)
            dialog.format_secondary_text(text)
            dialog.connect("response", lambda d, *_: d.destroy())
            dialog.show_all()
            return False

        GLib.idle_add(show)

    def screenshot(self, window: Window, path: Path) -> None:
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
            view = _view(window)
            if view is None:
                failure.append("the window is closed")
                done.set()
            else:
                view.webview.get_snapshot(WebKit2.SnapshotRegion.VISIBLE, WebKit2.SnapshotOptions.NONE, None, finished)
            return False

        GLib.idle_add(start)
        if not done.wait(20) or failure:
            raise OSError(failure[0] if failure else "WebKitGTK did not answer the screenshot request")


def accelerator(keys: str) -> str:
    """A shortcut as the app names it ("Ctrl+R", "Ctrl++", "F11") in GTK's accelerator syntax."""
    *mods, key = keys.split("+") if keys != "Ctrl++" else ["Ctrl", "plus"]
    key = {"=": "equal", "-": "minus", "+": "plus"}.get(key, key)
    key = key.lower() if len(key) == 1 else key
    return "".join({"Ctrl": "<Control>", "Shift": "<Shift>", "Alt": "<Alt>"}[m] for m in mods) + key


def _view(window: Window):  # a pywebview Window -> its gtk BrowserView (None once closed)
    from webview.platforms.gtk import BrowserView

    return BrowserView.instances.get(window.uid)


def _new_window(decision_type) -> bool:  # noqa: ANN001 - a WebKit2.PolicyDecisionType
    from gi.repository import WebKit2

    return decision_type == WebKit2.PolicyDecisionType.NEW_WINDOW_ACTION


def _person_asked(navigation) -> bool:  # noqa: ANN001 - a WebKit2.NavigationAction
    from gi.repository import WebKit2

    form = getattr(WebKit2.NavigationType, "FORM_SUBMITTED", None)
    return bool(navigation.is_user_gesture()) and navigation.get_navigation_type() != form


def _children_named(parent: int, name: str) -> list[tuple[int, int]]:
    """(pid, start time in clock ticks) of the live direct children of `parent` whose command is `name`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        command = stat[stat.find("(") + 1:stat.rfind(")")]
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == parent and name.startswith(command) and fields[0] != "Z":
            found.append((int(entry.name), int(fields[19])))
    return found


def _share_web_context(gtk, storage: Path, cache: Path) -> None:  # noqa: ANN001 - webview.platforms.gtk
    """Every window on one persistent WebContext whose data lives in the app's own folders.

    pywebview makes a WebsiteDataManager and a WebContext for each window; its module reaches
    WebKit through its global `webkit`, which is wrapped here so that the one call making a
    context returns the shared one.
    """
    real = getattr(gtk, "_desktop_real_webkit", gtk.webkit)
    shared: list = []

    class Contexts:
        def __getattr__(self, name: str):  # noqa: ANN204
            return getattr(real.WebContext, name)

        def new_with_website_data_manager(self, _manager):  # pywebview's own manager is unused
            if not shared:
                manager = real.WebsiteDataManager(base_data_directory=str(storage), base_cache_directory=str(cache))
                shared.append(real.WebContext.new_with_website_data_manager(manager))
            return shared[0]

    class WebKit:
        WebContext = Contexts()

        def __getattr__(self, name: str):  # noqa: ANN204
            return getattr(real, name)

    gtk._desktop_real_webkit = real
    gtk.webkit = WebKit()


def create() -> GtkBackend:
    return GtkBackend()
