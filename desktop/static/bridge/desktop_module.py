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
import base64
import builtins
import errno as _errno
import inspect
import io
import json
import os
import posixpath
import sys
import types
from collections import namedtuple

import js
from pyodide.ffi import to_js

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
    message = error.get("message") or f"the file bridge answered HTTP {status}"
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


def _body(args, data):
    """The JSON body as bytes; `data` (bytes) goes in as base64 without a detour through str."""
    if data is None:
        return json.dumps(args).encode()
    head = json.dumps(args).encode()[:-1]
    return head + (b', ' if args else b'') + b'"data": "' + base64.b64encode(data) + b'"}'


_RAW = "application/octet-stream"

# Synchronous requests (plain open() on mounts, desktop.files.open) are made by this JavaScript, so a
# binary answer reaches Python as one Uint8Array: a synchronous XMLHttpRequest on a page's main thread
# may not ask for an ArrayBuffer, and its text, were it handed to Python, would be copied as a str.
_sync_request = js.Function.new(
    "url", "headers", "body", "binary",
    """
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url, false);
    const inWorker = typeof document === "undefined";
    if (binary && inWorker) xhr.responseType = "arraybuffer";
    else if (binary) xhr.overrideMimeType("text/plain; charset=x-user-defined");
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.send(body);
    let bytes;
    if (xhr.response instanceof ArrayBuffer) bytes = new Uint8Array(xhr.response);
    else {
      const text = xhr.responseText;
      bytes = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);  // x-user-defined: low byte
    }
    return {status: xhr.status, body: bytes, size: Number(xhr.getResponseHeader("X-Desktop-Size") || -1)};
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


def _request_sync(op, headers, body, binary):
    answer = _sync_request(_API + op, _js_headers(headers), body, binary)
    data = answer.body.to_bytes()
    if not 200 <= answer.status < 300:
        raise _exception(answer.status, data.decode("utf-8", "replace"))
    return data, int(answer.size)


async def _call(op, _data=None, **args):
    init = to_js(
        {"method": "POST", "headers": _headers(), "cache": "no-store", "credentials": "same-origin"},
        dict_converter=js.Object.fromEntries,
    )
    # Bodies cross as bytes: converting a large str to a JS string costs ~100 ms per MB, bytes are one copy.
    init.body = to_js(_body(args, _data))
    response = await js.fetch(_API + op, init)
    data = (await response.arrayBuffer()).to_bytes()
    if not response.ok:
        raise _exception(response.status, data.decode("utf-8", "replace"))
    return json.loads(data).get("result")


def _call_sync(op, _data=None, **args):
    """The same call, blocking (a synchronous XMLHttpRequest): for plain open() on mounted folders."""
    data, _ = _request_sync(op, _headers(), to_js(_body(args, _data)), True)
    return json.loads(data).get("result")


def _read_range_sync(path, start, stop):
    """Bytes [start, stop) of a host file and the file's size, blocking."""
    headers = _raw_headers(None, accept=_RAW, byte_range=(start, stop))
    return _request_sync("read", headers, json.dumps({"path": path}), True)


def _write_chunk_sync(upload, data):
    _request_sync("write_chunk", _raw_headers({"upload": upload}, body=True), to_js(data), True)


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
    headers = _raw_headers({"path": _path(path), "exclusive": exclusive}, body=True)
    _, answer = await _fetch_raw("write", headers, to_js(memoryview(data).cast("B")))
    return json.loads(answer)["result"]["size"]


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
    """A host file read a part at a time (at most one chunk per request), seekable."""

    def __init__(self, path):
        super().__init__()
        self.name = path
        self._pos = 0
        self._size = int(_call_sync("stat", path=path)["size"])  # fails now for a missing file or a refusal

    def readable(self):
        return True

    def seekable(self):
        return True

    def readinto(self, buffer):
        view = memoryview(buffer).cast("B")
        want = min(len(view), _PART)
        if want == 0 or self._pos >= self._size:
            return 0
        data, size = _read_range_sync(self.name, self._pos, self._pos + want)
        if size >= 0:
            self._size = size  # the file may have grown or shrunk since
        view[: len(data)] = data
        self._pos += len(data)
        return len(data)

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
    if len(data) <= _CHUNK:
        _call_sync("write", data, path=host)
        return
    upload = _call_sync("write_begin", path=host)["upload"]
    for start in range(0, len(data), _CHUNK):
        _call_sync("write_chunk", data[start:start + _CHUNK], upload=upload)
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
    _install_mounts()
