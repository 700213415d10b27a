// Injected by PyScript Desktop into every page it serves, in the window and in a browser alike.
// Any uncaught Python error shows in one readable overlay (traceback, Copy, Dismiss) instead of
// landing where nobody looks: a hidden py-terminal, a worker's console, or nowhere.
//
// What it catches:
//   - the red boxes PyScript's error plugin and the classic layer put in the page (.py-error);
//   - "Uncaught PythonError" events and rejections on the main thread (event handlers);
//   - what the page's PyScript interpreters raise, main thread and workers, Pyodide and
//     MicroPython, reported by the hooks the server registers with the page's own PyScript core
//     (server/pyhooks.py: errors_hook_snippet), which see errors before a terminal swallows them;
//   - a worker whose Python file is not there (polyscript's "[404] Unable to fetch"), named with its path.
// Others learn of each error through the "pyscript-desktop:error" event (the window's status.js).
(() => {
  if (window.__pyscriptDesktopErrors) return;

  const style = (el, css) => (el.style.cssText = css, el);

  // The async clipboard API needs a permission some engines never grant to a local page;
  // copying a selection during the click is the path every engine allows.
  const copy = (text) => {
    const area = style(document.createElement("textarea"), "position:fixed;top:-1000px;opacity:0");
    area.value = text;
    document.documentElement.append(area);
    area.select();
    const copied = document.execCommand("copy");
    area.remove();
    if (!copied) navigator.clipboard?.writeText(text).catch(() => {});
  };

  // One error often arrives twice (the interpreter hook and PyScript's own box): the same last
  // line ("ValueError: boom") is the same error.
  const seen = new Set();
  const keyOf = (text) => text.trim().split("\n").filter((l) => l.trim()).pop() || text;
  let panel = null;
  let list = null;

  const show = (raw) => {
    const text = String(raw).replace(/^(Uncaught )?(PythonError|Error): (?=Traceback)/, "")
      // Pyodide's own frames (the code runner) say nothing about the page's code
      .replace(/^ {2}File "\/lib\/python3\d*\.zip\/_pyodide\/[^\n]*\n(?: {4}[^\n]*\n)*/gm, "")
      .replace(/\s+$/, "");
    if (!text || seen.has(keyOf(text))) return;
    seen.add(keyOf(text));
    if (!panel || !panel.isConnected) {
      panel = style(document.createElement("section"),
        "position:fixed;left:0;right:0;bottom:0;z-index:2147483647;max-height:45vh;display:flex;flex-direction:column;" +
        "background:#fff5f5;border-top:4px solid #d93025;box-shadow:0 -4px 16px #0003;font:14px/1.4 system-ui,sans-serif;color:#3c1110");
      panel.className = "pyscript-desktop-error";
      panel.setAttribute("role", "alert");
      const head = style(document.createElement("div"), "display:flex;align-items:center;gap:8px;padding:8px 12px");
      const title = style(document.createElement("strong"), "flex:1");
      title.textContent = "Python raised an error. The rest of the page still works.";
      const button = (label, action) => {
        const b = style(document.createElement("button"), "font:inherit;padding:2px 10px;border:1px solid #c9a3a1;border-radius:4px;background:#fff;cursor:pointer");
        b.textContent = label;
        b.addEventListener("click", action);
        return b;
      };
      list = style(document.createElement("div"), "overflow:auto");
      head.append(title,
        button("Copy", () => copy([...list.querySelectorAll("pre")].map((p) => p.textContent).join("\n\n"))),
        button("Dismiss", () => panel.remove()));
      panel.append(head);
      // A page that names a PyScript or Pyodide this app lacks ran on another one, which is often why
      // it raised (a module that release had): say so where the person looks, not only in the console.
      // (the server's notices of versions this app does not bundle; static/page.js prints all its notices)
      const versions = window.__pyscriptDesktop?.versionNotices || [];
      if (versions.length) {
        const note = style(document.createElement("p"), "margin:0;padding:0 12px 8px;font-weight:600");
        note.className = "pyscript-desktop-error-versions";
        note.textContent = `This page ran on other versions than it names, which may be why: ${versions.join(" ")}`;
        panel.append(note);
      }
      panel.append(list);
    }
    const pre = style(document.createElement("pre"), "margin:0;padding:0 12px 12px;user-select:text;font:12px/1.4 ui-monospace,monospace;white-space:pre-wrap");
    pre.textContent = text;
    list.append(pre);
    document.documentElement.append(panel);
    console.error(`[pyscript-desktop] Python raised an error:\n${text}`);
    dispatchEvent(new CustomEvent("pyscript-desktop:error", { detail: text }));
  };

  window.__pyscriptDesktopErrors = { show };

  // A worker's Python file that is not there (`<script type="py" src="w.py" worker>`, `PyWorker("w.py")`):
  // polyscript throws "[404] Unable to fetch ./w.py" on the main thread, and no Python ever runs.
  const unfetched = (message) => {
    const found = /^(?:Uncaught )?(?:Error: )?\[(\d{3})\] Unable to fetch (\S+)/.exec(message);
    if (!found) return false;
    show(`FileNotFoundError: the worker's Python file ${found[2]} could not be loaded (HTTP ${found[1]}).\n` +
      `Check the path ${found[2]} in the page's src= or PyWorker(...): it is relative to the page's own address.`);
    return true;
  };

  addEventListener("error", (event) => {
    const message = String(event.message || event.error?.message || "");
    if (message.includes("PythonError") || /Traceback \(most recent call last\)/.test(message)) show(event.error?.message || message);
    else unfetched(message);
  });
  addEventListener("unhandledrejection", (event) => {
    const reason = event.reason;
    const message = String(reason?.message || reason || "");
    if (reason?.name === "PythonError" || message.includes("PythonError") || /Traceback \(most recent call last\)/.test(message)) show(message);
    else unfetched(message);
  });

  // The boxes PyScript (core's error plugin, the classic layer) adds to the page.
  const isError = (node) => node.nodeType === 1 && node.matches?.(".py-error") && /Traceback|Error\b/.test(node.textContent);
  const watch = new MutationObserver((records) => {
    for (const record of records) for (const node of record.addedNodes) if (isError(node)) show(node.textContent);
  });
  const start = () => {
    for (const node of document.querySelectorAll(".py-error")) if (isError(node)) show(node.textContent);
    watch.observe(document.body || document.documentElement, { childList: true, subtree: true });
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start, { once: true });
  else start();
})();
