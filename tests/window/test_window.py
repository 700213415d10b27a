"""The real window under Xvfb: keys act, storage persists, links stay put, errors and crashes explain themselves.

Shortcuts, storage across launches, the link policy, the error overlay, the loading indicator and a
crashed web process run on both backends (`engine_env`: Qt WebEngine and WebKitGTK). Qt only: the
developer-tools tests (a missing devtools pack is Qt WebEngine's own resource file, which cannot
exist on WebKitGTK, whose inspector is part of the library; the tools window's title is the Qt
backend's), and the remembered size/position and the About box (engine-independent, not run twice).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import PAGES
from window.harness import (  # noqa: F401 - app_env is a fixture
    HERE,
    TEST_PAGES,
    activate_until,
    app_env,
    clipboard,
    engine_env,
    engine_png,
    descendants,
    find_window,
    geometry,
    has_pixel,
    key,
    kill_renderers,
    run_app,
    start_app,
    stop_app,
    wait_title,
)

pytestmark = pytest.mark.gui


def _shoot(env: dict[str, str], window: str, out: Path) -> Path:
    subprocess.run(["import", "-window", window, str(out)], env=env, check=True, timeout=60)
    return out


def _windows_of(env: dict[str, str], pid: int) -> set[str]:
    out = subprocess.run(["xdotool", "search", "--all", "--onlyvisible", "--pid", str(pid), "--name", "PyScript Desktop"],
                         env=env, capture_output=True, text=True, timeout=30).stdout
    return set(out.split())


def test_keys_reload_zoom_and_fullscreen(engine_env, output_dir):
    proc = start_app(engine_env, "open", str(TEST_PAGES / "state.html"))
    try:
        window = find_window(engine_env, "^loads=1 ", pid=proc.pid)
        # the first report can come before the window is laid out; wait for its real width
        title = wait_title(engine_env, window, r"loads=1 width=([5-9]\d\d|1\d\d\d) .* — PyScript Desktop$")
        width = int(re.search(r"width=(\d+)", title)[1])
        key(engine_env, window, "ctrl+r")
        wait_title(engine_env, window, r"loads=2 ")
        key(engine_env, window, "F5")
        wait_title(engine_env, window, r"loads=3 ")
        key(engine_env, window, "ctrl+plus")
        zoomed = int(re.search(r"width=(\d+)", wait_title(engine_env, window, rf"loads=3 width=(?!{width}\b)\d+"))[1])
        assert zoomed < width  # CSS pixels shrink when zoomed in
        key(engine_env, window, "ctrl+0")
        wait_title(engine_env, window, rf"width={width}\b")
        key(engine_env, window, "ctrl+minus")
        zoomed_out = int(re.search(r"width=(\d+)", wait_title(engine_env, window, rf"width=(?!{width}\b)\d+"))[1])
        assert zoomed_out > width
        key(engine_env, window, "ctrl+0")
        key(engine_env, window, "F11")
        wait_title(engine_env, window, r"width=1280 height=(7[89]\d|800)")  # the whole screen (less the menu bar)
        subprocess.run(["import", "-window", "root", str(engine_png(output_dir, "window-fullscreen", engine_env))], env=engine_env, check=True)
        key(engine_env, window, "F11")
        wait_title(engine_env, window, rf"width={width}\b")
    finally:
        stop_app(proc)


def test_storage_written_in_one_launch_is_read_in_the_next(engine_env, tmp_path):
    folder = tmp_path / "site"
    folder.mkdir()
    shutil.copy(TEST_PAGES / "storage.html", folder / "storage.html")
    for launch in (1, 2):  # two processes: localStorage, IndexedDB and pyscript.storage all on disk
        result = run_app(engine_env, "screenshot", str(folder / "storage.html"), str(tmp_path / f"{launch}.png"),
                         "--wait-for", f"visits={launch} idb={launch}", "--wait-for", f"pystorage={launch}")
        assert result.returncode == 0, result.stderr[-2000:]
    # ... in the app's own data folder (platformdirs user_data_dir), not a toolkit default
    profile = Path(engine_env["PYSCRIPT_DESKTOP_HOME"]) / "data" / "webview"
    stores = {"qt": ("Local Storage", "IndexedDB"), "gtk": ("localstorage", "databases/indexeddb")}[engine_env["PYSCRIPT_DESKTOP_GUI"]]
    assert all((profile / store).is_dir() for store in stores), sorted(profile.iterdir())


def _browser_log(env: dict[str, str], until: str, timeout: float = 20) -> list[str]:
    """The URLs handed to the "system browser", once `until` is among them (sorted)."""
    log = Path(env["BROWSER_LOG"])
    deadline = time.monotonic() + timeout
    while not (log.exists() and until in log.read_text().split()):
        assert time.monotonic() < deadline, f"{until} never reached the browser; it got {log.read_text() if log.exists() else ''!r}"
        time.sleep(0.2)
    return sorted(log.read_text().split())


def test_links_leave_the_window_alone(engine_env):
    result = run_app(engine_env, "screenshot", str(TEST_PAGES / "links.html"), str(Path(engine_env["BROWSER_LOG"]).with_suffix(".png")),
                     "--wait-for", "still here after clicks")
    assert result.returncode == 0, result.stderr[-2000:]
    # clicked by page script, not by the person: the web links went nowhere (page code could put
    # its data in them), nor did file:, data: and smb:; a click by the person opens them
    # (test_new_window_links_go_to_the_browser_or_stay_in_this_window). The page clicks a second
    # web link last: once its refusal is reported, every link before it had been decided.
    for url in ("https://example.com/outside", "https://example.com/last"):
        assert f"Not handed to the system browser (page code asked, not a click): {url}" in result.stderr
    log = Path(engine_env["BROWSER_LOG"])
    assert not log.exists() or log.read_text().split() == []


def test_new_window_links_go_to_the_browser_or_stay_in_this_window(engine_env):
    proc = start_app(engine_env, "open", str(TEST_PAGES / "blank-links.html"))
    try:
        window = find_window(engine_env, "^Blank links", pid=proc.pid)
        activate_until(engine_env, window, "^Blank links — PyScript Desktop$")  # the link has the keyboard focus
        key(engine_env, window, "Return")  # the web link, target=_blank
        assert _browser_log(engine_env, until="https://example.com/new-window") == ["https://example.com/new-window"]
        assert _windows_of(engine_env, proc.pid) == {window}
        assert wait_title(engine_env, window, "^Blank links")
        key(engine_env, window, "Tab")
        key(engine_env, window, "Return")  # an own page, target=_blank: shown here, no second window
        wait_title(engine_env, window, r"^loads=1 ")
        assert _windows_of(engine_env, proc.pid) == {window}
        assert _browser_log(engine_env, until="https://example.com/new-window") == ["https://example.com/new-window"]  # once
    finally:
        stop_app(proc)


def test_failing_page_shows_a_copyable_traceback_and_stays_usable(engine_env, output_dir):
    proc = start_app(engine_env, "open", str(TEST_PAGES / "failing.html"))
    try:
        window = find_window(engine_env, "^overlay shown — PyScript Desktop$", pid=proc.pid, timeout=120)
        # the title changes as soon as the overlay is in the page; the picture follows when painted
        red_rule = lambda r, g, b: r > 200 and g < 80 and b < 80  # noqa: E731 - the overlay's red rule
        deadline = time.monotonic() + 20
        while True:
            shot = _shoot(engine_env, window, engine_png(output_dir, "window-error-overlay", engine_env))
            if has_pixel(shot, red_rule) or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert has_pixel(shot, red_rule), f"no error overlay on {shot}"
        key(engine_env, window, "Tab")
        key(engine_env, window, "space")  # the page's own button still works under the overlay
        wait_title(engine_env, window, "^still clickable")
        key(engine_env, window, "Tab")
        key(engine_env, window, "space")  # the overlay's Copy button
        deadline = time.monotonic() + 20
        while True:  # what another program pasting would get
            clip = subprocess.run([sys.executable, str(HERE / "clipboard.py")], env=engine_env, capture_output=True,
                                  text=True, timeout=60).stdout
            if "Traceback" in clip or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert "Traceback" in clip and "ZeroDivisionError: division by zero" in clip
    finally:
        _, err = stop_app(proc)
        print(f"--- the app's stderr ---\n{err[-4000:]}")  # shown when the test fails (once, under load, in CI)


def test_loading_indicator_names_the_stage(engine_env, output_dir):
    out = engine_png(output_dir, "window-loading", engine_env)
    result = run_app(engine_env, "screenshot", str(PAGES / "chart.html"), str(out), "--wait-for", "⏳")
    assert result.returncode == 0, result.stderr[-2000:]
    assert has_pixel(out, lambda r, g, b: (r, g, b) == (0x1f, 0x23, 0x28) or max(r, g, b) < 50)  # the dark pill


def test_a_renderer_crash_says_so_and_reload_brings_the_page_back(engine_env, output_dir):
    proc = start_app(engine_env, "open", str(TEST_PAGES / "state.html"))
    try:
        window = find_window(engine_env, "^loads=1 ", pid=proc.pid)
        killed = kill_renderers(proc.pid)
        assert killed, list(descendants(proc.pid))
        wait_title(engine_env, window, "^Page stopped — PyScript Desktop$")
        time.sleep(0.5)
        _shoot(engine_env, window, engine_png(output_dir, "window-renderer-stopped", engine_env))
        key(engine_env, window, "ctrl+r")
        wait_title(engine_env, window, r"^loads=\d+ width")
    finally:
        stop_app(proc)


def test_developer_tools_only_with_debug(app_env, output_dir):
    plain = start_app(app_env, "open", str(TEST_PAGES / "state.html"))
    try:
        window = find_window(app_env, "^loads=1 ", pid=plain.pid)
        key(app_env, window, "F12")
        # The page got the key: no shortcut of the app took it (with --debug, F12 opens the tools instead)
        wait_title(app_env, window, r" keys=(\w+,)*F12\b")
        assert subprocess.run(["xdotool", "search", "--all", "--pid", str(plain.pid), "--name", "^Developer tools"],
                              env=app_env, capture_output=True, text=True).stdout.split() == []
    finally:
        stop_app(plain)
    debug = start_app(app_env, "open", str(TEST_PAGES / "state.html"), "--debug")
    try:
        tools = find_window(app_env, "^Developer tools — ", pid=debug.pid)
        time.sleep(2)
        _shoot(app_env, tools, output_dir / "window-devtools.png")
        assert not any("remote-debugging" in cmd for _, _, cmd in descendants(debug.pid))
    finally:
        stop_app(debug)


def test_without_the_devtools_pack_debug_explains_instead_of_an_empty_panel(app_env, tmp_path, output_dir):
    """The installed app trims Chromium's devtools pack (build_spec); here the engine's resources are the same."""
    from PyQt6.QtCore import QLibraryInfo

    resources = tmp_path / "resources"
    shutil.copytree(Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.DataPath)) / "resources", resources,
                    ignore=shutil.ignore_patterns("qtwebengine_devtools_resources*.pak", "locales"))
    env = {**app_env, "QTWEBENGINE_RESOURCES_PATH": str(resources)}
    debug = start_app(env, "open", str(TEST_PAGES / "state.html"), "--debug")
    try:
        window = find_window(env, "^loads=1 ", pid=debug.pid)  # the page itself still runs
        told = find_window(env, "^Developer tools not included$", pid=debug.pid, timeout=60)
        time.sleep(1)
        _shoot(env, told, output_dir / "window-devtools-missing.png")
        key(env, window, "F12")  # asked again: told again, never an empty tools window
        time.sleep(3)
        assert subprocess.run(["xdotool", "search", "--all", "--pid", str(debug.pid), "--name", "^Developer tools — "],
                              env=env, capture_output=True, text=True).stdout.split() == []
    finally:
        stop_app(debug)


def test_size_and_position_are_remembered_per_page(app_env, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    for name in ("a", "b"):
        (site / f"{name}.html").write_text(f"<html><head><title>page {name}</title></head><body>{name}</body></html>")
    first = start_app(app_env, "open", str(site / "a.html"))
    try:
        window = find_window(app_env, "^page a — ", pid=first.pid)
        subprocess.run(["xdotool", "windowsize", "--sync", window, "640", "480"], env=app_env, check=True, timeout=30)
        subprocess.run(["xdotool", "windowmove", "--sync", window, "200", "150"], env=app_env, check=True, timeout=30)
        placed = geometry(app_env, window)
        key(app_env, window, "alt+F4")  # closed by the person, through the window manager
        first.wait(60)
    finally:
        stop_app(first)
    again = start_app(app_env, "open", str(site / "a.html"))
    try:
        window = find_window(app_env, "^page a — ", pid=again.pid)
        time.sleep(1)
        assert geometry(app_env, window) == placed
    finally:
        stop_app(again)
    other = start_app(app_env, "open", str(site / "b.html"))
    try:
        window = find_window(app_env, "^page b — ", pid=other.pid)
        assert geometry(app_env, window)[2:] != placed[2:]  # another page keeps its own (default) size
    finally:
        stop_app(other)


def test_about_names_the_app_pyscript_and_pyodide_versions(app_env, output_dir, bundle):
    """The About box, read as a person reads it (its text selected and copied), names this
    app's version and the runtime the window really serves: the Pyodide version is taken from the
    fetched Pyodide package itself, not from the manifest the About text is made from."""
    import json

    from desktop import __version__

    pair = bundle.manifest.pair()
    lock = json.loads((bundle.root / "pyodide" / pair.pyodide / "pyodide-lock.json").read_text())
    served_pyodide = lock["info"]["version"]
    proc = start_app(app_env, "open", str(TEST_PAGES / "state.html"))
    try:
        window = find_window(app_env, "^loads=1 ", pid=proc.pid)
        subprocess.run(["xdotool", "windowactivate", "--sync", window], env=app_env, capture_output=True, timeout=30)
        subprocess.run(["xdotool", "mousemove", "--window", window, "100", "10", "click", "1"], env=app_env, check=True)
        time.sleep(1)  # the menu opens under the pointer: let it map before the keys go to it
        subprocess.run(["xdotool", "key", "Down", "Return"], env=app_env, check=True)  # Help > About
        about = find_window(app_env, "^About PyScript Desktop$", pid=proc.pid, timeout=30)
        # a click in the text gives it the keyboard (the box's first line, "PyScript Desktop ...", at its top left)
        subprocess.run(["xdotool", "mousemove", "--window", about, "90", "14", "click", "1"], env=app_env, check=True)
        deadline = time.monotonic() + 30
        while True:  # select it all and copy, as a person copying the versions into a bug report
            key(app_env, about, "ctrl+a")
            key(app_env, about, "ctrl+c")
            text = clipboard(app_env)
            if "PyScript core" in text or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        _shoot(app_env, about, output_dir / "window-about.png")
    finally:
        stop_app(proc)
    lines = [line.strip() for line in text.splitlines()]
    assert f"PyScript Desktop {__version__}" in lines, text
    assert f"PyScript core {pair.pyscript}" in lines, text
    assert f"Pyodide {served_pyodide}" in lines, text
    assert f"MicroPython {pair.micropython}" in lines, text


@pytest.mark.parametrize("mode", ["fitted", "bare"])
def test_a_page_surface_left_at_100x30_is_fitted_to_its_window(app_env, mode):
    """Qt WebEngine now and then leaves a swapped-in page surface at QWidget's default 100x30, and the page
    then lays out for 100x30 in a full window (seen 3 times in about 1,500 launches). The Qt backend's
    keep_page_fitted resizes it within a second; the bare view (the control) shows the fault stays."""
    probe = subprocess.run([sys.executable, str(Path(__file__).parent / "fit_probe.py"), mode], env=app_env,
                           capture_output=True, text=True, timeout=150)
    lines = probe.stdout.split()
    assert "shrunk" in lines, f"the page never reported its width: {probe.stdout[-500:]} {probe.stderr[-2000:]}"
    before, after = lines[lines.index("shrunk") - 1], lines[-1]
    assert before not in ("width=100", "width=0")  # the page had filled the window before the shrink
    if mode == "fitted":
        assert after == before, lines
    else:
        assert after == "width=100", lines


@pytest.mark.parametrize("mode", ["app", "bare"])
def test_a_script_whose_renderer_ends_still_returns(app_env, mode):
    """pywebview's Qt evaluate_js waited for good for a script whose renderer process was killed
    while it ran, and for any script sent after: `screenshot` hung when a renderer crashed during
    its poll for the page's text (seen in CI). The app's Qt backend answers both with None, and a
    new load answers again; plain pywebview (the control) shows both waits never end."""
    probe = subprocess.run([sys.executable, str(Path(__file__).parent / "ended_renderer_probe.py"), mode],
                           env=app_env, capture_output=True, text=True, timeout=150)
    lines = dict(line.split("=", 1) for line in probe.stdout.split() if "=" in line)
    assert lines.get("new-load") == "'again'", f"{probe.stdout[-500:]} {probe.stderr[-2000:]}"
    if mode == "app":
        assert (lines["in-flight"], lines["after-end"]) == ("None", "None"), lines
    else:
        assert (lines["in-flight"], lines["after-end"]) == ("blocked", "blocked"), lines
