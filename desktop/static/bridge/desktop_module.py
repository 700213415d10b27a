"""desktop: local files from page code, through PyScript Desktop's bridge.

    import desktop
    text = await desktop.files.read_text("~/Documents/sales/q3.csv")
    await desktop.files.write_text("summary.txt", text)        # relative to the page's folder
    path = await desktop.dialogs.open_file(types="*.csv")      # the person's pick is granted
    desktop.files.watch(path, lambda event: redraw())          # runs when the file changes

Installed by the app in every interpreter (main thread and workers) before the
page's code runs; `_CONFIG` (the page's token, the API URL, its mounts) is set
by the installer. Errors are the Python exceptions one expects, with the
host's message: PermissionError (not granted, or read-only), FileNotFoundError,
IsADirectoryError, NotADirectoryError, FileExistsError; ValueError for bad
arguments.
"""

import asyncio
import builtins
import errno as _errno
import inspect
import io
import json
import os
import posixpath
import secrets
import sys
import types
from collections import namedtuple

import js
from pyodide.ffi import create_proxy, to_js

__all__ = ["files", "dialogs", "Entry", "Stat", "Event"]

_CONFIG = globals().get("_CONFIG") or {}
_API = _CONFIG.get("api", "/_desktop/api/files/")
_CHUNK = int(_CONFIG.get("chunk", 8 * 1024 * 1024))
_IN_WORKER = not hasattr(js, "document")
_CLIENT = "".join("0123456789abcdef"[b % 16] for b in os.urandom(16))
_EXCEPTIONS = {
    "EACCES": PermissionError,
    "ENOENT": FileNotFoundError,
    "EISDIR": IsADirectoryError,
    "ENOTDIR": NotADirectoryError,
    "EEXIST": FileExistsError,
}

Entry = namedtuple("Entry", "name kind size modified")
Stat = namedtuple("Stat", "path kind size modified writable")
Event = namedtuple("Event", "change path")


# -- transport -------------------------------------------------------------------------------------
def _exception(status, text):
    try:
        error = json.loads(text).get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    name = error.get("errno", "EIO")
    message = error.get("message") or (f"the file bridge did not answer: {text[:300]}" if status == 0 and text
                                       else f"the file bridge answered HTTP {status}")
    if name == "EINVAL":
        return ValueError(message)
    return _oserror(name, message)


def _oserror(name, message):
    """The exception for an errno name; str() is the host's message alone (errno numbers differ in WebAssembly)."""
    exc = _EXCEPTIONS.get(name, OSError)(message)
    exc.errno = getattr(_errno, name, _errno.EIO)
    return exc


def _headers():
    return {"Content-Type": "application/json", "X-Desktop-Token": _CONFIG.get("token", "")}


def _body(args):
    """The JSON body as bytes (file bytes never go in it: they travel raw, see _raw_headers)."""
    return json.dumps(args).encode()


_RAW = "application/octet-stream"

# Synchronous requests (plain open() on mounts, desktop.files.open) are made by this JavaScript, so a
# binary answer reaches Python as one Uint8Array: a synchronous XMLHttpRequest on a page's main thread
# may not ask for an ArrayBuffer, and its text, were it handed to Python, would be copied as a str.
# `body` may be a Python buffer (sent from the interpreter's memory as it is, no copy into a JS array
# first); with `into` (a writable Python buffer), a successful answer's bytes are put straight there
# (streamed reads: nothing is allocated per part, in JS or in Python). abort() then lets the engine
# drop its own copy of the answer at once: held until the next garbage collection, the parts of a
# 1 GiB stream added 270-350 MiB to the page's memory.
_sync_request = js.Function.new(
    "url", "headers", "body", "binary", "into",
    """
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url, false);
    const inWorker = typeof document === "undefined";
    if (binary && inWorker) xhr.responseType = "arraybuffer";
    else if (binary) xhr.overrideMimeType("text/plain; charset=x-user-defined");
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    const source = body && typeof body === "object" && typeof body.getBuffer === "function" ? body.getBuffer("u8") : null;
    try { xhr.send(source ? source.data : body); } finally { if (source) source.release(); }
    const ok = xhr.status >= 200 && xhr.status < 300;
    const size = Number(xhr.getResponseHeader("X-Desktop-Size") || -1);
    let bytes = null, length = 0;
    const target = ok && into ? into.getBuffer("u8") : null;
    try {
      const out = target ? target.data : null;
      if (xhr.response instanceof ArrayBuffer) {
        const got = new Uint8Array(xhr.response);
        if (out) { length = Math.min(got.length, out.length); out.set(got.subarray(0, length)); } else bytes = got;
      } else {
        const text = xhr.responseText;
        length = out ? Math.min(text.length, out.length) : text.length;
        // (a fresh array even with `into`: its size tells the engine to collect, which frees the text too;
        // decoded straight into `into`, the texts of a 1 GiB stream were never collected)
        bytes = new Uint8Array(length);
        for (let i = 0; i < length; i++) bytes[i] = text.charCodeAt(i);  // x-user-defined: the low byte
        if (out) { out.set(bytes); bytes = null; }
      }
    } finally { if (target) target.release(); }
    const status = xhr.status;
    xhr.abort();
    return {status, body: bytes, length, size};
    """,
)

# A page's main thread may not wait (Atomics.wait) and its synchronous requests get text, not bytes.
# Where the page is cross-origin isolated (the app's pages are), a streamed read there is made by a
# small worker instead: it fetches the part into a SharedArrayBuffer and the main thread spins on a
# flag until it is in (the page is blocked for the part's time either way, as with the synchronous
# request), then copies it into the reader's buffer. No text, no array per part: the page's memory
# stays flat however large the file (+1 GiB while streaming 1 GiB, from texts never collected, when
# the text was decoded straight into the reader's buffer; +160-350 MiB with an array per part).
_shared_fetch_factory = js.Function.new(
    "capacity", "patience",
    """
    if (typeof document === "undefined" || !self.crossOriginIsolated || typeof SharedArrayBuffer !== "function") return null;
    const source = `
      let i32, f64, u8, spare = new ArrayBuffer(1 << 16);
      onmessage = async ({data: m}) => {
        if (m.ctl) {
          i32 = new Int32Array(m.ctl, 0, 4); f64 = new Float64Array(m.ctl, 16, 2); u8 = new Uint8Array(m.data);
          Atomics.store(i32, 0, -1);
          return;
        }
        let status = 0, length = 0, size = -1;
        try {
          const response = await fetch(m.url, {method: "POST", headers: m.headers, body: m.body, cache: "no-store",
                                               credentials: "same-origin"});
          status = response.status;
          size = Number(response.headers.get("X-Desktop-Size") || -1);
          // read into one reused buffer (a byte reader): the answer's chunks allocate nothing
          const reader = response.body.getReader({mode: "byob"});
          for (;;) {
            const {done, value} = await reader.read(new Uint8Array(spare, 0, spare.byteLength));
            spare = value ? value.buffer : new ArrayBuffer(1 << 16);  // the read moved the buffer into value
            if (done) break;
            if (length + value.length > u8.length) { status = -2; await reader.cancel(); spare = new ArrayBuffer(1 << 16); break; }
            u8.set(value, length);
            length += value.length;
          }
        } catch (error) {
          const text = new TextEncoder().encode(String(error)).subarray(0, u8.length);
          u8.set(text); length = text.length; status = 0;
        }
        f64[0] = length; f64[1] = size; i32[1] = status;
        Atomics.store(i32, 0, m.seq);
      };`;
    let worker;
    try { worker = new Worker(URL.createObjectURL(new Blob([source], {type: "text/javascript"}))); } catch (_) { return null; }
    const ctl = new SharedArrayBuffer(32), data = new SharedArrayBuffer(capacity);
    const i32 = new Int32Array(ctl, 0, 4), f64 = new Float64Array(ctl, 16, 2), u8 = new Uint8Array(data);
    worker.postMessage({ctl, data});
    const spin = (value, ms) => {  // (the clock read every 64Ki turns: each read makes a little garbage)
      const end = performance.now() + ms;
      for (let turn = 1; Atomics.load(i32, 0) !== value; turn++) if ((turn & 0xffff) === 0 && performance.now() > end) return false;
      return true;
    };
    // A worker starts only while the main thread is free: until it has (it is made when the module is
    // installed, so before the page's code runs), or if it ever fails, the caller's synchronous request serves.
    let broken = false, seq = 0, answered = 0;
    const call = (url, headers, body, into) => {
      if (broken || Atomics.load(i32, 0) === 0) return null;
      seq += 1;
      // (an absolute URL: the worker's own is a blob: URL, against which a path means nothing)
      worker.postMessage({seq, url: new URL(url, location.href).href, headers: Object.fromEntries(Object.entries(headers)), body});
      if (!spin(seq, answered ? patience : 10000)) {
        broken = true;
        return {status: 0, length: 0, size: -1, body: new TextEncoder().encode("the file bridge did not answer in time")};
      }
      answered += 1;
      const status = i32[1], length = f64[0], size = f64[1];
      if (status >= 200 && status < 300 && into) {
        const target = into.getBuffer("u8");
        let put;
        try { put = Math.min(length, target.data.length); target.data.set(u8.subarray(0, put)); } finally { target.release(); }
        return {status, length: put, size, body: null};
      }
      return {status: status === -2 ? 502 : status, length, size, body: u8.slice(0, length)};
    };
    call.answered = () => answered;  // (for tests: the parts this worker brought)
    return call;
    """,
)
_shared = []  # [the function, or None where it cannot work], made at the first streamed read


def _shared_fetch():
    if not _shared:
        _shared.append(_shared_fetch_factory(_PART, 120_000) if not _IN_WORKER else None)
    return _shared[0]


#: A write_bytes above `_WRITE_PART` goes in parts, `_LANES` requests at a time: the engine copies a
#: request's body before sending it, so one 100 MB request waited for a 100 MB copy before its first
#: byte left, then for the host to take it all; parts overlap the two (and the disk's writes).
#: A part is a `_LANES`th of the file, at least `_WRITE_PART` and at most `_PART_MAX` bytes: each
#: request costs the engine tens of ms of its own (fetch() to the host's first byte, and the answer
#: back), so fewer, larger parts won: 100 MB as 4 x 4 MiB at a time 212 MB/s, 16 MiB parts 302,
#: 25 MiB (one part per lane) 330 (benchmarks/README.md, 2026-12-06). At most `_LANES` x
#: `_PART_MAX` bytes are copies in flight.
_WRITE_PART = 4 << 20
_PART_MAX = 32 << 20
_LANES = 4


def _part_size(size):
    part = -(-size // _LANES)
    part = -(-part // 65536) * 65536  # whole 64 KiB blocks
    return min(_PART_MAX, max(_WRITE_PART, part))

# The parts are views of the interpreter's memory (taken anew for each part: the memory may grow,
# and move, while a part is on its way), which fetch() copies when it is called. Each part carries
# the file's size (`commit`): the one that makes the file whole commits it on the host, so no
# write_commit round trip follows the last part; and `begin` with an id made here: the first part
# to arrive starts the upload, so no write_begin round trip comes before them. Answers {failure, committed}.
_send_parts = js.Function.new(
    "url", "headers", "source", "upload", "begin", "part", "lanes",
    """
    return (async () => {
      let size;
      { const b = source.getBuffer("u8"); size = b.data.length; b.release(); }
      let next = 0, failure = null, committed = null;
      const lane = async () => {
        while (next < size && !failure) {
          const offset = next;
          next += part;
          const b = source.getBuffer("u8");
          let pending;
          try {
            pending = fetch(url, {method: "POST", cache: "no-store", credentials: "same-origin",
              headers: {...headers, "X-Desktop-Args": `{"upload":"${upload}","begin":${begin},"offset":${offset},"commit":${size}}`},
              body: b.data.subarray(offset, Math.min(size, offset + part))});
          } finally { b.release(); }
          try {
            const response = await pending;
            const text = await response.text();
            if (!response.ok && !failure) failure = {status: response.status, text};
            if (response.ok) committed = JSON.parse(text).result.committed || committed;
          } catch (error) {
            if (!failure) failure = {status: 0, text: String(error)};
          }
        }
      };
      await Promise.all(Array.from({length: lanes}, lane));
      return {failure, committed};
    })();
    """,
)

_send_one = js.Function.new(
    "url", "init", "source",
    """
    const b = source.getBuffer("u8");
    try { init.body = b.data; return fetch(url, init); } finally { b.release(); }
    """,
)


def _raw_headers(args, accept=None, byte_range=None, body=False):
    headers = dict(_headers())
    if body:
        headers["Content-Type"] = _RAW
        headers["X-Desktop-Args"] = json.dumps(args)
    if accept:
        headers["Accept"] = accept
    if byte_range is not None:
        headers["Range"] = f"bytes={byte_range[0]}-{byte_range[1] - 1}"
    return headers


def _js_headers(headers):
    return to_js(headers, dict_converter=js.Object.fromEntries)


async def _fetch_raw(op, headers, body):
    init = to_js({"method": "POST", "cache": "no-store", "credentials": "same-origin"},
                 dict_converter=js.Object.fromEntries)
    init.headers = _js_headers(headers)
    init.body = body
    response = await js.fetch(_API + op, init)
    data = (await response.arrayBuffer()).to_bytes()  # the one copy: from the engine into Python's memory
    if not response.ok:
        raise _exception(response.status, data.decode("utf-8", "replace"))
    return response, data


def _request_sync(op, headers, body, binary, into=None):
    """(the answer's bytes, X-Desktop-Size); with `into`, (the number of bytes put there, the size)."""
    answer = None
    if into is not None and (shared := _shared_fetch()) is not None:
        answer = shared(_API + op, _js_headers(headers), body, into)
    if answer is None:
        answer = _sync_request(_API + op, _js_headers(headers), body, binary, into)
    if not 200 <= answer.status < 300:
        raise _exception(answer.status, answer.body.to_bytes().decode("utf-8", "replace"))
    if into is not None:
        return int(answer.length), int(answer.size)
    return answer.body.to_bytes(), int(answer.size)


async def _call(op, **args):
    init = to_js(
        {"method": "POST", "headers": _headers(), "cache": "no-store", "credentials": "same-origin"},
        dict_converter=js.Object.fromEntries,
    )
    # Bodies cross as bytes: converting a large str to a JS string costs ~100 ms per MB, bytes are one copy.
    init.body = to_js(_body(args))
    response = await js.fetch(_API + op, init)
    data = (await response.arrayBuffer()).to_bytes()
    if not response.ok:
        raise _exception(response.status, data.decode("utf-8", "replace"))
    return json.loads(data).get("result")


def _call_sync(op, **args):
    """The same call, blocking (a synchronous XMLHttpRequest): for plain open() on mounted folders."""
    data, _ = _request_sync(op, _headers(), to_js(_body(args)), True)
    return json.loads(data).get("result")


def _read_range_sync(path, start, stop, into=None):
    """Bytes [start, stop) of a host file and the file's size, blocking (with `into`: put there, and counted)."""
    headers = _raw_headers(None, accept=_RAW, byte_range=(start, stop))
    return _request_sync("read", headers, json.dumps({"path": path}), True, into)


def _write_chunk_sync(upload, data):
    _request_sync("write_chunk", _raw_headers({"upload": upload}, body=True), memoryview(data), True)


def _path(path):
    path = os.fspath(path)
    if isinstance(path, bytes):
        path = path.decode()
    return path


# -- files -----------------------------------------------------------------------------------------
async def read_bytes(path):
    """The file's bytes, as they are on disk (one request, streamed by the host; no base64).

    A file larger than the bridge's read cap is refused with a message naming
    desktop.files.open(path, "rb"), which reads any size in parts."""
    path = _path(path)
    _, data = await _fetch_raw("read", _raw_headers(None, accept=_RAW), json.dumps({"path": path}))
    return data


async def read_text(path, encoding="utf-8", errors="strict"):
    return (await read_bytes(path)).decode(encoding, errors)


async def write_bytes(path, data, *, exclusive=False):
    """Replace (or create) the file atomically; returns the number of bytes written.

    The bytes go as they are in one request, which the host writes to disk as it arrives."""
    path = _path(path)
    view = memoryview(data).cast("B")
    source = create_proxy(view)
    try:
        if len(view) <= _WRITE_PART:
            init = to_js({"method": "POST", "cache": "no-store", "credentials": "same-origin"},
                         dict_converter=js.Object.fromEntries)
            init.headers = _js_headers(_raw_headers({"path": path, "exclusive": exclusive}, body=True))
            response = await _send_one(_API + "write", init, source)
            answer = (await response.arrayBuffer()).to_bytes()
            if not response.ok:
                raise _exception(response.status, answer.decode("utf-8", "replace"))
            return json.loads(answer)["result"]["size"]
        # the first part to reach the host starts the upload (no write_begin round trip before the parts)
        upload = secrets.token_hex(12)
        # (as ASCII JSON: a header carries only ISO-8859-1, and a path may be any text)
        begin = json.dumps({"path": path, "exclusive": exclusive, "size": len(view)})
        sent = await _send_parts(_API + "write_chunk", _js_headers(_raw_headers(None, body=True)), source, upload,
                                 begin, _part_size(len(view)), _LANES)
        failure = sent.failure
        if failure is not None:
            try:
                await _call("write_abort", upload=upload)
            except Exception:  # noqa: BLE001 - the first failure is the one to report
                pass
            raise _exception(failure.status, failure.text)
        if sent.committed is not None:  # the last part committed it
            return sent.committed.size
        return (await _call("write_commit", upload=upload))["size"]
    finally:
        source.destroy()


async def write_text(path, text, encoding="utf-8", errors="strict", *, exclusive=False):
    return await write_bytes(path, text.encode(encoding, errors), exclusive=exclusive)


async def listdir(path="."):
    """Entries (name, kind, size, modified) of a folder; kind is 'file', 'dir', 'link' or 'other'."""
    result = await _call("listdir", path=_path(path))
    return [Entry(e["name"], e["kind"], e["size"], e["modified"]) for e in result["entries"]]


async def stat(path):
    r = await _call("stat", path=_path(path))
    return Stat(r["path"], r["kind"], r["size"], r["modified"], r["writable"])


async def exists(path):
    return await _call("exists", path=_path(path))


async def mkdir(path, parents=False, exist_ok=False):
    return await _call("mkdir", path=_path(path), parents=parents, exist_ok=exist_ok)


async def remove(path):
    await _call("remove", path=_path(path))


async def rename(src, dst, overwrite=False):
    return await _call("rename", src=_path(src), dst=_path(dst), overwrite=overwrite)


# -- streams: desktop.files.open ------------------------------------------------------------------
#: The most one streamed read asks for: small parts keep the engine's garbage (each answer exists as
#: a response, a typed array and Python bytes for a while) well below the page's own memory.
_PART = min(_CHUNK, 2 << 20)


class _RangeReader(io.RawIOBase):
    """A host file read a part at a time (at most one chunk per request), seekable.

    A small read is served from a part read ahead: io.BufferedReader.read1() goes past its own
    buffer to the raw file with the caller's size whenever that buffer is empty, and
    io.TextIOWrapper reads with read1(8192), so line iteration, csv.reader and pandas on a text
    stream asked the host for 8 KiB a request (a 6.6 MB CSV's lines took 800 requests and 6 s)."""

    def __init__(self, path):
        super().__init__()
        self.name = path
        self._pos = 0
        self._size = int(_call_sync("stat", path=path)["size"])  # fails now for a missing file or a refusal
        self._ahead = None  # (a bytearray of one part, made at the first small read)
        self._ahead_start = self._ahead_len = 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def readinto(self, buffer):
        view = memoryview(buffer).cast("B")
        if len(view) == 0:
            return 0
        skip = self._pos - self._ahead_start
        if 0 <= skip < self._ahead_len:
            put = min(len(view), self._ahead_len - skip)
            view[:put] = memoryview(self._ahead)[skip:skip + put]
            self._pos += put
            return put
        if self._pos >= self._size:
            return 0
        if len(view) >= _PART:  # straight into the caller's buffer
            got, size = _read_range_sync(self.name, self._pos, self._pos + _PART, view[:_PART])
            if size >= 0:
                self._size = size  # the file may have grown or shrunk since
            self._pos += got
            return got
        if self._ahead is None:
            self._ahead = bytearray(_PART)
        got, size = _read_range_sync(self.name, self._pos, self._pos + _PART, memoryview(self._ahead))
        if size >= 0:
            self._size = size
        self._ahead_start, self._ahead_len = self._pos, got
        return self.readinto(view) if got else 0

    def readall(self):
        parts = []
        while chunk := self.read(_PART):  # RawIOBase's own would ask for 8 KiB a request
            parts.append(chunk)
        return b"".join(parts)

    def seek(self, offset, whence=io.SEEK_SET):
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._pos = base + offset
        return self._pos

    def tell(self):
        return self._pos


class _StreamWriter(io.RawIOBase):
    """A host file written a part at a time; it appears, whole and at once, when closed (atomic).

    Leaving a `with` block by an exception discards what was written: the old file stays."""

    def __init__(self, path, exclusive=False):
        super().__init__()
        self.name = path
        self._upload = _call_sync("write_begin", path=path, exclusive=exclusive, stream=True)["upload"]
        self._size = 0

    def writable(self):
        return True

    def write(self, data):
        view = memoryview(data).cast("B")
        for start in range(0, len(view), _CHUNK):
            _write_chunk_sync(self._upload, view[start:start + _CHUNK])
        self._size += len(view)
        return len(view)

    def abort(self):
        if self._upload is not None:
            upload, self._upload = self._upload, None
            try:
                _call_sync("write_abort", upload=upload)
            except Exception:  # noqa: BLE001 - the host forgets it on its own after a while
                pass
        super().close()

    def close(self):
        if self._upload is not None and not self.closed:
            upload, self._upload = self._upload, None
            _call_sync("write_commit", upload=upload)
        super().close()


class _Aborting:
    """`with` support that aborts a streamed write when the block raised (mixed into the io wrappers)."""

    def __exit__(self, kind, value, traceback):
        if kind is not None:
            raw = self
            while hasattr(raw, "buffer") or hasattr(raw, "raw"):
                raw = getattr(raw, "buffer", None) or raw.raw
            if isinstance(raw, _StreamWriter):
                raw.abort()
        return super().__exit__(kind, value, traceback)


class _AbortingBufferedWriter(_Aborting, io.BufferedWriter):
    pass


class _AbortingTextIOWrapper(_Aborting, io.TextIOWrapper):
    pass


def open_stream(path, mode="r", *, encoding=None, errors=None, newline=None):
    """A file object for a host file that reads or writes it in parts, so its size is not limited
    by the page's memory: "rb"/"r" read (seekable), "wb"/"w" (or "xb"/"x": only if it does not
    exist) write. Works with csv.reader, line iteration and pandas.read_csv(f, chunksize=...).

    Blocking calls, like Python's own files: in a page's main thread the page waits for each
    part (a worker does not block the page)."""
    host = _path(path)
    kinds = set(mode)
    if mode.replace("b", "").replace("t", "") not in ("r", "w", "x") or ("b" in kinds and "t" in kinds):
        raise ValueError(f"desktop.files.open: mode must be 'r', 'rb', 'w', 'wb', 'x' or 'xb', not {mode!r}")
    if "r" in kinds:
        buffer = io.BufferedReader(_RangeReader(host), buffer_size=min(_CHUNK, 1 << 20))
        return buffer if "b" in kinds else io.TextIOWrapper(buffer, encoding or "utf-8", errors, newline)
    buffer = _AbortingBufferedWriter(_StreamWriter(host, exclusive="x" in kinds), buffer_size=min(_CHUNK, 4 << 20))
    if "b" in kinds:
        return buffer
    text = _AbortingTextIOWrapper(buffer, encoding or "utf-8", errors, newline)
    text.mode = mode
    return text


# -- watching --------------------------------------------------------------------------------------
_watches = {}
_poller = []


class Watch:
    """A registered watch; `close()` stops it."""

    def __init__(self, watch_id, path, callback):
        self.id, self.path, self.callback = watch_id, path, callback

    def close(self):
        if _watches.pop(self.id, None) is not None:
            asyncio.ensure_future(_call("unwatch", watch=self.id, client=_CLIENT))


def watch(path, callback):
    """Call `callback(event)` (event.change: added/modified/deleted, event.path) when something under `path` changes.

    The callback may be a function or a coroutine function. Returns a Watch; `.close()` stops it.
    """
    result = _call_sync("watch", path=_path(path), client=_CLIENT)
    handle = Watch(result["watch"], result["path"], callback)
    _watches[handle.id] = handle
    if not _poller or _poller[0].done():
        _poller[:] = [asyncio.ensure_future(_poll())]
    return handle


async def _poll():
    failures = 0
    while _watches:
        try:
            events = (await _call("poll", client=_CLIENT))["events"]
            failures = 0
        except Exception:  # noqa: BLE001 - the app is restarting or the page is going away
            failures += 1
            if failures > 30:
                return
            await asyncio.sleep(1)
            continue
        for event in events:
            handle = _watches.get(event["watch"])
            if handle is None:
                continue
            try:
                outcome = handle.callback(Event(event["change"], event["path"]))
                if inspect.isawaitable(outcome):
                    await outcome
            except Exception:  # noqa: BLE001 - show it, as PyScript shows any page error, and keep watching
                sys.excepthook(*sys.exc_info())


# -- dialogs ---------------------------------------------------------------------------------------
async def open_file(types=None, multiple=False):
    """Ask the person for a file to open (read access is granted). None (or [] with multiple) if cancelled."""
    picked = await _call("open_file", types=types, multiple=multiple)
    return picked if multiple else (picked[0] if picked else None)


async def save_file(suggested_name="", types=None):
    """Ask the person where to save (write access to that file is granted). None if cancelled."""
    return await _call("save_file", suggested_name=suggested_name, types=types)


async def choose_folder():
    """Ask the person for a folder (read and write access to it is granted). None if cancelled."""
    return await _call("choose_folder")


# -- mounts: plain open() on folders named in [desktop.mounts] -----------------------------------------
_real_open = builtins.open
_mounts = []  # [(point, host path spelling, error or None)]


class _WriteBackFile(io.FileIO):
    """The interpreter's own file, which sends its bytes to the host file when closed."""

    def close(self):
        if self.closed:
            return
        super().close()
        with _real_open(self._desktop_local, "rb") as local:
            data = local.read()
        _write_sync(self._desktop_host, data)


def _write_sync(host, data):
    """The bytes of a closed mounted file to the host file, raw (as they are; no base64)."""
    view = memoryview(data).cast("B")
    if len(view) <= _CHUNK:
        _request_sync("write", _raw_headers({"path": host}, body=True), view, True)
        return
    upload = _call_sync("write_begin", path=host, size=len(view))["upload"]
    try:
        for start in range(0, len(view), _CHUNK):
            _write_chunk_sync(upload, view[start:start + _CHUNK])
    except BaseException:
        try:
            _call_sync("write_abort", upload=upload)
        except Exception:  # noqa: BLE001 - the first failure is the one to report
            pass
        raise
    _call_sync("write_commit", upload=upload)


def _read_sync(host):
    parts, offset = [], 0
    while True:
        data, size = _read_range_sync(host, offset, offset + _CHUNK)
        parts.append(data)
        offset += len(data)
        if not data or offset >= size:
            return b"".join(parts)


def _mounted(file):
    if isinstance(file, int) or not _mounts:
        return None
    try:
        local = _path(file)
    except TypeError:
        return None
    local = posixpath.normpath(posixpath.join(os.getcwd(), local))
    for point, host, error in _mounts:
        if local == point or local.startswith(point + "/"):
            return local, (host.rstrip("/") + local[len(point):]), error
    return None


def open(file, mode="r", buffering=-1, encoding=None, errors=None, newline=None, closefd=True, opener=None):  # noqa: A001
    """builtins.open, which for paths under a mount reads from and writes back to the host file."""
    hit = _mounted(file)
    if hit is None:
        return _real_open(file, mode, buffering, encoding, errors, newline, closefd, opener)
    local, host, error = hit
    if error:
        raise _oserror("EACCES", error)
    kinds = set(mode)
    writing = bool(kinds & set("wax+"))
    if not kinds & set("a+"):
        # read-only or replace-whole-file: streamed, so a mounted file of any size opens at once
        stream = open_stream(host, mode.replace("t", ""), encoding=encoding, errors=errors, newline=newline)
        return stream.raw if buffering == 0 and "b" in kinds else stream
    if writing:
        _call_sync("access", path=host, write=True)  # refuse now, not when the file is closed
        if "x" in kinds and _call_sync("exists", path=host):
            raise _oserror("EEXIST", f"File exists: {host}")
    if not kinds & set("wx"):  # r, r+, a, a+: start from the host's current contents
        try:
            data = _read_sync(host)
        except FileNotFoundError:
            if "a" not in kinds:
                raise
            data = b""
        os.makedirs(posixpath.dirname(local), exist_ok=True)
        with _real_open(local, "wb") as copy:
            copy.write(data)
    if not writing:
        return _real_open(local, mode, buffering, encoding, errors, newline, closefd, opener)
    os.makedirs(posixpath.dirname(local), exist_ok=True)
    raw_mode = "".join(c for c in "rwxa" if c in kinds) + ("+" if "+" in kinds else "")
    raw = _WriteBackFile(local, raw_mode.replace("x", "w"))
    raw._desktop_local, raw._desktop_host = local, host
    if "b" in kinds and buffering == 0:
        return raw
    size = buffering if buffering > 1 else io.DEFAULT_BUFFER_SIZE
    buffer = (io.BufferedRandom if "+" in kinds else io.BufferedWriter)(raw, size)
    if "b" in kinds:
        return buffer
    text = io.TextIOWrapper(buffer, encoding, errors, newline, line_buffering=buffering == 1)
    text.mode = mode
    return text


def _install_mounts():
    for mount in _CONFIG.get("mounts", []):
        point, host, error = mount["point"], mount["path"], mount.get("error")
        os.makedirs(point, exist_ok=True)
        if error is None:
            try:
                tree = _call_sync("walk", path=host)
            except OSError as exc:
                error = str(exc.strerror or exc)
                print(f"PyScript Desktop: mount {point} -> {host}: {error}", file=sys.stderr)
            else:
                for entry in tree["entries"]:  # the names, so os.listdir and os.path.exists work; bytes on open()
                    local = posixpath.join(point, entry["path"])
                    if entry["kind"] == "dir":
                        os.makedirs(local, exist_ok=True)
                    elif not os.path.exists(local):
                        _real_open(local, "wb").close()
        _mounts.append((point, host, error))
    if _mounts:
        builtins.open = open
        io.open = open


# -- the module's parts, as desktop.files / desktop.dialogs ------------------------------------------------
files = types.ModuleType("desktop.files", "Local files inside the page's grants.")
for _name in ("read_bytes", "read_text", "write_bytes", "write_text", "listdir", "stat", "exists", "mkdir", "remove",
              "rename", "watch"):
    setattr(files, _name, globals()[_name])
files.open = open_stream
files.Entry, files.Stat, files.Event, files.Watch = Entry, Stat, Event, Watch
dialogs = types.ModuleType("desktop.dialogs", "Native dialogs; what the person picks is granted for the session.")
for _name in ("open_file", "save_file", "choose_folder"):
    setattr(dialogs, _name, globals()[_name])
del _name


def _start():
    sys.modules["desktop.files"] = files
    sys.modules["desktop.dialogs"] = dialogs
    _shared_fetch()  # its worker starts while the page's code has not begun
    _install_mounts()
