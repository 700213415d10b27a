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
from dataclasses import dataclass, field
from typing import Callable

from ..runtime.bundle import closest_version
from ..runtime.manifest import Release
from ..runtime.releases import nearest_published
from .libmap import LIBRARY_HOSTS, LibRef, map_url
from .wheelfiles import GITHUB_HOSTS, github_file, npm_file
from .libraries import LibraryResolver, LocalLibrary, MissingLibrary

__all__ = [
    "CDN_HOSTS", "Resolution", "CdnResolver", "CLASSIC_PREFIX", "CDN_PREFIX", "PAGE_CDN_PREFIX", "RUNTIME_PREFIX", "VARIANT_MARK",
    "split_variant", "with_interpreter", "URL_RE", "own_folder", "NOT_BUNDLED",
]

#: The words of each notice that a page was served another version than it names: the page's error
#: overlay shows those notices beside the error (inject.base_snippet picks them out by these words).
NOT_BUNDLED = "is not bundled with this app"

RUNTIME_PREFIX = "/_runtime"
CDN_PREFIX = "/_cdn"
#: CDN URLs a page's own code completes at run time (`v${PYODIDE_VERSION}`): resolved as if written
#: in the page, so a Pyodide version gets a pair's Pyodide, the one with the bundled packages.
PAGE_CDN_PREFIX = CDN_PREFIX + "/page"
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

_HOST_ALT = "|".join(re.escape(h) for h in dict.fromkeys(CDN_HOSTS + LIBRARY_HOSTS + GITHUB_HOSTS))
#: A URL on a CDN host, absolute or scheme-relative, up to a delimiter.
URL_RE = re.compile(r"(?:https?:)?//(" + _HOST_ALT + r")(/[^\s\"'<>`\\)]*)?")

_CLASSIC_FILES = {"pyscript.js", "pyscript.min.js", "pyscript.css", "pyscript.js.map", "pyscript.min.js.map"}
#: An origin on the loopback interface, where authors run their development server.
_DEV_SERVER = re.compile(r"https?://(?:127\.0\.0\.1|localhost|0\.0\.0\.0|\[::1\])(?::\d+)?(?=[/\"'\s<>`\\)]|$)")
_PYSCRIPT_NET = re.compile(r"^/(?:releases|snapshots)/(?P<ver>[^/]+)/(?P<file>.+)$|^/(?P<chan>latest|alpha|unstable)/(?P<file2>.+)$")
_NPM_PKG = re.compile(
    r"^/(?:npm/)?(?P<pkg>@pyscript/core|pyodide|@micropython/micropython-webassembly-pyscript)(?:@(?P<ver>[^/]+))?(?P<rest>/.*)?$"
)
_PYODIDE_CDN = re.compile(r"^/(?:pyodide/)?v(?P<ver>[^/]+)/(?:full|debug|pyc)/(?P<file>.*)$")
#: Pyodide on cdnjs (pages' second CDN, or their only one): /ajax/libs/pyodide/<ver>/<file>, the
#: distribution's files side by side (some pages add jsDelivr's `full/`), plus the `.min.js` twins
#: cdnjs makes of every script (pyodide.js is minified already: the same file).
_PYODIDE_CDNJS = re.compile(r"^/ajax/libs/pyodide/(?P<ver>\d[^/]*)/(?:full/)?(?P<file>.*)$")
_CDNJS_MIN = re.compile(r"^(pyodide(?:\.asm)?)\.min\.(m?js)$")
#: A core served with another Pyodide than its default: /_runtime/pyscript-core/<core>+pyodide-<version>/...
#: (see app.py: a page that needs packages only the pair's Pyodide bundles).
VARIANT_MARK = "+pyodide-"
#: The default interpreter version written in a core's bundled polyscript: `type:"pyodide",module:(e="0.24.1")`.
_DEFAULT_PYODIDE = re.compile(r"""(type:\s*["']pyodide["']\s*,\s*module:\s*\(\s*\w+\s*=\s*["'])([^"']+)(["'])""")
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
    such as `@latest`, `pyscript.net/latest/` or a classic page). A calendar
    release (`pyscript.net/releases/2024.1.1/`) gets the core `releases` names
    for it when that is installed, else the preferred pair's, with a notice.
    """

    installed: Callable[[str], list[str]]
    preferred: Callable[[str], str]
    #: The PyScript calendar releases (manifest [releases]): which vendored core serves each.
    releases: dict[str, Release] = field(default_factory=dict)
    #: The Pyodide versions of the pairs (they have the bundled packages). A Pyodide URL written in a
    #: page gets one of these; the others (the releases' Pyodides, npm cores without packages) serve
    #: only the URLs a release's core computes at run time (`computed=True`), as a plain Pyodide page
    #: pinned to an old version may load packages only the pairs' Pyodides have.
    pair_pyodides: tuple[str, ...] = ()

    libraries: LibraryResolver | None = None  # JavaScript/CSS libraries from CDNs (libraries.py)

    # -- one URL ------------------------------------------------------------------------------
    def resolve(self, host: str, path: str, query: str = "", *, computed: bool = False) -> Resolution | None:
        """The local path for https://host/path, or None when nothing bundled answers it. `computed`:
        the URL was computed by runtime code (a core's default interpreter), not written in a page."""
        path, _, inline_query = path.split("#", 1)[0].partition("?")
        path = path or "/"
        found = self._runtime(host, path, computed)
        if found is None and self.libraries is not None:
            local = self.libraries.resolve(host, path, query or inline_query)
            found = Resolution(local.path, local.notice) if isinstance(local, LocalLibrary) else None
        return found

    def _runtime(self, host: str, path: str, computed: bool = False) -> Resolution | None:
        if host in GITHUB_HOSTS:
            found = github_file(host, path)
            return Resolution(found.path, found.notice) if found is not None else None
        if host in LIBRARY_HOSTS and "/panel" in path:  # (a cheap test first: every library URL passes here)
            ref = map_url(host, path, "")
            found = npm_file(ref.package, ref.range, ref.file) if isinstance(ref, LibRef) else None
            if found is not None:
                return Resolution(found.path, found.notice)
        if host == "pyscript.net":
            return self._pyscript_net(path)
        if host == "cdnjs.cloudflare.com":
            m = _PYODIDE_CDNJS.match(path)
            if m is None:
                return None  # a library (libraries.py)
            file = _CDNJS_MIN.sub(r"\1.\2", m["file"])
            return self._component("pyodide", m["ver"], file, "Pyodide", computed)
        if host == "pyodide-cdn2.iodide.io" or path.startswith("/pyodide/v"):
            m = _PYODIDE_CDN.match(path)
            return self._component("pyodide", m["ver"], m["file"], "Pyodide", computed) if m else None
        m = _NPM_PKG.match(path)
        if m:
            kind = _NPM_KIND[m["pkg"]]
            rest = (m["rest"] or "/").lstrip("/")
            if kind == "pyscript-core" and not rest:
                rest = "dist/core.js"
            return self._component(kind, m["ver"], rest, m["pkg"], computed)
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
        installed = self.installed("pyscript-core")
        release = self.releases.get(requested) if m["ver"] else None
        if release is not None and release.serve_core in installed:
            notice = None if release.exact else f"PyScript {requested} is served with @pyscript/core {release.serve_core}: {release.note}."
            return Resolution(f"{RUNTIME_PREFIX}/pyscript-core/{release.serve_core}/dist/{file}", notice)
        version = self.preferred("pyscript-core")
        if version not in installed:
            return None
        notice = None
        if m["ver"]:
            notice = (
                f"PyScript {requested} {NOT_BUNDLED}; "
                f"serving the bundled PyScript core {version} instead."
            )
            if release is not None:
                notice += " Its own core is vendored by: python main.py runtime fetch --releases"
        return Resolution(f"{RUNTIME_PREFIX}/pyscript-core/{version}/dist/{file}", notice)

    def _component(self, kind: str, requested: str | None, file: str, label: str, computed: bool = False) -> Resolution | None:
        available = self.installed(kind)
        if kind == "pyodide" and not computed and self.pair_pyodides:
            available = [v for v in available if v in self.pair_pyodides] or available
        if not available:
            return None
        if requested in (None, "latest"):
            version = self.preferred(kind) if self.preferred(kind) in available else available[-1]
            notice = None
        else:
            core = self._core_for(requested, available) if kind == "pyscript-core" and requested not in available else None
            version = core or closest_version(requested, available) or available[-1]  # (available is not empty)
            notice = (
                None
                if version == requested
                else f"{label} {requested} {NOT_BUNDLED}; serving the bundled {version} instead."
            )
        if kind == "pyscript-core" and file.startswith(("core.", "storage.", "service-worker.")):
            file = f"dist/{file}"  # unpkg-style bare file names
        return Resolution(f"{RUNTIME_PREFIX}/{kind}/{version}/{file}", notice)

    def _core_for(self, requested: str, available: list[str]) -> str | None:
        """A core version that is not installed: the one the releases table serves for it (the
        release that shipped it), else the nearest installed of its minor series, later first."""
        for release in self.releases.values():
            if release.core == requested and release.serve_core in available:
                return release.serve_core
        return nearest_published(requested, available)

    # -- whole texts --------------------------------------------------------------------------
    def rewrite(self, text: str, origin: str, missing: list[MissingLibrary] | None = None, *,
                page: bool = False) -> tuple[str, list[str]]:
        """Every CDN URL in `text` made local; returns the text and the version notices.

        URLs that resolve become absolute canonical URLs on `origin`; the rest
        (for example templates that end in `${version}`) get the `/_cdn/<host>`
        prefix so the server can resolve them when they are requested (`page`: the
        text is the page's own, and they get `/_cdn/page/<host>`, see PAGE_CDN_PREFIX). Library
        URLs without an offline copy are appended to `missing`; a URL on a
        library host that names no library file (a link to its home page) stays.
        """
        notices: list[str] = []

        def replace(m: re.Match[str]) -> str:
            host, path = m[1], m[2] or "/"
            resolution = None if "${" in path else self._runtime(host, path.split("#", 1)[0].split("?", 1)[0] or "/")
            if resolution is None and host in GITHUB_HOSTS:
                return m[0]  # another repository: the page's policy blocks it and blocked.js names it
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
                return f"{origin}{PAGE_CDN_PREFIX if page else CDN_PREFIX}/{host}{path}"
            if resolution.notice and resolution.notice not in notices:
                notices.append(resolution.notice)
            suffix = path[len(path.split("?", 1)[0].split("#", 1)[0]):]
            return f"{origin}{resolution.path}{suffix}"

        return URL_RE.sub(replace, text), notices


def split_variant(version: str) -> tuple[str, str | None]:
    """"0.3.14+pyodide-0.27.7" -> ("0.3.14", "0.27.7"); a plain version -> (version, None)."""
    core, mark, pyodide = version.partition(VARIANT_MARK)
    return (core, pyodide) if mark and pyodide else (version, None)


def with_interpreter(core_text: str, pyodide: str) -> str:
    """A core chunk's text with its default Pyodide version replaced (for a variant core)."""
    return _DEFAULT_PYODIDE.sub(lambda m: m[1] + pyodide + m[3], core_text)


def own_folder(text: str, origin: str) -> tuple[str, list[str]]:
    """`text` of a config or Python file with the author's development server (`python -m http.server`
    on 127.0.0.1:8000, as in a config's `[files]`) read as this server, the page's own folder, and a
    notice for each such origin. Configs and Python files only: a page's own links and scripts to
    another local port stay as written, and the policy refuses them (another program, not the page)."""
    notices: list[str] = []
    if not _DEV_SERVER.search(text):
        return text, notices

    def replace(m: re.Match[str]) -> str:
        if m[0] == origin:
            return m[0]
        notice = f"{m[0]} (the page author's development server) is read as this page's own folder."
        if notice not in notices:
            notices.append(notice)
        return origin

    return _DEV_SERVER.sub(replace, text), notices
