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
from dataclasses import replace

from ..server.libraries import LIB_PREFIX, LibraryResolver, LocalLibrary
from ..server.cdn import CDN_PREFIX, URL_RE, CdnResolver

__all__ = ["VIRTUAL_PREFIX", "local_refs", "rewrite_page_text", "rewrite_runtime_js"]

#: Same-origin URL space the exported site's service worker answers (see sw.js).
VIRTUAL_PREFIX = "/__pyscript-export__/"

_RUNTIME_START = re.compile(r"(?:_runtime|_desktop/classic|_lib)/")
_PATH = re.compile(r"[^\s\"'<>`\\)?#]+")


def _relative_prefix(text: str, end: int) -> bool:
    """Whether `text[:end]` ends in one or more `./` or `../` not preceded by a word character or `/`.

    Read backwards over the run of dots and slashes only, so each character is looked at for
    one path at most: the expression `(?<![\\w/])(?:\\.\\.?/)+` before the path was quadratic on
    a page of `../../../...` (every start re-read the whole run)."""
    start = end
    while start > 0 and text[start - 1] in "./":
        start -= 1
    whole = {end}  # positions q where text[q:end] is a sequence of ./ and ../
    for q in range(end - 2, start - 1, -1):
        if (text.startswith("./", q) and q + 2 in whole) or (text.startswith("../", q) and q + 3 in whole):
            whole.add(q)
            before = text[q - 1] if q else ""
            if not (before == "/" or before == "_" or before.isalnum()):
                return True
    return False


def local_refs(text: str) -> set[str]:
    """The local runtime paths in rewritten page text (`<rel>/_runtime/...`, the classic layer, `_lib/`),
    without the relative prefix; linear in the text's length."""
    found: set[str] = set()
    pos = 0
    while m := _RUNTIME_START.search(text, pos):
        tail = _PATH.match(text, m.end()) if _relative_prefix(text, m.start()) else None
        if tail:
            found.add(text[m.start() : tail.end()])
            pos = tail.end()
        else:
            pos = m.start() + 1
    return found


class _FilesOnly(LibraryResolver):
    def resolve(self, host: str, path: str, query: str = ""):
        found = super().resolve(host, path, query)
        return found if isinstance(found, LocalLibrary) and found.path.startswith(LIB_PREFIX + "/") else None


def rewrite_page_text(text: str, rel: str, resolver: CdnResolver) -> tuple[str, list[str]]:
    """CDN URLs in a page (or a config or script beside it) made relative to its folder.

    `rel` is the way from the file's folder up to the site's root ("." or "../.."). URLs the
    resolver does not know stay as they were: the service worker refuses them in the browser,
    which says so in its console, instead of the page silently loading something else.
    """
    if resolver.libraries is not None:
        # Library files (`_lib/`) are exported as files; ES modules with resolved imports and generated
        # font stylesheets need the app's server, so those URLs stay as written (the worker refuses them).
        resolver = replace(resolver, libraries=_FilesOnly(resolver.libraries.libraries))
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

