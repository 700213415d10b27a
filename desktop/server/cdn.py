"""Public CDN URLs -> the vendored runtime.

Pages written for the web load PyScript and Pyodide from public CDNs, and the
runtimes compute more CDN URLs themselves (PyScript's default interpreter,
MicroPython, Pyodide's packages). The server rewrites every such URL it sends
out, in pages and in runtime JavaScript, to a local one. A URL the resolver
recognises becomes its canonical `/_runtime/<kind>/<version>/<file>` path; any
other URL on a CDN host becomes `/_cdn/<host>/<path>`, which the server either
redirects to the canonical file (for URLs computed at run time, such as
``https://cdn.jsdelivr.net/pyodide/v${version}/full/pyodide.mjs``) or answers
with a readable 404. Either way, nothing leaves the machine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from ..runtime.bundle import closest_version, version_key
from .libmap import LIBRARY_HOSTS
from .libraries import LibraryResolver, LocalLibrary, MissingLibrary

__all__ = ["CDN_HOSTS", "Resolution", "CdnResolver", "CLASSIC_PREFIX", "CDN_PREFIX", "RUNTIME_PREFIX"]

RUNTIME_PREFIX = "/_runtime"
CDN_PREFIX = "/_cdn"
#: Where the classic (2022-2023) PyScript compatibility layer is served.
CLASSIC_PREFIX = "/_desktop/classic"

CDN_HOSTS = (
    "pyscript.net",
    "cdn.jsdelivr.net",
    "fastly.jsdelivr.net",
    "gcore.jsdelivr.net",
    "unpkg.com",
    "pyodide-cdn2.iodide.io",
)

_HOST_ALT = "|".join(re.escape(h) for h in dict.fromkeys(CDN_HOSTS + LIBRARY_HOSTS))
#: A URL on a CDN host, absolute or scheme-relative, up to a delimiter.
URL_RE = re.compile(r"(?:https?:)?//(" + _HOST_ALT + r")(/[^\s\"'<>`\\)]*)?")

_CLASSIC_FILES = {"pyscript.js", "pyscript.min.js", "pyscript.css", "pyscript.js.map", "pyscript.min.js.map"}
_PYSCRIPT_NET = re.compile(r"^/(?:releases|snapshots)/(?P<ver>[^/]+)/(?P<file>.+)$|^/(?P<chan>latest|alpha|unstable)/(?P<file2>.+)$")
_NPM_PKG = re.compile(
    r"^/(?:npm/)?(?P<pkg>@pyscript/core|pyodide|@micropython/micropython-webassembly-pyscript)(?:@(?P<ver>[^/]+))?(?P<rest>/.*)?$"
)
_PYODIDE_CDN = re.compile(r"^/(?:pyodide/)?v(?P<ver>[^/]+)/(?:full|debug|pyc)/(?P<file>.*)$")
_NPM_KIND = {
    "@pyscript/core": "pyscript-core",
    "pyodide": "pyodide",
    "@micropython/micropython-webassembly-pyscript": "micropython",
}


@dataclass(frozen=True)
class Resolution:
    """Where a CDN URL is served from locally, and a notice if the version was substituted."""

    path: str  # absolute URL path on this server
    notice: str | None = None


@dataclass(eq=False)  # hashed by identity: used as a cache key
class CdnResolver:
    """Maps CDN URLs to bundled files, given what is installed and which pair is preferred.

    `installed(kind)` lists installed versions of a component; `preferred`
    gives the preferred pair's version of a component (for version-less URLs
    such as PyScript's calendar releases, `@latest` or a classic page).
    """

    installed: Callable[[str], list[str]]
    preferred: Callable[[str], str]
    libraries: LibraryResolver | None = None  # JavaScript/CSS libraries from CDNs (libraries.py)

    # -- one URL ------------------------------------------------------------------------------
    def resolve(self, host: str, path: str, query: str = "") -> Resolution | None:
        """The local path for https://host/path, or None when nothing bundled answers it."""
        path, _, inline_query = path.split("#", 1)[0].partition("?")
        path = path or "/"
        found = self._runtime(host, path)
        if found is None and self.libraries is not None:
            local = self.libraries.resolve(host, path, query or inline_query)
            found = Resolution(local.path, local.notice) if isinstance(local, LocalLibrary) else None
        return found

    def _runtime(self, host: str, path: str) -> Resolution | None:
        if host == "pyscript.net":
            return self._pyscript_net(path)
        if host == "pyodide-cdn2.iodide.io" or path.startswith("/pyodide/v"):
            m = _PYODIDE_CDN.match(path)
            return self._component("pyodide", m["ver"], m["file"], "Pyodide") if m else None
        m = _NPM_PKG.match(path)
        if m:
            kind = _NPM_KIND[m["pkg"]]
            rest = (m["rest"] or "/").lstrip("/")
            if kind == "pyscript-core" and not rest:
                rest = "dist/core.js"
            return self._component(kind, m["ver"], rest, m["pkg"])
        return None

    def _pyscript_net(self, path: str) -> Resolution | None:
        m = _PYSCRIPT_NET.match(path)
        if not m:
            return None
        file = m["file"] or m["file2"]
        if file.rsplit("/", 1)[-1] in _CLASSIC_FILES:
            name = file.rsplit("/", 1)[-1].replace(".min.", ".")
            return Resolution(f"{CLASSIC_PREFIX}/{name}")
        requested = m["ver"] or m["chan"]
        version = self.preferred("pyscript-core")
        if version not in self.installed("pyscript-core"):
            return None
        notice = None
        if requested not in (version,):
            notice = (
                f"PyScript {requested} is not bundled with this app; "
                f"serving the bundled PyScript core {version} instead."
            )
        return Resolution(f"{RUNTIME_PREFIX}/pyscript-core/{version}/dist/{file}", notice)

    def _component(self, kind: str, requested: str | None, file: str, label: str) -> Resolution | None:
        available = self.installed(kind)
        if not available:
            return None
        if requested in (None, "latest"):
            version = self.preferred(kind) if self.preferred(kind) in available else available[-1]
            notice = None
        else:
            version = closest_version(requested, available)
            notice = (
                None
                if version == requested
                else f"{label} {requested} is not bundled with this app; serving the bundled {version} instead."
            )
        if kind == "pyscript-core" and file.startswith(("core.", "storage.", "service-worker.")):
            file = f"dist/{file}"  # unpkg-style bare file names
        return Resolution(f"{RUNTIME_PREFIX}/{kind}/{version}/{file}", notice)

    # -- whole texts --------------------------------------------------------------------------
    def rewrite(self, text: str, origin: str, missing: list[MissingLibrary] | None = None) -> tuple[str, list[str]]:
        """Every CDN URL in `text` made local; returns the text and the version notices.

        URLs that resolve become absolute canonical URLs on `origin`; the rest
        (for example templates that end in `${version}`) get the `/_cdn/<host>`
        prefix so the server can resolve them when they are requested. Library
        URLs without an offline copy are appended to `missing`; a URL on a
        library host that names no library file (a link to its home page) stays.
        """
        notices: list[str] = []

        def replace(m: re.Match[str]) -> str:
            host, path = m[1], m[2] or "/"
            resolution = None if "${" in path else self._runtime(host, path.split("#", 1)[0].split("?", 1)[0] or "/")
            if resolution is None and self.libraries is not None and "${" not in path and host in LIBRARY_HOSTS:
                bare, _, query = path.split("#", 1)[0].partition("?")
                local = self.libraries.resolve(host, bare or "/", query.replace("&amp;", "&"))
                if local is None and host not in CDN_HOSTS:
                    return m[0]
                if isinstance(local, MissingLibrary):
                    if missing is not None and local not in missing:
                        missing.append(local)
                elif local is not None:
                    if local.notice and local.notice not in notices:
                        notices.append(local.notice)
                    return f"{origin}{local.path}"
            if resolution is None:
                return f"{origin}{CDN_PREFIX}/{host}{path}"
            if resolution.notice and resolution.notice not in notices:
                notices.append(resolution.notice)
            suffix = path[len(path.split("?", 1)[0].split("#", 1)[0]):]
            return f"{origin}{resolution.path}{suffix}"

        return URL_RE.sub(replace, text), notices


def newest(versions: list[str]) -> str | None:
    return max(versions, key=version_key) if versions else None
