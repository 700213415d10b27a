"""The kiosk's HTTP side on a real loopback server, and its page snippet in a real Chromium."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest

from desktop.kiosk.config import Chord
from desktop.kiosk.health import PIN_TRIES, KioskStatus, kiosk_app
from desktop.kiosk.lockdown import Lockdown
from desktop.kiosk.watchdog import Watchdog

HEALTH_TOKEN = "health-token-0123456789"


class Kiosk:
    """A kiosk_app on a real PageServer, recording what it was told."""

    def __init__(self, serve, folder: Path, *, pin: str | None, hide_cursor_after: float | None = None) -> None:
        self.status = KioskStatus(Watchdog(30))
        self.beats: list[tuple[str, float | None]] = []
        self.shown: list[tuple[str, str]] = []
        self.exited = threading.Event()
        app = kiosk_app(self.status, health_token=HEALTH_TOKEN, exit_pin=pin,
                        on_heartbeat=lambda url, idle: (self.status.watchdog.beat(), self.beats.append((url, idle))),
                        on_shown=lambda url, title: self.shown.append((url, title)), on_exit=self.exited.set)
        lockdown = Lockdown(Chord.parse("Ctrl+Alt+Shift+Q"), pin is not None, hide_cursor_after, self.status.page_token)
        self.server = serve(folder, injections=[lockdown], mounts={"kiosk": app})
        self.api = self.server.origin + "/_desktop/api/kiosk/"

    def post(self, op: str, body: dict) -> httpx.Response:
        return httpx.post(self.api + op, json=body, headers={"Host": f"127.0.0.1:{self.server.port}", **self.server.auth_headers()})


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "page.html").write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>locked</title></head><body>"
        "<p id='out'>page</p><input id='field' value=''>"
        "<script>window.prevented = []; for (const t of ['keydown', 'contextmenu', 'wheel'])"
        " addEventListener(t, (e) => window.prevented.push([t, e.key || '', e.defaultPrevented]));</script>"
        "</body></html>", encoding="utf-8")
    return tmp_path


def test_heartbeat_and_exit_need_the_page_token(serve, folder):
    kiosk = Kiosk(serve, folder, pin=None)
    assert kiosk.post("heartbeat", {"token": "wrong", "url": "x"}).status_code == 403
    assert httpx.post(kiosk.api + "heartbeat", content=b"token=x", headers=kiosk.server.auth_headers()).status_code == 415
    assert kiosk.post("exit", {"token": "wrong"}).status_code == 403 and not kiosk.exited.is_set()
    assert kiosk.beats == []
    ok = kiosk.post("heartbeat", {"token": kiosk.status.page_token, "url": "http://127.0.0.1:1/p.html", "idle_ms": 1500})
    assert ok.status_code == 204 and kiosk.beats == [("http://127.0.0.1:1/p.html", 1500.0)]
    assert kiosk.post("exit", {"token": kiosk.status.page_token}).status_code == 204
    assert kiosk.exited.wait(5)


def test_health_needs_its_token_and_reports(serve, folder):
    kiosk = Kiosk(serve, folder, pin=None)
    url = kiosk.api + "health"
    assert httpx.get(url).status_code == 401
    assert httpx.get(url, headers={"Authorization": f"Bearer {kiosk.status.page_token}"}).status_code == 401
    assert httpx.get(url, headers={"Authorization": f"Bearer {HEALTH_TOKEN}", "Host": "evil.example:80"}).status_code == 403
    kiosk.status.current_page = "http://127.0.0.1:1/page.html"
    kiosk.status.watchdog_reloads = 2
    kiosk.post("heartbeat", {"token": kiosk.status.page_token, "url": "u"})
    report = httpx.get(url, headers={"Authorization": f"Bearer {HEALTH_TOKEN}"}).json()
    assert report["current_page"] == "http://127.0.0.1:1/page.html"
    assert report["reloads"] == {"scheduled": 0, "watchdog": 2} and report["crashes"] == {"renderer": 0, "app": 0}
    assert 0 <= report["last_heartbeat_age_s"] < 5 and report["last_heartbeat"].endswith("+00:00")
    assert report["uptime_s"] >= 0 and report["memory"]["pss_kib"] > 10_000 and report["memory"]["processes"] >= 1


def test_a_wrong_pin_is_refused_and_guessing_is_slowed(serve, folder):
    kiosk = Kiosk(serve, folder, pin="2468")
    token = kiosk.status.page_token
    assert kiosk.post("exit", {"token": token}).status_code == 403
    for _ in range(PIN_TRIES - 2):
        assert kiosk.post("exit", {"token": token, "pin": "1111"}).status_code == 403
    assert kiosk.post("exit", {"token": token, "pin": "1111"}).status_code == 403  # the last allowed try
    assert kiosk.post("exit", {"token": token, "pin": "2468"}).status_code == 429  # locked for a while, even when right
    assert not kiosk.exited.is_set()


@pytest.mark.e2e
def test_the_page_snippet_beats_blocks_shortcuts_hides_the_cursor_and_asks_for_the_pin(serve, folder, browser_page):
    kiosk = Kiosk(serve, folder, pin="2468", hide_cursor_after=1)
    run = browser_page(kiosk.server.url_for(folder / "page.html"))
    page = run.page
    deadline = time.monotonic() + 10
    while len(kiosk.beats) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(kiosk.beats) >= 2 and kiosk.beats[0][0].endswith("/page.html") and kiosk.beats[0][1] is None
    assert [title for _, title in kiosk.shown] == ["locked"]
    for keys in ("F5", "Control+r", "Control+w", "Control+p", "Alt+ArrowLeft", "F12", "Control+Shift+KeyI", "Control+="):
        page.keyboard.press(keys)
    page.mouse.click(50, 50, button="right")
    page.mouse.move(60, 60)
    page.keyboard.down("Control")
    page.mouse.wheel(0, -100)
    page.keyboard.up("Control")
    page.click("#field")
    page.keyboard.type("ok")  # ordinary typing is untouched
    prevented = page.evaluate("window.prevented")
    keys = {(t, k): p for t, k, p in prevented}
    for key in ("F5", "r", "w", "p", "ArrowLeft", "F12", "I", "="):
        assert keys[("keydown", key)] is True, (key, prevented)
    assert keys[("contextmenu", "")] is True and keys[("wheel", "")] is True
    assert keys[("keydown", "o")] is False and keys[("keydown", "k")] is False
    assert page.input_value("#field") == "ok"
    page.wait_for_function("document.documentElement.classList.contains('pyscript-kiosk-idle')", timeout=5000)
    assert page.evaluate("getComputedStyle(document.body).cursor") == "none"
    page.mouse.move(200, 200)
    assert page.evaluate("document.documentElement.classList.contains('pyscript-kiosk-idle')") is False
    # idle time since the last input travels with the heartbeat
    time.sleep(1.5)
    assert kiosk.beats[-1][1] is not None and kiosk.beats[-1][1] >= 0

    page.keyboard.press("Control+Alt+Shift+q")
    page.wait_for_selector(".pyscript-kiosk-exit input")
    page.keyboard.type("1357")
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('.pyscript-kiosk-exit-note').textContent === 'Wrong PIN.'")
    assert not kiosk.exited.is_set()
    page.screenshot(path=str(Path(__file__).resolve().parents[2] / "test-output" / "kiosk-wrong-pin-chromium.png"))
    page.keyboard.type("2468")
    page.keyboard.press("Enter")
    assert kiosk.exited.wait(5)
