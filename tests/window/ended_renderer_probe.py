"""A pywebview Qt window whose renderer process is killed while `evaluate_js` runs a script in it.

argv[1] is "app" (the Qt backend set up as the app sets it up, `install_policy`) or "bare" (plain
pywebview: the control). Prints one line per step, then exits:
  in-flight=R   what the evaluate_js running when the renderer was killed returned, or `blocked`
  after-end=R   what an evaluate_js sent after the renderer ended returned, or `blocked`
  new-load=R    what an evaluate_js returned once a new page had loaded
"""

import os
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

from desktop.window.links import Decision
from desktop.window.backends.qt import QtBackend

scratch = Path(tempfile.mkdtemp(prefix="ended-renderer-probe-"))
backend = QtBackend()
backend.prepare(debug=False, storage=scratch / "storage", cache=scratch / "cache")

import webview  # noqa: E402 - after the flags are set, as in the app

BUSY = "(() => { const end = Date.now() + 6000; while (Date.now() < end) {} return 'finished'; })()"


def evaluate(window: webview.Window, script: str, wait: float) -> str:
    """`window.evaluate_js(script)` on a thread of its own; `blocked` if it has not returned within `wait` s."""
    result: list[object] = []
    thread = threading.Thread(target=lambda: result.append(window.evaluate_js(script)), daemon=True)
    thread.start()
    thread.join(wait)
    return repr(result[0]) if result else "blocked"


def drive(window: webview.Window) -> None:
    window.events.loaded.wait()
    pid = backend.renderer_pid(window)
    running: list[str] = []
    thread = threading.Thread(target=lambda: running.append(evaluate(window, BUSY, 8)), daemon=True)
    thread.start()
    time.sleep(1)  # the script is running in the renderer now
    os.kill(pid, signal.SIGKILL)
    thread.join()
    print(f"in-flight={running[0]}", flush=True)
    time.sleep(1)
    print(f"after-end={evaluate(window, 'document.title', 5)}", flush=True)
    window.load_html("<title>again</title>")
    deadline = time.monotonic() + 30
    while (title := evaluate(window, "document.title", 5)) != "'again'" and time.monotonic() < deadline:
        time.sleep(0.2)
    print(f"new-load={title}", flush=True)
    os._exit(0)


if sys.argv[1] == "app":
    backend.install_policy(lambda url, top: Decision.ALLOW, lambda url: None)
window = webview.create_window("ended renderer probe", html="<title>first</title>")
webview.start(drive, window, gui="qt")
