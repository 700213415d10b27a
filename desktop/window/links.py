"""Where the window may go: its own pages stay inside, the web goes to the system browser, the rest nowhere.

EXTERNAL only says a URL may go to the system browser; each backend hands it over only when the
person asked for it (a click or key press in the window just before), never for what page code
does on its own (`location.href = ...`, `window.open()`, a scripted click, a form).
"""

from __future__ import annotations

import enum
import ipaddress
from urllib.parse import urlsplit

__all__ = ["Decision", "NavigationPolicy", "is_local_host"]


def is_local_host(host: str) -> bool:
    """Whether `host` names this machine (loopback, any-address, `localhost` and its subdomains)."""
    host = host.strip("[]").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        try:  # 127.1, 2130706433, 0x7f.1: spellings engines accept for 127.0.0.1
            import socket

            address = ipaddress.ip_address(socket.inet_aton(host))
        except (OSError, ValueError):
            return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_loopback or address.is_unspecified


class Decision(enum.Enum):
    ALLOW = "allow"  # load in the window
    EXTERNAL = "external"  # hand to the system browser, stay put
    REFUSE = "refuse"  # do nothing


class NavigationPolicy:
    """Decides navigations of the top window; `origin` is the app server's, e.g. http://127.0.0.1:8123."""

    def __init__(self, origin: str) -> None:
        self.origin = origin.rstrip("/")

    def decide(self, url: str, *, top_level: bool = True) -> Decision:
        try:
            parts = urlsplit(url)
        except ValueError:
            return Decision.REFUSE
        scheme = parts.scheme.lower()
        if scheme in ("http", "https") and f"{scheme}://{parts.netloc.lower()}" == self.origin:
            return Decision.ALLOW
        if not top_level and scheme in ("blob", "data", "about"):
            return Decision.ALLOW  # subframes and workers the page makes for itself
        if scheme == "about" and url in ("about:blank", "about:srcdoc"):
            return Decision.ALLOW
        if scheme in ("http", "https") and parts.hostname:
            # Another program on this machine (another port, another name for it) is not "the web":
            # a page must not hand its data to it through the system browser either.
            return Decision.REFUSE if is_local_host(parts.hostname) else Decision.EXTERNAL
        return Decision.REFUSE  # file:, smb:, data:, javascript:, custom schemes
