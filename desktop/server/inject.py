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
import shlex
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable

from ..settings import STATIC_DIR
from .cdn import NOT_BUNDLED
from .htmlscan import SCAN_LIMIT, Tag, tokens
from .pageinfo import PageInfo, package_name

__all__ = ["PageContext", "Injection", "inject", "base_snippet", "inline_script", "runs_python", "script_json", "ERRORS_SCRIPT"]

_DOCTYPE = re.compile(r"[\s\ufeff]*<!doctype\b", re.IGNORECASE)
#: Run-time CDN URLs of <script>/<link> elements made local, and blocked requests named (see the file).
_LIBRARY_SHIM = STATIC_DIR / "libraries.js"


@dataclass
class PageContext:
    """Facts about one served page, for injections to use."""

    url_path: str
    file: Path
    origin: str
    info: PageInfo
    notices: list[str] = field(default_factory=list)
    #: Library URLs the page names without an offline copy: {"url", "command" (or None), "reason", "cosmetic"}.
    missing_libraries: list[dict] = field(default_factory=list)
    #: CDN hosts whose URLs the page's scripts may compute at run time (made local by static/libraries.js).
    cdn_hosts: list[str] = field(default_factory=list)
    missing_packages: list[str] = field(default_factory=list)
    pair: str = "default"
    pyodide_url: str = ""  # the bundled pyodide.mjs of the preferred pair (the classic layer loads it)
    core_url: str = ""  # the PyScript core.js this page loads ("" when none): see pyhooks.hook_snippet
    python: bool = True  # the page runs Python (PyScript, classic or Pyodide): it gets the error overlay


Injection = Callable[[PageContext], str]

#: The overlay that shows any uncaught Python error of the page (see its header).
ERRORS_SCRIPT = STATIC_DIR / "errors.js"
#: Atomics.waitAsync that always answers a promise: worker.sync calls of 0.5-0.6 cores (see the file).
_WAIT_ASYNC_SHIM = STATIC_DIR / "waitasync.js"


def script_json(value: object) -> str:
    """`value` as JSON that is safe inside an inline <script> element: no `</script>`, `<!--` or `&` can
    end or confuse the element (each is the same text in JavaScript as \\u003c, \\u003e, \\u0026).
    The one place that knows how; every snippet the server, window, bridge and kiosk add uses it."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@lru_cache(maxsize=16)
def _script_text(path: str, mtime_ns: int) -> str:
    # "</" and "<!--" could end or confuse the element; "<\/" is the same text in JavaScript strings
    return Path(path).read_text(encoding="utf-8").replace("</", "<\\/").replace("<!--", "<\\!--")


def inline_script(path: Path) -> str:
    """A <script> element holding `path`'s code, for the app's own small scripts that must run
    before the page's: as `<script src>` the parser waits for a request to this server, which at
    a page's start queues behind the runtime's files (64 ms of a MicroPython start in the window)."""
    return f"<script>{_script_text(str(path), path.stat().st_mtime_ns)}</script>"


_PYTHON = re.compile(r"""<(?:py|mpy)-[a-z]|type\s*=\s*["']?(?:py|mpy|pyodide|micropython|py-game|pyscript|py-script)\b|pyscript|pyodide""", re.IGNORECASE)


def runs_python(html: str) -> bool:
    """Whether a page mentions anything that runs Python (PyScript tags or scripts, classic, Pyodide)."""
    return _PYTHON.search(html) is not None


def base_snippet(ctx: PageContext) -> str:
    state = {
        "notices": ctx.notices,
        # the versions it runs on instead of those it names: the error overlay shows these (static/errors.js)
        "versionNotices": [n for n in ctx.notices if NOT_BUNDLED in n],
        "missingPackages": [
            # only valid names reach here (pageinfo.package_name); quoted all the same, as a shown command must be
            {"name": n, "command": f"python main.py runtime add {shlex.quote(n)}"}
            for n in ctx.missing_packages if package_name(n) == n
        ],
        "configErrors": ctx.info.config_errors,
        "pair": ctx.pair,
        "pyodide": ctx.pyodide_url,
        "missingLibraries": ctx.missing_libraries,
        "cdnHosts": ctx.cdn_hosts,
    }
    snippet = f"<script>window.__pyscriptDesktop=Object.assign(window.__pyscriptDesktop||{{}},{script_json(state)});</script>"
    if ctx.python:  # the error overlay: small, inline (no request), window or browser alike
        snippet += inline_script(ERRORS_SCRIPT) + inline_script(_WAIT_ASYNC_SHIM)
    if ctx.cdn_hosts:
        snippet += inline_script(_LIBRARY_SHIM)
    if ctx.notices or ctx.missing_packages or ctx.info.config_errors or ctx.missing_libraries:
        # Only a page with something to report loads the reporter: it is a parser-blocking script,
        # and a page without problems should not wait for it (about 50-100 ms of a MicroPython start).
        snippet += '<script src="/_desktop/page.js"></script>'
    return snippet


def _insertion_point(html: str) -> int:
    """Where injected snippets go: after the first <head> start tag, else after <html>, else after
    a leading doctype, else at the start. Read by the linear tokenizer over the first SCAN_LIMIT
    characters: a regular expression for `<head ...>` was quadratic on a page of `<head `."""
    html_end = -1
    for token in tokens(html[:SCAN_LIMIT]):
        if isinstance(token, Tag) and not token.end:
            if token.name == "head":
                return token.stop
            if token.name == "html" and html_end < 0:
                html_end = token.stop
            elif token.name == "body":
                break  # a <head> after <body> is not the document's head
    if html_end >= 0:
        return html_end
    m = _DOCTYPE.match(html)
    if m:
        close = html.find(">", m.end(), SCAN_LIMIT)
        if close >= 0:
            return close + 1
    return 0


def inject(html: str, snippets: list[str]) -> str:
    """`html` with the snippets placed first in <head> (before any page script)."""
    block = "".join(snippets)
    if not block:
        return html
    at = _insertion_point(html)
    return html[:at] + block + html[at:]
