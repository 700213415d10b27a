// Injected into pages shown in the app window. It tells the person what is happening
// (a loading indicator with PyScript's own stages; the overlay when Python raises is
// static/errors.js) and tells the app (title changes, when the page's Python has finished, errors), so a
// window is never blank without saying why.
(() => {
  const config = window.__pyscriptDesktopWindow;
  if (!config || window.__pyscriptDesktopStatus) return;
  window.__pyscriptDesktopStatus = true;

  const post = (type, data = {}) =>
    fetch(config.endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      // `at`: when, on a clock that runs on across the window's navigations; the server handles posts on
      // several threads, so the app orders titles by it (a "loaded" with the first title can arrive last).
      body: JSON.stringify({ token: config.token, type, url: location.href, title: document.title, t: performance.now(),
                             at: performance.timeOrigin + performance.now(), ...data }),
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
  // The overlay itself is static/errors.js, which the server puts in every page (window or
  // browser); here the app only learns of each error (the screenshot command fails on one).
  addEventListener("pyscript-desktop:error", (event) => {
    bar?.remove();
    finished = true;
    post("error", { message: String(event.detail), versions: window.__pyscriptDesktop?.versionNotices || [] });
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
    new MutationObserver(reportTitle).observe(document.head || document.documentElement, { childList: true, subtree: true, characterData: true });
    reportTitle();
    post("loaded");
    if (!document.querySelector(PY)) finish("done", { python: false });
    else if (!finished) showStage("Starting Python…");
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start, { once: true });
  else start();
})();
