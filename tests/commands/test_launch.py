"""`launch` (the default): the gallery of pages/, Open file, recent pages, drop a page, and the headless fallback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import PAGES, login_client
from window.harness import (  # noqa: F401 - app_env is a fixture
    HERE, MAIN, app_env, find_window, image_stats, key, run_app, start_app, stop_app, wait_page_text,
)

from desktop.server.gallery import list_pages
from desktop.server.pageinfo import scan_page

pytestmark = pytest.mark.gui


def _titles() -> list[str]:
    return [page["title"] for page in list_pages(PAGES)]


def test_the_gallery_lists_every_page_but_itself():
    titles = _titles()
    expected = sorted(
        scan_page(page.read_text(encoding="utf-8")).title for page in PAGES.glob("*.html") if page.name != "index.html"
    )
    assert sorted(titles) == expected and len(titles) >= 6
    assert scan_page((PAGES / "index.html").read_text(encoding="utf-8")).title not in titles


def test_the_launcher_window_shows_every_page(app_env, output_dir):
    out = output_dir / "window-launcher.png"
    waits = [arg for title in _titles() for arg in ("--wait-for", title)]
    result = run_app(app_env, "screenshot", str(PAGES / "index.html"), str(out), *waits)
    assert result.returncode == 0, result.stderr[-2000:]
    colours, ink = image_stats(out)
    assert colours > 20 and ink > 0.05


def test_no_command_opens_the_launcher_window(app_env):
    proc = start_app(app_env)
    try:
        find_window(app_env, "^PyScript Desktop$", pid=proc.pid)
    finally:
        stop_app(proc)


def test_open_file_dialog_opens_the_chosen_page_and_lists_it_as_recent(app_env, tmp_path, output_dir):
    site = tmp_path / "mine"
    site.mkdir()
    (site / "chosen.html").write_text("<html><head><title>Chosen page</title></head><body>picked</body></html>")
    proc = start_app(app_env)
    try:
        launcher = find_window(app_env, "^PyScript Desktop$", pid=proc.pid)
        key(app_env, launcher, "ctrl+o")
        dialog = find_window(app_env, "^Open", pid=proc.pid, timeout=30)  # the toolkit's own file dialog
        subprocess.run(["xdotool", "windowactivate", "--sync", dialog], env=app_env, capture_output=True, timeout=30)
        subprocess.run(["xdotool", "type", "--delay", "20", str(site / "chosen.html")], env=app_env, check=True, timeout=60)
        subprocess.run(["xdotool", "key", "Return"], env=app_env, check=True, timeout=30)
        find_window(app_env, "^Chosen page — PyScript Desktop$", pid=proc.pid, timeout=60)
        recent = Path(app_env["PYSCRIPT_DESKTOP_HOME"]) / "config" / "recent.json"
        assert json.loads(recent.read_text()) == [str(site / "chosen.html")]
        # the launcher refreshes its recent list every 3 s: read it there, as a person would
        wait_page_text(app_env, launcher, "Recent pages", str(site / "chosen.html"), timeout=30)
        subprocess.run(["import", "-window", launcher, str(output_dir / "window-launcher-recent.png")],
                       env=app_env, check=True, timeout=60)
    finally:
        stop_app(proc)


def test_a_page_dropped_on_the_launcher_opens(app_env, tmp_path):
    """A real drag and drop (XDND) from another program's window, as from a file manager."""
    site = tmp_path / "dropped"
    site.mkdir()
    (site / "page.html").write_text("<html><head><title>Dropped page</title></head><body>dropped</body></html>")
    proc = start_app(app_env)
    source = subprocess.Popen([sys.executable, str(HERE / "dragsource.py"), str(site / "page.html")], env=app_env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        launcher = find_window(app_env, "^PyScript Desktop$", pid=proc.pid)
        time.sleep(2)  # the launcher registers its drop handler once its page has loaded
        drag = find_window(app_env, "^drag source$", pid=source.pid, timeout=30)
        subprocess.run(["xdotool", "windowmove", "--sync", drag, "0", "0"], env=app_env, capture_output=True, timeout=30)
        subprocess.run(["xdotool", "windowmove", "--sync", launcher, "300", "100"], env=app_env, capture_output=True, timeout=30)
        subprocess.run(["xdotool", "windowraise", drag], env=app_env, capture_output=True, timeout=30)
        subprocess.run(
            ["xdotool", "mousemove", "--window", drag, "100", "50", "sleep", "0.3", "mousedown", "1", "sleep", "0.3",
             "mousemove", "150", "120", "sleep", "0.3", "mousemove", "500", "300", "sleep", "0.3",
             "mousemove", "700", "450", "sleep", "0.3", "mousemove", "710", "460", "sleep", "0.5", "mouseup", "1"],
            env=app_env, check=True, timeout=60,
        )
        find_window(app_env, "^Dropped page — PyScript Desktop$", pid=proc.pid, timeout=60)
    finally:
        source.terminate()
        source.wait(30)
        stop_app(proc)


def test_without_a_display_launch_serves_the_gallery_for_a_browser(app_home):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["PYSCRIPT_DESKTOP_HOME"] = str(app_home)
    proc = subprocess.Popen([sys.executable, MAIN], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith(f"Serving {PAGES} at http://127.0.0.1:"), line
        url = line.split(" at ", 1)[1].strip()
        client, page = login_client(url)
        assert "<title>PyScript Desktop</title>" in page.text
        listed = client.get(str(page.url).rstrip("/") + "/_desktop/api/gallery/pages").json()
        client.close()
        assert sorted(p["title"] for p in listed) == sorted(_titles())
    finally:
        proc.send_signal(2)
        out, err = proc.communicate(timeout=20)
    assert err.count("\n") == 1 and "No display found" in err, err
