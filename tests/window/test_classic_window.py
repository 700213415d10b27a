"""Classic pages and the error overlay in the app's real window (Qt WebEngine under Xvfb)."""

from __future__ import annotations

import subprocess
import time
from datetime import datetime
from pathlib import Path

import pytest
from window.harness import app_env, find_window, has_pixel, run_app, start_app, stop_app  # noqa: F401 - app_env is a fixture

pytestmark = pytest.mark.gui

TESTS = Path(__file__).resolve().parent.parent
RELEASES = TESTS / "classic" / "pages" / "releases"
ERRORS = TESTS / "fixtures" / "errors"


def test_classic_official_example_renders_in_the_window(app_env, output_dir):
    """2023.05.1's hello world: the py_tutor plugin's button and the date its <py-script> computes.

    ("computed by Python" is the page's own static text: the output waited for is today's date as the
    example's display() writes it, which only its Python, run in this window, can put there.)"""
    out = output_dir / "window-classic-hello-2023.05.1.png"
    today = datetime.now().strftime("%m/%d/%Y, ")  # the example's format, "%m/%d/%Y, %H:%M:%S"
    result = run_app(app_env, "screenshot", str(RELEASES / "2023.05.1" / "hello_world.html"), str(out),
                     "--wait-for", "View Code", "--wait-for", today)
    assert result.returncode == 0, result.stderr[-2000:]
    assert has_pixel(out, lambda r, g, b: (r, g, b) == (0, 0, 0))  # the example's black navbar


def test_worker_error_reaches_the_window(app_env, tmp_path):
    """A worker's error, which used to stay in the worker's console, is the page's error for the app."""
    failed = run_app(app_env, "screenshot", str(ERRORS / "worker.html"), str(tmp_path / "w.png"), "--timeout", "120")
    assert failed.returncode == 8, failed.stderr[-2000:]
    assert "The page's Python raised an error" in failed.stderr and "KeyError: 'worker boom'" in failed.stderr


def test_hidden_terminal_error_shows_the_overlay_in_the_window(app_env, output_dir):
    proc = start_app(app_env, "open", str(ERRORS / "terminal-hidden.html"))
    try:
        window = find_window(app_env, "^hidden terminal", pid=proc.pid, timeout=120)
        red_rule = lambda r, g, b: r > 200 and g < 80 and b < 80  # noqa: E731 - the overlay's red rule
        shot = output_dir / "window-overlay-hidden-terminal.png"
        deadline = time.monotonic() + 60
        while True:
            subprocess.run(["import", "-window", window, str(shot)], env=app_env, check=True, timeout=60)
            if has_pixel(shot, red_rule) or time.monotonic() > deadline:
                break
            time.sleep(1)
        assert has_pixel(shot, red_rule), f"no error overlay on {shot}"
    finally:
        stop_app(proc)
