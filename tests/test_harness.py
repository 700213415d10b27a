"""The zero-external-requests check itself can fail: a worker's remote fetch is caught, and only the
browser's own exact requests are left out."""

from __future__ import annotations

import http.server
import threading
import time

import pytest

LEAKY_PAGE = (
    b"<script>new Worker(URL.createObjectURL(new Blob("
    b"[\"fetch('http://example.com/from-worker').catch(() => {})\"], {type: 'text/javascript'})))</script>"
)


class _LeakyHandler(http.server.BaseHTTPRequestHandler):
    """Serves a page without the app's CSP, whose worker tries to reach the network."""

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(LEAKY_PAGE)))
        self.end_headers()
        self.wfile.write(LEAKY_PAGE)


@pytest.mark.e2e
def test_egress_recorder_sees_requests_from_workers(chromium, egress):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _LeakyHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    egress.seen.clear()
    context = chromium.new_context()
    try:
        context.new_page().goto(f"http://127.0.0.1:{server.server_address[1]}/")
        deadline = time.monotonic() + 30
        while not egress.page_traffic() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        context.close()
        server.shutdown()
    assert egress.page_traffic() == ["GET http://example.com/from-worker HTTP/1.1"]
    egress.seen.clear()


def test_egress_recorder_ignores_only_the_browser_s_own_exact_requests():
    """The browser's own requests are ignored by method and URL, never by host: a page's request to
    another URL of the same hosts is still traffic (a unit check of the filter; no browser needed)."""
    from conftest import EgressRecorder

    recorder = EgressRecorder()
    try:
        own = ["CONNECT update.googleapis.com:443 HTTP/1.1",
               "POST http://update.googleapis.com/service/update2/json?cup2key=1:abc&cup2hreq=0f HTTP/1.1",
               "CONNECT accounts.google.com:443 HTTP/1.1"]
        page = ["GET http://update.googleapis.com/service/update2/json?data=secret HTTP/1.1",
                "POST http://accounts.google.com/leak HTTP/1.1", "CONNECT www.google.com:443 HTTP/1.1",
                "CONNECT fonts.gstatic.com:443 HTTP/1.1", "GET http://clients2.google.com/time/1/current HTTP/1.1"]
        recorder.seen.extend(own + page)
        assert recorder.page_traffic() == page
    finally:
        recorder.server_close()

