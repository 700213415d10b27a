// Faster wheel installs for Pyodide 0.27, used by the start module (pyodide.mjs beside this file).
//
// Pyodide installs a wheel with Python's zipfile and shutil (pyodide._package_loader.unpack_buffer):
// every file goes through the emulated system calls, some 2,800 of them for a numpy + matplotlib
// page, about 1.2 s of the page's main thread on a 2-core machine. Here JavaScript reads the zip,
// Python's zlib inflates the members a group at a time (GROUP_BYTES), and each file goes into
// the file system in one write, the file system keeping the inflated bytes without copying them.
// The result is the same: the same files, INSTALLER and PYODIDE_SOURCE, data files, and list of
// shared libraries to load. A wheel this does not read exactly as Python's zipfile would (zip64,
// encryption, a compression other than deflate, a member name unpack_buffer would skip) goes to
// Pyodide's own unpack_buffer, and so does any failure.
//
// Pyodide reads `API.package_loader.unpack_buffer` at each install, and its API object is only
// reachable through the settings handed to `_createPyodideModule`, which pyodide.asm.js defines
// on globalThis: `fasterInstallsForNextInterpreter` wraps the next call to it.

const INTERNAL = "__desktopUnpackWrapped";

// Run once per interpreter, in Pyodide's internal namespace; its value is three functions:
// what unpack_buffer decides from a wheel's member names (through Pyodide's own helpers), the
// inflation of a group of members, and what unpack_buffer does last for a wheel with data files.
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

def _desktop_inflate(data, spans):
    """Deflated members laid end to end in one bytes; spans: (start, end, size) in data."""
    import zlib
    packed = memoryview(data.to_bytes())
    span = memoryview(spans.to_bytes()).cast("I")
    pieces = []
    for i in range(0, len(span), 3):
        piece = zlib.decompress(packed[span[i]:span[i + 1]], -15)
        if len(piece) != span[i + 2]:
            raise ValueError(f"member {i // 3} of the group: {len(piece)} bytes inflated, {span[i + 2]} expected")
        pieces.append(piece)
    return b"".join(pieces)  # a group of one file is that file's bytes, not a copy

def _desktop_install_datafiles(extract_dir, data_folder):
    import sys
    from pathlib import Path
    from pyodide._package_loader import DATA_FILES_SCHEME, install_files
    data = Path(extract_dir) / data_folder / DATA_FILES_SCHEME
    if data.exists():
        install_files(data, sys.prefix)
(_desktop_plan, _desktop_inflate, _desktop_install_datafiles)
`;

const DEFLATE = 8;
const STORED = 0;
// Deflated members are inflated a group at a time, one call into Python per group of up to this
// many inflated bytes (a larger file makes a group of its own) instead of one per file (2,800 for
// a numpy + matplotlib page). Small, because what the interpreter's memory holds at once it
// keeps for good (WebAssembly memory does not shrink): twice a group, less than the largest file
// of such a page (2.5 MB), which is all it held before.
const GROUP_BYTES = 2 ** 20;

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

// The inflated bytes of each deflated member (a Map member -> Uint8Array), GROUP_BYTES at a time.
// A group's files are views of one buffer, which the file system keeps (canOwn).
function inflated(buffer, found, inflate) {
  const contents = new Map();
  const deflated = found.filter((member) => member.method === DEFLATE && !member.name.endsWith("/"));
  const offset = (member) => member.data.byteOffset - buffer.byteOffset; // where its data starts in the wheel
  for (let first = 0; first < deflated.length; ) {
    let last = first;
    let bytes = deflated[first].size;
    while (last + 1 < deflated.length && bytes + deflated[last + 1].size <= GROUP_BYTES) bytes += deflated[++last].size;
    const group = deflated.slice(first, last + 1);
    const low = Math.min(...group.map(offset));
    const high = Math.max(...group.map((member) => offset(member) + member.data.byteLength));
    const spans = new Uint32Array(group.flatMap((member) => [offset(member) - low, offset(member) - low + member.data.byteLength, member.size]));
    const result = inflate(buffer.subarray(low, high), spans);
    let all;
    try {
      all = result.toJs();
    } finally {
      result.destroy();
    }
    let at = 0;
    for (const member of group) {
      contents.set(member, all.subarray(at, at + member.size));
      at += member.size;
    }
    first = last + 1;
  }
  return contents;
}

// Unpacks like unpack_buffer({buffer, filename, extract_dir, installer, source, calculate_dynlibs})
// and returns the shared libraries to load; null when Pyodide's own must do it.
function unpackWheel(api, fs, kwargs) {
  const { buffer, filename = "", format, extract_dir: dir, installer, source, calculate_dynlibs: dynlibs } = kwargs;
  if (format || !dynlibs || !dir || !filename.endsWith(".whl") || !fs || !(buffer instanceof Uint8Array)) return null;
  const root = dir.replace(/\/+$/, "");
  const found = members(buffer);
  if (!found) return null;
  if (!api.__desktopUnpack) {
    const functions = api.runPythonInternal(HELPER);
    api.__desktopUnpack = functions.toJs({ depth: 1 });
    functions.destroy();
  }
  const [plan, inflate, installDataFiles] = api.__desktopUnpack;
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
  const contents = inflated(buffer, found, inflate);
  for (const member of found) {
    const { name, method, size, data } = member;
    const path = `${root}/${name}`;
    if (name.endsWith("/")) {
      folder(path.slice(0, -1));
      continue;
    }
    folder(path.slice(0, path.lastIndexOf("/")));
    const content = method === STORED ? data.slice() : contents.get(member);
    if (content.byteLength !== size) throw new Error(`${name}: ${content.byteLength} bytes inflated, ${size} expected`);
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
        const libraries = unpackWheel(api, module.fs, kwargs);
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
  const module = { fs: null };
  created.then((m) => (module.fs = m && m.FS ? m.FS : null), () => {});
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

// Makes the next interpreter created in this realm install wheels through unpackWheel; `record`
// collects which wheels went which way ({fast: [], pyodide: []}, the latter with the reason).
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
