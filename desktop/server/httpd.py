"""A threaded WSGI server bound to 127.0.0.1 with a listen backlog that absorbs bursts.

The standard library's default backlog of 5 stalled a burst of parallel
requests for over a second in a probe; runtimes fire dozens at once.

It answers in HTTP/1.1, one request per connection (and says so): Chromium-based engines,
the app's window among them, revalidate a cached response by its ETag only when it came
over HTTP/1.1. Over the standard library's HTTP/1.0 every page, start module and lock file
came whole again at each load, and V8 recompiled the scripts instead of reusing their cache.
"""

from __future__ import annotations

import errno
import os
import sys
import threading
from socketserver import ThreadingMixIn
from typing import Callable
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer

from ..errors import PortInUseError
from ..settings import LOOPBACK

__all__ = ["LoopbackServer", "bind"]

BACKLOG = 1024


class _Http11Response(ServerHandler):
    http_version = "1.1"

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
        left = int(length)
        while left > 0:
            sent = os.sendfile(connection.fileno(), fd, offset, min(left, 1 << 30))
            if sent == 0:
                break
            offset += sent
            left -= sent
        self.bytes_sent += int(length) - left
        return True

    def cleanup_headers(self) -> None:
        super().cleanup_headers()
        self.headers["Connection"] = "close"  # the handler below serves one request per connection


class _QuietHandler(WSGIRequestHandler):
    log_hook: Callable[[str], None] | None = None

    def handle(self) -> None:
        """One request, as the standard library's handler does, answered in HTTP/1.1."""
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536:
            self.requestline = self.request_version = self.command = ""
            self.send_error(414)
            return
        if not self.parse_request():
            return
        response = _Http11Response(self.rfile, self.wfile, self.get_stderr(), self.get_environ(), multithread=False)
        response.request_handler = self  # for the access log, as in the standard library
        response.run(self.server.get_app())

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        if self.log_hook:
            self.log_hook(format % args)


class LoopbackServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = BACKLOG
    allow_reuse_address = sys.platform != "win32"  # on Windows it would let us steal a busy port

    def handle_error(self, request, client_address) -> None:  # noqa: ANN001 - stdlib signature
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, BrokenPipeError, TimeoutError)):
            return  # the page went away mid-response: normal for a browser
        super().handle_error(request, client_address)


def bind(app, port: int = 0, log: Callable[[str], None] | None = None) -> LoopbackServer:
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


__all__.append("serve_in_thread")
