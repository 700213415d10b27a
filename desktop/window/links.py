"""Where the window may go: its own pages stay inside, the web goes to the system browser, the rest nowhere."""

from __future__ import annotations

import enum
from urllib.parse import urlsplit

__all__ = ["Decision", "NavigationPolicy"]


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
            return Decision.EXTERNAL
        return Decision.REFUSE  # file:, smb:, data:, javascript:, custom schemes
