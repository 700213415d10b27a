// Compiles the .py files of Pyodide package wheels to .pyc with the bundle's own Pyodide, run by
// Node.js: the bytecode must come from exactly the interpreter that will load it, and the host's
// Python is another version. Called by desktop/runtime/precompile.py:
//
//   node precompile.mjs PYODIDE_DIR JOB_JSON
//
// JOB_JSON: {"source": dir, "out": dir, "files": {"<wheel>": "<output name>", ...}}. Each output is
// the input wheel with, for every module, __pycache__/<module>.<cache tag>.pyc added in
// unchecked-hash form (PEP 552: used without looking at the source, which stays in the wheel for
// tracebacks). Prints one JSON line per wheel: {"file", "out", "compiled", "skipped"}.
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
import importlib.util, json, sys, zipfile
from importlib._bootstrap_external import _code_to_hash_pyc

SITE = f"/lib/python{sys.version_info[0]}.{sys.version_info[1]}/site-packages/"

def precompile(src, dst):
    compiled = skipped = 0
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zout:
        present = set(zin.namelist())
        added = []
        record = None
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.endswith(".dist-info/RECORD"):
                record = (info, data)
                continue
            zout.writestr(info, data)
            if not info.filename.endswith(".py") or ".dist-info/" in info.filename:
                continue
            target = importlib.util.cache_from_source(info.filename)
            if target in present:
                continue
            try:
                code = compile(data, SITE + info.filename, "exec", dont_inherit=True)
            except (SyntaxError, ValueError):
                skipped += 1  # templates and files for other Python versions: imported never, or compiled then
                continue
            pyc = zipfile.ZipInfo(target, date_time=info.date_time)
            pyc.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(pyc, _code_to_hash_pyc(code, importlib.util.source_hash(data), checked=False))
            added.append(target)
            compiled += 1
        if record is not None:  # list the added files (no hash, as RECORD allows for .pyc)
            info, data = record
            text = data.decode("utf-8")
            if text and not text.endswith("\\n"):
                text += "\\n"
            zout.writestr(info, text + "".join(f"{name},,\\n" for name in added))
    return compiled, skipped
`);
const precompile = pyodide.globals.get("precompile");
for (const [file, out] of Object.entries(job.files)) {
  const [compiled, skipped] = precompile(`/src/${file}`, `/out/${out}`).toJs();
  console.log(JSON.stringify({ file, out, compiled, skipped }));
}
precompile.destroy();
