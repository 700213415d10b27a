// window.desktop: the file bridge for a page's JavaScript (the same calls as Python's `import desktop`).
//
//   const text = await desktop.files.readText("~/Documents/sales/q3.csv");
//   await desktop.files.writeText("summary.txt", text);
//   const path = await desktop.dialogs.openFile({types: "*.csv"});
//   const w = desktop.files.watch(path, (event) => redraw(event.change, event.path));  w.close();
//
// Failures reject with an Error whose name is the Python exception's (PermissionError,
// FileNotFoundError, ...) and whose `errno` is the errno name.
(() => {
  "use strict";
  const config = window.__desktopBridge || {};
  delete window.__desktopBridge;
  const api = config.api || "/_desktop/api/files/";
  const client = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => (b % 16).toString(16)).join("");
  const names = {EACCES: "PermissionError", ENOENT: "FileNotFoundError", EISDIR: "IsADirectoryError",
    ENOTDIR: "NotADirectoryError", EEXIST: "FileExistsError", EINVAL: "ValueError"};

  // The Error a refusal rejects with: its name is the Python exception's, its message the host's.
  async function failure(response) {
    let payload = {};
    try { payload = JSON.parse(await response.text()); } catch (_) { payload = {}; }
    const error = payload.error || {};
    const failed = new Error(error.message || `the file bridge answered HTTP ${response.status}`);
    failed.name = names[error.errno] || "OSError";
    failed.errno = error.errno || "EIO";
    return failed;
  }

  async function request(op, body, headers) {
    const response = await fetch(api + op, {
      method: "POST", cache: "no-store", credentials: "same-origin", body,
      headers: {"Content-Type": "application/json", "X-Desktop-Token": config.token || "", ...headers},
    });
    if (!response.ok) throw await failure(response);
    return response;
  }

  const call = async (op, args = {}) => (await (await request(op, JSON.stringify(args), {})).json()).result;

  // A header carries only Latin-1: the arguments of a raw body are JSON with every other character escaped.
  const asciiJson = (value) =>
    JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));

  // File bytes travel as they are (application/octet-stream), streamed by the host, not as base64.
  async function readBytes(path, {start, end} = {}) {
    const headers = {Accept: "application/octet-stream"};
    if (start !== undefined) headers.Range = `bytes=${start}-${(end === undefined ? Number.MAX_SAFE_INTEGER : end) - 1}`;
    return new Uint8Array(await (await request("read", JSON.stringify({path}), headers)).arrayBuffer());
  }

  // A write above WRITE_PART goes in parts, LANES requests at a time, each placed at its offset in
  // the host's temporary file (write_begin / write_chunk, as Python's write_bytes does): the engine
  // copies a request's body before sending it, so one long request waits for the whole copy, then
  // for the host to take it all; parts overlap the copies, the transfer and the disk's writes. A
  // part is a LANESth of the file, from WRITE_PART to PART_MAX bytes (each request costs the engine
  // tens of ms of its own: fewer, larger parts are faster; see desktop_module.py). The file appears
  // whole at the commit, or not at all.
  const WRITE_PART = 4 << 20, PART_MAX = 32 << 20, LANES = 4;
  const partSize = (size) => Math.min(PART_MAX, Math.max(WRITE_PART, Math.ceil(size / LANES / 65536) * 65536));

  async function writeBytes(path, data, {exclusive = false} = {}) {
    const bytes = data instanceof Uint8Array ? data
      : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
    const raw = {"Content-Type": "application/octet-stream"};
    if (bytes.length <= WRITE_PART) {
      const headers = {...raw, "X-Desktop-Args": asciiJson({path, exclusive})};
      return (await (await request("write", bytes, headers)).json()).result.size;
    }
    // Each part carries the file's size, so the one that makes the file whole commits it on the host,
    // and `begin` with an id made here, so the first to arrive starts the upload: no round trip
    // before the parts (write_begin) or after them (write_commit).
    const upload = Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, "0")).join("");
    const begin = {path, exclusive, size: bytes.length};
    const part = partSize(bytes.length);
    let next = 0, first = null, committed = null;
    const lane = async () => {
      while (next < bytes.length && !first) {
        const offset = next;
        next += part;
        try {
          const response = await request("write_chunk", bytes.subarray(offset, Math.min(bytes.length, offset + part)),
                                         {...raw, "X-Desktop-Args": asciiJson({upload, begin, offset, commit: bytes.length})});
          committed = (await response.json()).result.committed || committed;
        } catch (error) {
          if (!first) first = error;
        }
      }
    };
    await Promise.all(Array.from({length: LANES}, lane));
    if (first) {
      try { await call("write_abort", {upload}); } catch (_) { /* the first failure is the one to report */ }
      throw first;
    }
    if (committed) return committed.size;  // the last part committed it: no write_commit round trip
    return (await call("write_commit", {upload})).size;
  }

  const watches = new Map();
  let polling = false;
  async function poll() {
    polling = true;
    while (watches.size) {
      let events = [];
      try { events = (await call("poll", {client})).events; } catch (_) {
        await new Promise((r) => setTimeout(r, 1000));
        continue;
      }
      for (const event of events) {
        const callback = watches.get(event.watch);
        if (callback) {
          try { await callback({change: event.change, path: event.path}); } catch (e) { console.error(e); }
        }
      }
    }
    polling = false;
  }

  const files = Object.freeze({
    readBytes,
    readText: async (path, encoding = "utf-8") => new TextDecoder(encoding).decode(await readBytes(path)),
    writeBytes,
    writeText: (path, text, options) => writeBytes(path, new TextEncoder().encode(text), options),
    listdir: async (path = ".") => (await call("listdir", {path})).entries,
    stat: (path) => call("stat", {path}),
    exists: (path) => call("exists", {path}),
    mkdir: (path, {parents = false, existOk = false} = {}) => call("mkdir", {path, parents, exist_ok: existOk}),
    remove: (path) => call("remove", {path}),
    rename: (src, dst, {overwrite = false} = {}) => call("rename", {src, dst, overwrite}),
    watch: async (path, callback) => {
      const {watch} = await call("watch", {path, client});
      watches.set(watch, callback);
      if (!polling) poll();
      return {close: () => { watches.delete(watch); return call("unwatch", {watch, client}); }};
    },
  });
  const dialogs = Object.freeze({
    openFile: async ({types = null, multiple = false} = {}) => {
      const picked = await call("open_file", {types, multiple});
      return multiple ? picked : (picked[0] || null);
    },
    saveFile: ({suggestedName = "", types = null} = {}) => call("save_file", {suggested_name: suggestedName, types}),
    chooseFolder: () => call("choose_folder"),
  });
  Object.defineProperty(window, "desktop", {value: Object.freeze({files, dialogs}), enumerable: true});
})();
