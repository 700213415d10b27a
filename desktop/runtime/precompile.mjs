// Compiles the .py files of Pyodide package wheels, and of its standard library zip, to .pyc with the
// bundle's own Pyodide, run by Node.js: the bytecode must come from exactly the interpreter that
// will load it, and the host's Python is another version. Called by desktop/runtime/precompile.py:
//
//   node precompile.mjs PYODIDE_DIR JOB_JSON
//
// JOB_JSON: {"source": dir, "out": dir, "files": {"<wheel or zip>": "<output name>", ...}}. Each
// output is the input with a .pyc added for every module, in unchecked-hash form (PEP 552: used
// without looking at the source, which stays for tracebacks). In a wheel (installed into
// site-packages) that is __pycache__/<module>.<cache tag>.pyc; in the standard library zip (imported
// by zipimport from /lib/pythonX.Y.zip, which only looks beside the source) it is <module>.pyc.
// Prints one JSON line per file: {"file", "out", "compiled", "skipped"}.
//
// matplotlib's wheel ships a font list (matplotlib/fontlist.json, which Pyodide's matplotlib reads
// instead of a cache folder) stamped with another font-manager version than the one it carries, so
// every page that imports matplotlib builds the list again: about a second of a chart's start. Its
// twin carries the list this matplotlib builds itself, here, on this interpreter. It also carries the
// Artist set() signatures and docstrings, and the property lists (kwdoc) other docstrings quote, that
// matplotlib builds at every import, and an artist.py that reads them (matplotlib_set.py beside this
// file says how, and when it does not).
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, jobPath] = process.argv.slice(2);
const job = JSON.parse(readFileSync(jobPath, "utf8"));
const { loadPyodide } = await import(pathToFileURL(join(resolve(pyodideDir), "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: resolve(pyodideDir) + "/", stdout: () => {}, stderr: (s) => console.error(s) });
const { FS } = pyodide;
for (const [mount, dir] of [["/src", job.source], ["/out", job.out]]) {
  FS.mkdirTree(mount);
  FS.mount(FS.filesystems.NODEFS, { root: resolve(dir) }, mount);
}
pyodide.runPython(`
import base64, hashlib, importlib.util, json, sys, zipfile
from importlib._bootstrap_external import _code_to_hash_pyc

SITE = f"/lib/python{sys.version_info[0]}.{sys.version_info[1]}/site-packages/"
STDLIB = f"/lib/python{sys.version_info[0]}{sys.version_info[1]}.zip/"

def record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"

def precompile(src, dst, replace):
    """Copy the wheel or zip src to dst with bytecode added; replace: {member: new bytes}."""
    wheel = src.endswith(".whl")
    prefix = SITE if wheel else STDLIB
    compiled = skipped = 0
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zout:
        present = set(zin.namelist())
        added = []
        record = None
        for info in zin.infolist():
            data = replace.get(info.filename) or zin.read(info)
            if info.filename.endswith(".dist-info/RECORD"):
                record = (info, data)
                continue
            zout.writestr(info, data)
            if not info.filename.endswith(".py") or ".dist-info/" in info.filename:
                continue
            target = importlib.util.cache_from_source(info.filename) if wheel else info.filename + "c"
            if target in present:
                continue
            try:
                code = compile(data, prefix + info.filename, "exec", dont_inherit=True)
            except (SyntaxError, ValueError):
                skipped += 1  # templates and files for other Python versions: imported never, or compiled then
                continue
            pyc = zipfile.ZipInfo(target, date_time=info.date_time)
            pyc.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(pyc, _code_to_hash_pyc(code, importlib.util.source_hash(data), checked=False))
            added.append(target)
            compiled += 1
        for name, data in replace.items():  # files the twin adds (matplotlib's recorded set() docs)
            if name not in present:
                zout.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
        if record is not None:  # list the added files (no hash, as RECORD allows for .pyc)
            info, data = record
            text = data.decode("utf-8")
            lines = {line.split(",", 1)[0]: line for line in text.splitlines()}
            for name, new in replace.items():  # a replaced file is listed with its new hash, an added one too
                if name in lines:
                    text = text.replace(lines[name], record_line(name, new))
            if text and not text.endswith("\\n"):
                text += "\\n"
            text += "".join(record_line(name, new) + "\\n" for name, new in replace.items() if name not in present)
            zout.writestr(info, text + "".join(f"{name},,\\n" for name in added))
    return compiled, skipped
`);
const precompile = pyodide.globals.get("precompile");
const none = pyodide.runPython("{}");
let matplotlibFiles = none; // {member: bytes} replaced in (or added to) matplotlib's twin
if (Object.keys(job.files).some((file) => file.startsWith("matplotlib-"))) {
  // Installed from the bundle's own lock (the same file, checked against its sha256 on the way in).
  await pyodide.loadPackage("matplotlib", { messageCallback: () => {} });
  matplotlibFiles = pyodide.runPython(`
from pathlib import Path
import matplotlib
matplotlib.use("agg")
from matplotlib import font_manager  # finds the shipped list stale, builds its own and writes it in its place
{"matplotlib/fontlist.json": Path(matplotlib.__file__).with_name("fontlist.json").read_bytes()}
`);
  // The Artist set() signatures, docstrings and property lists this matplotlib builds, and its artist.py reading them
  // (see matplotlib_set.py); left out when artist.py is not the code that module was written for.
  const setRecord = pyodide.runPython(
    readFileSync(new URL("./matplotlib_set.py", import.meta.url), "utf8") +
      `
import json as _json
from pathlib import Path as _Path
import matplotlib as _matplotlib
_patched = patch(_Path(_matplotlib.__file__).with_name("artist.py").read_text(encoding="utf-8"))
({MEMBER: _patched.encode("utf-8"), RECORD_FILE: _json.dumps(record(), sort_keys=True).encode("utf-8")}
 if _patched is not None else {})
`,
    { globals: pyodide.runPython("{'__name__': 'matplotlib_set'}") },
  );
  matplotlibFiles.update(setRecord);
  setRecord.destroy();
}
for (const [file, out] of Object.entries(job.files)) {
  const [compiled, skipped] = precompile(`/src/${file}`, `/out/${out}`, file.startsWith("matplotlib-") ? matplotlibFiles : none).toJs();
  console.log(JSON.stringify({ file, out, compiled, skipped }));
}
precompile.destroy();
