"""A threaded WSGI server bound to 127.0.0.1 with a listen backlog that absorbs bursts.

The standard library's default backlog of 5 stalled a burst of parallel
requests for over a second in a probe; runtimes fire dozens at once.

Slow clients cannot starve real ones: a connection has HEADER_TIMEOUT seconds to send its
request line and headers (a total, not per read, so a byte every few seconds does not keep
it open), every later read or write waits at most IO_TIMEOUT seconds, and at most
MAX_CONNECTIONS are open at once. At the cap a new connection closes the oldest one still
sending its headers (a real client on loopback sends them in microseconds; 1,100 half-sent
requests once ran the process out of descriptors and starved every page load), and is
refused only when every open connection is being answered.

It answers in HTTP/1.1, one request per connection (and says so): Chromium-based engines,
the app's window among them, revalidate a cached response by its ETag only when it came
over HTTP/1.1. Over the standard library's HTTP/1.0 every page, start module and lock file
came whole again at each load, and V8 recompiled the scripts instead of reusing their cache.
"""

from __future__ import annotations

import errno
import os
import socket
import sys
import threading
import time
from socketserver import ThreadingMixIn
from typing import Any, Callable
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer
from wsgiref.types import WSGIApplication

from ..errors import PortInUseError
from ..settings import LOOPBACK

__all__ = ["LoopbackServer", "bind", "BACKLOG", "HEADER_TIMEOUT", "IO_TIMEOUT", "BODY_TIMEOUT", "MAX_CONNECTIONS", "serve_in_thread"]

BACKLOG = 1024
#: Seconds a connection has to send its whole request line and headers.
HEADER_TIMEOUT = 10.0
#: Seconds any later read (a request body) or write (a response) may wait for the client.
IO_TIMEOUT = 30.0
#: Seconds a request body may take in all, from the application's first read of it.
BODY_TIMEOUT = 120.0
#: Connections open at once (the window opens a few dozen at a page's start); below the usual
#: limit of 1,024 descriptors per process, which the runtime's files also need.
MAX_CONNECTIONS = 256


class _Http11Response(ServerHandler):
    http_version = "1.1"
    # set by wsgiref's BaseHandler while it answers (its stubs leave them out)
    headers: Any
    result: Any
    headers_sent: bool
    bytes_sent: int
    request_handler: WSGIRequestHandler

    def sendfile(self) -> bool:
        """A whole file goes to the socket by os.sendfile: the standard library would copy it through
        Python in 8 KiB blocks, which held a 100 MB page file to a fraction of what the disk gives."""
        connection = getattr(getattr(self, "request_handler", None), "connection", None)
        length = self.headers.get("Content-Length") if self.headers else None
        try:
            fd = self.result.filelike.fileno()
        except (AttributeError, OSError, ValueError):
            return False
        if connection is None or not hasattr(os, "sendfile") or not (length and length.isdigit()):
            return False
        offset = os.lseek(fd, 0, os.SEEK_CUR)
        if not self.headers_sent:
            self.send_headers()
        self._flush()
        # socket.sendfile: os.sendfile, waiting as the socket's timeout allows (the connection is non-blocking)
        sent = connection.sendfile(self.result.filelike, offset, int(length))
        left = int(length) - sent
        self.bytes_sent += int(length) - left
        return True

    def cleanup_headers(self) -> None:
        super().cleanup_headers()
        self.headers["Connection"] = "close"  # the handler below serves one request per connection


class _BodyReader:
    """The request body (wsgi.input) with a total deadline: a client trickling one byte every
    IO_TIMEOUT - 1 seconds would otherwise hold its connection and thread for ever. Each read
    waits for the socket at most once (read1/peek), with the time left as its timeout."""

    def __init__(self, rfile, conn: socket.socket, limit: float) -> None:  # noqa: ANN001 - a buffered reader
        self._rfile, self._conn, self._limit = rfile, conn, limit
        self._deadline: float | None = None

    def _arm(self) -> None:
        now = time.monotonic()
        if self._deadline is None:
            self._deadline = now + self._limit
        left = self._deadline - now
        if left <= 0:
            raise TimeoutError(f"request body not received within {self._limit:.0f} s")
        self._conn.settimeout(min(IO_TIMEOUT, left))

    def read(self, size: int = -1) -> bytes:
        parts: list[bytes] = []
        got = 0
        while size is None or size < 0 or got < size:
            self._arm()
            try:
                chunk = self._rfile.read1(65536 if size is None or size < 0 else min(size - got, 65536))
            finally:
                self._conn.settimeout(IO_TIMEOUT)  # the response's writes get the usual timeout
            if not chunk:
                break
            parts.append(chunk)
            got += len(chunk)
        return b"".join(parts)

    def readinto(self, buffer: memoryview | bytearray) -> int:
        """Fill `buffer` as far as the body gives (fewer bytes only at its end): the bridge's raw
        writes take their parts this way, into one reused buffer, with no bytes object per 64 KiB."""
        view = memoryview(buffer).cast("B")
        got = 0
        while got < len(view):
            self._arm()
            try:
                n = self._rfile.readinto1(view[got:])
            finally:
                self._conn.settimeout(IO_TIMEOUT)
            if not n:
                break
            got += n
        return got

    def readline(self, size: int = -1) -> bytes:
        parts: list[bytes] = []
        got = 0
        while size is None or size < 0 or got < size:
            self._arm()
            try:
                buffered = self._rfile.peek(1)
            finally:
                self._conn.settimeout(IO_TIMEOUT)
            if not buffered:
                break
            end = buffered.find(b"\n")
            take = len(buffered) if end < 0 else end + 1
            if size is not None and size >= 0:
                take = min(take, size - got)
            chunk = self._rfile.read(take)
            parts.append(chunk)
            got += len(chunk)
            if chunk.endswith(b"\n"):
                break
        return b"".join(parts)

    def readlines(self, hint: int = -1) -> list[bytes]:
        lines: list[bytes] = []
        while line := self.readline():
            lines.append(line)
            if 0 < hint <= sum(map(len, lines)):
                break
        return lines

    def __iter__(self):  # noqa: ANN204
        return iter(self.readline, b"")


class _QuietHandler(WSGIRequestHandler):
    server: LoopbackServer
    log_hook: Callable[[str], None] | None = None
    timeout = IO_TIMEOUT  # per read and write, set on the socket by StreamRequestHandler.setup

    def handle(self) -> None:
        """One request, as the standard library's handler does, answered in HTTP/1.1."""
        try:
            self.raw_requestline = self.rfile.readline(65537)
            if len(self.raw_requestline) > 65536:
                self.requestline = self.request_version = self.command = ""
                self.send_error(414)
                return
            parsed = self.parse_request()
        except OSError:
            parsed = False  # the client went away, or sent nothing for IO_TIMEOUT seconds
        if not self.server.headers_read(self.request) or not parsed:
            return  # cut at its header deadline or at the cap: its headers may be partial, never run it
        body = _BodyReader(self.rfile, self.connection, BODY_TIMEOUT)
        response = _Http11Response(body, self.wfile, self.get_stderr(), self.get_environ(),  # type: ignore[arg-type]
                                  multithread=False)
        response.request_handler = self  # for the access log, as in the standard library
        response.run(self.server.get_app())  # type: ignore[arg-type]  # bind() set it

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        if self.log_hook:
            self.log_hook(format % args)


class LoopbackServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = BACKLOG
    allow_reuse_address = sys.platform != "win32"  # on Windows it would let us steal a busy port
    max_connections = MAX_CONNECTIONS
    header_timeout = HEADER_TIMEOUT

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003 - stdlib signature
        self._guard = threading.Lock()
        self._open: set[socket.socket] = set()
        self._sending_headers: dict[socket.socket, float] = {}  # connection -> when it was accepted (in order)
        self._cut_off: set[socket.socket] = set()
        super().__init__(*args, **kwargs)

    def process_request(self, request, client_address) -> None:  # noqa: ANN001 - stdlib signature
        with self._guard:
            if len(self._open) >= self.max_connections:
                if not self._sending_headers:
                    self._drop(request)  # every open connection is being answered: refuse this one
                    return
                self._cut(next(iter(self._sending_headers)))  # the oldest one still sending headers
            self._open.add(request)
            self._sending_headers[request] = time.monotonic()
        super().process_request(request, client_address)

    def headers_read(self, request: socket.socket) -> bool:
        """The handler has the request's headers (or gave up): False when the server cut it meanwhile."""
        with self._guard:
            self._sending_headers.pop(request, None)
            return request not in self._cut_off

    def shutdown_request(self, request) -> None:  # noqa: ANN001 - stdlib signature
        with self._guard:
            self._open.discard(request)
            self._sending_headers.pop(request, None)
            self._cut_off.discard(request)
        super().shutdown_request(request)

    def service_actions(self) -> None:
        """Called by serve_forever between polls: cut connections past their header deadline."""
        expired = time.monotonic() - self.header_timeout
        with self._guard:
            late = [conn for conn, accepted in self._sending_headers.items() if accepted < expired]
            for conn in late:
                self._cut(conn)

    def _cut(self, conn: socket.socket) -> None:
        """End a connection from outside its handler thread: its pending read returns at once."""
        self._sending_headers.pop(conn, None)
        self._cut_off.add(conn)
        try:
            conn.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _drop(self, request: socket.socket) -> None:
        try:
            request.close()
        except OSError:
            pass

    def handle_error(self, request, client_address) -> None:  # noqa: ANN001 - stdlib signature
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, BrokenPipeError, TimeoutError)):
            return  # the page went away mid-response: normal for a browser
        super().handle_error(request, client_address)


def bind(app: WSGIApplication, port: int = 0, log: Callable[[str], None] | None = None) -> LoopbackServer:
    """A server for `app` listening on 127.0.0.1:`port` (0 picks a free port)."""
    handler = type("Handler", (_QuietHandler,), {"log_hook": staticmethod(log) if log else None})
    try:
        server = LoopbackServer((LOOPBACK, port), handler)
    except OSError as exc:
        if exc.errno in (errno.EADDRINUSE, errno.EACCES, getattr(errno, "WSAEADDRINUSE", -1)):
            raise PortInUseError(
                f"Port {port} on {LOOPBACK} is already in use.",
                "Close the program using it, or pick another with --port N (0 picks a free one).",
            ) from None
        raise
    server.set_app(app)
    return server


def serve_in_thread(server: LoopbackServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True, name="page-server")
    thread.start()
    return thread
