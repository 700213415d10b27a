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
  const chunk = config.chunk || 8 * 1024 * 1024;
  const client = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => (b % 16).toString(16)).join("");
  const names = {EACCES: "PermissionError", ENOENT: "FileNotFoundError", EISDIR: "IsADirectoryError",
    ENOTDIR: "NotADirectoryError", EEXIST: "FileExistsError", EINVAL: "ValueError"};

  async function call(op, args = {}) {
    const response = await fetch(api + op, {
      method: "POST", cache: "no-store", credentials: "same-origin", body: JSON.stringify(args),
      headers: {"Content-Type": "application/json", "X-Desktop-Token": config.token || ""},
    });
    const text = await response.text();
    let payload = {};
    try { payload = JSON.parse(text); } catch (_) { payload = {}; }
    if (!response.ok) {
      const error = payload.error || {};
      const failure = new Error(error.message || `the file bridge answered HTTP ${response.status}`);
      failure.name = names[error.errno] || "OSError";
      failure.errno = error.errno || "EIO";
      throw failure;
    }
    return payload.result;
  }

  const toBase64 = (bytes) => {
    let text = "";
    for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(text);
  };
  const fromBase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

  async function readBytes(path) {
    const parts = [];
    let offset = 0;
    for (;;) {
      const result = await call("read", {path, offset});
      const data = fromBase64(result.data);
      parts.push(data);
      offset += data.length;
      if (!data.length || offset >= result.size) break;
    }
    const out = new Uint8Array(offset);
    let at = 0;
    for (const part of parts) { out.set(part, at); at += part.length; }
    return out;
  }

  async function writeBytes(path, data, {exclusive = false} = {}) {
    const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
    if (bytes.length <= chunk) return (await call("write", {path, data: toBase64(bytes), exclusive})).size;
    const {upload} = await call("write_begin", {path, exclusive});
    try {
      for (let i = 0; i < bytes.length; i += chunk) {
        await call("write_chunk", {upload, data: toBase64(bytes.subarray(i, i + chunk))});
      }
      return (await call("write_commit", {upload})).size;
    } catch (error) {
      call("write_abort", {upload}).catch(() => {});
      throw error;
    }
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
