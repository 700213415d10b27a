"""`serve`: a browser gets what the app's window gets (the bridge and every injection), through the same session."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import PAGES

pytestmark = pytest.mark.e2e


def test_the_bridge_example_works_in_a_browser_through_serve(app_home, browser_page, output_dir):
    """The real `serve` verb on pages/files.html, the bridge's example: page code imports `desktop`, reads the
    sample through it and plots it; a dialog, which only the window has, is explained instead."""
    env = {**os.environ, "PYSCRIPT_DESKTOP_HOME": str(app_home)}
    proc = subprocess.Popen([sys.executable, str(PAGES.parent / "main.py"), "serve", str(PAGES / "files.html")],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith(f"Serving {PAGES} at http://127.0.0.1:") and line.strip().endswith("/files.html"), (
            line + (proc.stderr.read() if proc.poll() is not None else ""))
        run = browser_page(line.split(" at ", 1)[1].strip(), viewport=(1000, 1100))
        run.wait_for_text("Ready: pick a CSV", timeout=180)
        run.page.click("#sample")
        run.wait_for_text("sales.csv: 12 rows, 2 numeric columns.", timeout=60)  # read through the bridge
        run.page.wait_for_selector("#chart img")
        assert "revenue" in run.page.inner_text("#summary")
        run.page.screenshot(path=str(output_dir / "serve-files.png"), full_page=True)
        run.page.click("#pick")
        run.wait_for_text("Dialogs need the app window", timeout=30)
    finally:
        proc.send_signal(2)
        proc.communicate(timeout=30)
    assert proc.returncode == 0
