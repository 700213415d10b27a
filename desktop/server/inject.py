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
from functools import lru_cache
from pathlib import Path
from typing import Callable

from .pageinfo import PageInfo

__all__ = ["PageContext", "Injection", "inject", "base_snippet", "inline_script"]

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
    #: Library URLs the page names without an offline copy: {"url", "command" (or None), "reason"}.
    missing_libraries: list[dict] = field(default_factory=list)
    #: CDN hosts whose URLs the page's scripts may compute at run time (made local by the shim below).
    cdn_hosts: list[str] = field(default_factory=list)


Injection = Callable[[PageContext], str]


def _json_for_script(value: object) -> str:
    """JSON that is safe inside an inline <script> element."""
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


def base_snippet(ctx: PageContext) -> str:
    state = {
        "notices": ctx.notices,
        "missingPackages": [
            {"name": n, "command": f"python main.py runtime add {n}"} for n in ctx.missing_packages
        ],
        "configErrors": ctx.info.config_errors,
        "pair": ctx.pair,
        "pyodide": ctx.pyodide_url,
        "missingLibraries": ctx.missing_libraries,
    }
    snippet = f"<script>window.__pyscriptDesktop=Object.assign(window.__pyscriptDesktop||{{}},{_json_for_script(state)});</script>"
    if ctx.cdn_hosts:
        snippet += _LIBRARY_SHIM.replace("HOSTS", _json_for_script(ctx.cdn_hosts))
    if ctx.notices or ctx.missing_packages or ctx.info.config_errors or ctx.missing_libraries:
        # Only a page with something to report loads the reporter: it is a parser-blocking script,
        # and a page without problems should not wait for it (about 50-100 ms of a MicroPython start).
        snippet += '<script src="/_desktop/page.js"></script>'
    return snippet


#: Scripts that set `src`/`href` of a <script> or <link> to a CDN URL at run time (loaders in
#: chart libraries' HTML) get the local `/_cdn/` URL instead, which the server answers from the
#: library cache; anything the policy still blocks is named in a box (static/blocked.js).
_LIBRARY_SHIM = (
    "<script>(()=>{const H=new Set(HOSTS),o=location.origin;"
    "const f=u=>{try{const x=new URL(String(u),location.href);"
    "if(/^https?:$/.test(x.protocol)&&x.origin!==o&&H.has(x.hostname))return o+'/_cdn/'+x.hostname+x.pathname+x.search}catch(e){}return u};"
    "for(const[C,a]of[[HTMLScriptElement,'src'],[HTMLLinkElement,'href']]){const d=Object.getOwnPropertyDescriptor(C.prototype,a);"
    "Object.defineProperty(C.prototype,a,{...d,set(v){d.set.call(this,f(v))}})}"
    "const s=Element.prototype.setAttribute;Element.prototype.setAttribute=function(n,v){"
    "if((this instanceof HTMLScriptElement&&/^src$/i.test(n))||(this instanceof HTMLLinkElement&&/^href$/i.test(n)))v=f(v);"
    "return s.call(this,n,v)};"
    "addEventListener('securitypolicyviolation',e=>{const d=window.__pyscriptDesktop;"
    "if(!/^https?:/.test(e.blockedURI))return;(d.blocked=d.blocked||[]).push(e.blockedURI);"
    "if(d.showBlocked)return d.showBlocked();if(d.blockedLoading)return;d.blockedLoading=1;"
    "const t=document.createElement('script');t.src='/_desktop/blocked.js';document.head.append(t)})})();</script>"
)


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
