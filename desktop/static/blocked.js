// Loaded by PyScript Desktop's page shim (server/inject.py) the first time the page's policy
// blocks a request to another host: the app makes no network requests, so such a resource is
// missing, and the person should see which one and why instead of a page that silently breaks.
(() => {
  const state = window.__pyscriptDesktop || (window.__pyscriptDesktop = {});
  let box = null;
  const shown = new Set();
  const show = () => {
    if (!document.body) return void document.addEventListener("DOMContentLoaded", show, { once: true });
    for (const url of state.blocked || []) {
      if (shown.has(url)) continue;
      shown.add(url);
      console.error(`[pyscript-desktop] Blocked ${url}: this app makes no network requests and has no offline copy of it.`);
      if (!box) {
        box = document.createElement("div");
        box.className = "pyscript-desktop-problem pyscript-desktop-blocked";
        box.setAttribute("role", "alert");
        box.style.cssText =
          "font:14px/1.4 system-ui,sans-serif;background:#fff4e5;color:#663c00;border:1px solid #ffd8a8;" +
          "border-left:6px solid #f08c00;padding:10px 14px;margin:8px;border-radius:4px;white-space:pre-wrap";
        const title = document.createElement("strong");
        title.textContent = "Blocked: this page asked for files on other hosts. The app makes no network requests, and has no offline copy of:";
        box.append(title);
        document.body.prepend(box);
      }
      const line = document.createElement("div");
      const code = document.createElement("code");
      code.textContent = url;
      line.append(code);
      box.append(line);
    }
    if (box && !box.querySelector(".pyscript-desktop-blocked-fix")) {
      const fix = document.createElement("div");
      fix.className = "pyscript-desktop-blocked-fix";
      fix.textContent = "Save such files beside the page and use relative URLs (libraries from npm CDNs: python main.py runtime add --js PACKAGE@VERSION).";
      box.append(fix);
    } else if (box) {
      box.append(box.querySelector(".pyscript-desktop-blocked-fix"));
    }
  };
  state.showBlocked = show;
  show();
})();
