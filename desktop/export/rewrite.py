"""How exported files name the runtime: relative paths in pages, virtual URLs in runtime code.

Pages get every CDN URL the app's resolver recognises as a path relative to the page's own
folder (`../_runtime/pyodide/0.27.7/pyodide.mjs`), so the site works from a host's root and from
any sub-path alike. The runtime's JavaScript cannot use relative URLs: PyScript builds its
interpreter URL from a template at run time (``https://cdn.jsdelivr.net/pyodide/v${v}/full/``)
and evaluates it inside workers made from `blob:` URLs, which have no folder to be relative to.
Those URLs become `<origin>/__pyscript-export__/<host>/<path>`, which the exported site's
service worker (`desktop/static/export/sw.js`) answers from the site's own `_runtime/` folder.
"""

from __future__ import annotations

import re

from ..server.cdn import CDN_PREFIX, URL_RE, CdnResolver

__all__ = ["VIRTUAL_PREFIX", "LOCAL_REF", "rewrite_page_text", "rewrite_runtime_js"]

#: Same-origin URL space the exported site's service worker answers (see sw.js).
VIRTUAL_PREFIX = "/__pyscript-export__/"

#: A local runtime path in rewritten page text: `<rel>/_runtime/...` or the classic layer.
LOCAL_REF = re.compile(r"(?<![\w/])(?:\.\.?/)+(?P<path>(?:_runtime|_desktop/classic)/[^\s\"'<>`\\)?#]+)")


def rewrite_page_text(text: str, rel: str, resolver: CdnResolver) -> tuple[str, list[str]]:
    """CDN URLs in a page (or a config or script beside it) made relative to its folder.

    `rel` is the way from the file's folder up to the site's root ("." or "../.."). URLs the
    resolver does not know stay as they were: the service worker refuses them in the browser,
    which says so in its console, instead of the page silently loading something else.
    """
    rewritten, notices = resolver.rewrite(text, rel)
    # resolver.rewrite marks URLs it cannot place with the server's /_cdn/ prefix: a static
    # host has no such route, so put those back as written.
    unknown = re.compile(re.escape(rel + CDN_PREFIX) + r"/([^/\s\"'<>`]+)")
    return unknown.sub(lambda m: "https://" + m[1], rewritten), notices


def rewrite_runtime_js(text: str) -> str:
    """CDN URLs in runtime JavaScript pointed at the site's service worker (see the module doc)."""

    def replace(m: re.Match[str]) -> str:
        host, path = m[1], m[2] or "/"
        virtual = VIRTUAL_PREFIX + host + path
        before = text[m.start() - 1] if m.start() else ""
        after = text[m.end()] if m.end() < len(text) else ""
        if before == "`" or "${" in path:  # inside a template literal
            return "${globalThis.location.origin}" + virtual
        if before in "\"'" and after == before:
            # a whole string literal: make it an expression (the quotes around it are kept)
            return f"{before}+globalThis.location.origin+{before}{virtual}"
        return m[0]  # inside a longer string or a comment: leave it

    return URL_RE.sub(replace, text)

