"""What the server adds to every HTML page it serves (pages on disk are never modified).

The base injection reports version substitutions in the console and missing
packages as a visible box, through `static/page.js`. Other parts of the app
(window, bridge, kiosk) contribute their own snippets as `Injection`s, handed
to the server by the command that composes them, so the server never imports
those parts.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .pageinfo import PageInfo

__all__ = ["PageContext", "Injection", "inject", "base_snippet"]

_HEAD_OPEN = re.compile(r"<head(\s[^>]*)?>", re.IGNORECASE)
_HTML_OPEN = re.compile(r"<html(\s[^>]*)?>", re.IGNORECASE)
_DOCTYPE = re.compile(r"<!doctype[^>]*>", re.IGNORECASE)


@dataclass
class PageContext:
    """Facts about one served page, for injections to use."""

    url_path: str
    file: Path
    origin: str
    info: PageInfo
    notices: list[str] = field(default_factory=list)
    missing_packages: list[str] = field(default_factory=list)
    pair: str = "default"
    pyodide_url: str = ""  # the bundled pyodide.mjs of the preferred pair (the classic layer loads it)
    core_url: str = ""  # the PyScript core.js this page loads ("" when none): see pyhooks.hook_snippet


Injection = Callable[[PageContext], str]


def _json_for_script(value: object) -> str:
    """JSON that is safe inside an inline <script> element."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def base_snippet(ctx: PageContext) -> str:
    state = {
        "notices": ctx.notices,
        "missingPackages": [
            {"name": n, "command": f"python main.py runtime add {n}"} for n in ctx.missing_packages
        ],
        "configErrors": ctx.info.config_errors,
        "pair": ctx.pair,
        "pyodide": ctx.pyodide_url,
    }
    snippet = f"<script>window.__pyscriptDesktop=Object.assign(window.__pyscriptDesktop||{{}},{_json_for_script(state)});</script>"
    if ctx.notices or ctx.missing_packages or ctx.info.config_errors:
        # Only a page with something to report loads the reporter: it is a parser-blocking script,
        # and a page without problems should not wait for it (about 50-100 ms of a MicroPython start).
        snippet += '<script src="/_desktop/page.js"></script>'
    return snippet


def inject(html: str, snippets: list[str]) -> str:
    """`html` with the snippets placed first in <head> (before any page script)."""
    block = "".join(snippets)
    if not block:
        return html
    for pattern in (_HEAD_OPEN, _HTML_OPEN, _DOCTYPE):
        m = pattern.search(html)
        if m:
            return html[: m.end()] + block + html[m.end():]
    return block + html
