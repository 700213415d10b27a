// First in the <head> of every page of an exported site (see desktop/export/). PyScript must not
// start until the site's service worker controls the page: the worker supplies the isolation
// headers a static host does not send and answers the runtime's own URLs from the exported copy.
// So on a first visit this script stops the page, installs the worker and loads the page again.
(() => {
  const root = new URL(document.currentScript.dataset.root, location.href);
  const sw = navigator.serviceWorker;
  if (sw && sw.controller) {
    sessionStorage.removeItem("pyscript-export-reloads");
    return;
  }
  const say = (text) => {
    const box = document.createElement("pre");
    box.setAttribute("role", "alert");
    box.style.cssText = "font:14px/1.5 system-ui,sans-serif;white-space:pre-wrap;margin:2em;padding:1em;" +
      "background:#fdecea;color:#611a15;border-left:6px solid #d93025";
    box.textContent = text;
    document.documentElement.replaceChildren(box);
  };
  window.stop(); // nothing of the page runs until the worker is in place
  if (!sw) {
    say(location.protocol === "file:"
      ? "This page is part of an exported PyScript site and must be served over http(s), not opened as a file: " +
        "browsers give file:// pages no service worker and refuse the WebAssembly runtime's module imports. " +
        "Serve the folder with any web server, e.g. `python -m http.server` in it, and open http://localhost:8000/."
      : "This browser offers no service worker here (private mode, or a page that is not served securely: " +
        "use https, or http on localhost), so this exported PyScript page cannot start.");
    return;
  }
  const tries = Number(sessionStorage.getItem("pyscript-export-reloads") || 0);
  if (tries >= 3) {
    say("The exported site's service worker did not take control of this page after 3 reloads. " +
        "A forced reload (Shift+Reload) bypasses it: reload normally.");
    sessionStorage.removeItem("pyscript-export-reloads");
    return;
  }
  sw.register(new URL("pyscript-sw.js", root), { scope: root.href })
    .then(() => sw.ready)
    .then(() => {
      sessionStorage.setItem("pyscript-export-reloads", String(tries + 1));
      location.reload();
    })
    .catch((error) => say(`The exported site's service worker could not be installed: ${error}`));
})();
