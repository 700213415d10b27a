"""The real window under Xvfb: pages render, keys act, storage persists, links stay put, errors show."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from conftest import PAGES, require

pytestmark = pytest.mark.gui

HERE = Path(__file__).resolve().parent
TEST_PAGES = HERE / "pages"
MAIN = str(PAGES.parent / "main.py")

# page -> text its Python shows when done
EXAMPLES = {
    "hello.html": "Hello from Python 3.12",
    "chart.html": "Chart drawn with numpy 2.0.2",
    "table.html": "Total revenue: 166,075",
    "interactive.html": "Ready.",
    "worker.html": "crossOriginIsolated: True",
    "micropython.html": "Hello from micropython",
}


@pytest.fixture
def app_env(xvfb, app_home, tmp_path) -> dict[str, str]:
    """Environment for the app: the virtual screen, a private home, and a recording 'system browser'."""
    browser_log = tmp_path / "browser.log"
    browser = tmp_path / "browser.sh"
    browser.write_text(f'#!/bin/sh\necho "$1" >> {browser_log}\n')
    browser.chmod(0o755)
    return {**os.environ, "DISPLAY": xvfb, "PYSCRIPT_DESKTOP_HOME": str(app_home), "BROWSER": str(browser),
            "BROWSER_LOG": str(browser_log)}


def run_app(env: dict[str, str], *args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, MAIN, *args], env=env, capture_output=True, text=True, timeout=timeout)


def image_stats(path: Path) -> tuple[int, float]:
    """(distinct colours, share of non-white pixels) of a PNG."""
    from PIL import Image

    with Image.open(path) as image:
        colours = image.convert("RGB").resize((320, 200)).getcolors(maxcolors=320 * 200)
    total = sum(count for count, _ in colours)
    non_white = sum(count for count, rgb in colours if min(rgb) < 235) / total
    return len(colours), non_white


def has_pixel(path: Path, predicate) -> bool:
    from PIL import Image

    with Image.open(path) as image:
        return any(predicate(*rgb) for _, rgb in image.convert("RGB").getcolors(maxcolors=1 << 24))


@pytest.mark.parametrize("page", sorted(EXAMPLES))
def test_each_example_page_renders_in_the_window(page, app_env, output_dir):
    out = output_dir / f"window-{page.removesuffix('.html')}.png"
    result = run_app(app_env, "screenshot", str(PAGES / page), str(out), "--wait-for", EXAMPLES[page], "--timeout", "180")
    assert result.returncode == 0, result.stderr[-2000:]
    colours, ink = image_stats(out)
    assert colours > 20 and ink > 0.005, f"{out} looks blank ({colours} colours, {ink:.1%} ink)"


def test_screenshot_waits_for_python_to_finish_by_default(app_env, output_dir):
    out = output_dir / "window-chart-default-wait.png"
    result = run_app(app_env, "screenshot", str(PAGES / "chart.html"), str(out), "--size", "1000x700")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "after the page's Python finished" in result.stdout
    from PIL import Image

    with Image.open(out) as image:
        assert image.size == (1000, 700)
    assert has_pixel(out, lambda r, g, b: b > 150 and r < 60)  # the chart's blue line is on the picture


def test_launcher_lists_the_pages(app_env, output_dir):
    out = output_dir / "window-launcher.png"
    result = run_app(app_env, "screenshot", str(PAGES / "index.html"), str(out), "--wait-for", "Worker: Python off the main thread")
    assert result.returncode == 0, result.stderr[-2000:]
    colours, ink = image_stats(out)
    assert colours > 20 and ink > 0.05


def test_screenshot_of_a_page_that_never_finishes_fails_cleanly(app_env, tmp_path):
    result = run_app(app_env, "screenshot", str(TEST_PAGES / "never.html"), str(tmp_path / "x.png"), "--timeout", "20")
    assert result.returncode == 8
    assert "Timed out after 20 s" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "x.png").exists()


def test_failing_page_shows_the_traceback_overlay_and_stays_usable(app_env, output_dir, tmp_path):
    out = output_dir / "window-error-overlay.png"
    result = run_app(app_env, "screenshot", str(TEST_PAGES / "failing.html"), str(out), "--wait-for", "ZeroDivisionError")
    assert result.returncode == 0, result.stderr[-2000:]
    # without --wait-for, the error is the command's failure
    failed = run_app(app_env, "screenshot", str(TEST_PAGES / "failing.html"), str(tmp_path / "y.png"))
    assert failed.returncode == 8
    assert "raised an error" in failed.stderr and "ZeroDivisionError" in failed.stderr
    assert has_pixel(out, lambda r, g, b: r > 200 and g < 80 and b < 80)  # the overlay's red rule


def test_storage_written_in_one_launch_is_read_in_the_next(app_env, tmp_path):
    folder = tmp_path / "site"
    folder.mkdir()
    shutil.copy(TEST_PAGES / "storage.html", folder / "storage.html")
    first = run_app(app_env, "screenshot", str(folder / "storage.html"), str(tmp_path / "1.png"), "--wait-for", "visits=1 idb=1")
    assert first.returncode == 0, first.stderr[-2000:]
    second = run_app(app_env, "screenshot", str(folder / "storage.html"), str(tmp_path / "2.png"), "--wait-for", "visits=2 idb=2")
    assert second.returncode == 0, second.stderr[-2000:]


def test_links_leave_the_window_alone(app_env):
    result = run_app(app_env, "screenshot", str(TEST_PAGES / "links.html"), "/tmp/links-shot.png", "--wait-for", "still here after clicks")
    assert result.returncode == 0, result.stderr[-2000:]
    deadline = time.monotonic() + 10
    log = Path(app_env["BROWSER_LOG"])
    while time.monotonic() < deadline and not log.exists():
        time.sleep(0.2)
    time.sleep(1)
    handed = sorted(log.read_text().split()) if log.exists() else []
    # the web link went to the system browser; file:, data: and smb: went nowhere; the scripted
    # target=_blank click is a popup without a user gesture, which the engine blocks outright
    assert handed == ["https://example.com/outside"]


def test_without_a_display_open_serves_for_a_browser(app_home):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["PYSCRIPT_DESKTOP_HOME"] = str(app_home)
    proc = subprocess.Popen([sys.executable, MAIN, "open", str(PAGES / "hello.html")], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith(f"Serving {PAGES} at http://127.0.0.1:") and line.strip().endswith("/hello.html"), line
        assert "Hello, PyScript" in httpx.get(line.split(" at ", 1)[1].strip(), timeout=10).text
    finally:
        proc.send_signal(2)
        out, err = proc.communicate(timeout=20)
    assert "No display found" in err and "Traceback" not in err


@pytest.mark.parametrize("command", [["screenshot", str(PAGES / "hello.html"), "/tmp/x.png"]])
def test_without_a_display_screenshot_suggests_xvfb_run(app_home, command):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["PYSCRIPT_DESKTOP_HOME"] = str(app_home)
    result = subprocess.run([sys.executable, MAIN, *command], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 7
    assert "xvfb-run" in result.stderr and "Traceback" not in result.stderr


# -- the interactive window: keys through Qt shortcuts, effects seen through the page ----------


def _window_title(window_id: str) -> str:
    return subprocess.run(["xdotool", "getwindowname", window_id], capture_output=True, text=True).stdout.strip()


def _wait_title(window_id: str, pattern: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    title = ""
    while time.monotonic() < deadline:
        title = _window_title(window_id)
        if re.search(pattern, title):
            return title
        time.sleep(0.2)
    raise AssertionError(f"window title never matched {pattern!r}; last: {title!r}")


def test_open_window_reload_zoom_and_fullscreen(app_env, output_dir):
    require(shutil.which("xdotool") is not None, "xdotool is not installed")
    proc = subprocess.Popen([sys.executable, MAIN, "open", str(TEST_PAGES / "state.html")], env=app_env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        found = subprocess.run(["xdotool", "search", "--sync", "--name", "loads=1"], env=app_env,
                               capture_output=True, text=True, timeout=90)
        window = found.stdout.split()[0]
        # the first report can come before the window is laid out; wait for its real width
        title = _wait_title(window, r"loads=1 width=([5-9]\d\d|1\d\d\d) .* — PyScript Desktop$")
        width = int(re.search(r"width=(\d+)", title)[1])
        subprocess.run(["xdotool", "windowactivate", "--sync", window], env=app_env, check=True)

        def key(keys: str) -> None:
            subprocess.run(["xdotool", "key", "--clearmodifiers", keys], env=app_env, check=True)

        key("ctrl+r")
        _wait_title(window, r"loads=2 ")
        key("ctrl+plus")
        zoomed = int(re.search(r"width=(\d+)", _wait_title(window, rf"loads=2 width=(?!{width}\b)\d+"))[1])
        assert zoomed < width  # CSS pixels shrink when zoomed in
        key("ctrl+0")
        _wait_title(window, rf"width={width}\b")
        key("F11")
        _wait_title(window, r"width=1280 height=(7[89]\d|800)")  # the whole screen (less the menu bar)
        subprocess.run(["import", "-window", "root", str(output_dir / "window-fullscreen.png")], env=app_env, check=True)
    finally:
        proc.terminate()
        proc.communicate(timeout=30)


def test_second_open_hands_its_page_to_the_running_app(app_env):
    require(shutil.which("xdotool") is not None, "xdotool is not installed")
    first = subprocess.Popen([sys.executable, MAIN, "open", str(TEST_PAGES / "state.html")], env=app_env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        subprocess.run(["xdotool", "search", "--sync", "--name", "loads=1"], env=app_env, capture_output=True, timeout=90)
        second = run_app(app_env, "open", str(TEST_PAGES / "storage.html"), timeout=60)
        assert second.returncode == 0, second.stderr[-2000:]
        assert "in the running PyScript Desktop" in second.stdout
        found = subprocess.run(["xdotool", "search", "--sync", "--all", "--pid", str(first.pid), "--name", "^Storage — PyScript Desktop$"],
                               env=app_env, capture_output=True, text=True, timeout=60)
        assert found.stdout.split(), "the running app did not open the handed-off page"
    finally:
        first.terminate()
        first.communicate(timeout=30)


def test_open_reload_follows_file_changes(app_env, tmp_path):
    require(shutil.which("xdotool") is not None, "xdotool is not installed")
    site = tmp_path / "site"
    site.mkdir()
    (site / "page.html").write_text("<html><head><title>first version</title></head><body>1</body></html>")
    proc = subprocess.Popen([sys.executable, MAIN, "open", str(site / "page.html"), "--reload"], env=app_env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        found = subprocess.run(["xdotool", "search", "--sync", "--name", "^first version"], env=app_env,
                               capture_output=True, text=True, timeout=90)
        window = found.stdout.split()[0]
        time.sleep(1)
        (site / "page.html").write_text("<html><head><title>second version</title></head><body>2</body></html>")
        _wait_title(window, r"^second version — PyScript Desktop$", timeout=30)
    finally:
        proc.terminate()
        proc.communicate(timeout=30)


def test_launcher_open_file_dialog_opens_the_chosen_page(app_env, tmp_path):
    require(shutil.which("xdotool") is not None, "xdotool is not installed")
    site = tmp_path / "mine"
    site.mkdir()
    (site / "chosen.html").write_text("<html><head><title>Chosen page</title></head><body>picked</body></html>")
    proc = subprocess.Popen([sys.executable, MAIN], env=app_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        found = subprocess.run(["xdotool", "search", "--sync", "--name", "^PyScript Desktop — PyScript Desktop$"],
                               env=app_env, capture_output=True, text=True, timeout=90)
        launcher = found.stdout.split()[0]
        subprocess.run(["xdotool", "windowactivate", "--sync", launcher], env=app_env, check=True)
        time.sleep(1)
        subprocess.run(["xdotool", "key", "--clearmodifiers", "ctrl+o"], env=app_env, check=True)
        time.sleep(2)  # the dialog takes focus
        subprocess.run(["xdotool", "type", "--delay", "20", str(site / "chosen.html")], env=app_env, check=True)
        subprocess.run(["xdotool", "key", "Return"], env=app_env, check=True)
        opened = subprocess.run(["xdotool", "search", "--sync", "--name", "^Chosen page — PyScript Desktop$"],
                                env=app_env, capture_output=True, text=True, timeout=60)
        assert opened.stdout.split()
        # and it is listed among the recent pages
        recent = Path(app_env["PYSCRIPT_DESKTOP_HOME"]) / "config" / "recent.json"
        assert str(site / "chosen.html") in recent.read_text()
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
