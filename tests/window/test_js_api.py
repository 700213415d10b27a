"""Page JavaScript in a real launcher window reaches only the four launcher functions.

pywebview resolves a called name attribute by attribute from the window's js_api, so page
code could call `recent.__globals__.get` and read the app module's globals. The probe page
below is opened as the gallery (the one window with functions); it lists `pywebview.api` and
sends pywebview's own bridge the names an attacker would, with a result callback registered
for each: a callback that fires means Python resolved and ran the name. It writes what it
found into its title, read from the real window with xdotool.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from window.harness import app_env, find_window, stop_app  # noqa: F401

from conftest import ROOT
from desktop.window.launcher_api import ALLOWED

pytestmark = pytest.mark.gui

PROBES = [
    "recent.__globals__.get", "open_page.__globals__.get", "open_page.__func__.__globals__.get",
    "recent.__self__._app.settings", "__class__", "__class__.__name__", "__init__", "__dict__", "__getattribute__",
    "_app", "_app.open", "_recent", "open", "settings", "exposed", "recent.__call__", "__dir__",
]

PROBE_PAGE = """<!doctype html><html><head><title>probe waiting</title></head><body>probe
<script>
window.addEventListener("pywebviewready", async () => {
  const names = Object.keys(window.pywebview.api).sort().join(",");
  const reached = [];
  for (const name of PROBES) {
    const id = "probe" + Math.random().toString().slice(2);
    const callbacks = window.pywebview._returnValuesCallbacks;
    callbacks[name] = callbacks[name] || {};
    callbacks[name][id] = () => reached.push(name);
    window.pywebview._jsApiCallback(name, ["__name__"], id);
  }
  const recent = await window.pywebview.api.recent();
  await new Promise((resolve) => setTimeout(resolve, 3000));
  document.title = `RESULT: names=${names} recent=${Array.isArray(recent)} reached=${reached.join("+") || "none"}`;
});
</script></body></html>
""".replace("PROBES", repr(PROBES))

DRIVER = """
import dataclasses, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from desktop.settings import Settings
from desktop.window import DesktopApp, Launcher, WindowOptions
settings = dataclasses.replace(Settings.from_env(), pages_dir=Path(sys.argv[2]))
app = DesktopApp(settings, WindowOptions())
Launcher(app).open_gallery()
app.run()
"""


def test_page_code_reaches_only_the_allowed_functions(app_env, tmp_path):
    pages = tmp_path / "gallery"
    pages.mkdir()
    (pages / "index.html").write_text(PROBE_PAGE)
    proc = subprocess.Popen([sys.executable, "-c", DRIVER, str(ROOT), str(pages)], env=app_env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        window = find_window(app_env, "^RESULT: ", pid=proc.pid, timeout=120)  # (xdotool matches ignoring case)
        title = subprocess.run(["xdotool", "getwindowname", window], env=app_env, capture_output=True, text=True,
                               timeout=30).stdout.strip()
    finally:
        stop_app(proc)
    fields = dict(part.split("=", 1) for part in title.split() if "=" in part)
    assert fields["names"] == ",".join(sorted(ALLOWED)), title
    assert fields["recent"] == "true", title  # an allowed function still works
    assert fields["reached"] == "none", f"page code reached Python through: {fields['reached']}"
