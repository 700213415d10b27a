"""A bare Qt WebEngine view in a window, as the app's Qt backend makes it, whose page surface is then
shrunk to QWidget's default 100x30: the state Qt WebEngine now and then leaves a freshly swapped-in page
surface in. argv[1] is "fitted" (the backend's keep_page_fitted is on) or "bare" (the control).

Prints the widths the page reported, one per line, as `width=W` (before the shrink, then after it),
and quits once the page, having reported a smaller width, reports the window's again, or 10 s after the shrink.
"""

import sys
import tempfile
import time
from pathlib import Path

from desktop.window.backends.qt import QtBackend, keep_page_fitted

scratch = Path(tempfile.mkdtemp(prefix="fit-probe-"))
QtBackend().prepare(debug=False, storage=scratch / "storage", cache=scratch / "cache")

from qtpy.QtCore import QTimer, QUrl  # noqa: E402 - after the flags are set, as in the app
from qtpy.QtWebEngineWidgets import QWebEngineView  # noqa: E402
from qtpy.QtWidgets import QApplication, QMainWindow  # noqa: E402

app = QApplication(sys.argv)
window = QMainWindow()
view = QWebEngineView()
window.setCentralWidget(view)
window.resize(900, 600)
view.setHtml("<!doctype html><script>setInterval(() => document.title = `width=${innerWidth}`, 100)</script>",
             QUrl("about:blank"))
window.show()
if sys.argv[1] == "fitted":
    keep_page_fitted(view)
state: dict = {"shrunk": None, "small": False}


def watch() -> None:
    title = view.title()
    if not title.startswith("width="):
        return
    print(title, flush=True)
    full = title == f"width={view.width()}"
    if state["shrunk"] is None:
        if full:
            for child in view.children():
                if child.isWidgetType() and child.isVisible():
                    child.setGeometry(0, 0, 100, 30)
            state["shrunk"] = time.monotonic()
            print("shrunk", flush=True)
        return
    state["small"] = state["small"] or not full
    if (state["small"] and full) or time.monotonic() - state["shrunk"] > 10:
        app.quit()


timer = QTimer()
timer.timeout.connect(watch)
timer.start(200)
QTimer.singleShot(120_000, app.quit)
app.exec()
