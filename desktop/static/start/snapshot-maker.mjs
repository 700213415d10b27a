// Makes a memory snapshot of a freshly booted Pyodide in a throwaway worker and uploads it to the
// app's server (see pyodide.mjs beside this file). A separate interpreter, because an interpreter
// that can make snapshots wraps every JavaScript object Python touches in a recording proxy,
// which a page's own interpreter must not have. Given the sources of the page's PyScript package
// (`sources`, {path: text}), it also keeps their compiled bytecode in the image (`keep`).
self.onmessage = async ({ data }) => {
  try {
    const { loadPyodide } = await import(data.module);
    const pyodide = await loadPyodide({ indexURL: data.indexURL, _makeSnapshot: true, stdout: () => {}, stderr: () => {} });
    if (data.preload) pyodide.runPython(data.preload);
    if (data.keep && data.sources && Object.keys(data.sources).length) {
      // Bytecode for the page's PyScript package, kept in the image (the start module writes it out).
      const globals = pyodide.toPy({ sources: data.sources });
      try {
        pyodide.runPython(data.keep, { globals });
      } finally {
        globals.destroy();
      }
    }
    const snapshot = pyodide.makeMemorySnapshot();
    const response = await fetch(data.upload, {
      method: "PUT",
      headers: { "Content-Type": "application/octet-stream", "X-Desktop-Snapshot": "1" },
      body: snapshot,
    });
    self.postMessage({ ok: response.ok, status: response.status, bytes: snapshot.byteLength });
  } catch (error) {
    self.postMessage({ ok: false, error: String(error && error.message ? error.message : error) });
  }
};
