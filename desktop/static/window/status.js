// Injected into pages shown in the app window. It tells the person what is happening
// (a loading indicator with PyScript's own stages, a readable overlay when Python raises)
// and tells the app (title changes, when the page's Python has finished, errors), so a
// window is never blank without saying why.
(() => {
  const config = window.__pyscriptDesktopWindow;
  if (!config || window.__pyscriptDesktopStatus) return;
  window.__pyscriptDesktopStatus = true;

  const post = (type, data = {}) =>
    fetch(config.endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ token: config.token, type, url: location.href, title: document.title, t: performance.now(), ...data }),
      keepalive: true,
    }).catch(() => {});

  const PY = 'script[type="py"],script[type="mpy"],py-script,mpy-script,script[type="py-editor"],script[type="mpy-editor"],py-config,py-env,py-repl';
  const style = (el, css) => (el.style.cssText = css, el);

  // -- loading indicator ----------------------------------------------------------------------
  let bar = null;
  let finished = false;
  const showStage = (text) => {
    if (finished) return;
    if (!bar) {
      bar = style(document.createElement("div"),
        "position:fixed;left:12px;bottom:12px;z-index:2147483646;font:13px/1.3 system-ui,sans-serif;" +
        "background:#1f2328;color:#fff;padding:8px 12px;border-radius:16px;box-shadow:0 2px 8px #0004;" +
        "pointer-events:none;opacity:.92");
      bar.className = "pyscript-desktop-loading";
      bar.setAttribute("role", "status");
      document.documentElement.append(bar);
    }
    bar.textContent = "⏳ " + text;
  };
  const finish = (type, data) => {
    if (finished) return;
    finished = true;
    bar?.remove();
    post(type, data);
  };
  for (const kind of ["py", "mpy"]) {
    addEventListener(`${kind}:progress`, (event) => showStage(String(event.detail)));
  }
  addEventListener("py:all-done", () => finish("done"));

  // -- errors -----------------------------------------------------------------------------------
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
  const seen = new Set();
  const showError = (text) => {
    text = String(text).replace(/^Uncaught PythonError: /, "");
    if (seen.has(text)) return;
    seen.add(text);
    bar?.remove();
    const panel = style(document.createElement("section"),
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
    const pre = style(document.createElement("pre"), "margin:0;padding:0 12px 12px;overflow:auto;user-select:text;font:12px/1.4 ui-monospace,monospace;white-space:pre-wrap");
    pre.textContent = text;
    head.append(title,
      button("Copy", () => copy(text)),
      button("Dismiss", () => panel.remove()));
    panel.append(head, pre);
    document.documentElement.append(panel);
    finished = true;
    post("error", { message: text });
  };
  addEventListener("error", (event) => {
    if (String(event.message || "").includes("PythonError")) showError(event.message);
  });
  const watchErrors = new MutationObserver((records) => {
    for (const record of records)
      for (const node of record.addedNodes)
        if (node.nodeType === 1 && node.matches?.(".py-error") && node.textContent.includes("Traceback"))
          showError(node.textContent);
  });

  // -- title and start ----------------------------------------------------------------------------
  let lastTitle = null;
  const reportTitle = () => {
    if (document.title !== lastTitle) {
      lastTitle = document.title;
      post("title");
    }
  };
  const start = () => {
    watchErrors.observe(document.body || document.documentElement, { childList: true, subtree: true });
    new MutationObserver(reportTitle).observe(document.head || document.documentElement, { childList: true, subtree: true, characterData: true });
    reportTitle();
    post("loaded");
    if (!document.querySelector(PY)) finish("done", { python: false });
    else if (!finished) showStage("Starting Python…");
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start, { once: true });
  else start();
})();
