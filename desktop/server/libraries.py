"""Library URLs -> the local library cache, and the texts served from it.

`cdn.py` hands every URL on a library host here. A URL that `libmap` maps to a
vendored package becomes a local path:

    /_lib/<package>@<version>/<file>     the file as the package has it (a CDN's plain file URL)
    /_esm/<package>@<version>/<file>     an ES module whose bare imports (`from "d3-array"`) point
                                         at other vendored packages, as esm.run/esm.sh serve them
    /_fonts/css2?family=...              a Google Fonts stylesheet made of @fontsource files

A mapped package that is not vendored is a `MissingLibrary` with the command
that vendors it; the server shows it in the page. No request leaves the machine:
fetching is only ever `runtime add --js` (the npm client), never a page's doing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

from ..runtime.jslibs import JsLibraries
from ..runtime.semver import is_exact
from .libmap import FontsRef, LibRef, Unmapped, add_command, fontsource_package, map_url

__all__ = ["LIB_PREFIX", "ESM_PREFIX", "FONTS_PREFIX", "PAIRED_WITH_PYTHON", "LocalLibrary", "MissingLibrary", "LibraryResolver", "split_spec",
           "drop_stale_integrity"]

LIB_PREFIX = "/_lib"
ESM_PREFIX = "/_esm"
FONTS_PREFIX = "/_fonts"

#: Hosts whose unmapped URLs are rewritten anyway (to a local 404): never a link a person follows,
#: and a preconnect to them would open a connection off the machine.
_ALWAYS_LOCAL = ("fonts.googleapis.com", "fonts.gstatic.com")

#: Libraries whose JavaScript must be the version of a Python package the bundle serves, so any
#: pinned version the cache lacks, of any major, gets the vendored one: BokehJS renders only what the
#: same bokeh version wrote, and every page gets the bundle's bokeh (a page of 2022 loads
#: bokeh-2.4.2.min.js; its `bokeh` is 3.6.0 here, as its pin would be: server/pins.py).
PAIRED_WITH_PYTHON = {"@bokeh/bokehjs": "bokeh"}

# import x from "s"; export * from "s"; import "s"; import("s")  (minified forms too)
_IMPORT = re.compile(r"""(?P<pre>\bfrom\s*|\bimport\s*\(\s*|\bimport\s*)(?P<q>["'])(?P<spec>[^"'\s]+)(?P=q)""")
_BUILTINS = frozenset(["assert", "buffer", "child_process", "crypto", "events", "fs", "http", "https", "module", "net", "os", "path", "process", "stream", "string_decoder", "timers", "tty", "url", "util", "vm", "worker_threads", "zlib"])


@dataclass(frozen=True)
class LocalLibrary:
    """Where a library URL is served locally, and a notice when another version stands in."""

    path: str
    notice: str | None = None


@dataclass(frozen=True)
class MissingLibrary:
    """A library URL the page names that has no offline copy (yet)."""

    url: str
    command: str | None  # the command that vendors it, or None when no offline copy is possible
    reason: str = ""
    cosmetic: bool = False  # a web font: the page works in a fallback font, so a console notice is enough


def split_spec(text: str) -> tuple[str, str, str] | None:
    """'@scope/pkg@1.2.3/dist/x.js' -> ('@scope/pkg', '1.2.3', 'dist/x.js')."""
    m = re.match(r"^(?P<pkg>(?:@[^/@]+/)?[^/@]+)@(?P<ver>[^/]+)(?:/(?P<file>.*))?$", text.lstrip("/"))
    return (m["pkg"], m["ver"], m["file"] or "") if m else None


@dataclass(eq=False)  # hashed by identity: used as a cache key
class LibraryResolver:
    libraries: JsLibraries

    def resolve(self, host: str, path: str, query: str = "") -> LocalLibrary | MissingLibrary | None:
        """The local path for a library URL; a MissingLibrary when it has none; None when `host`/`path`
        is not a library file at all (left as it is, so links to a library's home page keep working)."""
        mapped = map_url(host, path, query)
        url = f"https://{host}{path}" + (f"?{query}" if query else "")
        if mapped is None:
            return None
        if isinstance(mapped, Unmapped):
            # preconnects and font files: made local (a readable 404) so nothing opens a connection out
            return LocalLibrary(f"/_cdn/{host}{path}") if host in _ALWAYS_LOCAL else None
        if isinstance(mapped, FontsRef):
            missing = [p for p in mapped.packages if not self.libraries.versions(p)]
            if missing:
                return MissingLibrary(url, add_command(mapped), "the font is not in the library cache", cosmetic=True)
            return LocalLibrary(f"{FONTS_PREFIX}{path}" + (f"?{query}" if query else ""))
        return self._library(mapped, url)

    def _library(self, ref: LibRef, url: str) -> LocalLibrary | MissingLibrary:
        version = self.libraries.best(ref.package, ref.range)
        notice = None
        if version is None and is_exact(ref.range):
            # a pinned version that is not vendored: the highest vendored one of the same major (of the
            # same minor for 0.x, where a minor may break) stands in, older or newer
            major, minor = ref.range.split(".")[:2]
            version = self.libraries.best(ref.package, major if major != "0" else f"0.{minor}")
            if version is not None:
                notice = f"{ref.package}@{ref.range} is not in the offline library cache; serving {ref.package}@{version} instead."
            elif ref.package in PAIRED_WITH_PYTHON and (vendored := self.libraries.versions(ref.package)):
                version = vendored[-1]  # oldest first
                notice = (f"{ref.package}@{ref.range} is not in the offline library cache; serving {ref.package}@{version}, "
                          f"the version of the Python {PAIRED_WITH_PYTHON[ref.package]} the page gets offline (the two must match).")
        if version is None:
            return MissingLibrary(url, add_command(ref), "the library is not in the library cache")
        folder = self.libraries.folder(ref.package, version)
        if ref.file and ref.file.endswith("/") and not ref.esm and folder is not None:
            # an import map's prefix ("three/addons/": ".../examples/jsm/"): the folder, if the package has it
            prefix_dir = next((p + ref.file for p in ref.prefixes if (folder / (p + ref.file)).is_dir()), None)
            if prefix_dir is not None and ".." not in prefix_dir.split("/"):
                return LocalLibrary(f"{LIB_PREFIX}/{ref.package}@{version}/{prefix_dir}", notice)
        if ref.esm:
            file = self.libraries.esm_entry(ref.package, version, ref.file or "")
            prefix = ESM_PREFIX
        elif ref.file:
            file = self.libraries.find_file(ref.package, version, ref.file, ref.prefixes)
            prefix = LIB_PREFIX
        else:
            file = self.libraries.default_file(ref.package, version, ref.default_fields)
            prefix = LIB_PREFIX
        if file is not None and ref.esm and folder is not None and _file_kind(str(folder / file)) == "cjs":
            return MissingLibrary(url, None, f"{ref.package}@{version} has no ES module build (CommonJS only), and "
                                  "converting one is something ES module CDNs do on their servers")
        if file is None:
            what = f"ES module entry{' for ' + ref.file if ref.file else ''}" if ref.esm else f"file {ref.file or '(default)'}"
            return MissingLibrary(url, None, f"{ref.package}@{version} has no {what}")
        return LocalLibrary(f"{prefix}/{ref.package}@{version}/{file}", notice)

    # -- files served from the cache ----------------------------------------------------------------
    def locate(self, spec: str) -> tuple[Path, str] | None:
        """(package folder, file inside it) for '<package>@<version>/<file>'; None when not vendored.
        The caller checks the file path (safepath)."""
        parts = split_spec(spec)
        if parts is None:
            return None
        folder = self.libraries.folder(parts[0], parts[1])
        return (folder, parts[2]) if folder is not None else None

    def module_text(self, spec: str, text: str) -> str:
        """An ES module of a vendored package with its bare imports pointing at vendored packages."""
        parts = split_spec(spec)
        if parts is None:
            return text
        if _text_kind(text) == "umd":
            # jQuery's dist file and the like: run it with a CommonJS `module` and export what it sets
            return ("const module = { exports: {} }; const exports = module.exports;\n" + text
                    + "\n;export default module.exports;\n")
        return _rewrite_imports(text, parts[0], parts[1], self.libraries)

    def fonts_css(self, path: str, query: str) -> str:
        """The Google Fonts stylesheet `path?query`, made of the vendored @fontsource files."""
        mapped = map_url("fonts.googleapis.com", path, query)
        if not isinstance(mapped, FontsRef):
            return f"/* {getattr(mapped, 'reason', 'not a Google Fonts stylesheet')} */\n"
        out: list[str] = []
        for family, pairs in mapped.families:
            package = fontsource_package(family)
            version = self.libraries.best(package, "*") or next(reversed(self.libraries.versions(package)), None)
            folder = self.libraries.folder(package, version) if version else None
            if folder is None:
                out.append(f"/* {family}: {package} is not in the library cache */")
                continue
            base = f"{LIB_PREFIX}/{package}@{version}/"
            seen: set[str] = set()
            for style, weight in pairs:
                name = f"{weight}{'-italic' if style == 'italic' else ''}.css"
                if not (folder / name).is_file():
                    name = "index.css"
                if name in seen or not (folder / name).is_file():
                    continue
                seen.add(name)
                css = (folder / name).read_text(encoding="utf-8")
                out.append(re.sub(r"url\((['\"]?)\./", lambda m: f"url({m[1]}{base}", css))  # noqa: B023 - called here
        return "\n".join(out) + "\n"


_ESM_SYNTAX = re.compile(r"(?:^|[;\s}])(?:import\s*[\w{*\"'(]|export\s*[\w{*])", re.MULTILINE)
_CJS_SYNTAX = re.compile(r"\bmodule\.exports\b|\bexports\.\w+\s*=")
_REQUIRE = re.compile(r"\brequire\s*\(\s*[\"'][^\"']+[\"']\s*\)")


def _text_kind(text: str) -> str:
    """"esm"; "umd" (sets module.exports, requires nothing: wrapped as a module's default export);
    or "cjs" (requires other files: only a bundler or an ES module CDN's server can convert it)."""
    if _ESM_SYNTAX.search(text) or not _CJS_SYNTAX.search(text):
        return "esm"
    code = re.sub(r"(?m)^\s*//.*$", "", re.sub(r"/\*.*?\*/", "", text, flags=re.S))  # comments that show usage
    return "cjs" if _REQUIRE.search(code) else "umd"


@lru_cache(maxsize=256)
def _file_kind(path: str) -> str:
    try:
        return _text_kind(Path(path).read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return "esm"


_TAG_START = re.compile(r"<(?:script|link)\b", re.IGNORECASE)
_INTEGRITY = re.compile(r"""\s+integrity\s*=\s*(["'])([^"']*)\1""", re.IGNORECASE)
_TAG_URL = re.compile(r"""\b(?:src|href)\s*=\s*(["'])([^"']*)\1""", re.IGNORECASE)


def drop_stale_integrity(html: str, prefix: str, served: Callable[[str], bytes | None]) -> tuple[str, list[str]]:
    """A page's `integrity` attribute on a <script>/<link> whose CDN URL now names a vendored file
    (`prefix` + `/_lib/...`) is kept when the served bytes match it, and dropped (with a notice) when
    they do not: another version stands in, or the file's CDN URLs were made local. The vendored
    file was itself checked against the registry's integrity when it was vendored."""
    notices: list[str] = []

    def fix_tag(tag: str) -> str:
        integrity, url = _INTEGRITY.search(tag), _TAG_URL.search(tag)
        if not integrity or not url or not url[2].startswith(prefix + LIB_PREFIX + "/"):
            return tag
        body = served(url[2][len(prefix) + len(LIB_PREFIX) + 1:])
        if body is None or _sri_matches_bytes(body, integrity[2]):
            return tag
        notices.append(f"The page's integrity hash for {url[2][len(prefix):]} does not match the vendored file "
                       "(checked against npm's integrity when it was vendored); the hash was left out.")
        return tag[: integrity.start()] + tag[integrity.end():]

    if "integrity" not in html.lower():
        return html, notices
    # Each <script/<link start is closed by the next ">" at or after it: found once per ">", so a page
    # of a million unclosed starts costs one pass (the expression `<script\b[^>]*>` was quadratic there).
    out, pos, close = [], 0, -1
    for m in _TAG_START.finditer(html):
        if m.start() < pos:
            continue
        if close < m.end():
            close = html.find(">", m.end())
            if close < 0:
                break
        out.append(html[pos:m.start()])
        out.append(fix_tag(html[m.start():close + 1]))
        pos = close + 1
    out.append(html[pos:])
    return "".join(out), notices


def _sri_matches_bytes(body: bytes, integrity: str) -> bool:
    import base64
    import hashlib

    for token in integrity.split():
        algorithm, _, value = token.partition("-")
        if algorithm in ("sha256", "sha384", "sha512") and base64.b64encode(hashlib.new(algorithm, body).digest()).decode() == value:
            return True
    return False


def _rewrite_imports(text: str, package: str, version: str, libraries: JsLibraries) -> str:
    def replace(m: re.Match[str]) -> str:
        spec = m["spec"]
        if spec.startswith((".", "/")) or ":" in spec or spec.split("/")[0] in _BUILTINS:
            return m[0]
        parts = spec.split("/")
        name = "/".join(parts[:2]) if spec.startswith("@") else parts[0]
        sub = spec[len(name):].lstrip("/")
        if name == package:
            target_version: str | None = version
            wanted = version
        else:
            wanted = libraries.dependency_range(package, version, name) or "latest"
            target_version = libraries.best(name, wanted) or next(reversed(libraries.versions(name)), None)
        entry = libraries.esm_entry(name, target_version, sub) if target_version else None
        if target_version is None:
            target = f"{ESM_PREFIX}/{name}@{wanted}/{sub}"  # answered with a readable 404 naming the command
        elif entry is None:
            target = f"{ESM_PREFIX}/{name}@{target_version}/{sub}"  # a 404 naming the missing file
        else:
            target = f"{ESM_PREFIX}/{name}@{target_version}/{entry}"
        return f"{m['pre']}{m['q']}{target}{m['q']}"

    return _IMPORT.sub(replace, text)
