// Faster wheel installs for Pyodide 0.27, used by the start module (pyodide.mjs beside this file).
//
// Pyodide installs a wheel with Python's zipfile and shutil (pyodide._package_loader.unpack_buffer):
// every file goes through the emulated system calls, some 2,800 of them for a numpy + matplotlib
// page, about 1.2 s of the page's main thread on a 2-core machine. Here JavaScript reads the zip
// and makes each file in the file system at once, with its size but without its bytes: a
// deflated file is inflated when something first reads it, by the zlib inside Pyodide's own
// WebAssembly, and the file system keeps the result. A page reads a fraction of what it
// installs (Python reads a module's bytecode, not its source; tests and unused modules are never
// read), so most files are never inflated. The result is the same as unpack_buffer's: the same
// files with the same bytes, INSTALLER and PYODIDE_SOURCE, data files, and list of shared
// libraries to load. A wheel this does not read exactly as Python's zipfile would (zip64,
// encryption, a compression other than deflate, a member name unpack_buffer would skip), an
// interpreter without those zlib functions, and any failure go to Pyodide's own unpack_buffer.
//
// Pyodide reads `API.package_loader.unpack_buffer` at each install, and its API object is only
// reachable through the settings handed to `_createPyodideModule`, which pyodide.asm.js defines
// on globalThis: `fasterInstallsForNextInterpreter` wraps the next call to it.

const INTERNAL = "__desktopUnpackWrapped";

// Run once per interpreter, in Pyodide's internal namespace; its value is two functions: what
// unpack_buffer decides from a wheel's member names (through Pyodide's own helpers), and what
// unpack_buffer does last for a wheel with data files.
const HELPER = `
def _desktop_plan(names, filename, extract_dir):
    """(dist-info folder, data folder or None, shared libraries) of a wheel, or None."""
    from pathlib import Path
    from types import SimpleNamespace
    from pyodide._package_loader import parse_wheel_name, should_load_dynlib, wheel_data_file_dir, wheel_dist_info_dir
    names = list(names)
    archive = SimpleNamespace(namelist=lambda: names)  # all these helpers read
    try:
        name = parse_wheel_name(filename.rpartition("/")[-1])[0]
        dist_info = wheel_dist_info_dir(archive, name)
    except Exception:
        return None  # unpack_buffer raises the same error, after unpacking
    target = Path(extract_dir)
    libraries = [str((target / member).resolve()) for member in names if should_load_dynlib(member)]
    return str(target / dist_info), wheel_data_file_dir(archive, name), libraries

def _desktop_install_datafiles(extract_dir, data_folder):
    import sys
    from pathlib import Path
    from pyodide._package_loader import DATA_FILES_SCHEME, install_files
    data = Path(extract_dir) / data_folder / DATA_FILES_SCHEME
    if data.exists():
        install_files(data, sys.prefix)
(_desktop_plan, _desktop_install_datafiles)
`;

const DEFLATE = 8;
const STORED = 0;
// The members of a zip archive ({name, method, size, data}: data still compressed), or null for
// what this does not read the way Python's zipfile would (zip64, encryption, other compressions,
// names that unpack_buffer skips or that would leave the folder).
function members(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let end = bytes.byteLength - 22;
  const lowest = Math.max(0, end - 65535);
  while (end >= lowest && view.getUint32(end, true) !== 0x06054b50) end--;
  if (end < lowest) return null;
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  if (count === 0xffff || at === 0xffffffff) return null; // zip64
  const names = new TextDecoder("utf-8", { fatal: true });
  const found = [];
  for (let i = 0; i < count; i++) {
    if (view.getUint32(at, true) !== 0x02014b50) return null;
    const flags = view.getUint16(at + 8, true);
    const method = view.getUint16(at + 10, true);
    const packed = view.getUint32(at + 20, true);
    const size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const skip = nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
    const local = view.getUint32(at + 42, true);
    // bit 11: names in UTF-8, as wheels have them; without it zipfile would read them as cp437
    const ascii = bytes.subarray(at + 46, at + 46 + nameLength).every((b) => b < 0x80);
    if (flags & 1 || (method !== STORED && method !== DEFLATE) || (!ascii && !(flags & 0x800))) return null;
    const name = names.decode(bytes.subarray(at + 46, at + 46 + nameLength));
    if (name.startsWith("/") || name.includes("..") || name.includes("\\") || view.getUint32(local, true) !== 0x04034b50) return null;
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    found.push({ name, method, size, data: bytes.subarray(start, start + packed) });
    at += 46 + skip;
  }
  return found;
}

// zlib's z_stream on wasm32: 14 fields of 4 bytes; next_in, avail_in, next_out, avail_out and
// total_out are fields 0, 1, 3, 4 and 5 (zlib.h).
const Z_STREAM_BYTES = 56;
const Z_FINISH = 4;
const Z_STREAM_END = 1;
const EIO = 29; // Emscripten's errno for an I/O error

// Inflates raw-deflated members with the zlib inside Pyodide's WebAssembly (C, not Python: it
// runs inside a file system read, when Python may have let go of its interpreter lock), or null
// when the interpreter does not export it. `reserve(packed, size)`, called while installing,
// makes room for a member of those sizes; `inflate(packed, size)` then allocates nothing, because
// the read it runs in holds a view of the interpreter's memory that growing it would detach. The
// stream is set up once and reset for each member; with the whole output room and Z_FINISH, zlib
// inflates in one call and allocates no window. The room for the largest member is kept (as any
// WebAssembly memory is).
function zlibInflater(module) {
  const needed = ["_inflateInit2_", "_inflateReset", "_inflate", "_zlibVersion", "_realloc", "_free", "HEAPU8", "HEAPU32"];
  if (!module || !needed.every((name) => module[name])) return null;
  let stream = 0;
  const room = { input: [0, 0], output: [0, 0] }; // [pointer, bytes]
  const allocate = (bytes) => {
    const pointer = module._realloc(0, Math.max(bytes, 1));
    if (!pointer) throw new Error("out of memory");
    return pointer;
  };
  const fit = (which, bytes) => {
    const [pointer, held] = room[which];
    if (pointer && bytes <= held) return;
    room[which] = [0, 0]; // nothing held if the allocation below fails
    if (pointer) module._free(pointer);
    room[which] = [allocate(bytes), bytes];
  };
  return {
    reserve(packed, size) {
      if (!stream) {
        const made = allocate(Z_STREAM_BYTES);
        module.HEAPU8.fill(0, made, made + Z_STREAM_BYTES);
        const status = module._inflateInit2_(made, -15, module._zlibVersion(), Z_STREAM_BYTES);
        if (status !== 0) {
          module._free(made);
          throw new Error(`zlib refused to start (${status})`);
        }
        stream = made;
      }
      fit("input", packed);
      fit("output", size);
    },
    inflate(packed, size) {
      const [input, inputBytes] = room.input;
      const [output, outputBytes] = room.output;
      if (!stream || packed.byteLength > inputBytes || size > outputBytes) throw new Error("no room reserved for this member");
      module.HEAPU8.set(packed, input);
      if (module._inflateReset(stream) !== 0) throw new Error("zlib could not reset");
      const fields = module.HEAPU32;
      const at = stream >> 2;
      [fields[at], fields[at + 1], fields[at + 3], fields[at + 4]] = [input, packed.byteLength, output, size];
      const status = module._inflate(stream, Z_FINISH);
      const made = fields[at + 5];
      if (status !== Z_STREAM_END || made !== size) throw new Error(`${made} bytes inflated (zlib status ${status}), ${size} expected`);
      return module.HEAPU8.slice(output, output + size);
    },
  };
}

// Makes `path` a file of `size` bytes whose contents `produce()` returns when first read; false
// when there is a file there already (the caller replaces it as unpack_buffer would). The file
// system reads and writes a file's bytes through its node's `contents`: the first access
// replaces the getter with the bytes, so every later access (and any write) is the file
// system's own. A failure is an I/O error of that read, as a damaged disk file would be.
function lazyFile(fs, path, size, produce, onMade) {
  let node;
  try {
    node = fs.create(path, 0o666);
  } catch (error) {
    if (error instanceof fs.ErrnoError) return false;
    throw error;
  }
  const settle = (value) => Object.defineProperty(node, "contents", { value, writable: true, configurable: true, enumerable: true });
  Object.defineProperty(node, "contents", {
    configurable: true,
    enumerable: true,
    get() {
      let bytes;
      try {
        bytes = produce();
      } catch (error) {
        console.error(`[pyscript-desktop] ${path} could not be unpacked:`, error);
        throw new fs.ErrnoError(EIO);
      }
      settle(bytes);
      onMade(bytes.byteLength);
      return bytes;
    },
    set: settle,
  });
  node.usedBytes = size;
  return true;
}

// Unpacks like unpack_buffer({buffer, filename, extract_dir, installer, source, calculate_dynlibs})
// and returns the shared libraries to load; null when Pyodide's own must do it.
function unpackWheel(api, fs, inflater, kwargs, record) {
  const { buffer, filename = "", format, extract_dir: dir, installer, source, calculate_dynlibs: dynlibs } = kwargs;
  if (format || !dynlibs || !dir || !filename.endsWith(".whl") || !fs || !inflater || !(buffer instanceof Uint8Array)) return null;
  const root = dir.replace(/\/+$/, "");
  const found = members(buffer);
  if (!found) return null;
  if (!api.__desktopUnpack) {
    const functions = api.runPythonInternal(HELPER);
    api.__desktopUnpack = functions.toJs({ depth: 1 });
    functions.destroy();
  }
  const [plan, installDataFiles] = api.__desktopUnpack;
  const decided = plan(found.map((member) => member.name), filename, root);
  if (decided === undefined || decided === null) return null;
  let distInfo, dataFolder, libraries;
  try {
    [distInfo, dataFolder, libraries] = decided.toJs();
  } finally {
    decided.destroy();
  }
  const made = new Set();
  const folder = (path) => {
    if (!made.has(path)) {
      fs.mkdirTree(path);
      made.add(path);
    }
  };
  let packed = 0;
  let largest = 0;
  for (const member of found) {
    if (member.method !== DEFLATE) continue;
    packed = Math.max(packed, member.data.byteLength);
    largest = Math.max(largest, member.size);
  }
  inflater.reserve(packed, largest);
  const inflated = (bytes) => {
    record.inflated.files += 1;
    record.inflated.bytes += bytes;
  };
  for (const member of found) {
    const { name, method, size, data } = member;
    const path = `${root}/${name}`;
    if (name.endsWith("/")) {
      folder(path.slice(0, -1));
      continue;
    }
    folder(path.slice(0, path.lastIndexOf("/")));
    if (method === DEFLATE && size > 0 && lazyFile(fs, path, size, () => inflater.inflate(data, size), inflated)) {
      record.later.files += 1;
      record.later.bytes += size;
      continue;
    }
    const content = method === STORED ? data.slice() : inflater.inflate(data, size);
    if (content.byteLength !== size) throw new Error(`${name}: ${content.byteLength} bytes unpacked, ${size} expected`);
    fs.writeFile(path, content, { canOwn: true });
  }
  if (installer) fs.writeFile(`${distInfo}/INSTALLER`, installer);
  if (source) fs.writeFile(`${distInfo}/PYODIDE_SOURCE`, source);
  if (dataFolder) installDataFiles(root, dataFolder);
  return libraries;
}

// `loader` (the pyodide._package_loader module) with unpack_buffer going through unpackWheel.
function fasterLoader(loader, api, module, record) {
  const unpack = {
    callKwargs(kwargs) {
      let why = "not a wheel this unpacks";
      try {
        const libraries = unpackWheel(api, module.fs, module.inflater, kwargs, record);
        if (libraries) {
          record.fast.push(kwargs.filename);
          return libraries;
        }
      } catch (error) {
        why = String(error && error.message ? error.message : error);
      }
      record.pyodide.push(`${kwargs.filename}: ${why}`);
      return loader.unpack_buffer.callKwargs(kwargs);
    },
  };
  return new Proxy(loader, { get: (target, key) => (key === "unpack_buffer" ? unpack : target[key]) });
}

// Pyodide's API object of one interpreter: its package_loader, once set, unpacks through unpackWheel.
function patchApi(api, created, record) {
  const module = { fs: null, inflater: null };
  created.then(
    (m) => {
      module.fs = m && m.FS ? m.FS : null;
      module.inflater = zlibInflater(m);
    },
    () => {},
  );
  let faster = null;
  Object.defineProperty(api, "package_loader", {
    configurable: true,
    enumerable: true,
    get: () => faster,
    set: (loader) => {
      faster = loader ? fasterLoader(loader, api, module, record) : loader;
    },
  });
}

// A fresh record of one interpreter's installs, for fasterInstallsForNextInterpreter: which wheels
// went which way (fast, and pyodide with the reason), and how many files (and inflated bytes)
// were left to inflate when read (later) and were read (inflated).
export function installsRecord() {
  return { fast: [], pyodide: [], later: { files: 0, bytes: 0 }, inflated: { files: 0, bytes: 0 } };
}

// Makes the next interpreter created in this realm install wheels through unpackWheel, counting
// in `record` (an installsRecord()).
export function fasterInstallsForNextInterpreter(record) {
  const wrap = (create) => {
    const wrapped = function (settings = {}) {
      globalThis._createPyodideModule = create; // one interpreter only
      const created = create.call(this, settings);
      if (settings && typeof settings.API === "object" && settings.API) patchApi(settings.API, created, record);
      return created;
    };
    wrapped[INTERNAL] = true;
    return wrapped;
  };
  const existing = globalThis._createPyodideModule;
  if (typeof existing === "function") {
    if (!existing[INTERNAL]) globalThis._createPyodideModule = wrap(existing);
    return;
  }
  // pyodide.asm.js is not loaded yet: wrap what it defines when it does.
  Object.defineProperty(globalThis, "_createPyodideModule", {
    configurable: true,
    enumerable: true,
    get: () => undefined,
    set: (create) => {
      Object.defineProperty(globalThis, "_createPyodideModule", { configurable: true, enumerable: true, writable: true, value: wrap(create) });
    },
  });
}
