"""Fast Pyodide start: memory snapshots of a booted interpreter, kept in the user cache.

Pyodide can restore a ready interpreter from a memory image in a fraction of its normal
start. The server serves `static/start/pyodide.mjs` in place of the bundle's pyodide.mjs;
that module starts from the snapshot kept here and, when there is none (or it fails),
starts normally and has a throwaway worker make one and upload it. A snapshot is tied to
the exact runtime files (their SHA-256 and the recipe below) and to the served folder:
pages of one folder share an origin, and so trust; a page must not be able to plant an
interpreter image that another folder's pages would run.

The image also keeps the bytecode of PyScript's own `pyscript` package, compiled from the
sources the page's interpreter holds when the image is made (KEEP_BYTECODE); after a restore
the start module writes it beside the sources PyScript writes at every start (WRITE_BYTECODE).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import os
import re
import struct
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import bottle

from ..settings import STATIC_DIR
from .headers import CACHE_NONE, CACHE_PRIVATE_IMMUTABLE
from .inject import script_json

__all__ = [
    "SnapshotStore",
    "snapshot_app",
    "snapshot_supported",
    "build_id",
    "image_problem",
    "folder_store",
    "runtime_key",
    "wrapper_module",
    "preload_snippet",
    "PRELOAD",
    "ZIP_DIRECTORY",
    "WRAPPER_FILE",
    "MAKER_URL",
    "start_module_imports",
    "signing_key",
    "KEY_NAME", "STATIC", "API_PATH", "IMAGE_SETUP", "PYSCRIPT_FOLDER", "KEEP_BYTECODE", "WRITE_BYTECODE", "RECIPE", "SUPPORTED", "KEY_FILES", "MAGIC", "MAX_BYTES", "HEADER", "PAGE",
]

STATIC = STATIC_DIR / "start"
WRAPPER_FILE = STATIC / "pyodide.mjs"
MAKER_URL = "/_desktop/start/snapshot-maker.mjs"
API_PATH = "/_desktop/api/snapshot/"
#: `from "/_desktop/..."` in the start module: the app's own modules it imports statically.
_OWN_IMPORT = re.compile(r"""\bfrom\s*["'](/_desktop/[\w./-]+\.mjs)["']""")

#: Pure standard-library modules imported before the image is taken, so pages (PyScript,
#: numpy, matplotlib) find them already imported. Nothing that seeds randomness at import
#: (random, tempfile, uuid, secrets) and nothing that touches JavaScript: every start from
#: the image shares its memory.
PRELOAD = (
    "import abc, ast, base64, collections, contextlib, copy, dataclasses, datetime, enum, functools, "
    "inspect, io, itertools, json, locale, logging, math, numbers, operator, os, pathlib, platform, re, "
    "shutil, string, struct, textwrap, traceback, types, typing, warnings, weakref, asyncio, html"
)
#: Run after PRELOAD, also before the image is taken. Python 3.12's
#: `zipimporter.invalidate_caches()` reads the whole directory of its zip again, in Python, once
#: per zipimporter: for the standard library zip that is one per package folder a page has
#: imported from (18 for a numpy + matplotlib chart), 115-165 ms every time
#: `importlib.invalidate_caches()` runs, and Pyodide's `loadPackage` runs it after each install.
#: Pyodide writes that zip once at start and nothing rewrites it, so here its directory is read
#: again only when the file's size or modification time differs from the last reading; every
#: other zip is read again as before. (CPython 3.13 reads the directory again lazily instead.)
ZIP_DIRECTORY = """\
def _desktop_zip_directory():
    import os, sys, zipimport
    reread = zipimport.zipimporter.invalidate_caches
    if getattr(reread, "_desktop", False):
        return
    stdlib = f"/lib/python{sys.version_info[0]}{sys.version_info[1]}.zip"
    last = None  # (modification time, size) of that zip when its directory was last read here
    def invalidate_caches(self):
        nonlocal last
        if self.archive != stdlib:
            return reread(self)
        try:
            info = os.stat(stdlib)
            stamp = (info.st_mtime_ns, info.st_size)
        except OSError:
            stamp = None
        files = zipimport._zip_directory_cache.get(stdlib)
        if stamp is not None and stamp == last and files is not None:
            self._files = files
            return
        reread(self)
        last = stamp
    invalidate_caches.__doc__ = reread.__doc__
    invalidate_caches._desktop = True
    zipimport.zipimporter.invalidate_caches = invalidate_caches
_desktop_zip_directory()
del _desktop_zip_directory
"""
#: What the maker runs in the interpreter before it takes the image.
IMAGE_SETUP = PRELOAD + "\n" + ZIP_DIRECTORY
#: Where PyScript writes its own Python package in each interpreter, at every start.
PYSCRIPT_FOLDER = "/home/pyodide/pyscript"
#: Run by the maker with `sources` ({path: text}, PyScript's package as the page's interpreter
#: has it): compiles them into checked-hash .pyc bytes kept in the image. Checked, because the
#: image may serve a page whose PyScript differs: Python then sees the hash differ and compiles
#: the source as it always does.
KEEP_BYTECODE = """\
import importlib.util, sys, types
from importlib._bootstrap_external import _code_to_hash_pyc
_kept = types.ModuleType("_desktop_bytecode")
_kept.files = {}
for _path, _text in sources.items():
    _data = _text.encode("utf-8")
    try:
        _code = compile(_data, _path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        continue
    _kept.files[importlib.util.cache_from_source(_path)] = _code_to_hash_pyc(_code, importlib.util.source_hash(_data), checked=True)
sys.modules["_desktop_bytecode"] = _kept
"""
#: Run by the start module right after a restore, before PyScript writes its sources.
WRITE_BYTECODE = """\
import os, sys
for _path, _data in getattr(sys.modules.pop("_desktop_bytecode", None), "files", {}).items():
    os.makedirs(os.path.dirname(_path), exist_ok=True)
    with open(_path, "wb") as _fh:
        _fh.write(_data)
"""
#: Changes whenever what goes into an image changes (the preload, the maker), so old images go stale.
RECIPE = "3:" + IMAGE_SETUP + KEEP_BYTECODE
#: Pyodide versions whose `loadPyodide` takes `_loadSnapshot` in the form used here.
SUPPORTED = ("0.27.",)
#: Files that make up the interpreter's memory image.
KEY_FILES = ("pyodide.asm.wasm", "pyodide.asm.js", "python_stdlib.zip", "pyodide.mjs")
MAGIC = struct.pack("<I", 1886286592)  # Pyodide's snapshot magic number (little endian)
MAX_BYTES = 512 * 2**20
HEADER = 48  # magic, header size, JSON size, reserved, 32-byte build id
PAGE = 65536
_BUILD_ID = re.compile(rb'BUILD_ID:"([0-9a-f]{64})"')
#: The file that holds the key images are signed with (0600, in the user's data folder).
KEY_NAME = "snapshot-signing.key"


def signing_key(folder: Path) -> bytes:
    """This user's key for start images, made on first use: a 0600 file owned by this user.
    A key file someone else could have written or read is replaced (old images then fail their MAC)."""
    path = folder / KEY_NAME
    folder.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        try:
            info = os.fstat(fd)
            data = os.read(fd, 4096)
        finally:
            os.close(fd)
        private = not hasattr(os, "getuid") or (info.st_uid == os.getuid() and info.st_mode & 0o077 == 0)
        if private and len(data) >= 32:
            return data
    except OSError:
        pass
    key = secrets.token_bytes(32)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".key-")  # 0600 from the start
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return key


def snapshot_supported(pyodide_version: str) -> bool:
    return pyodide_version.startswith(SUPPORTED)


@lru_cache(maxsize=64)
def _file_digest(path: str, mtime_ns: int, size: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@lru_cache(maxsize=16)
def _build_id(path: str, mtime_ns: int) -> str | None:
    match = _BUILD_ID.search(Path(path).read_bytes())
    return match[1].decode() if match else None


def build_id(pyodide_dir: Path) -> str | None:
    """The build id Pyodide stamps into its snapshots (and checks on restore), from pyodide.mjs."""
    path = pyodide_dir / "pyodide.mjs"
    return _build_id(str(path), path.stat().st_mtime_ns)


def image_problem(head: bytes, total: int, build: str | None) -> str | None:
    """Why an image cannot be a snapshot of this build (None: it can), from its first 48 bytes.

    A wrong size makes Pyodide's WebAssembly instantiation fail without rejecting its start
    promise, so this is checked before an image is stored, served or restored.
    """
    if len(head) < HEADER or not head.startswith(MAGIC):
        return "not a Pyodide memory snapshot"
    _, offset, json_size, _ = struct.unpack_from("<4I", head)
    if offset < HEADER + json_size or offset >= total or (total - offset) % PAGE:
        return "snapshot layout is damaged"
    stamped = "".join(f"{word:08x}" for word in struct.unpack_from("<8I", head, 16))
    if build is not None and stamped != build:
        return "snapshot of another Pyodide build"
    return None


def runtime_key(pyodide_dir: Path, served: dict[str, Path] | None = None) -> str:
    """The key of an image for this exact Pyodide build: its files' hashes and the recipe. `served`
    names files served in place of the folder's own (the standard library with bytecode)."""
    digest = hashlib.sha256(RECIPE.encode())
    for name in KEY_FILES:
        path = (served or {}).get(name) or pyodide_dir / name
        stat = path.stat()
        digest.update(f"{name}:{_file_digest(str(path), stat.st_mtime_ns, stat.st_size)}\n".encode())
    return digest.hexdigest()[:32]


@dataclass
class SnapshotStore:
    """Images of one served folder: `<folder>/<key>.snapshot` plus a `.json` with its SHA-256."""

    folder: Path
    build: str | None = None  # the runtime's build id: images stamped otherwise are refused
    #: The key images are signed with (`signing_key`); None: the key file beside `folder`.
    key: bytes | None = None

    def __post_init__(self) -> None:
        if self.key is None:
            self.key = signing_key(self.folder.parent)

    def _mac(self, key: str, sha256: str) -> str:
        assert self.key is not None
        return hmac.new(self.key, f"pyscript-desktop-snapshot:{key}:{sha256}".encode(), hashlib.sha256).hexdigest()

    def _paths(self, key: str) -> tuple[Path, Path]:
        if not key.isalnum():
            raise ValueError("bad snapshot key")
        return self.folder / f"{key}.snapshot", self.folder / f"{key}.json"

    def intact(self, key: str) -> tuple[Path, str] | None:
        """The image for `key` and its SHA-256 if it is present and intact; a damaged one is removed.
        The digest also versions the image's URL for the HTTP cache."""
        image, meta = self._paths(key)
        if not image.is_file() or not meta.is_file():
            return None
        try:
            recorded = json.loads(meta.read_text(encoding="utf-8"))
            expected, mac = str(recorded["sha256"]), str(recorded["mac"])
            stat = image.stat()
            actual = _file_digest(str(image), stat.st_mtime_ns, stat.st_size)
        except (OSError, ValueError, KeyError, TypeError):
            actual, expected, mac = "", "?", ""
        signed = hmac.compare_digest(mac.encode(), self._mac(key, actual).encode())
        if actual != expected or not signed or self._problem(image) is not None:
            self.remove(key)
            return None
        return image, actual

    def path(self, key: str) -> Path | None:
        """The image for `key` if it is present and intact (see `intact`)."""
        found = self.intact(key)
        return found[0] if found else None

    def _problem(self, image: Path) -> str | None:
        with image.open("rb") as fh:
            return image_problem(fh.read(HEADER), image.stat().st_size, self.build)

    def put(self, key: str, body: bytes) -> None:
        """Store an image atomically, replacing every older image of this folder."""
        problem = image_problem(body[:HEADER], len(body), self.build)
        if problem or len(body) > MAX_BYTES:
            raise ValueError(problem or "snapshot too large")
        image, meta = self._paths(key)
        self.folder.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256(body).hexdigest()
        record = json.dumps({"sha256": digest, "mac": self._mac(key, digest)}).encode()
        for target, data in ((image, body), (meta, record)):
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".part-")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        for old in self.folder.glob("*.snapshot"):
            if old.stem != key:
                self.remove(old.stem)

    def remove(self, key: str) -> None:
        for path in self._paths(key):
            path.unlink(missing_ok=True)


def folder_store(cache_dir: Path, served_root: Path, build: str | None = None, key_dir: Path | None = None) -> SnapshotStore:
    """The store for one served folder under the app's snapshot cache; images signed with the key
    kept in `key_dir` (the user's data folder; default: the cache folder)."""
    name = hashlib.sha256(str(served_root.resolve()).encode()).hexdigest()[:16]
    return SnapshotStore(cache_dir / name, build, signing_key(key_dir or cache_dir))


def snapshot_app(store: SnapshotStore, key: str) -> bottle.Bottle:
    """GET/PUT/DELETE /<key>: the image for this runtime build (204 when there is none yet).

    Writes need the server's session (like every request), a custom header and a binary body,
    so neither another local user nor a page on another origin can send one.
    """
    app = bottle.Bottle()

    def check(asked: str) -> None:
        if asked != key:
            raise bottle.HTTPError(404, "No snapshot for that runtime build.")

    def writable() -> None:
        request = bottle.request
        if request.get_header("X-Desktop-Snapshot") != "1" or request.get_header("Sec-Fetch-Site", "same-origin") != "same-origin":
            raise bottle.HTTPError(403, "Snapshots are written by the app's own start module only.")

    @app.get("/<asked>")
    def get(asked: str):
        check(asked)
        found = store.intact(key)
        if found is None:
            # 204, not 404: a missing image is routine (first start), not an error in the console
            return bottle.HTTPResponse(status=204, headers={"Cache-Control": CACHE_NONE})
        image, digest = found
        # Asked by its digest (?v=, as the start module names it): those bytes never change, so the
        # engine may keep them in its disk cache and skip 20 MB through this server at the next start.
        # A new image gets a new URL; a stale ?v= gets 404, never other bytes.
        version = bottle.request.query.get("v")
        if version is not None and version != digest:
            return bottle.HTTPResponse(status=404, headers={"Cache-Control": CACHE_NONE})
        response = bottle.static_file(image.name, root=str(image.parent), mimetype="application/octet-stream")
        response.set_header("Cache-Control", CACHE_PRIVATE_IMMUTABLE if version else CACHE_NONE)
        return response

    @app.put("/<asked>")
    def put(asked: str):
        check(asked)
        writable()
        request = bottle.request
        if request.content_type != "application/octet-stream":
            raise bottle.HTTPError(415, "Send the snapshot as application/octet-stream.")
        length = request.content_length
        if length <= 0 or length > MAX_BYTES:
            raise bottle.HTTPError(413, "That is not the size of a snapshot.")
        body = request.environ["wsgi.input"].read(length)
        try:
            store.put(key, body)
        except ValueError as exc:
            raise bottle.HTTPError(400, str(exc)) from None
        return bottle.HTTPResponse(status=204, headers={"Cache-Control": CACHE_NONE})

    @app.delete("/<asked>")
    def delete(asked: str):
        check(asked)
        writable()
        store.remove(key)
        return bottle.HTTPResponse(status=204, headers={"Cache-Control": CACHE_NONE})

    return app


def wrapper_module(snapshot_url: str | None, build: str | None = None, *, delay_ms: int = 3000) -> bytes:
    """The start module served in place of pyodide.mjs, configured for this server."""
    config = {
        "snapshot": snapshot_url if build else None,
        "build": build,
        "maker": MAKER_URL if snapshot_url and build else None,
        "preload": IMAGE_SETUP,
        "bytecode": {"folder": PYSCRIPT_FOLDER, "keep": KEEP_BYTECODE, "write": WRITE_BYTECODE},
        "delay": delay_ms,
    }
    text = WRAPPER_FILE.read_text(encoding="utf-8")
    return text.replace("/*DESKTOP_START_CONFIG*/ {}", json.dumps(config)).encode("utf-8")


def start_module_imports() -> tuple[str, ...]:
    """The app's own modules the start module imports (server paths), read from its text: a page
    names them in its preload hints, so they are not fetched one round trip after the start module."""
    return _own_imports(WRAPPER_FILE.stat().st_mtime_ns)


@lru_cache(maxsize=2)
def _own_imports(mtime_ns: int) -> tuple[str, ...]:
    return tuple(dict.fromkeys(_OWN_IMPORT.findall(WRAPPER_FILE.read_text(encoding="utf-8"))))


def preload_snippet(packages: list[str]) -> str:
    """Tells the start module which of the page's packages to load while Python starts."""
    if not packages:
        return ""
    data = script_json(packages)
    return (
        "<script>window.__pyscriptDesktop=Object.assign(window.__pyscriptDesktop||{},"
        f"{{preloadPackages:{data}}});</script>"
    )
