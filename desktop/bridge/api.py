"""The bridge's HTTP side, mounted at /_desktop/api/files/<op> on the page server.

Transport rules, checked in this order before any operation runs (the page
server has already refused any Host but its own 127.0.0.1:PORT):

1. only POST (no OPTIONS: no CORS preflight can succeed, and no CORS headers are ever sent);
2. only operations on the explicit allow-list `OPS` (no attribute lookup by name);
3. `Sec-Fetch-Site`, when the browser sends it, must be `same-origin`;
4. `Origin` must be present and exactly the server's own origin;
5. `Content-Type: application/json`, with a `Content-Length` under the request cap; or, for
   the raw transport of `write` and `write_chunk`, `application/octet-stream` bodies up to the
   write cap with their arguments as JSON in `X-Desktop-Args`;
6. the page's token (`X-Desktop-Token`), compared in constant time, whose session
   belongs to that same origin.

Raw transport: file bytes move as they are, not as base64 inside JSON (which cost a read of
100 MB 0.14x of what the page's own static fetch of the same bytes got). A `read` whose
`Accept` is `application/octet-stream` is answered with the file's bytes, streamed from disk
(`Range: bytes=A-B` for a part, answered 206), the file's size in `X-Desktop-Size`.

Every call, allowed or refused, goes to the audit log.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
import time
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Callable, Iterator

import bottle

from .dialogs import file_types
from .errors import BridgeError
from .grants import Grant
from .watch import POLL_SECONDS

if TYPE_CHECKING:
    from .sessions import BridgeCore as Bridge  # the state the files API works on (Bridge adds this API to it)
    from .atomic import AtomicWriter
    from .sessions import PageSession

__all__ = ["build_app", "OPS", "RAW_BODY_OPS", "TOKEN_HEADER", "ARGS_HEADER", "SIZE_HEADER", "handle"]

TOKEN_HEADER = "X-Desktop-Token"
ARGS_HEADER = "X-Desktop-Args"  # a raw body's arguments, JSON (ASCII)
SIZE_HEADER = "X-Desktop-Size"  # the whole file's size, on a raw read
_JSON = "application/json"
_RAW = "application/octet-stream"
_RANGE = re.compile(r"bytes=(\d{1,19})-(\d{1,19})?")


def _b64(data: object) -> bytes:
    if not isinstance(data, str):
        raise BridgeError("EINVAL", "data must be base64 text.")
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise BridgeError("EINVAL", "data is not valid base64.") from None


def _str(args: dict, name: str, default: str | None = None) -> str:
    value = args.get(name, default)
    if not isinstance(value, str):
        raise BridgeError("EINVAL", f"{name} must be a string.")
    return value


# -- operations: (bridge, session, args) -> (result, audit path) -------------------------------------
def _read(bridge: "Bridge", s: "PageSession", a: dict):
    data, size = s.ops.read(a.get("path"), a.get("offset", 0), a.get("length"))
    return {"data": base64.b64encode(data).decode("ascii"), "size": size, "offset": a.get("offset", 0)}, len(data)


def _write(bridge: "Bridge", s: "PageSession", a: dict):
    data = _b64(a.get("data"))
    writer = s.ops.writer(a.get("path"), exclusive=bool(a.get("exclusive")))
    s.ops.write_chunk(writer, data)
    return {"size": s.ops.commit(writer), "path": str(writer.target)}, len(data)


def _write_begin(bridge: "Bridge", s: "PageSession", a: dict):
    bridge.expire_uploads(s)
    upload = secrets.token_hex(12)
    with s.lock:
        _start_upload(bridge, s, a, upload)
    return {"upload": upload}, None


def _start_upload(bridge: "Bridge", s: "PageSession", a: dict, upload: str) -> "AtomicWriter":
    """A new upload under `upload`, with the path rules and caps of write_begin (the caller holds s.lock)."""
    if len(s.uploads) >= bridge.max_uploads:
        raise BridgeError("EMFILE", (
            f"Refused: this page already has {len(s.uploads)} unfinished uploads, the most the bridge keeps open "
            "at once. Finish (write_commit) or abort (write_abort) one first, or write fewer files at a time; "
            f"an upload idle for {bridge.upload_idle:g} s is dropped."))
    size = a.get("size")
    if not a.get("stream") and isinstance(size, int) and size > bridge.limits.max_write:
        raise BridgeError("EFBIG", (
            f"Refused: {size:,} bytes is more than the {bridge.limits.max_write:,} bytes one write may carry. "
            "Write it in parts: with desktop.files.open(path, 'wb') as f: f.write(part)."))
    writer = s.ops.writer(a.get("path"), exclusive=bool(a.get("exclusive")))
    writer.streamed = bool(a.get("stream"))  # desktop.files.open(path, "wb"): no whole-file cap
    s.uploads[upload] = writer
    s.begun[upload] = None
    while len(s.begun) > _BEGUN_KEPT:
        del s.begun[next(iter(s.begun))]
    return writer


#: An upload id a page makes itself (write_bytes' parts): 24 lowercase hex digits, as write_begin's.
_UPLOAD_ID = re.compile(r"[0-9a-f]{24}")
#: How many upload ids a page session remembers as begun, so a late part of one that ended (committed,
#: failed, aborted, expired) is refused instead of starting it again.
_BEGUN_KEPT = 4096


def _part_upload(bridge: "Bridge", s: "PageSession", a: dict) -> "AtomicWriter":
    """The upload a write_chunk part belongs to.

    A part that carries `begin` (write_begin's arguments) and an id the page made may start
    its upload: the first of the parts to arrive does, under the session's lock, and the others
    find it. write_bytes sends its parts so, with no write_begin round trip before them (one of
    the engine's request latencies, tens of ms of a 100 MB write)."""
    begin = a.get("begin")
    if begin is None:
        return _upload(s, a)
    if not isinstance(begin, dict) or "offset" not in a:
        raise BridgeError("EINVAL", "begin must be an object (the path, exclusive and size of write_begin), "
                                    "in a part that has an offset.")
    upload = _str(a, "upload", "")
    if not _UPLOAD_ID.fullmatch(upload):
        raise BridgeError("EINVAL", "upload must be 24 lowercase hex digits, a new random id for each write.")
    bridge.expire_uploads(s)
    with s.lock:
        writer = s.uploads.get(upload)
        if writer is None:
            if upload in s.begun:
                raise BridgeError("EINVAL", "This upload has ended (committed, failed, aborted or idle too long); "
                                            "a new write takes a new id.")
            writer = _start_upload(bridge, s, begin, upload)
    writer.last_used = time.monotonic()
    return writer


def _upload(s: "PageSession", a: dict):
    with s.lock:
        writer = s.uploads.get(_str(a, "upload", ""))
    if writer is None:
        raise BridgeError("EINVAL", "No such upload (it finished, failed or was idle too long); start again with "
                                    "write_begin.")
    writer.last_used = time.monotonic()
    return writer


def _write_chunk(bridge: "Bridge", s: "PageSession", a: dict):
    writer = _upload(s, a)
    data = _b64(a.get("data"))
    try:
        s.ops.write_chunk(writer, data)
    except BridgeError:
        s.uploads.pop(a["upload"], None)
        raise
    return {"size": writer.size}, len(data)


def _write_commit(bridge: "Bridge", s: "PageSession", a: dict):
    writer = _upload(s, a)
    s.uploads.pop(a["upload"], None)
    return {"size": s.ops.commit(writer), "path": str(writer.target)}, writer.size


def _write_abort(bridge: "Bridge", s: "PageSession", a: dict):
    writer = s.uploads.pop(_str(a, "upload", ""), None)
    if writer is not None:
        writer.abort()
    return None, None


# -- the raw transport: (bridge, session, args, body blocks) -> (result, audit size) -------------------
def _write_raw(bridge: "Bridge", s: "PageSession", a: dict, body: "_Body"):
    writer = s.ops.writer(a.get("path"), exclusive=bool(a.get("exclusive")))
    try:
        for block in body:
            s.ops.write_chunk(writer, block)
    except BaseException:
        writer.abort()
        raise
    return {"size": s.ops.commit(writer), "path": str(writer.target)}, writer.size


def _write_chunk_raw(bridge: "Bridge", s: "PageSession", a: dict, body: "_Body"):
    """Append the body to an upload or, with `offset`, place it there: write_bytes sends a large
    file's parts in parallel requests (one copy fewer to wait for than one long request); such a
    part may start its upload (`begin`, see _part_upload)."""
    writer = _part_upload(bridge, s, a)
    before = writer.size
    try:
        if "offset" in a:
            written = s.ops.write_part(writer, a["offset"], body.length, body, capped=not writer.streamed)
            committed = _commit_when_whole(s, a, writer)
            if committed:  # in the audit log as its own call, as when the page sends write_commit
                bridge.audit.record(op="write_commit", outcome="ok", origin=s.origin, page=str(s.page_dir),
                                    path=committed["path"][:300], size=committed["size"])
            return {"size": writer.size, **({"committed": committed} if committed else {})}, written
        for block in body:
            s.ops.write_chunk(writer, block, capped=not writer.streamed)
    except BridgeError:
        s.uploads.pop(a["upload"], None)
        raise
    return {"size": writer.size}, writer.size - before


def _commit_when_whole(s: "PageSession", a: dict, writer: "AtomicWriter") -> dict | None:
    """With `commit` (the file's size), the part that makes the file whole commits it, once: the page
    learns it from that part's answer and saves the write_commit round trip after its last part."""
    size = a.get("commit")
    if not isinstance(size, int) or isinstance(size, bool) or writer.extent != size or not writer.complete:
        return None
    with s.lock:
        if s.uploads.get(a["upload"]) is not writer:
            return None  # another part's request saw it whole first and commits it
        s.uploads.pop(a["upload"])
    return {"size": s.ops.commit(writer), "path": str(writer.target)}


#: Operations that take an `application/octet-stream` body.
RAW_BODY_OPS: dict[str, Callable] = {"write": _write_raw, "write_chunk": _write_chunk_raw}


def _read_raw(bridge: "Bridge", s: "PageSession", a: dict, range_header: str | None) -> tuple[bottle.HTTPResponse, int]:
    """The file's bytes as the answer's body (streamed from disk), or the part a Range names."""
    start, end = 0, None
    if range_header:
        m = _RANGE.fullmatch(range_header.strip())
        if not m or (m[2] is not None and int(m[2]) < int(m[1])):
            raise BridgeError("EINVAL", f"Range must be one range of bytes, like bytes=0-1023, not {range_header[:60]!r}.")
        start, end = int(m[1]), (int(m[2]) + 1 if m[2] is not None else None)
    size, length, blocks = s.ops.stream(a.get("path"), start, end, whole_file_cap=not range_header)
    headers = {"Content-Type": _RAW, "Cache-Control": "no-store", "Content-Length": str(length),
               "X-Content-Type-Options": "nosniff", SIZE_HEADER: str(size)}
    status = 200
    if range_header:
        status = 206
        headers["Content-Range"] = f"bytes {start}-{start + length - 1}/{size}" if length else f"bytes */{size}"
    return bottle.HTTPResponse(blocks, status=status, headers=headers), length


def _stat(bridge: "Bridge", s: "PageSession", a: dict):
    return s.ops.stat(a.get("path")), None


def _exists(bridge: "Bridge", s: "PageSession", a: dict):
    return s.ops.exists(a.get("path")), None


def _listdir(bridge: "Bridge", s: "PageSession", a: dict):
    return s.ops.listdir(a.get("path")), None


def _walk(bridge: "Bridge", s: "PageSession", a: dict):
    return s.ops.walk(a.get("path")), None


def _mkdir(bridge: "Bridge", s: "PageSession", a: dict):
    return s.ops.mkdir(a.get("path"), parents=bool(a.get("parents")), exist_ok=bool(a.get("exist_ok"))), None


def _remove(bridge: "Bridge", s: "PageSession", a: dict):
    s.ops.remove(a.get("path"))
    return None, None


def _rename(bridge: "Bridge", s: "PageSession", a: dict):
    return s.ops.rename(a.get("src"), a.get("dst"), overwrite=bool(a.get("overwrite"))), None


def _access(bridge: "Bridge", s: "PageSession", a: dict):
    return s.ops.access(a.get("path"), write=bool(a.get("write"))), None


def _watch(bridge: "Bridge", s: "PageSession", a: dict):
    path = s.ops.watchable(a.get("path"))
    try:
        watch_id = bridge.watcher.add(_client(s, a), path, limit=bridge.max_watches)
    except OverflowError:
        raise BridgeError("EMFILE", (
            f"Refused: this page already has {bridge.max_watches} watches, the most the bridge keeps at once. "
            "Close one (Watch.close()) first, or watch a folder instead of each file in it.")) from None
    return {"watch": watch_id, "path": str(path)}, None


def _unwatch(bridge: "Bridge", s: "PageSession", a: dict):
    return bridge.watcher.remove(_client(s, a), _str(a, "watch", "")), None


def _poll(bridge: "Bridge", s: "PageSession", a: dict):
    return {"events": bridge.watcher.poll(_client(s, a), POLL_SECONDS)}, None


def _client(s: "PageSession", a: dict) -> str:
    client = _str(a, "client", "")
    if not (8 <= len(client) <= 64 and client.isalnum()):
        raise BridgeError("EINVAL", "client must be 8-64 letters or digits.")
    return s.token + ":" + client  # one page's clients never see another page's watches


def _dialogs(bridge: "Bridge"):
    if bridge.dialogs is None:
        raise BridgeError("ENOTSUP", "Dialogs need the app window (python main.py open PAGE); in a browser, "
                                     "grant folders with --allow-read/--allow-write instead.")
    return bridge.dialogs


def _open_file(bridge: "Bridge", s: "PageSession", a: dict):
    picked = _dialogs(bridge).open_files(s.origin, file_types(a.get("types")), bool(a.get("multiple")))
    for path in picked:
        s.grants.add(Grant.of(path, write=False, source="dialog"))
    return [str(Path(p).resolve()) for p in picked], None


def _save_file(bridge: "Bridge", s: "PageSession", a: dict):
    name = _str(a, "suggested_name", "")
    if "/" in name or "\\" in name or "\x00" in name:
        raise BridgeError("EINVAL", "suggested_name is a file name, not a path.")
    picked = _dialogs(bridge).save_file(s.origin, name, file_types(a.get("types")))
    if picked is None:
        return None, None
    s.grants.add(Grant.of(picked, write=True, source="dialog"))
    return str(Path(picked).resolve()), None


def _choose_folder(bridge: "Bridge", s: "PageSession", a: dict):
    picked = _dialogs(bridge).choose_folder(s.origin)
    if picked is None:
        return None, None
    grant = Grant.of(picked, write=True, source="dialog")
    s.grants.add(grant)
    bridge.sweep(grant.path)  # a new write grant: its stale temporaries go, as the start does for the others
    return str(Path(picked).resolve()), None


#: The complete list of what a page can ask for. Nothing else is reachable, whatever the name.
OPS: dict[str, Callable] = {
    "read": _read, "write": _write, "write_begin": _write_begin, "write_chunk": _write_chunk,
    "write_commit": _write_commit, "write_abort": _write_abort, "stat": _stat, "exists": _exists,
    "listdir": _listdir, "walk": _walk, "mkdir": _mkdir, "remove": _remove, "rename": _rename,
    "access": _access, "watch": _watch, "unwatch": _unwatch, "poll": _poll,
    "open_file": _open_file, "save_file": _save_file, "choose_folder": _choose_folder,
}


def _answer(status: int, payload: object) -> bottle.HTTPResponse:
    body = json.dumps(payload).encode()
    return bottle.HTTPResponse(body, status=status, headers={
        "Content-Type": "application/json", "Cache-Control": "no-store", "Content-Length": str(len(body)),
        "X-Content-Type-Options": "nosniff",
    })


def _refuse(bridge: "Bridge", op: str, status: int, why: str, origin: str = "") -> bottle.HTTPResponse:
    bridge.audit.record(op=op[:40], outcome="refused", origin=origin[:100], detail=why)
    return _answer(status, {"error": {"errno": "EACCES", "message": f"Refused: {why}."}})


def build_app(bridge: "Bridge") -> bottle.Bottle:
    app = bottle.Bottle()
    app.config["json.enable"] = False
    app.catchall = True

    @app.route("/<op>", method=["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
    def call(op: str):
        return handle(bridge, op, bottle.request)

    @app.route("/", method=["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
    def root():
        return handle(bridge, "", bottle.request)

    def not_found(error: bottle.HTTPError) -> str:
        bottle.response.set_header("Content-Type", "application/json")
        bottle.response.set_header("Cache-Control", "no-store")
        return json.dumps({"error": {"errno": "EACCES", "message": "Refused: no such bridge operation."}})

    app.error_handler.update({404: not_found, 405: not_found, 500: not_found})
    return app


def handle(bridge: "Bridge", op: str, request: bottle.BaseRequest) -> bottle.HTTPResponse:
    environ = request.environ
    origin = environ.get("HTTP_ORIGIN", "")
    if request.method != "POST":
        response = _refuse(bridge, op, 405, f"only POST is accepted, not {request.method}", origin)
        response.set_header("Allow", "POST")
        return response
    if op not in OPS:
        return _refuse(bridge, op, 404, f"{op!r} is not a bridge operation", origin)
    fetch_site = environ.get("HTTP_SEC_FETCH_SITE")
    if fetch_site is not None and fetch_site != "same-origin":
        return _refuse(bridge, op, 403, f"cross-site request (Sec-Fetch-Site: {fetch_site[:40]})", origin)
    own = "http://" + environ.get("HTTP_HOST", "")
    if origin != own:
        return _refuse(bridge, op, 403, "the request's Origin is not this app's page" if origin else "no Origin header", origin)
    kind = environ.get("CONTENT_TYPE", "").split(";", 1)[0].strip().lower()
    raw_body = kind == _RAW and op in RAW_BODY_OPS
    if kind != _JSON and not raw_body:
        return _refuse(bridge, op, 415, "the body must be application/json"
                       + (" or application/octet-stream" if op in RAW_BODY_OPS else ""), origin)
    length_text = environ.get("CONTENT_LENGTH", "")
    if not length_text.isdigit():
        return _refuse(bridge, op, 411, "a Content-Length is required", origin)
    cap = bridge.limits.max_write if raw_body else bridge.limits.max_request
    if int(length_text) > cap:
        bridge.audit.record(op=op, outcome="refused", origin=origin, detail="request too large")
        return _answer(413, {"error": {"errno": "EFBIG", "message": (
            f"Refused: a request may carry at most {cap} bytes; larger files go in parts "
            "(desktop.files.open(path, 'wb')).")}})
    session = bridge.find_session(environ.get("HTTP_X_DESKTOP_TOKEN", ""))
    if session is None:
        return _refuse(bridge, op, 403, "missing or wrong bridge token", origin)
    if session.origin != origin:
        return _refuse(bridge, op, 403, "the token belongs to another page", origin)
    try:
        if raw_body:
            args = json.loads(environ.get("HTTP_X_DESKTOP_ARGS", "") or "{}")
        else:
            # straight from the socket: bottle's request.body would spool a large body to a temporary file first
            args = json.loads(_read_exactly(environ["wsgi.input"], int(length_text)) or b"{}")
    except (ValueError, UnicodeDecodeError):
        return _refuse(bridge, op, 400, f"the {'X-Desktop-Args header' if raw_body else 'body'} is not JSON", origin)
    if not isinstance(args, dict):
        return _refuse(bridge, op, 400, "the arguments must be a JSON object", origin)
    named = args.get("path", args.get("src"))
    if named is None and isinstance(args.get("begin"), dict):  # a write_chunk part that starts its upload
        named = args["begin"].get("path")
    shown = str(named if named is not None else "")[:300]
    raw_read = op == "read" and environ.get("HTTP_ACCEPT", "").strip().lower() == _RAW
    try:
        if raw_read:
            response, size = _read_raw(bridge, session, args, environ.get("HTTP_RANGE"))
            bridge.audit.record(op=op, outcome="ok", origin=origin, page=str(session.page_dir), path=shown, size=size)
            return response
        if raw_body:
            result, size = RAW_BODY_OPS[op](bridge, session, args, _Body(environ["wsgi.input"], int(length_text)))
        else:
            result, size = OPS[op](bridge, session, args)
    except BridgeError as error:
        bridge.audit.record(op=op, outcome=error.errno_name, origin=origin, page=str(session.page_dir), path=shown,
                            detail=error.message)
        return _answer(error.status, error.as_json())
    except Exception as exc:  # noqa: BLE001 - no host traceback ever reaches a page
        bridge.audit.record(op=op, outcome="EIO", origin=origin, page=str(session.page_dir), path=shown,
                            detail=f"internal error: {exc.__class__.__name__}: {exc}")
        return _answer(500, {"error": {"errno": "EIO", "message": f"The bridge could not {op}: internal error "
                                                                  "(details are in the bridge audit log)."}})
    if op != "poll":
        bridge.audit.record(op=op, outcome="ok", origin=origin, page=str(session.page_dir), path=shown, size=size)
    return _answer(200, {"result": result})


class _Body:
    """A request body's bytes, a block at a time, as they arrive (never the whole body in memory)."""

    def __init__(self, stream: BinaryIO, length: int, block: int = 1 << 20) -> None:  # wsgi.input
        self.stream, self.length, self.block = stream, length, block

    def __iter__(self) -> Iterator[bytes | memoryview]:
        """Each block is valid until the next is asked for: the server's body reader fills one reused
        buffer (`readinto`), so a consumer writes a block out before taking the next, never keeps it."""
        left = self.length
        readinto = getattr(self.stream, "readinto", None)
        buffer = memoryview(bytearray(min(left, self.block))) if readinto is not None and left > 0 else None
        while left > 0:
            data: bytes | memoryview
            if buffer is not None and readinto is not None:
                got = readinto(buffer[:min(left, self.block)])
                data = buffer[:got]
            else:
                data = self.stream.read(min(left, self.block))
            if not data:
                raise BridgeError("EIO", f"The request ended after {self.length - left} of its {self.length} bytes.")
            left -= len(data)
            yield data



def _read_exactly(stream: BinaryIO, length: int) -> bytes:
    parts, left = [], length
    while left > 0:
        block = stream.read(min(left, 1 << 20))
        if not block:
            break
        parts.append(block)
        left -= len(block)
    return b"".join(parts)
