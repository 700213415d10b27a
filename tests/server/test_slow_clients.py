"""Slow and half-open clients cannot starve real page loads (a real socket flood on loopback).

1,100 half-sent requests once starved every page load: each held a thread and a descriptor
for ever. The server now gives a connection HEADER_TIMEOUT seconds for its headers in all,
cuts the oldest half-sent one when MAX_CONNECTIONS are open, and gives a request body a
total deadline. The server runs in a child process with the usual desktop limit of 1,024
open files, as a person's session has.
"""

from __future__ import annotations

import resource
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from desktop.server import httpd

FLOOD = 1_100
CHILD = """
import sys, time
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from desktop.runtime.bundle import RuntimeBundle
from desktop.server import PageServer, ServerOptions, httpd
from desktop.settings import default_runtime_dir

def echo(environ, start_response):  # a mounted app that reads its whole request body
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [str(len(body)).encode()]

httpd.LoopbackServer.header_timeout = float(sys.argv[3])
httpd.BODY_TIMEOUT = float(sys.argv[4])
server = PageServer(ServerOptions(root=Path(sys.argv[2]), bundle=RuntimeBundle(default_runtime_dir()), mounts={"echo": echo})).start()
print(server.origin, server.auth_headers()["Cookie"], flush=True)
sys.stdin.read()
server.shutdown()
"""


def _desktop_limits() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))


@pytest.fixture
def server_process(tmp_path: Path, bundle):
    """start(header_timeout, body_timeout) -> origin of a page server in a child process."""
    (tmp_path / "index.html").write_text("<!doctype html><html><head><title>real</title></head><body>real page</body></html>")
    children: list[subprocess.Popen] = []

    def start(header_timeout: float = httpd.HEADER_TIMEOUT, body_timeout: float = httpd.BODY_TIMEOUT) -> tuple[str, dict]:
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(Path(__file__).resolve().parents[2]), str(tmp_path), str(header_timeout), str(body_timeout)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, preexec_fn=_desktop_limits,
        )
        children.append(child)
        origin, cookie = child.stdout.readline().split()
        return origin, {"Cookie": cookie}

    yield start
    for child in children:
        child.kill()
        child.wait()


def _address(origin: str) -> tuple[str, int]:
    host, port = origin.removeprefix("http://").split(":")
    return host, int(port)


def test_page_loads_while_a_thousand_half_sent_requests_wait(server_process):
    origin, auth = server_process()
    address = _address(origin)
    flood: list[socket.socket] = []
    try:
        for _ in range(FLOOD):
            s = socket.create_connection(address, timeout=10)
            s.sendall(b"GET /index.html HTTP/1.1\r\nHost: " + origin[7:].encode() + b"\r\nX-Slow: ")  # never finished
            flood.append(s)
        for _ in range(5):
            response = httpx.get(origin + "/index.html", timeout=20, headers=auth)
            assert response.status_code == 200 and "real page" in response.text
    finally:
        for s in flood:
            s.close()


def test_a_trickled_request_is_cut_at_the_header_deadline(server_process):
    origin, _ = server_process(header_timeout=2)
    s = socket.create_connection(_address(origin), timeout=60)
    started = time.monotonic()
    try:
        s.sendall(b"GET /index.html HTTP/1.1\r\n")
        answer = b""
        for _ in range(40):  # a header line every second: each read is quick, the whole is not
            try:
                s.sendall(b"X-Slow: 1\r\n")
            except OSError:
                break  # cut
            try:
                s.settimeout(1)
                answer = s.recv(100)
                if answer == b"":
                    break  # cut
            except TimeoutError:
                pass
        assert time.monotonic() - started < 20, "a trickled request kept its connection open"
        assert b"200" not in answer
    finally:
        s.close()


def test_a_trickled_body_is_cut_at_its_deadline(server_process):
    origin, auth = server_process(body_timeout=2)
    s = socket.create_connection(_address(origin), timeout=60)
    started = time.monotonic()
    try:
        s.sendall(b"POST /_desktop/api/echo/ HTTP/1.1\r\nHost: " + origin[7:].encode() + b"\r\nCookie: " + auth["Cookie"].encode() + b"\r\nContent-Length: 1000\r\n\r\n")
        for _ in range(40):
            try:
                s.sendall(b"x")
            except OSError:
                break
            s.settimeout(1)
            try:
                if s.recv(1000) is not None:
                    break  # answered or closed: the server gave up on the body
            except TimeoutError:
                pass
        assert time.monotonic() - started < 20, "a trickled body kept its connection open"
    finally:
        s.close()
    # a body sent at once still arrives whole
    assert httpx.post(origin + "/_desktop/api/echo/", content=b"y" * 500_000, timeout=20, headers=auth).text == "500000"
