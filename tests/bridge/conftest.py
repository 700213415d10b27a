"""Fixtures for the bridge: a real PageServer with a Bridge mounted, and PyScript pages written to disk."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from desktop.bridge import Bridge, Grant, GrantSet, Limits
from desktop.server import PageServer, ServerOptions

CORE = "https://cdn.jsdelivr.net/npm/@pyscript/core@0.6.66/dist/core.js"
CORE_CSS = "https://cdn.jsdelivr.net/npm/@pyscript/core@0.6.66/dist/core.css"


def pyscript_page(body: str, *, config: str = "", title: str = "bridge test", head: str = "") -> str:
    """A modern PyScript page; `body` holds the page's scripts and elements."""
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{title}</title><link rel='stylesheet' href='{CORE_CSS}'>"
        f"<script type='module' src='{CORE}'></script>"
        + (f"<py-config>{config}</py-config>" if config else "") + head
        + f"</head><body>{body}</body></html>"
    )


@dataclass
class BridgeSite:
    server: PageServer
    bridge: Bridge
    site: Path  # the served folder (the page folder)

    @property
    def api(self) -> str:
        return self.server.origin + "/_desktop/api/files/"

    def token(self, page: str = "index.html") -> str:
        html = httpx.get(self.server.origin + "/" + page, headers=self.server.auth_headers()).text
        return re.search(r'"token": "([^"]+)"', html)[1]

    def headers(self, token: str | None = None, **extra: str) -> dict[str, str]:
        # (the server's session cookie as the app's window sends it: the bridge's own checks are under test)
        base = {"Origin": self.server.origin, "Content-Type": "application/json",
                "X-Desktop-Token": token if token is not None else self.token(), **self.server.auth_headers()}
        base.update(extra)
        return base

    def call(self, op: str, token: str | None = None, **args) -> httpx.Response:
        return httpx.post(self.api + op, headers=self.headers(token), json=args, timeout=30)


@pytest.fixture
def bridge_site(bundle, tmp_path: Path) -> Iterator:
    """bridge_site(read=[...], write=[...], limits=..., dialogs=..., pages={name: html}) -> BridgeSite."""
    started: list[BridgeSite] = []

    def start(*, read=(), write=(), limits: Limits = Limits(), dialogs=None, pages=None, home=None) -> BridgeSite:
        site = tmp_path / f"site{len(started)}"
        site.mkdir()
        for name, html in (pages or {"index.html": pyscript_page("<p>hi</p>")}).items():
            (site / name).write_text(html, encoding="utf-8")
        grants = GrantSet([*(Grant.of(p) for p in read), *(Grant.of(p, write=True) for p in write)])
        bridge = Bridge(grants, log_dir=tmp_path / "logs", limits=limits, dialogs=dialogs, home=home)
        server = PageServer(ServerOptions(root=site, bundle=bundle, injections=[bridge.injection],
                                          mounts=bridge.mounts)).start()
        result = BridgeSite(server, bridge, site)
        started.append(result)
        return result

    yield start
    for s in started:
        s.server.shutdown()
        s.bridge.close()
