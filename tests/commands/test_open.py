"""`open PAGE|FOLDER`: its own window, one app instance, --reload, and a browser fallback without a display."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from conftest import PAGES, login_client
from window.harness import MAIN, TEST_PAGES, app_env, find_window, run_app, start_app, stop_app, wait_title  # noqa: F401

pytestmark = pytest.mark.gui


def test_open_shows_the_page_titled_in_its_own_window(app_env, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<html><head><title>Folder index</title></head><body>index</body></html>")
    proc = start_app(app_env, "open", str(site))  # a folder means its index.html
    try:
        find_window(app_env, "^Folder index — PyScript Desktop$", pid=proc.pid)
    finally:
        stop_app(proc)


def test_a_second_open_hands_its_page_to_the_running_app(app_env):
    first = start_app(app_env, "open", str(TEST_PAGES / "state.html"))
    try:
        find_window(app_env, "^loads=1 ", pid=first.pid)
        second = run_app(app_env, "open", str(TEST_PAGES / "storage.html"), timeout=60)
        assert second.returncode == 0, second.stderr[-2000:]
        assert "in the running PyScript Desktop" in second.stdout
        # the first process, not a new one, shows the handed-off page
        find_window(app_env, "^Storage — PyScript Desktop$", pid=first.pid, timeout=60)
    finally:
        stop_app(first)


def test_reload_follows_file_changes_and_keeps_the_window_where_it_is(app_env, tmp_path):
    from window.harness import geometry

    site = tmp_path / "site"
    site.mkdir()
    (site / "page.html").write_text("<html><head><title>first version</title></head><body>1</body></html>")
    proc = start_app(app_env, "open", str(site / "page.html"), "--reload")
    try:
        window = find_window(app_env, "^first version", pid=proc.pid)
        subprocess.run(["xdotool", "windowsize", "--sync", window, "700", "500"], env=app_env, check=True, timeout=30)
        subprocess.run(["xdotool", "windowmove", "--sync", window, "40", "60"], env=app_env, check=True, timeout=30)
        before = geometry(app_env, window)
        time.sleep(1)  # the watcher is armed by now; a change made earlier would be missed only in timing
        (site / "page.html").write_text("<html><head><title>second version</title></head><body>2</body></html>")
        wait_title(app_env, window, r"^second version — PyScript Desktop$", timeout=60)
        (site / "style.css").write_text("body { color: red }")  # any file in the folder counts
        (site / "page.html").write_text("<html><head><title>third version</title></head><body>3</body></html>")
        wait_title(app_env, window, r"^third version — PyScript Desktop$", timeout=60)
        assert geometry(app_env, window) == before
    finally:
        stop_app(proc)


def test_open_a_missing_page_is_a_clear_error(app_env, tmp_path):
    result = run_app(app_env, "open", str(tmp_path / "missing.html"), timeout=60)
    assert result.returncode != 0
    assert "does not exist" in result.stderr and "Traceback" not in result.stderr


def test_without_a_display_open_serves_for_a_browser(app_home):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["PYSCRIPT_DESKTOP_HOME"] = str(app_home)
    proc = subprocess.Popen([sys.executable, MAIN, "open", str(PAGES / "hello.html")], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith(f"Serving {PAGES} at http://127.0.0.1:") and line.strip().endswith("/hello.html"), line
        client, page = login_client(line.split(" at ", 1)[1].strip())
        client.close()
        assert "Hello, PyScript" in page.text
    finally:
        proc.send_signal(2)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert err.count("\n") == 1 and "No display found" in err, err  # one line, no traceback
