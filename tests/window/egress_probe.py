"""A bare Qt WebEngine view, started with the Chromium flags the app's Qt backend sets, asks for one image
off the machine (argv[1]): the positive control for the egress recorder every app window's traffic goes to.

The app's pages cannot make such a request (its Content-Security-Policy allows only its own origin, its
link policy keeps navigation in), so this page is set here, with no policy, in the same engine.
"""

import sys
import tempfile
from pathlib import Path

from desktop.window.backends.qt import QtBackend

scratch = Path(tempfile.mkdtemp(prefix="egress-probe-"))
QtBackend().prepare(debug=False, storage=scratch / "storage", cache=scratch / "cache")  # the app's flags, plus the proxy

from qtpy.QtCore import QUrl  # noqa: E402 - after the flags are set, as in the app
from qtpy.QtWebEngineWidgets import QWebEngineView  # noqa: E402
from qtpy.QtWidgets import QApplication  # noqa: E402

app = QApplication(sys.argv)
view = QWebEngineView()
view.setHtml(f'<!doctype html><title>egress probe</title><img src="{sys.argv[1]}">', QUrl("about:blank"))
view.show()
app.exec()  # until the test has seen the request and ends this process
