"""Who may talk to a page server: the app's own windows, and the browser `serve` printed a URL for.

Every port on 127.0.0.1 is reachable by every local user, so the server itself must tell
the person's own engine from another user's process. Each server holds a per-launch secret,
the session, and hands it out only through one-time login URLs:

    GET /_desktop/login/<token>?next=/page.html
        -> 303 to /page.html, Set-Cookie: pyscript-desktop-<port>=<session>; HttpOnly; SameSite=Strict

The app opens every window (and every reload, new window and hand-off) on such a URL; `serve`
prints one. After that the engine's cookie authenticates each request: pages, runtime files,
same-origin workers and module imports, `fetch` (Pyodide's package loads, the start snapshot)
all send it. Any request without it gets one fixed 403 and nothing else. A cookie, not a
request interceptor, because every engine (Qt WebEngine, WebKitGTK, WebView2, WKWebView) and
every browser keeps cookies the same way, workers included.

Cookies are shared by all ports of a host, so the name carries the port and each server
checks only its own (a session of one server opens nothing on another).
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from urllib.parse import quote

__all__ = ["ServerAccess", "LOGIN_PREFIX", "COOKIE_PREFIX", "FORBIDDEN_BODY", "LOGIN_TTL", "cookie_name", "MAX_TOKENS", "safe_next"]

LOGIN_PREFIX = "/_desktop/login/"
COOKIE_PREFIX = "pyscript-desktop-"
#: How long an unused login URL stays valid: time enough for a window to start under load.
LOGIN_TTL = 600.0
#: Unused login tokens kept at most (each window load mints one; old ones go first).
MAX_TOKENS = 256
#: The whole answer to a request that does not carry the session: the same bytes every time.
FORBIDDEN_BODY = b"403 Forbidden: open this page from the app (or the one-time URL `serve` printed).\n"


def cookie_name(port: int) -> str:
    return f"{COOKIE_PREFIX}{port}"


class ServerAccess:
    """The session secret of one server and the one-time login tokens that hand it out."""

    def __init__(self) -> None:
        self.session = secrets.token_urlsafe(32)
        self._tokens: dict[str, float] = {}  # token -> monotonic expiry
        self._lock = threading.Lock()

    # -- minting --------------------------------------------------------------------------------
    def mint(self) -> str:
        """A new one-time login token."""
        token = secrets.token_urlsafe(32)
        now = time.monotonic()
        with self._lock:
            for old in [t for t, until in self._tokens.items() if until <= now]:
                del self._tokens[old]
            while len(self._tokens) >= MAX_TOKENS:
                del self._tokens[next(iter(self._tokens))]
            self._tokens[token] = now + LOGIN_TTL
        return token

    def login_path(self, next_path: str = "/") -> str:
        """A one-time path that logs the engine in and lands on `next_path` (a path on this server)."""
        return f"{LOGIN_PREFIX}{self.mint()}?next={quote(safe_next(next_path), safe='/')}"

    def consume(self, token: str) -> bool:
        """True once for a token this server minted and that has not expired."""
        with self._lock:
            until = self._tokens.pop(token, None)
        return until is not None and until > time.monotonic()

    # -- checking ---------------------------------------------------------------------------------
    def admits(self, cookie_header: str, port: int) -> bool:
        """Whether a request's Cookie header carries this server's session (constant-time compare)."""
        name = cookie_name(port)
        given = ""
        for part in cookie_header.split(";"):
            key, _, value = part.strip().partition("=")
            if key == name:
                given = value.strip().strip('"')
                break
        return hmac.compare_digest(given.encode(), self.session.encode())

    def set_cookie(self, port: int) -> str:
        """The Set-Cookie value that gives an engine this server's session (for this browser session only)."""
        return f"{cookie_name(port)}={self.session}; Path=/; HttpOnly; SameSite=Strict"


def safe_next(path: str) -> str:
    """Where a login may land: a path on this server, never another host (`//host`, `\\`, schemes)."""
    if not path.startswith("/") or path.startswith("//") or "\\" in path or any(ord(c) < 0x20 for c in path):
        return "/"
    return path
