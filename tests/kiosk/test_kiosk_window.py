"""The kiosk under Xvfb with the real window: it recovers on its own, rotates, stays locked, exits only with the PIN.

Each test runs the real `python main.py kiosk ...` (supervisor + app process) and
looks at it as a person or a monitoring system would: the event log, window
titles, screenshots, processes, the health endpoint.

Every test here runs on both window backends (`engine_env`): Qt WebEngine and WebKitGTK, the
`build --engine system` engine (its watchdog timeout is longer: WebKitGTK holds the page's main
thread while Pyodide starts).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from conftest import require
from window.harness import (  # noqa: F401 - app_env is a fixture (engine_env builds on it)
    app_env, descendants, engine_env, engine_png, find_window, geometry, has_pixel, key, kill_renderers, renderers, start_app, stop_app,
    wait_title,
)

from desktop.kiosk.log import read_events

pytestmark = pytest.mark.gui

PAGES = Path(__file__).resolve().parent / "pages"


def kiosk_site(tmp_path: Path, toml: str, *pages: str) -> Path:
    site = tmp_path / "site"
    site.mkdir(parents=True)
    for name in pages:
        shutil.copy(PAGES / name, site / name)
    (site / "kiosk.toml").write_text(toml, encoding="utf-8")
    return site / "kiosk.toml"


def start_kiosk(env: dict[str, str], target: Path, log: Path):
    return start_app(env, "kiosk", str(target), "--log", str(log))


def events(log: Path, name: str | None = None) -> list[dict]:
    return [r for r in read_events(log) if name is None or r["event"] == name]


def wait_event(log: Path, name: str, count: int = 1, timeout: float = 90) -> list[dict]:
    """The first `count` `name` events, waiting up to `timeout` seconds for them."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = events(log, name)
        if len(found) >= count:
            return found[:count]
        time.sleep(0.2)
    raise AssertionError(f"fewer than {count} {name!r} events within {timeout:g} s; log: {read_events(log)}")


def app_child(supervisor: int, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children = [pid for pid, _, cmd in descendants(supervisor) if " kiosk --child " in cmd]
        if children:
            return children[0]
        time.sleep(0.2)
    raise AssertionError("the supervisor started no app process")


def shoot(env: dict[str, str], out: Path) -> Path:
    subprocess.run(["import", "-window", "root", str(out)], env=env, check=True, timeout=60)
    return out


def shoot_showing(env: dict[str, str], out: Path, colour: tuple[int, int, int], timeout: float = 15) -> Path:
    """A screenshot once the screen shows `colour` (a title can change before the page paints)."""
    deadline = time.monotonic() + timeout
    while True:
        shot = shoot(env, out)
        if has_pixel(shot, lambda *rgb: rgb == colour):
            return shot
        assert time.monotonic() < deadline, f"the screen never showed {colour} ({shot})"
        time.sleep(0.3)


def health(app_home: Path) -> dict:
    info = json.loads((app_home / "data" / "kiosk-health.json").read_text())
    return httpx.get(info["url"], headers={"Authorization": f"Bearer {info['token']}"}, timeout=10).json()


def _beat_after(report: dict, since: str) -> dict | None:
    """The health report once its last heartbeat is later than `since` (an event's time), else None."""
    beat = report.get("last_heartbeat")
    return report if beat and datetime.fromisoformat(beat) > datetime.fromisoformat(since) else None


def wait_for(probe, what: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"no {what} within {timeout:g} s")


#: The watchdog's timeout per backend: WebKitGTK starts Pyodide on the page's main thread, which
#: then answers no timer for several seconds (over 5 s on this shared machine), so the watchdog
#: must wait longer there than the start takes.
WATCHDOG_S = {"qt": 5, "gtk": 30}


def test_a_hung_page_is_reloaded_by_the_watchdog_and_shows_its_content_again(engine_env, app_home, tmp_path, output_dir):
    timeout = WATCHDOG_S[engine_env["PYSCRIPT_DESKTOP_GUI"]]
    target = kiosk_site(tmp_path, f'home = "hang.html"\nwatchdog_timeout = {timeout}\n', "hang.html")
    log = tmp_path / "kiosk.log"
    proc = start_kiosk(engine_env, target, log)
    try:
        window = find_window(engine_env, "^run 1 — PyScript Desktop$", timeout=120)
        shown_first = wait_event(log, "page_shown")[0]
        reload = wait_event(log, "watchdog_reload", timeout=60 + timeout)[0]
        # hung 2.5 s after Python ran; reloaded once silent for the timeout, by the kiosk's own measure
        assert reload["page"] == "hang.html" and reload["timeout_s"] == timeout and reload["silent_s"] >= timeout  # (rounded to 0.01 s in the log)
        assert datetime.fromisoformat(reload["time"]) > datetime.fromisoformat(shown_first["time"])
        window = find_window(engine_env, "^run 2 — PyScript Desktop$", timeout=120)
        shown_again = wait_event(log, "page_shown", 2)[1]
        time.sleep(1)
        shot = shoot(engine_env, engine_png(output_dir, "kiosk-watchdog-reloaded", engine_env))
        assert geometry(engine_env, window)[2:] == (1280, 800)  # fullscreen, no frame
        # the second run does not hang: its page beats (what the watchdog watches), and no reload followed
        report = wait_for(lambda: _beat_after(health(app_home), shown_again["time"]), "a heartbeat of the second run")
        assert len(events(log, "watchdog_reload")) == 1
        assert report["reloads"]["watchdog"] == 1 and report["current_page"].endswith("/hang.html")
        assert report["last_heartbeat_age_s"] < 5 and report["memory"]["pss_kib"] > 50_000
        assert shot.stat().st_size > 0
    finally:
        stop_app(proc)
    assert events(log)[-1]["event"] == "exit"


def test_a_killed_renderer_and_a_killed_app_both_end_with_the_page_shown(engine_env, app_home, tmp_path, output_dir):
    target = kiosk_site(tmp_path, 'home = "state.html"\n[restart]\ndelay = 0.5\n', "state.html")
    log = tmp_path / "kiosk.log"
    proc = start_kiosk(engine_env, target, log)
    try:
        app = app_child(proc.pid)
        find_window(engine_env, "page=state — PyScript Desktop$", pid=app)
        wait_event(log, "page_shown")
        killed = kill_renderers(app)
        assert killed, list(descendants(app))
        crash = wait_event(log, "renderer_crash")[0]
        assert crash["page"] == "state.html"
        wait_event(log, "page_shown", 2)
        find_window(engine_env, "page=state — PyScript Desktop$", pid=app)
        assert not set(renderers(app)) & set(killed)
        shoot(engine_env, engine_png(output_dir, "kiosk-after-renderer-kill", engine_env))
        assert health(app_home)["crashes"] == {"renderer": 1, "app": 0}

        os.kill(app, signal.SIGKILL)  # the whole app process
        restart = wait_event(log, "app_restart")[0]
        assert restart["exit_code"] == -signal.SIGKILL and restart["delay_s"] == 0.5
        new_app = app_child(proc.pid)
        assert new_app != app
        shown = wait_event(log, "page_shown", 3)[2]
        assert shown["pid"] == new_app
        find_window(engine_env, "page=state — PyScript Desktop$", pid=new_app)
        shoot(engine_env, engine_png(output_dir, "kiosk-after-app-kill", engine_env))
        report = health(app_home)
        assert report["crashes"] == {"renderer": 0, "app": 1} and report["uptime_s"] > report["app_uptime_s"]
        assert proc.poll() is None
    finally:
        stop_app(proc)
    assert [r["event"] for r in events(log)][-1] == "exit"


def test_an_app_that_keeps_dying_backs_off_and_the_kiosk_gives_up(engine_env, tmp_path):
    toml = 'home = "state.html"\n[restart]\ndelay = 0.5\nmax_delay = 1\ncrash_loop = 3\ncrash_window = 120\n'
    target = kiosk_site(tmp_path, toml, "state.html")
    log = tmp_path / "kiosk.log"
    proc = start_kiosk(engine_env, target, log)
    try:
        for crash in range(3):
            wait_event(log, "page_shown", crash + 1, timeout=120)
            os.kill(app_child(proc.pid), signal.SIGKILL)
            if crash < 2:
                wait_event(log, "app_restart", crash + 1)
        assert proc.wait(60) == 8
    finally:
        if proc.poll() is None:
            stop_app(proc)
    names = [r["event"] for r in events(log)]
    assert names[-2:] == ["crash_loop", "exit"] and names.count("app_restart") == 2
    assert [r["delay_s"] for r in events(log, "app_restart")] == [0.5, 1.0]  # doubled, then capped
    assert events(log, "crash_loop")[0]["crashes"] == 3
    assert "crash loop" in events(log)[-1]["reason"]
    assert not [pid for pid, _, cmd in descendants(proc.pid)]  # nothing left running


def test_a_two_page_playlist_rotates_on_time(engine_env, tmp_path, output_dir):
    toml = ('[[pages]]\npath = "one.html"\nduration = 4\n\n[[pages]]\npath = "two.html"\nduration = 4\n')
    target = kiosk_site(tmp_path, toml, "one.html", "two.html")
    log = tmp_path / "kiosk.log"
    proc = start_kiosk(engine_env, target, log)
    try:
        window = find_window(engine_env, "^page one — PyScript Desktop$")
        shoot_showing(engine_env, engine_png(output_dir, "kiosk-playlist-one", engine_env), (0xd6, 0xf5, 0xd6))  # page one's green
        wait_title(engine_env, window, "^page two — PyScript Desktop$", timeout=30)
        shoot_showing(engine_env, engine_png(output_dir, "kiosk-playlist-two", engine_env), (0xf5, 0xd6, 0xe8))  # page two's pink
        shown = wait_event(log, "page_shown", 4, timeout=60)
    finally:
        stop_app(proc)
    assert [r["page"] for r in shown] == ["one.html", "two.html", "one.html", "two.html"]
    times = [datetime.fromisoformat(r["time"]) for r in shown]
    gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:])]
    assert all(gap >= 3 for gap in gaps), gaps  # each page stays its 4 s (a loaded machine only makes it later)


def test_external_links_and_browser_shortcuts_do_nothing(engine_env, tmp_path, output_dir):
    target = kiosk_site(tmp_path, 'home = "state.html"\nhide_cursor_after = 1\n', "state.html")
    log = tmp_path / "kiosk.log"
    proc = start_kiosk(engine_env, target, log)
    try:
        window = find_window(engine_env, "^loads=1 page=state — PyScript Desktop$")
        wait_event(log, "page_shown")
        assert geometry(engine_env, window) == (0, 0, 1280, 800)
        require(shutil.which("xset") is not None, "xset is not installed (x11-xserver-utils)")
        xset = subprocess.run(["xset", "q"], env=engine_env, capture_output=True, text=True).stdout
        assert "timeout:  0" in xset  # the screen saver is off while the kiosk runs
        subprocess.run(["xdotool", "windowactivate", "--sync", window], env=engine_env, capture_output=True, timeout=30)
        subprocess.run(["xdotool", "mousemove", "200", "150", "click", "1"], env=engine_env, check=True, timeout=30)
        wait_title(engine_env, window, r"^loads=1 page=state clicks=1\b")  # the click on the web link reached the page
        for n, keys in enumerate(("ctrl+r", "F5", "alt+Left", "ctrl+w", "ctrl+plus", "F12", "F11"), start=1):
            key(engine_env, window, keys)
            key(engine_env, window, "x")  # the page sees this key after the one before: that one was handled by then
            wait_title(engine_env, window, rf"^loads=1 page=state marks={n}\b")
        shoot(engine_env, engine_png(output_dir, "kiosk-locked", engine_env))
        assert geometry(engine_env, window) == (0, 0, 1280, 800)
        browser_log = Path(engine_env["BROWSER_LOG"])
        assert not browser_log.exists() or browser_log.read_text() == ""  # not even handed to a browser
        assert len(events(log, "page_shown")) == 1
    finally:
        stop_app(proc)
    assert "timeout:  0" not in subprocess.run(["xset", "q"], env=engine_env, capture_output=True, text=True).stdout


def test_the_exit_chord_needs_the_right_pin(engine_env, tmp_path, output_dir):
    target = kiosk_site(tmp_path, 'home = "state.html"\nexit_pin = "2468"\n', "state.html")
    log = tmp_path / "kiosk.log"
    proc = start_kiosk(engine_env, target, log)
    try:
        window = find_window(engine_env, "page=state — PyScript Desktop$")
        wait_event(log, "page_shown")
        key(engine_env, window, "ctrl+alt+shift+q")
        wait_title(engine_env, window, r" prompt=open\b")  # the PIN prompt, over the page
        subprocess.run(["xdotool", "type", "--delay", "50", "1357"], env=engine_env, check=True, timeout=30)
        key(engine_env, window, "Return")
        wait_title(engine_env, window, r" prompt=Wrong PIN\.")  # the kiosk answered: refused
        shoot(engine_env, engine_png(output_dir, "kiosk-wrong-pin", engine_env))
        assert proc.poll() is None and not events(log, "exit")
        subprocess.run(["xdotool", "type", "--delay", "50", "2468"], env=engine_env, check=True, timeout=30)
        key(engine_env, window, "Return")
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            stop_app(proc)
    last = events(log)[-1]
    assert last["event"] == "exit" and last["reason"] == "exit chord"


def test_scheduled_reloads_and_idle_reset(engine_env, tmp_path):
    target = kiosk_site(tmp_path, 'home = "state.html"\nreload_interval = 4\n', "state.html")
    log = tmp_path / "kiosk.log"
    proc = start_kiosk(engine_env, target, log)
    try:
        window = find_window(engine_env, "^loads=1 page=state")
        reload = wait_event(log, "scheduled_reload", timeout=30)[0]
        assert reload["interval_s"] == 4 and reload["page"] == "state.html"
        wait_title(engine_env, window, "^loads=2 page=state")
    finally:
        stop_app(proc)

    target = kiosk_site(tmp_path / "idle", 'home = "state.html"\nidle_reset = 3\n', "state.html")
    log = tmp_path / "idle.log"
    proc = start_kiosk(engine_env, target, log)
    try:
        window = find_window(engine_env, "^loads=1 page=state")
        wait_event(log, "page_shown")
        time.sleep(5)  # nobody has touched it: nothing to reset
        assert len(events(log, "page_shown")) == 1
        subprocess.run(["xdotool", "mousemove", "900", "600", "click", "1"], env=engine_env, check=True, timeout=30)
        wait_title(engine_env, window, "^loads=2 page=state", timeout=30)  # 3 s after the click: home again
        # (the page sets its title before it reports itself shown: wait for that report, not only the title)
        wait_event(log, "page_shown", count=2, timeout=30)
    finally:
        stop_app(proc)
