"""Qt WebEngine (the default on Linux): Chromium inside Qt, reached through pywebview's BrowserView."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from ... import console
from ...errors import DesktopError
from ..backend import Shortcuts
from .base import BaseBackend, toolkit_window
from ..links import Decision

if TYPE_CHECKING:
    from qtpy.QtCore import QCoreApplication
    from webview import Window

__all__ = ["create", "QtBackend", "keep_page_fitted", "WEBRTC_FLAGS", "GESTURE_SECONDS", "DEVTOOLS_PACK", "DEVTOOLS_MISSING"]


class QtBackend(BaseBackend):
    name = "qt"
    debug = False

    def prepare(self, *, debug: bool, storage: Path, cache: Path) -> None:
        self.debug = debug
        self.storage, self.cache = storage, cache
        flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "").split()
        if hasattr(os, "geteuid") and os.geteuid() == 0 and "--no-sandbox" not in flags:
            flags.append("--no-sandbox")  # Chromium refuses to sandbox as root
        if not debug:
            # The engine's own chatter (GPU probing, D-Bus, page console lines as "js: ...") is
            # noise on a person's terminal; page errors reach them through the app's overlay.
            flags += ["--disable-logging", "--log-level=3"]
            # (rules set by the person come last, so they still win)
            rules = [r for r in os.environ.get("QT_LOGGING_RULES", "").split(";") if r]
            os.environ["QT_LOGGING_RULES"] = ";".join(["*=false", *rules])
        flags += WEBRTC_FLAGS
        os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = " ".join(dict.fromkeys(flags))
        os.environ.setdefault("QT_QPA_PLATFORMTHEME", "")
        os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1" if "--no-sandbox" in flags else "0")

    def install_policy(self, decide: Callable[[str, bool], Decision], external: Callable[[str], None]) -> None:
        from webview.platforms.qt import BrowserView

        _share_persistent_profile(self.storage, self.cache)
        _own_developer_tools()
        _answer_scripts_of_ended_renderers()

        from qtpy.QtWebEngineCore import QWebEnginePage

        form = QWebEnginePage.NavigationType.NavigationTypeFormSubmitted

        def hand_over(url: str, window, asked: bool) -> None:  # noqa: ANN001 - the view's top-level widget
            if asked and _person_acted(window):
                external(url)
            else:
                console.warn(f"Not handed to the system browser (page code asked, not a click): {url[:200]}")

        def accept(page, url, kind, is_main_frame):  # noqa: ANN001 - Qt virtual
            decision = decide(url.toString(), bool(is_main_frame))
            if decision is Decision.EXTERNAL:
                hand_over(url.toString(), _window_of(page), bool(is_main_frame) and kind != form)
            return decision is Decision.ALLOW

        def new_window(page, kind):  # noqa: ANN001 - Qt virtual: target=_blank, window.open
            return page.nav_handler

        def handler_accept(handler, url, kind, is_main_frame):  # noqa: ANN001 - the would-be new window
            decision = decide(url.toString(), True)
            # (pywebview's handler keeps `page.parent`, the QObject method, not its window:
            # find the window whose page owns this handler)
            owners = [v for v in list(BrowserView.instances.values())
                      if getattr(v.webview.page(), "nav_handler", None) is handler]
            if decision is Decision.EXTERNAL:
                hand_over(url.toString(), owners[0] if owners else None, kind != form)
            elif decision is Decision.ALLOW:  # own pages open in the same window
                for view in owners:
                    view.load_url(url.toString())
            return False  # no second window, ever

        BrowserView.WebPage.acceptNavigationRequest = accept
        BrowserView.WebPage.createWindow = new_window
        BrowserView.NavigationHandler.acceptNavigationRequest = handler_accept

    def attach(self, window: Window, shortcuts: Shortcuts, on_renderer_crash: Callable[[], None] | None) -> None:
        def install() -> None:
            from qtpy.QtCore import Qt
            from qtpy.QtGui import QKeySequence, QShortcut

            native = toolkit_window(window)
            if getattr(native, "_desktop_shortcuts", None) is not None:
                return  # `shown` fires again (a fullscreen window shows twice): attach once
            _track_person()
            native._desktop_shortcuts = []
            for keys, action in shortcuts.items():
                shortcut = QShortcut(QKeySequence(keys), native)
                # Chromium's focus proxy child holds keyboard focus; the shortcut belongs to the whole window.
                shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
                shortcut.activated.connect(action)
                native._desktop_shortcuts.append(shortcut)
            native.activateWindow()
            keep_page_fitted(native.webview)
            if on_renderer_crash is not None:
                from qtpy.QtWebEngineCore import QWebEnginePage

                normal = QWebEnginePage.RenderProcessTerminationStatus.NormalTerminationStatus

                def terminated(status, exit_code) -> None:  # noqa: ANN001 - Qt signal
                    if status != normal:
                        on_renderer_crash()

                native.webview.page().renderProcessTerminated.connect(terminated)

        _on_gui_thread(install)

    def set_zoom(self, window: Window, factor: float) -> None:
        _on_gui_thread(lambda: toolkit_window(window).webview.setZoomFactor(factor))

    def show_devtools(self, window: Window) -> None:
        _on_gui_thread(lambda: toolkit_window(window).webview.show_inspector(True))

    def renderer_pid(self, window: Window) -> int | None:
        import threading

        found: list[int] = []
        done = threading.Event()

        def ask() -> None:
            try:
                found.append(int(toolkit_window(window).webview.page().renderProcessPid()))
            finally:
                done.set()

        _on_gui_thread(ask)
        return found[0] if done.wait(10) and found and found[0] > 0 else None

    def show_message(self, window: Window, title: str, text: str) -> None:
        from qtpy.QtCore import QSize, Qt
        from qtpy.QtWidgets import QMessageBox

        def show() -> None:
            # QMessageBox.about's box (the app's icon, one OK button), with its text selectable by mouse
            # and keyboard: versions can be copied into a bug report (a click in it, Ctrl+A, Ctrl+C).
            box = QMessageBox(QMessageBox.Icon.NoIcon, title, text, QMessageBox.StandardButton.Ok, toolkit_window(window))
            icon = box.windowIcon()
            box.setIconPixmap(icon.pixmap(icon.actualSize(QSize(64, 64))))
            box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                        | Qt.TextInteractionFlag.TextSelectableByKeyboard)
            box.exec()

        _on_gui_thread(show)

    def position(self, window: Window) -> tuple[int, int]:
        # pywebview's x/y is the client area on X11, while move() places the frame
        frame = toolkit_window(window).frameGeometry()
        return frame.x(), frame.y()

    def screenshot(self, window: Window, path: Path) -> None:
        import threading

        done = threading.Event()
        failure: list[str] = []

        def grab() -> None:
            try:
                if not toolkit_window(window).webview.grab().save(str(path), "PNG"):
                    failure.append("Qt could not write the PNG")
            finally:
                done.set()

        _on_gui_thread(grab)
        if not done.wait(20) or failure:
            raise OSError(failure[0] if failure else "the window did not answer the screenshot request")


#: How often a window checks that its page still fills it (see keep_page_fitted).
_FIT_CHECK_MS = 1000


def keep_page_fitted(view) -> None:  # noqa: ANN001 - a QWebEngineView
    """Keep the page's surface the size of its view.

    Qt WebEngine draws each page through a child widget it swaps in when a navigation
    changes renderer (the app's login redirect does, on every launch). Now and then the
    new child is never laid out and keeps QWidget's default 100x30, so the page lays
    itself out for 100x30 inside a full-size window and stays so (seen in 3 of about
    1,500 window launches here; qutebrowser#2495 is the same symptom). The check runs
    when a load starts or ends and once a second; a child of the wrong size gets the
    view's rectangle.
    """
    from qtpy.QtCore import QTimer

    def fit() -> None:
        rect = view.rect()
        for child in view.children():
            if child.isWidgetType() and child.isVisible() and child.geometry() != rect:
                child.setGeometry(rect)

    page = view.page()
    page.loadStarted.connect(fit)
    page.loadFinished.connect(lambda _ok: fit())
    timer = QTimer(view)
    timer.timeout.connect(fit)
    timer.start(_FIT_CHECK_MS)
    fit()


#: Chromium's switch for WebRTC's network use: no UDP except through a proxy, so a page's
#: STUN/TURN packets cannot carry data off the machine (the page policy cannot stop them).
#: `force-` is the older spelling (Qt WebEngine's Chromium); newer Chromium reads the other.
WEBRTC_FLAGS = ["--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
                "--webrtc-ip-handling-policy=disable_non_proxied_udp"]
#: How long after a click or key press in a window a web link it opens counts as the person's.
GESTURE_SECONDS = 1.0
_acted: dict[int, float] = {}  # id of a top-level window -> when the person last clicked or typed in it
_tracker = None


def _track_person() -> None:
    """Note real input (from the window system, never from page script) per top-level window."""
    global _tracker
    if _tracker is not None:
        return
    from qtpy.QtCore import QEvent, QObject

    kinds = {QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease, QEvent.Type.KeyPress,
             QEvent.Type.TouchBegin, QEvent.Type.TouchEnd}

    class Tracker(QObject):
        def eventFilter(self, obj, event) -> bool:  # noqa: ANN001, N802 - Qt virtual
            if event.type() in kinds and event.spontaneous() and obj.isWidgetType():
                _acted[id(obj.window())] = time.monotonic()
            return False

    _tracker = Tracker()
    _application().installEventFilter(_tracker)


def _window_of(page):  # noqa: ANN001 - a QWebEnginePage -> its view's top-level widget
    from qtpy.QtWebEngineWidgets import QWebEngineView

    view = QWebEngineView.forPage(page)
    return view.window() if view is not None else None


def _person_acted(window) -> bool:  # noqa: ANN001 - a top-level QWidget
    """Whether the person clicked or pressed a key in `window` within the last GESTURE_SECONDS."""
    if window is None:
        return False
    if hasattr(window, "window"):
        window = window.window()
    at = _acted.get(id(window))
    return at is not None and time.monotonic() - at <= GESTURE_SECONDS


def _own_developer_tools() -> None:
    """Developer tools attached to the page itself (QWebEnginePage.setDevToolsPage).

    pywebview's Qt inspector opens a remote-debugging server on a localhost port
    (any local process could drive the pages through it) and shows a list of
    pages in a window that must browse to it. Claiming its port slot first keeps
    that server off; every way in (auto-open with --debug, right-click >
    Inspect, View > Developer tools, F12) then gets a window on this page.
    """
    from qtpy.QtWebEngineWidgets import QWebEngineView
    from webview.platforms.qt import BrowserView

    # pywebview starts the debugging server only while this is empty (it declares the attribute None)
    BrowserView.inspector_port = "off"  # type: ignore[assignment]

    def show_inspector(view, *asked: object) -> None:  # noqa: ANN001 - replaces BrowserView.WebView.show_inspector
        # pywebview calls this with no argument after every load (--debug opens the tools once);
        # a menu or F12 passes one and brings them to the front.
        tools = getattr(view, "_desktop_devtools", None)
        if tools is not None and not asked:
            return
        if not _devtools_pack_present():
            _tell_devtools_missing(view, asked=bool(asked))
            return
        if tools is None:
            tools = QWebEngineView()
            tools.resize(1000, 650)
            view.page().setDevToolsPage(tools.page())
            view._desktop_devtools = tools
        tools.setWindowTitle(f"Developer tools — {view.window().windowTitle()}")
        tools.show()
        tools.raise_()
        tools.activateWindow()

    BrowserView.WebView.show_inspector = show_inspector


def _answer_scripts_of_ended_renderers() -> None:
    """Every `evaluate_js` returns, even when the page's renderer process ends.

    pywebview's Qt `evaluate_js` waits without a timeout for Qt to hand back the script's result,
    and Qt never does for a script its renderer was killed while running, nor for one sent to a page
    whose renderer has ended: the caller hung for good (`screenshot` polling a page whose renderer
    crashed, seen in CI). Such a script has no value: it returns None, as pywebview's own
    evaluate_js does for a script without a result. Replaces `BrowserView.on_evaluate_js`, which
    runs on the GUI thread, as everything here does.
    """
    from webview.platforms.qt import BrowserView

    def answer(view, key: str, result: object) -> None:  # noqa: ANN001 - a BrowserView
        asked = view._js_results[key]
        result = BrowserView._convert_string(result)
        if asked["parse_json"] and isinstance(result, str) and result:
            try:
                result = json.loads(result)
            except ValueError:
                pass  # (pywebview keeps the text, too)
        asked["result"] = result
        asked["semaphore"].release()

    def watch(view) -> set[str]:  # noqa: ANN001 - a BrowserView; its scripts still running
        pending = getattr(view, "_desktop_scripts", None)
        if pending is None:
            pending = view._desktop_scripts = set()
            view._desktop_renderer_ended = False
            page = view.webview.page()

            def ended(*_: object) -> None:
                view._desktop_renderer_ended = True
                for key in list(pending):
                    answer(view, key, None)
                pending.clear()

            def started() -> None:  # a load brings a new renderer
                view._desktop_renderer_ended = False

            page.renderProcessTerminated.connect(ended)
            page.loadStarted.connect(started)
        return pending

    def on_evaluate_js(view, script: str, uuid: str) -> None:  # noqa: ANN001 - a BrowserView
        key = BrowserView._convert_string(uuid)
        pending = watch(view)
        if view._desktop_renderer_ended:
            answer(view, key, None)
            return
        pending.add(key)

        def returned(result: object) -> None:
            if key in pending:  # (not answered when the renderer ended)
                pending.discard(key)
                answer(view, key, result)

        view.webview.page().runJavaScript(script, 0, returned)

    BrowserView.on_evaluate_js = on_evaluate_js


DEVTOOLS_PACK = "qtwebengine_devtools_resources.pak"
DEVTOOLS_MISSING = (
    "The developer tools were left out of this installed app to keep it small, so they would show "
    "an empty panel.\n\nTo debug a page, run it from a source checkout of PyScript Desktop:\n"
    "python main.py open PAGE.html --debug"
)


def _devtools_pack_present() -> bool:
    """Chromium's developer-tools front end ships as one resource pack; the installed app trims it."""
    from qtpy.QtCore import QLibraryInfo

    folder = os.environ.get("QTWEBENGINE_RESOURCES_PATH") or os.path.join(
        QLibraryInfo.path(QLibraryInfo.LibraryPath.DataPath), "resources")
    return os.path.isfile(os.path.join(folder, DEVTOOLS_PACK))


def _tell_devtools_missing(view, *, asked: bool) -> None:  # noqa: ANN001 - a pywebview WebView
    """Say why there are no developer tools: once per window when they open by themselves, at every ask."""
    from qtpy.QtWidgets import QMessageBox

    if getattr(view, "_desktop_devtools_told", None) is not None and not asked:
        return
    box = QMessageBox(QMessageBox.Icon.Information, "Developer tools not included", DEVTOOLS_MISSING,
                      QMessageBox.StandardButton.Ok, view.window())
    box.setModal(False)
    box.show()
    view._desktop_devtools_told = box  # kept alive while shown


def _share_persistent_profile(storage: Path, cache: Path) -> None:
    """Give every window the same persistent profile, stored in the app's own data folder.

    pywebview builds a new named QWebEngineProfile for each window; two live
    profiles on one storage folder leave the second window blank. One shared
    profile is also what makes all windows see the same localStorage. And
    pywebview reads its storage path when its Qt module is first imported, which
    is before webview.start(storage_path=...): left alone, every app's storage
    would land in ~/.pywebview.
    """
    import webview.platforms.qt as qt_platform

    qt_platform._profile_storage_path = str(storage)
    real = getattr(qt_platform, "_desktop_real_profile", qt_platform.QWebEngineProfile)
    shared: dict[str, object] = {}

    def profile(*args):  # noqa: ANN002 - stands in for the QWebEngineProfile constructor
        if args and isinstance(args[0], str):
            if args[0] not in shared:
                made = real(*args)
                made.setPersistentStoragePath(str(storage))
                made.setCachePath(str(cache))
                shared[args[0]] = made
            return shared[args[0]]
        return real(*args)

    qt_platform._desktop_real_profile = real  # type: ignore[attr-defined]  # our mark: installing again wraps the real one
    qt_platform.QWebEngineProfile = profile


def _on_gui_thread(function: Callable[[], None]) -> None:
    """Run `function` on Qt's GUI thread (pywebview calls us from its worker threads)."""
    from qtpy.QtCore import QObject, QThread, Signal

    app = _application()
    if QThread.currentThread() is app.thread():
        function()
        return

    global _invoker
    if _invoker is None:
        from qtpy.QtCore import Slot

        class Invoker(QObject):
            call = Signal(object)

            @Slot(object)
            def run(self, f) -> None:  # noqa: ANN001
                f()

        _invoker = Invoker()
        _invoker.moveToThread(app.thread())
        _invoker.call.connect(_invoker.run)  # queued: runs in the invoker's (GUI) thread
    _invoker.call.emit(function)


_invoker: Any = None  # the Invoker above, made on first use (a QObject moved to the GUI thread)


def _application() -> QCoreApplication:
    """Qt's application object, which pywebview makes before the first window: every caller here runs later."""
    from qtpy.QtCore import QCoreApplication

    app = QCoreApplication.instance()
    if app is None:
        raise DesktopError("Qt's application is not running yet: a window action came before the window loop started.",
                           "Report this with the output of --debug; it is a bug in the app, not in the page.")
    return app


def create() -> QtBackend:
    return QtBackend()
