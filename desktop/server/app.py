"""The page server: one page folder and the vendored runtime, on 127.0.0.1.

URL space (everything outside the page folder sits under reserved prefixes):

    /<path>                        files of the page folder (HTML rewritten + injected)
    /_runtime/<kind>/<ver>/<path>  the runtime bundle, immutable
    /_cdn/<host>/<path>            CDN URLs computed at run time -> redirect to /_runtime (or /_lib)
    /_cdn/page/<host>/<path>       the same, computed by the page's own code (a Pyodide gets a pair's)
    /_lib/<pkg>@<ver>/<path>       JavaScript/CSS libraries from the library cache, immutable
    /_esm/<pkg>@<ver>/<path>       the same as ES modules with bare imports resolved (esm.run, esm.sh)
    /_fonts/css2?family=...        Google Fonts stylesheets made of vendored @fontsource files
    /_desktop/<path>               the app's own scripts (page.js, the classic layer)
    /_desktop/api/<name>/...       WSGI apps mounted by the composing command (bridge, kiosk)
    /_desktop/login/<token>        one-time login: sets the session cookie (see access.py)

Every request must carry this server's session cookie (access.py), except a login and the
paths a mounted app declares `public_paths` for because it authenticates them itself (the
kiosk's health endpoint and its Bearer token).
"""

from __future__ import annotations

import hashlib
import html as html_lib
import json
import os
import re
import threading
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable
from urllib.parse import parse_qs, quote

import bottle

from .. import console
from ..runtime.bundle import RuntimeBundle
from ..runtime.fetch import FILES_INDEX, read_files_index
from ..runtime.jslibs import LIBRARY_FOLDER, JsLibraries
from ..runtime.manifest import COMPONENTS
from ..runtime.precompile import STDLIB, Precompiled
from ..settings import STATIC_DIR
from . import httpd
from .access import FORBIDDEN_BODY, LOGIN_PREFIX, ServerAccess, safe_next
from .cdn import CDN_HOSTS, CDN_PREFIX, PAGE_CDN_PREFIX, VARIANT_MARK, CdnResolver, own_folder, split_variant, with_interpreter
from .borrowed import lent_entries, read_lock_file
from .gallery import gallery_app
from .wheelfiles import WHEEL_PREFIX
from .hints import Hint, core_layout, hint_links, interpreter_files
from .headers import CACHE_IMMUTABLE, CACHE_NONE, CACHE_REVALIDATE, SECURITY_HEADERS
from .inject import Injection, PageContext, base_snippet, inject, runs_python
from .mime import REWRITABLE, content_type
from .libmap import LIBRARY_HOSTS
from .coreentry import HOOKS_QUERY, workers_after_hooks
from .coretoml import own_toml_parser
from .libraries import ESM_PREFIX, FONTS_PREFIX, LIB_PREFIX, LibraryResolver, MissingLibrary, drop_stale_integrity, split_spec
from .pageinfo import CONFIG_LIMIT, PageInfo, package_name, scan_page
from .ownpyodide import RUNTIME_NAMES, is_stand_in, stand_in_version
from .pins import quoted_specs, relax_pins, standin_notes, unmet_pins
from .stdlib import drop_stdlib_packages, is_stdlib
from .pyhooks import before_run_snippet, core_url, errors_hook_snippet, pyodide_compat_snippet, standin_warnings_snippet
from .safepath import PathRefused, resolve_under
from .snapshots import SnapshotStore, build_id, folder_store, preload_snippet, runtime_key, snapshot_app, snapshot_supported, start_module_imports, wrapper_module

__all__ = ["PageServer", "ServerOptions", "WSGIApp"]

_CLASSIC_NAMES = {"pyscript.js", "pyscript.min.js", "pyscript.css"}

WSGIApp = Callable


@dataclass
class ServerOptions:
    """Everything the server needs, decided by the command that starts it."""

    root: Path
    bundle: RuntimeBundle
    pair: str | None = None  # preferred runtime pair; None = the manifest's default
    port: int = 0
    injections: list[Injection] = field(default_factory=list)
    mounts: dict[str, WSGIApp] = field(default_factory=dict)  # name -> app at /_desktop/api/<name>/
    gallery: bool = False  # serve the list of pages for the launcher at /_desktop/api/gallery/
    thumbnails: Path | None = None  # where page thumbnails are cached (for the gallery)
    log: Callable[[str], None] | None = None
    snapshots: Path | None = None  # cache folder for Pyodide start snapshots (None: no snapshots)
    #: This user's private folder (the data folder) for the key that signs start snapshots; None:
    #: the `snapshots` folder.
    secrets_dir: Path | None = None
    precompiled: bool = True  # serve package wheels with bytecode where `runtime fetch` made them
    #: Library cache roots (JavaScript/CSS from CDNs), searched in order; None: the bundle's `js/` only.
    libraries: tuple[Path, ...] | None = None


class PageServer:
    """Serves one page folder plus the runtime; start() binds, url tells where."""

    def __init__(self, options: ServerOptions) -> None:
        self.options = options
        self.root = options.root.resolve()
        self.bundle = options.bundle
        self.pair = self.bundle.require(options.pair)
        self.resolver = CdnResolver(
            installed=self.bundle.installed_versions, preferred=self._preferred, releases=self.bundle.manifest.releases,
            pair_pyodides=tuple(p.pyodide for p in self.bundle.manifest.pairs.values()),
        )
        self._server: httpd.LoopbackServer | None = None
        self._thread: threading.Thread | None = None
        self._noticed: set[str] = set()  # version substitutions already reported on the console
        self._lent: dict[tuple, dict[str, dict]] = {}  # the last Pyodide's borrowed packages (_lent_packages)
        self._snapshots: SnapshotStore | None = None  # this folder's start snapshots (set by _build_app)
        self._snapshot_key: str | None = None  # the runtime build they are made for (set by _build_app)
        roots = options.libraries if options.libraries is not None else (self.bundle.root / LIBRARY_FOLDER,)
        self.libraries = LibraryResolver(JsLibraries(tuple(roots)))
        self.resolver.libraries = self.libraries  # CDN library URLs go through the same rewriting
        self.port = options.port
        self.access = ServerAccess()
        self._public: set[str] = set()  # paths mounted apps authenticate themselves (set by _build_app)
        self.app = self._build_app()

    # -- lifecycle ----------------------------------------------------------------------------
    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return self.origin + "/"

    @property
    def snapshot_key(self) -> str | None:
        """The runtime build this server's start images are made for (None: no snapshots)."""
        return self._snapshot_key

    def url_for(self, file: Path) -> str:
        """The URL of a file inside the page folder."""
        rel = file.resolve().relative_to(self.root)
        return self.origin + "/" + quote(rel.as_posix())

    def login_url(self, url: str | None = None) -> str:
        """A one-time URL that logs an engine in to this server and lands on `url` (a URL or path on
        this server; default: its root). Open every window, reload and navigation on a fresh one."""
        url = url or "/"
        path = url.removeprefix(self.origin) if url.startswith(self.origin + "/") else url
        return self.origin + self.access.login_path(path)

    def auth_cookie(self) -> tuple[str, str]:
        """(name, value) of this server's session cookie: for clients the app drives itself."""
        name, value = self.access.set_cookie(self.port).split(";", 1)[0].split("=", 1)
        return name, value

    def auth_headers(self) -> dict[str, str]:
        """Headers that authenticate a raw HTTP client (tests, the app's own probes) to this server."""
        name, value = self.auth_cookie()
        return {"Cookie": f"{name}={value}"}

    def start(self) -> "PageServer":
        self._server = httpd.bind(self._wsgi, self.options.port, self.options.log)
        self.port = self._server.server_address[1]
        self._thread = httpd.serve_in_thread(self._server)
        return self

    def serve_forever(self) -> None:
        if self._thread is None:
            self.start()
        assert self._thread is not None
        while self._thread.is_alive():
            self._thread.join(0.5)

    def shutdown(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "PageServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    def read(self, path: str, query: str = "") -> bytes:
        """The body a GET of `path` gets, answered in-process without binding a socket.

        For `export`, which writes the bytes this server would send (the merged lock, the
        precompiled twins); raises LookupError naming the path when the answer is not a 200."""
        from wsgiref.util import setup_testing_defaults

        environ: dict = {"PATH_INFO": path, "QUERY_STRING": query, "REQUEST_METHOD": "GET"}
        setup_testing_defaults(environ)
        status: list[str] = []
        body = self.app(environ, lambda s, headers, exc_info=None: status.append(s))
        try:
            data = b"".join(body)
        finally:
            getattr(body, "close", lambda: None)()
        if not status or not status[0].startswith("200"):
            raise LookupError(f"{path}: {status[0] if status else 'no answer'}")
        return data

    # -- the outer WSGI layer: Host check and headers on every answer --------------------------
    def _wsgi(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith(LOGIN_PREFIX) and environ.get("REQUEST_METHOD") == "GET":  # (a HEAD must not use it up)
            return self._login(environ, start_response, path.removeprefix(LOGIN_PREFIX))
        if not self.access.admits(environ.get("HTTP_COOKIE", ""), self.port) and path not in self._public:
            return self._forbidden(start_response)
        host = environ.get("HTTP_HOST", "")
        if host != f"127.0.0.1:{self.port}":
            body = (
                f"Refused: this server answers only requests for http://127.0.0.1:{self.port} "
                "(Host header check against DNS rebinding).\n"
            ).encode()
            start_response("403 Forbidden", self._headers([("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]))
            return [body]

        def start(status: str, headers: list, exc_info: object = None):
            return start_response(status, self._headers(headers), exc_info)

        return self.app(environ, start)

    def _forbidden(self, start_response: Callable) -> list[bytes]:
        """The one answer to anyone without the session: fixed bytes, nothing about the server."""
        start_response("403 Forbidden", self._headers([
            ("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(FORBIDDEN_BODY)))]))
        return [FORBIDDEN_BODY]

    def _login(self, environ: dict, start_response: Callable, token: str) -> list[bytes]:
        """A one-time login URL: set the session cookie and go to `next` (a path on this server)."""
        if environ.get("HTTP_HOST", "") != f"127.0.0.1:{self.port}":
            return self._forbidden(start_response)
        fresh = self.access.consume(token)
        if not fresh and not self.access.admits(environ.get("HTTP_COOKIE", ""), self.port):
            return self._forbidden(start_response)  # used, expired or never minted
        target = safe_next(parse_qs(environ.get("QUERY_STRING", "")).get("next", ["/"])[0])
        if not target.isascii():
            target = quote(target, safe="/?=&%#:@!$'()*+,;~-._")
        headers = [("Location", target), ("Content-Length", "0"), ("Referrer-Policy", "no-referrer")]
        if fresh:
            headers.append(("Set-Cookie", self.access.set_cookie(self.port)))
        start_response("303 See Other", self._headers(headers))
        return [b""]

    @staticmethod
    def _headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
        present = {k.lower() for k, _ in headers}
        extra = [(k, v) for k, v in SECURITY_HEADERS.items() if k.lower() not in present]
        if "cache-control" not in present:
            extra.append(("Cache-Control", CACHE_NONE))
        return [(k, str(v)) for k, v in headers] + extra

    # -- routes ------------------------------------------------------------------------------
    def _build_app(self) -> bottle.Bottle:
        app = bottle.Bottle()
        app.config["json.enable"] = False
        app.catchall = True
        mounts = dict(self.options.mounts)
        if self.options.gallery:
            mounts["gallery"] = gallery_app(self.root, self.options.thumbnails)
        if self.options.snapshots is not None and snapshot_supported(self.pair.pyodide):
            pyodide_dir = self.bundle.component_dir("pyodide", self.pair.pyodide)
            self._snapshots = folder_store(self.options.snapshots, self.root, build_id(pyodide_dir), self.options.secrets_dir)
            # An image holds what the served standard library compiled to: key it by that file.
            stdlib = self._stdlib_file(self.pair.pyodide)
            self._snapshot_key = runtime_key(pyodide_dir, {STDLIB: stdlib} if stdlib else None)
            mounts["snapshot"] = snapshot_app(self._snapshots, self._snapshot_key)
        for name, sub in mounts.items():
            app.mount(f"/_desktop/api/{name}/", sub)
            self._public.update(f"/_desktop/api/{name}/{p.lstrip('/')}" for p in getattr(sub, "public_paths", ()))
        app.route("/_runtime/<kind>/<version>/<path:path>", ["GET", "HEAD"], self._runtime_file)
        app.route(f"{PAGE_CDN_PREFIX}/<host>/<path:path>", ["GET", "HEAD"], lambda host, path: self._cdn_redirect(host, path, page=True))
        app.route(f"{CDN_PREFIX}/<host>/<path:path>", ["GET", "HEAD"], self._cdn_redirect)
        app.route(f"{LIB_PREFIX}/<spec:path>", ["GET", "HEAD"], lambda spec: self._library_file(spec, esm=False))
        app.route(f"{ESM_PREFIX}/<spec:path>", ["GET", "HEAD"], lambda spec: self._library_file(spec, esm=True))
        app.route(f"{FONTS_PREFIX}/<name>", ["GET", "HEAD"], self._fonts_css)
        app.route("/_desktop/<path:path>", ["GET", "HEAD"], self._desktop_file)
        app.route(f"{WHEEL_PREFIX}/<distribution>/<member:path>", ["GET", "HEAD"], self._wheel_file)
        app.route("/", ["GET", "HEAD"], lambda: self._page_file(""))
        app.route("/<path:path>", ["GET", "HEAD"], self._page_file)
        app.error_handler.update({code: self._error_page for code in (400, 403, 404, 405, 416, 500)})
        return app

    def _preferred(self, kind: str) -> str:
        return self.pair.versions()[kind]

    def _runtime_file(self, kind: str, version: str, path: str):
        if kind not in COMPONENTS:
            return bottle.HTTPError(404, f"No runtime component called {kind!r}.")
        pyodide = None
        if kind == "pyscript-core":  # "<core>+pyodide-<version>": that core with another default Pyodide
            version, pyodide = split_variant(version)
        folder = self.bundle.component_dir(kind, version)
        if kind == "pyodide" and path == "pyodide-lock.json":
            return self._pyodide_lock(version)
        if kind == "pyodide" and path == "pyodide.mjs" and self._fast_start(version):
            return self._start_module(version)
        if kind == "pyodide" and path == STDLIB:
            stdlib = self._stdlib_file(version)
            if stdlib is not None:
                return self._static(stdlib, CACHE_IMMUTABLE)
        try:
            real = resolve_under(folder, path, decoded=True)
        except PathRefused as refused:
            wheel = self._package_file(kind, version, path) if refused.status == 404 else None
            if wheel is not None:
                return self._static(wheel, CACHE_IMMUTABLE)
            return bottle.HTTPError(refused.status, self._runtime_missing_text(kind, version, path, refused))
        if real.is_dir():
            return bottle.HTTPError(404, "Folders are not listed.")
        if kind != "pyodide" and real.suffix in (".js", ".mjs"):
            dist = (folder / "dist", f"{self.origin}/_runtime/pyscript-core/{version}/dist/") if kind == "pyscript-core" else None
            return self._rewritten(real, CACHE_IMMUTABLE, pyodide, dist)
        return self._static(real, CACHE_IMMUTABLE)

    def _fast_start(self, version: str) -> bool:
        """Serve the start module (snapshots, packages during start) for this pyodide.mjs request?"""
        return snapshot_supported(version) and bottle.request.query.get("desktop") != "original" and (
            self.bundle.component_dir("pyodide", version) / "pyodide.mjs"
        ).is_file()

    def _start_module(self, version: str):
        snapshot = build = None
        if self._snapshot_key is not None and version == self.pair.pyodide:
            snapshot, build = self._snapshot_url(), build_id(self.bundle.component_dir("pyodide", version))
        return self._bytes(wrapper_module(snapshot, build), "text/javascript; charset=utf-8", CACHE_REVALIDATE)

    def _snapshot_url(self) -> str:
        """Where the start module asks for this folder's start image: named by its digest once there is one."""
        url = "/_desktop/api/snapshot/" + str(self._snapshot_key)
        found = self._snapshots.intact(str(self._snapshot_key)) if self._snapshots is not None else None
        return url + "?v=" + found[1] if found else url

    def _hints(self, ctx: PageContext) -> str:
        """Preload hints for the runtime files this page's PyScript will ask for (see hints.py)."""
        prefix = f"{self.origin}/_runtime/pyscript-core/"
        if not ctx.core_url.startswith(prefix):
            return ""
        version, pyodide = split_variant(ctx.core_url.removeprefix(prefix).split("/", 1)[0])
        layout = core_layout(self.bundle.component_dir("pyscript-core", version) / "dist")
        base = ctx.core_url.rsplit("/", 1)[0] + "/"
        files = [Hint(base + chunk) for chunk in layout.chunks]
        for kind in sorted(ctx.info.interpreters) if not ctx.info.own_interpreter else ():
            default = layout.interpreters.get(kind)
            if default is None or "://" not in default:
                continue
            if kind == "pyodide" and pyodide is not None:
                default = re.sub(r"/v[^/]+/full/", f"/v{pyodide}/full/", default)
            host, _, path = default.split("://", 1)[1].partition("/")
            # the URL the page will ask for: the core's CDN template, made local as the core's text is
            module = f"{self.origin}{CDN_PREFIX}/{host}/{path}"
            files += interpreter_files(kind, module)
            resolution = self.resolver.resolve(host, "/" + path, computed=True) if kind == "pyodide" else None
            if resolution is None or not resolution.path.startswith("/_runtime/pyodide/"):
                continue
            pyodide = resolution.path.removeprefix("/_runtime/pyodide/").split("/", 1)[0]
            if snapshot_supported(pyodide):  # the start module stands in for pyodide.mjs and imports the real one
                files.append(Hint(module + "?desktop=original"))
                files += [Hint(self.origin + path) for path in start_module_imports()]
        return hint_links(files)

    def _runtime_missing_text(self, kind: str, version: str, path: str, refused: PathRefused) -> str:
        if refused.status != 404:
            return f"Refused: {refused.reason}."
        if kind == "pyodide" and path.endswith((".whl", ".zip", ".tar")):
            return (
                f"The package file {path} is not in the offline runtime bundle (Pyodide {version}). "
                "Add its package with: python main.py runtime add NAME"
            )
        return f"{kind} {version} has no file {path} in the offline runtime bundle."

    def _package_file(self, kind: str, version: str, path: str) -> Path | None:
        """A package file served beside Pyodide's own: a `runtime add` wheel or a precompiled twin."""
        if kind != "pyodide" or "/" in path:
            return None
        wheelhouse, precompiled = self._wheelhouse(version), self._precompiled(version)
        found = (wheelhouse.file_path(path) if wheelhouse is not None else None) or (
            precompiled.file_path(path) if precompiled is not None else None
        )
        lent = found is None and version != self.pair.pyodide and path.endswith("-none-any.whl") and any(
            entry.get("file_name") == path for entry in self._lent_packages(version).values())
        if lent:
            return self._pair_package_file(path)
        return found

    def _pair_package_file(self, name: str) -> Path | None:
        """A package file of the pair's Pyodide: its own folder's, else its wheelhouse's."""
        own = self.bundle.component_dir("pyodide", self.pair.pyodide) / name
        if own.is_file() and "/" not in name and not name.startswith("."):
            return own
        wheelhouse = self._wheelhouse(self.pair.pyodide)
        return wheelhouse.file_path(name) if wheelhouse is not None else None

    def _lent_packages(self, version: str) -> dict[str, dict]:
        """The pair's lock entries Pyodide `version` borrows (borrowed.py); {} for the pair's own Pyodide."""
        pair = self.pair.pyodide
        if version == pair:
            return {}
        folder, pair_folder = self.bundle.component_dir("pyodide", version), self.bundle.component_dir("pyodide", pair)
        # (asked for every package file such a Pyodide lacks: worked out again only when a folder changes)
        key = (version, pair, *(_mtime_ns(d) for d in (folder, pair_folder, self.bundle.wheelhouse_dir(version),
                                                        self.bundle.wheelhouse_dir(pair))))
        if key not in self._lent:
            self._lent = {key: self._lend(version, folder, pair_folder)}
        return self._lent[key]

    def _lend(self, version: str, folder: Path, pair_folder: Path) -> dict[str, dict]:
        wheelhouse, pair_wheelhouse = self._wheelhouse(version), self._wheelhouse(self.pair.pyodide)
        own = _file_names(folder) | {str(e.get("file_name")) for e in (wheelhouse.entries() if wheelhouse else {}).values()}
        pair_entries = {**read_lock_file(pair_folder / "pyodide-lock.json").get("packages", {}),
                        **(pair_wheelhouse.entries() if pair_wheelhouse else {})}
        pair_files = _file_names(pair_folder) | (_file_names(pair_wheelhouse.folder) if pair_wheelhouse else frozenset())
        return lent_entries(folder / "pyodide-lock.json", own.__contains__, pair_folder / "pyodide-lock.json",
                            pair_entries, pair_files.__contains__)

    def _stdlib_file(self, pyodide_version: str) -> Path | None:
        """The standard library zip with bytecode to serve in place of Pyodide's own, if `runtime fetch`
        made one from exactly the installed file (None: serve the official zip)."""
        precompiled = self._precompiled(pyodide_version)
        if precompiled is None:
            return None
        return precompiled.stdlib_twin(_installed_sha(self.bundle.component_dir("pyodide", pyodide_version), STDLIB))

    def _precompiled(self, pyodide_version: str) -> Precompiled | None:
        return Precompiled(self.bundle, pyodide_version) if self.options.precompiled else None

    def _wheelhouse(self, pyodide_version: str):
        try:
            from ..runtime.wheelhouse import Wheelhouse
        except ImportError:
            return None
        return Wheelhouse(self.bundle, pyodide_version)

    def _pyodide_lock(self, version: str):
        """The official lock, plus the entries of wheels added with `runtime add`, each entry pointing at
        its precompiled twin where there is one (same package, same sources, plus bytecode)."""
        lock_path = self.bundle.component_dir("pyodide", version) / "pyodide-lock.json"
        if not lock_path.is_file():
            return bottle.HTTPError(404, f"Pyodide {version} is not in the offline runtime bundle.")
        lock = json.loads(lock_path.read_text(encoding="utf-8"))
        wheelhouse = self._wheelhouse(version)
        if wheelhouse is not None:
            lock["packages"].update(wheelhouse.entries())
        lent = self._lent_packages(version)
        if lent:  # a release's own Pyodide without package files: the pair's pure-Python ones (borrowed.py)
            lock["packages"].update(lent)
        precompiled = self._precompiled(version)
        if precompiled is not None:
            precompiled.swap_into(lock)
        return self._bytes(json.dumps(lock).encode(), "application/json", CACHE_REVALIDATE)

    def _cdn_redirect(self, host: str, path: str, page: bool = False):
        resolution = self.resolver.resolve(host, "/" + path, bottle.request.query_string, computed=not page)
        if resolution is None and host in LIBRARY_HOSTS:
            local = self.libraries.resolve(host, "/" + path, bottle.request.query_string)
            if isinstance(local, MissingLibrary):
                return bottle.HTTPError(404, _missing_text(local))
        if resolution is None:
            return bottle.HTTPError(
                404,
                f"https://{host}/{path} is not part of the offline runtime bundle, and this app makes no "
                "network requests. Bundle the file with your page and use a relative URL.",
            )
        if resolution.notice and resolution.notice not in self._noticed:
            self._noticed.add(resolution.notice)
            console.warn(resolution.notice)
        if resolution.path.startswith("/_runtime/"):
            # Answer with the file itself: runtimes derive every later URL from this one
            # (Pyodide's indexURL), so a redirect would cost a round trip per file, every load.
            kind, version, rest = resolution.path.removeprefix("/_runtime/").split("/", 2)
            return self._runtime_file(kind, version, rest)
        query = bottle.request.query_string
        return bottle.redirect(resolution.path + ("?" + query if query else ""), 302)

    def _library_file(self, spec: str, esm: bool):
        """A file of a vendored library; JavaScript and CSS with CDN URLs made local (and, for /_esm/,
        bare imports pointing at vendored packages)."""
        located = self.libraries.locate(spec)
        if located is None:
            parts = split_spec(spec)
            name = f"{parts[0]}@{parts[1]}" if parts else spec.split("/", 1)[0]
            return bottle.HTTPError(404, _missing_text(MissingLibrary(
                f"{ESM_PREFIX if esm else LIB_PREFIX}/{spec}",
                f"python main.py runtime add --js {name}" + (" --esm" if esm else ""),
                "the library is not in the library cache",
            )))
        folder, file = located
        try:
            real = resolve_under(folder, file, decoded=True)
        except PathRefused as refused:
            return bottle.HTTPError(refused.status, f"{spec.split('/', 1)[0]} has no file {file}." if refused.status == 404 else f"Refused: {refused.reason}.")
        if real.is_dir():
            return bottle.HTTPError(404, "Folders are not listed.")
        if real.suffix in (".js", ".mjs", ".css", ".cjs"):
            stat = real.stat()
            body = _library_text(
                str(real), stat.st_mtime_ns, stat.st_size, self.resolver, self.origin,
                spec if esm and real.suffix != ".css" else None, self.libraries.libraries.stamp(),
            )
            return self._bytes(body, content_type(real), CACHE_IMMUTABLE)
        return self._static(real, CACHE_IMMUTABLE)

    def _library_bytes(self, spec: str) -> bytes | None:
        """The bytes /_lib/<spec> is answered with (for the page's integrity attributes), or None."""
        located = self.libraries.locate(spec.split("?", 1)[0])
        if located is None:
            return None
        try:
            real = resolve_under(located[0], located[1], decoded=False)
        except PathRefused:
            return None
        if not real.is_file():
            return None
        if real.suffix in (".js", ".mjs", ".css", ".cjs"):
            stat = real.stat()
            return _library_text(str(real), stat.st_mtime_ns, stat.st_size, self.resolver, self.origin, None,
                                 self.libraries.libraries.stamp())
        return real.read_bytes()

    def _fonts_css(self, name: str):
        css = self.libraries.fonts_css("/" + name, bottle.request.query_string)
        return self._bytes(css.encode("utf-8"), "text/css; charset=utf-8", CACHE_REVALIDATE)

    def _wheel_file(self, distribution: str, member: str):
        """A file of a bundled wheel, standing in for the same file on GitHub or an npm CDN (wheelfiles.py)."""
        wheelhouse = self._wheelhouse(self.pair.pyodide)
        entry = wheelhouse.entries().get(distribution) if wheelhouse is not None else None
        wheel = wheelhouse.file_path(str(entry.get("file_name", ""))) if wheelhouse is not None and entry else None
        if wheel is None:
            return bottle.HTTPError(404, f"The page asks for {member}, which this app answers from the "
                                         f"{distribution} package, and that is not in the runtime bundle. "
                                         f"Add it with: python main.py runtime add {distribution}")
        body = _wheel_member(str(wheel), wheel.stat().st_mtime_ns, member)
        if body is None:
            return bottle.HTTPError(404, f"The bundled {distribution} package ({wheel.name}) has no file {member}.")
        return self._bytes(body, content_type(Path(member)), CACHE_REVALIDATE)

    def _desktop_file(self, path: str):
        try:
            real = resolve_under(STATIC_DIR, path, decoded=True)
        except PathRefused as refused:
            return bottle.HTTPError(refused.status, f"No app file {path}.")
        if real.is_dir():
            return bottle.HTTPError(404, "Folders are not listed.")
        if real.suffix in (".js", ".mjs"):
            return self._rewritten(real, CACHE_REVALIDATE)
        return self._static(real, CACHE_REVALIDATE)

    def _page_file(self, path: str):
        stand_in = self._own_pyodide(path)
        if stand_in is not None:
            return stand_in
        try:
            real = resolve_under(self.root, path, decoded=True)
        except PathRefused as refused:
            if refused.status == 404 and path.rsplit("/", 1)[-1] in _CLASSIC_NAMES:
                # A classic page that expects its own build/pyscript.js: give it the classic layer.
                name = path.rsplit("/", 1)[-1].replace(".min.", ".")
                classic = STATIC_DIR / "classic" / name
                if classic.is_file():
                    return self._static(classic, CACHE_REVALIDATE)
            if refused.status == 404 and path == "favicon.ico":
                return bottle.HTTPResponse(status=204)  # browsers ask unprompted; no console noise
            if refused.status == 404:
                return bottle.HTTPError(404, f"The file /{path} does not exist in the served folder.")
            return bottle.HTTPError(refused.status, f"Refused: {refused.reason}.")
        if real.is_dir():
            if path and not path.endswith("/"):
                return bottle.redirect("/" + quote(path) + "/", 301)
            index = real / "index.html"
            if not index.is_file():
                return bottle.HTTPError(404, f"The folder /{path} has no index.html (folders are not listed).")
            real = index
        if not real.is_file():
            return bottle.HTTPError(404, f"/{path} is not a regular file.")  # a FIFO or device would block or never end
        if real.suffix.lower() in (".html", ".htm"):
            return self._page_html(real, "/" + path)
        if real.suffix.lower() in REWRITABLE:
            return self._rewritten(real, CACHE_REVALIDATE, page=True)
        return self._static(real, CACHE_REVALIDATE)

    def _own_pyodide(self, path: str):
        """A file of the page's own Pyodide copy that cannot start (ownpyodide.py), answered from the
        bundled Pyodide; None for every other path (served from disk as usual)."""
        folder_path, _, name = path.rpartition("/")
        if name not in RUNTIME_NAMES and not name.endswith((".whl", ".zip", ".tar")):
            return None
        try:
            folder: Path | None = resolve_under(self.root, folder_path, decoded=True)
        except PathRefused as refused:
            if refused.status != 404:
                return None
            folder = None  # the folder the copy was to be put in (left out by .gitignore, say)
        if folder is not None and not (folder.is_dir() and is_stand_in(folder, name)):
            return None
        wanted = (stand_in_version(folder) if folder is not None else None) or self._preferred("pyodide")
        resolution = self.resolver.resolve("cdn.jsdelivr.net", f"/pyodide/v{wanted}/full/{name}")
        if resolution is None or not resolution.path.startswith("/_runtime/pyodide/"):
            return None
        _, version, rest = resolution.path.removeprefix("/_runtime/").split("/", 2)
        answer = self._runtime_file("pyodide", version, rest)
        if isinstance(answer, bottle.HTTPError):  # not in the bundle either: the usual 404 says so
            return None
        notice = (f"/{folder_path}/ holds a copy of Pyodide {wanted} without its runtime files (Git LFS, "
                  f".gitignore or a mirror left them out): answered from the bundled Pyodide {version}.")
        if notice not in self._noticed:
            self._noticed.add(notice)
            console.warn(notice)
        if isinstance(answer, bottle.HTTPResponse):  # the page's folder may yet get its own copy
            answer.set_header("Cache-Control", CACHE_REVALIDATE)
        return answer

    # -- responses ---------------------------------------------------------------------------
    def _page_html(self, file: Path, url_path: str):
        try:
            text = file.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            return bottle.HTTPError(500, f"Could not read the page: {exc.strerror}.")
        missing: list[MissingLibrary] = []
        text, notices = self.resolver.rewrite(text, self.origin, missing, page=True)
        text, stale = drop_stale_integrity(text, self.origin, self._library_bytes)
        notices += stale
        info = scan_page(text, file.parent, self.root)
        for config_text in info.config_texts:  # js_modules in a config file: its missing libraries go in the page's box
            _, config_notices = self.resolver.rewrite(config_text, self.origin, missing)
            notices += [notice for notice in config_notices if notice not in notices]
        standins: dict[str, str] = {}
        if any(is_stdlib(name) for name in info.packages):
            text, stdlib_notes = drop_stdlib_packages(text)
            notices += stdlib_notes
            info.packages = [name for name in info.packages if not is_stdlib(name)]
        if info.pins:  # most pages pin nothing: the bundle's versions are read only for those that do
            unmet = unmet_pins(info.pins, self.package_versions())
            text, relaxed = relax_pins(text, unmet)
            notices += relaxed
            standins = standin_notes(unmet)
        text = self._packages_interpreter(text, info, notices)
        ctx = PageContext(
            url_path=url_path,
            file=file,
            origin=self.origin,
            info=info,
            notices=notices,
            missing_libraries=[{"url": m.url, "command": m.command, "reason": m.reason, "cosmetic": m.cosmetic} for m in missing],
            cdn_hosts=sorted(set(LIBRARY_HOSTS) | set(CDN_HOSTS)),
            missing_packages=self.missing_packages(info.packages + info.loads),
            pair=self.pair.name,
            pyodide_url=f"{self.origin}/_runtime/pyodide/{self.pair.pyodide}/pyodide.mjs",
            core_url=core_url(text),
            python=runs_python(text),
        )
        preload = preload_snippet([n for n in info.packages if n not in ctx.missing_packages])
        snippets = [self._hints(ctx), base_snippet(ctx), pyodide_compat_snippet(ctx.core_url), before_run_snippet(text),
                    standin_warnings_snippet(ctx.core_url, standins), errors_hook_snippet(ctx.core_url), preload] + [injection(ctx) for injection in self.options.injections]
        return self._bytes(inject(text, snippets).encode("utf-8"), content_type(file), CACHE_REVALIDATE)

    def _packages_interpreter(self, text: str, info: PageInfo, notices: list[str]) -> str:
        """A page on a PyScript release whose Pyodide lacks packages the page names and the preferred
        pair's Pyodide has (the releases' Pyodides bring no packages): the release's own core runs with
        the pair's Pyodide (`<core>+pyodide-<version>`, tested from core 0.3.14 to 0.7.31; a core built
        for a newer Pyodide gets pyhooks.pyodide_compat_snippet). The console says so."""
        core = core_url(text)
        prefix = f"{self.origin}/_runtime/pyscript-core/"
        wants = info.packages + (["micropip"] if info.micropip and "micropip" not in info.packages else [])
        if not (core.startswith(prefix) and wants and "pyodide" in info.interpreters | info.worker_interpreters) or info.own_interpreter:
            return text
        version = core.removeprefix(prefix).split("/", 1)[0]
        if VARIANT_MARK in version:
            return text
        default = core_layout(self.bundle.component_dir("pyscript-core", version) / "dist").interpreters.get("pyodide", "")
        host, _, path = default.partition("://")[2].partition("/")
        resolution = self.resolver.resolve(host, "/" + path, computed=True) if host else None
        if resolution is None or not resolution.path.startswith("/_runtime/pyodide/"):
            return text
        loads = resolution.path.removeprefix("/_runtime/pyodide/").split("/", 1)[0]
        if loads == self.pair.pyodide:
            return text
        here = _available_packages(self.bundle.component_dir("pyodide", loads), self._wheelhouse_names(loads))
        wanted = [n for n in wants if n not in here]
        pair_has = self.available_packages()
        if not wanted or not all(n in pair_has for n in wanted):
            return text  # nothing to gain: the page's own Pyodide has them, or the pair lacks some too
        needs = f"This page needs {', '.join(wanted)}, which the offline runtime has for Pyodide {self.pair.pyodide} only: "
        # A core built for a newer Pyodide (0.6.70 on: Pyodide 0.28+) runs too, with pyhooks.PYODIDE_COMPAT:
        # the page keeps its own release's `pyscript` API (the pair's older core has another one: 2026's
        # `page["#id"]` is the element, 2025's a collection), which matters more than the Pyodide it built for.
        notices.append(f"{needs}its PyScript (core {version}) runs with Pyodide {self.pair.pyodide} instead of {loads}.")
        return text.replace(f"{prefix}{version}/", f"{prefix}{version}{VARIANT_MARK}{self.pair.pyodide}/")

    def available_packages(self) -> set[str]:
        """Normalised names of the packages a page can load offline with the preferred pair."""
        return _available_packages(self.bundle.component_dir("pyodide", self.pair.pyodide), self._wheelhouse_names())

    def _wheelhouse_names(self, pyodide_version: str | None = None) -> frozenset[str]:
        wheelhouse = self._wheelhouse(pyodide_version or self.pair.pyodide)
        return frozenset(package_name(n) or n for n in (wheelhouse.entries() if wheelhouse else {}))

    def missing_packages(self, names: list[str]) -> list[str]:
        available = self.available_packages()
        return [n for n in names if n not in available]

    def package_versions(self) -> dict[str, str]:
        """{normalised name: version} of what the preferred pair can load offline."""
        pyodide_dir = self.bundle.component_dir("pyodide", self.pair.pyodide)
        available = self.available_packages()
        versions: dict[str, str] = {}
        try:
            versions.update(_lock_versions(str(pyodide_dir / "pyodide-lock.json"),
                                           (pyodide_dir / "pyodide-lock.json").stat().st_mtime_ns))
        except (OSError, ValueError):
            pass
        wheelhouse = self._wheelhouse(self.pair.pyodide)
        for name, entry in (wheelhouse.entries() if wheelhouse else {}).items():
            versions[package_name(name) or name] = str(entry.get("version", ""))
        return {name: version for name, version in versions.items() if name in available and version}

    def _rewritten(self, file: Path, cache: str, pyodide: str | None = None, core_dist: tuple[Path, str] | None = None,
                   page: bool = False):
        stat = file.stat()
        entry_waits = bottle.request.query_string != HOOKS_QUERY  # (the app's hook scripts: the entry as published)
        body = _rewrite_cached(str(file), stat.st_mtime_ns, stat.st_size, self.resolver, self.origin, pyodide, core_dist, page,
                               entry_waits)
        if file.suffix.lower() in (".toml", ".json") and stat.st_size <= CONFIG_LIMIT:
            text = body.decode("utf-8", errors="surrogateescape")
            specs = quoted_specs(text)
            unmet = unmet_pins(specs, self.package_versions()) if specs else {}
            if unmet:  # a config's pins the bundle cannot meet: the bundled versions stand in
                body = relax_pins(text, unmet)[0].encode("utf-8", errors="surrogateescape")
        return self._bytes(body, content_type(file), cache)

    def _bytes(self, body: bytes, kind: str, cache: str):
        etag = '"' + hashlib.sha1(body).hexdigest() + '"'
        headers = {"Content-Type": kind, "Cache-Control": cache, "ETag": etag}
        if bottle.request.environ.get("HTTP_IF_NONE_MATCH") == etag:
            return bottle.HTTPResponse(status=304, **headers)
        headers["Content-Length"] = str(len(body))
        return bottle.HTTPResponse(b"" if bottle.request.method == "HEAD" else body, **headers)

    @staticmethod
    def _static(file: Path, cache: str) -> bottle.HTTPResponse:
        stat = file.stat()
        etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
        return bottle.static_file(
            file.name, root=str(file.parent), mimetype=content_type(file), charset=False, etag=etag,
            headers={"Cache-Control": cache},
        )

    @staticmethod
    def _error_page(error: bottle.HTTPError) -> str:
        bottle.response.set_header("Content-Type", "text/html; charset=utf-8")
        bottle.response.set_header("Cache-Control", CACHE_NONE)
        message = html_lib.escape(str(error.body))
        status = html_lib.escape(error.status_line)
        return (
            "<!doctype html><html><head><meta charset='utf-8'><title>" + status + "</title></head>"
            "<body style='font:15px/1.5 system-ui,sans-serif;margin:2em;color:#222'>"
            f"<h1 style='font-size:1.3em'>{status}</h1><p>{message}</p></body></html>"
        )


def _missing_text(missing: MissingLibrary) -> str:
    if missing.command:
        return (f"{missing.url} is not in the offline library cache ({missing.reason}), and this app makes no "
                f"network requests. Vendor it with: {missing.command}")
    return (f"{missing.url} has no offline copy ({missing.reason}), and this app makes no network requests. "
            "Bundle the file with your page and use a relative URL.")


@lru_cache(maxsize=64)
def _library_text(path: str, mtime_ns: int, size: int, resolver: CdnResolver, origin: str, esm_spec: str | None,
                  stamp: tuple) -> bytes:
    text = Path(path).read_text(encoding="utf-8", errors="surrogateescape")
    rewritten, _ = resolver.rewrite(text, origin)
    if esm_spec is not None and resolver.libraries is not None:
        rewritten = resolver.libraries.module_text(esm_spec, rewritten)
    return rewritten.encode("utf-8", errors="surrogateescape")


@lru_cache(maxsize=256)
def _rewrite_cached(path: str, mtime_ns: int, size: int, resolver: CdnResolver, origin: str, pyodide: str | None = None,
                    core_dist: tuple[Path, str] | None = None, page: bool = False, entry_waits: bool = True) -> bytes:
    text = Path(path).read_text(encoding="utf-8", errors="surrogateescape")
    if core_dist is not None:  # a 0.3 core's workers import basic-toml from jsDelivr: its own chunk stands in
        text = own_toml_parser(text, *core_dist)
        if entry_waits and path.endswith(("/dist/core.js", "\\dist\\core.js")):  # the core's entry module
            text = workers_after_hooks(text, core_dist[0].parent.name)
    rewritten, _ = resolver.rewrite(text, origin, page=page)
    if pyodide is not None:
        rewritten = with_interpreter(rewritten, pyodide)
    if path.lower().endswith((".toml", ".json", ".py")) and size <= CONFIG_LIMIT:
        rewritten = own_folder(rewritten, origin)[0]  # the author's 127.0.0.1:8000 is this server
        if not path.lower().endswith(".py"):
            rewritten = drop_stdlib_packages(rewritten)[0]  # `packages = ["asyncio"]`
    return rewritten.encode("utf-8", errors="surrogateescape")


def _mtime_ns(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


def _file_names(folder: Path) -> frozenset[str]:
    try:
        return frozenset(os.listdir(folder))
    except OSError:
        return frozenset()


@lru_cache(maxsize=64)
def _wheel_member(wheel: str, mtime_ns: int, member: str) -> bytes | None:
    try:
        with zipfile.ZipFile(wheel) as archive:
            return archive.read(member)
    except KeyError:
        return None


def _installed_sha(folder: Path, name: str) -> str | None:
    """The sha256 `runtime fetch` recorded for a component file when it verified it."""
    try:
        return _files_index(str(folder), (folder / FILES_INDEX).stat().st_mtime_ns).get(name)
    except OSError:
        return None


@lru_cache(maxsize=16)
def _files_index(folder: str, mtime_ns: int) -> dict[str, str]:
    return read_files_index(Path(folder)) or {}


@lru_cache(maxsize=16)
def _lock_versions(lock_path: str, mtime_ns: int) -> dict[str, str]:
    lock = json.loads(Path(lock_path).read_text(encoding="utf-8"))
    return {package_name(name) or name: str(entry.get("version", "")) for name, entry in lock["packages"].items()}


@lru_cache(maxsize=16)
def _lock_names(lock_path: str, mtime_ns: int) -> dict[str, str]:
    lock = json.loads(Path(lock_path).read_text(encoding="utf-8"))
    return {package_name(name) or name: entry["file_name"] for name, entry in lock["packages"].items()}


def _available_packages(pyodide_dir: Path, wheelhouse_names: frozenset[str]) -> set[str]:
    lock_path = pyodide_dir / "pyodide-lock.json"
    try:  # asked at every page load: one listing, not a stat per lock entry
        present = _listing(str(pyodide_dir), pyodide_dir.stat().st_mtime_ns)
        lock_mtime = lock_path.stat().st_mtime_ns
    except OSError:
        return set(wheelhouse_names)
    names = set(wheelhouse_names)
    for name, file_name in _lock_names(str(lock_path), lock_mtime).items():
        if file_name in present:
            names.add(name)
    return names


@lru_cache(maxsize=8)
def _listing(folder: str, mtime_ns: int) -> frozenset[str]:
    return frozenset(os.listdir(folder))
