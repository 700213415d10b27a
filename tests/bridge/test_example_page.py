"""pages/files.html, the bridge's example, in the window (its run in Chromium, through `serve`, is in
tests/commands/test_serve.py: sample data, no dialogs in a browser)."""

from __future__ import annotations

import subprocess
import time

import pytest
from conftest import PAGES
from window.harness import app_env  # noqa: F401 - the fixture


@pytest.mark.gui
def test_example_page_in_the_window_picks_plots_and_saves(app_env, tmp_path, output_dir):
    from window.harness import find_window, start_app, stop_app

    from .test_dialogs_gui import _answer

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "temps.csv").write_text("day,low,high\nMon,3,11\nTue,4,12\nWed,2,9\nThu,5,14\nFri,6,15\n")
    proc = start_app(app_env, "open", str(PAGES / "files.html"))
    try:
        window = find_window(app_env, "^Files: pick a CSV", pid=proc.pid, timeout=120)
        _press_button(app_env, proc.pid, window, tabs=1, dialog="^Open file")  # "Pick a CSV…", once enabled
        _answer(app_env, proc.pid, "^Open file", str(docs / "temps.csv"))
        _press_button(app_env, proc.pid, window, tabs=3, dialog="^Save file")  # "Save summary…", once enabled
        _answer(app_env, proc.pid, "^Save file", str(docs / "temps-summary.csv"))
        deadline = time.monotonic() + 60
        while not (docs / "temps-summary.csv").exists() and time.monotonic() < deadline:
            time.sleep(0.5)
        time.sleep(1)
        subprocess.run(["import", "-window", window, str(output_dir / "bridge-example-window.png")], env=app_env,
                       check=True, timeout=60)
    finally:
        _, err = stop_app(proc)
        print(f"--- the app's stderr ---\n{err[-4000:]}")  # shown when the test fails (once, under load, in CI)
    summary = (docs / "temps-summary.csv").read_text()
    assert summary.splitlines()[0] == ",low,high" and "mean,4.0,12.2" in summary


def _press_button(env, pid, window, *, tabs, dialog, timeout=240):
    """Click a blank spot (focus back to the page), Tab to the button, press Return, until its dialog appears.

    The buttons stay disabled (skipped by Tab) until the page's Python is ready.
    """
    from window.harness import find_window

    deadline = time.monotonic() + timeout
    while True:
        subprocess.run(["xdotool", "windowactivate", "--sync", window], env=env, capture_output=True, timeout=30)
        subprocess.run(["xdotool", "mousemove", "--window", window, "20", "780", "click", "1"], env=env, check=True,
                       timeout=30)
        subprocess.run(["xdotool", "key", *(["Tab"] * tabs), "Return"], env=env, check=True, timeout=30)
        try:
            find_window(env, dialog, pid=pid, timeout=3)
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise
