// PyScript Desktop's fast start for Pyodide, served in place of pyodide.mjs (the real module is
// imported below). It exports what pyodide.mjs exports; its loadPyodide:
//  - starts from a memory snapshot of a booted interpreter when the app has one for this exact
//    runtime build (a ready interpreter in a fraction of the normal start);
//  - loads the page's packages while the interpreter starts (from the bundle's lock, as
//    loadPyodide's `packages` option does), unless the caller already asked for packages;
//  - installs wheels through unpack.mjs (the same files as Pyodide's own installer, without its
//    system call per file, each inflated only when first read);
//  - falls back to a normal start when the snapshot is missing, stale or fails to restore, and
//    then has a throwaway worker make a fresh one once the page is idle, with the bytecode of the
//    PyScript package this page's interpreter holds; after a restore that bytecode is written
//    beside the sources PyScript writes at every start, so they are not compiled again.
// Nothing here is visible to the page: markers for tests and benchmarks sit on
// globalThis.__pyscriptDesktopStart.
import { loadPyodide as original, version } from "./pyodide.mjs?desktop=original";
import { fasterInstallsForNextInterpreter, installsRecord } from "/_desktop/start/unpack.mjs";

export { version };

const CONFIG = /*DESKTOP_START_CONFIG*/ {};
const state = (globalThis.__pyscriptDesktopStart ??= { loads: [] });
const isWindow = typeof window !== "undefined" && typeof document !== "undefined";

// Start fetching the snapshot as soon as this module is imported: PyScript imports it before
// it reads its config and storage, so the download overlaps that work. This settles with the
// response as soon as its headers are in (null: no image); the body keeps streaming. A URL
// naming the image's digest (?v=) may come from the engine's disk cache; a bare one never does.
let snapshotResponse = CONFIG.snapshot
  ? fetch(CONFIG.snapshot, { cache: CONFIG.snapshot.includes("?v=") ? "default" : "no-store" })
      .then((r) => (r.status === 200 ? r : null))
      .catch(() => null)
  : Promise.resolve(null);

// The image's bytes, checked; rejects when they cannot be restored.
function imageBytes(response) {
  const bytes = response.arrayBuffer().then((buffer) => {
    const image = new Uint8Array(buffer);
    const problem = imageProblem(image);
    if (problem) throw new Error(problem);
    return image;
  });
  bytes.catch(() => {}); // reported by the restore that awaits it, not as an unhandled rejection
  return bytes;
}

// Why an image cannot be restored here (null: it can). Checked before restoring because an image
// of the wrong size makes Pyodide's WebAssembly instantiation fail without ever settling.
function imageProblem(bytes) {
  if (bytes.byteLength < 48) return "too short";
  const head = new DataView(bytes.buffer, bytes.byteOffset, 48);
  if (head.getUint32(0, true) !== 1886286592) return "not a Pyodide memory snapshot";
  const offset = head.getUint32(4, true);
  if (offset < 48 + head.getUint32(8, true) || offset >= bytes.byteLength || (bytes.byteLength - offset) % 65536) {
    return "snapshot layout is damaged";
  }
  let stamped = "";
  for (let i = 0; i < 8; i++) stamped += head.getUint32(16 + 4 * i, true).toString(16).padStart(8, "0");
  return CONFIG.build && stamped !== CONFIG.build ? "snapshot of another Pyodide build" : null;
}

// A restore that neither finishes nor fails in this long is abandoned for a normal start.
const RESTORE_TIMEOUT_MS = 30000;
const withTimeout = (promise) =>
  Promise.race([
    promise,
    new Promise((_, reject) => setTimeout(() => reject(new Error("snapshot restore timed out")), RESTORE_TIMEOUT_MS)),
  ]);

const pagePackages = () => {
  const wanted = (isWindow && globalThis.__pyscriptDesktop?.preloadPackages) || [];
  return Array.isArray(wanted) ? wanted : [];
};

// The Python files PyScript wrote into this interpreter for its own package ({path: text}): the
// maker keeps their bytecode in the image, so later starts do not compile them (50-90 ms).
function pyscriptSources(pyodide) {
  const sources = {};
  const walk = (dir) => {
    for (const name of pyodide.FS.readdir(dir)) {
      if (name === "." || name === ".." || name === "__pycache__") continue;
      const path = `${dir}/${name}`;
      if (pyodide.FS.isDir(pyodide.FS.stat(path).mode)) walk(path);
      else if (name.endsWith(".py")) sources[path] = pyodide.FS.readFile(path, { encoding: "utf8" });
    }
  };
  try {
    if (CONFIG.bytecode) walk(CONFIG.bytecode.folder);
  } catch {
    return {}; // no package there (another PyScript, or none): nothing to keep
  }
  return sources;
}

// After a restore: the bytecode the image holds goes beside the sources PyScript is about to write.
function writeKeptBytecode(pyodide) {
  if (!CONFIG.bytecode) return;
  try {
    const globals = pyodide.toPy({});
    try {
      pyodide.runPython(CONFIG.bytecode.write, { globals });
    } finally {
      globals.destroy();
    }
  } catch (error) {
    console.debug("[pyscript-desktop] kept bytecode not written:", error);
  }
}

function makeSnapshotLater(pyodide) {
  if (!isWindow || !CONFIG.maker || state.making) return;
  state.making = true;
  const start = () => {
    try {
      const worker = new Worker(CONFIG.maker, { type: "module" });
      worker.onmessage = ({ data }) => {
        state.made = data;
        worker.terminate();
      };
      worker.onerror = () => worker.terminate();
      worker.postMessage({
        module: new URL("./pyodide.mjs?desktop=original", import.meta.url).href,
        indexURL: new URL("./", import.meta.url).href,
        preload: CONFIG.preload || "",
        keep: CONFIG.bytecode ? CONFIG.bytecode.keep : "",
        sources: pyscriptSources(pyodide),
        upload: new URL(CONFIG.snapshot, location.href).href,
      });
    } catch (error) {
      state.made = { ok: false, error: String(error) };
    }
  };
  // After the page's own start: the worker boots a second interpreter, which would compete for CPU.
  setTimeout(() => (globalThis.requestIdleCallback ? requestIdleCallback(start, { timeout: 5000 }) : start()), CONFIG.delay ?? 3000);
}

export async function loadPyodide(options = {}) {
  const record = { snapshot: "none", packages: [], installs: installsRecord(), called_ms: performance.now() };
  state.loads.push(record);
  let preload = [];
  if (options.packages === undefined || (Array.isArray(options.packages) && !options.packages.length)) {
    preload = pagePackages();
  }
  record.packages = preload;
  const withPackages = (o) => (preload.length ? { ...o, packages: preload } : o);
  const response = await snapshotResponse;
  snapshotResponse = Promise.resolve(null); // used once: do not keep 20 MB alive for the page's lifetime
  if (response) {
    try {
      // Pyodide awaits `_loadSnapshot` only after it has started fetching its wasm, lock and
      // asm.js, so those downloads overlap the image's.
      fasterInstallsForNextInterpreter(record.installs);
      const pyodide = await withTimeout(original(withPackages({ ...options, env: { ...(options.env || {}) }, _loadSnapshot: imageBytes(response) })));
      record.snapshot = "used";
      writeKeptBytecode(pyodide);
      record.ready_ms = performance.now();
      try {
        delete pyodide._api.config._loadSnapshot; // Pyodide keeps its options: let the image's bytes go
      } catch {}
      return pyodide;
    } catch (error) {
      record.snapshot = "failed";
      record.error = String(error && error.message ? error.message : error);
      console.debug("[pyscript-desktop] start snapshot not usable, starting normally:", record.error);
      if (CONFIG.snapshot) fetch(CONFIG.snapshot, { method: "DELETE", headers: { "X-Desktop-Snapshot": "1" } }).catch(() => {});
    }
  }
  fasterInstallsForNextInterpreter(record.installs);
  const pyodide = await original(withPackages({ ...options, env: { ...(options.env || {}) } }));
  record.ready_ms = performance.now();
  if (CONFIG.snapshot) makeSnapshotLater(pyodide);
  return pyodide;
}
