// The service worker of a site made by `pyscript-desktop export`.
//
// A static host (an S3 bucket, an intranet web server, `python -m http.server` on a USB stick)
// sends none of the headers PyScript needs, and the runtime's own JavaScript computes CDN URLs
// at run time. This worker, installed by each exported page before PyScript starts, stands in
// for the app's server:
// - documents get Cross-Origin-Opener-Policy and -Embedder-Policy (so `crossOriginIsolated` is
//   true and PyScript workers may use the DOM) and the app's Content-Security-Policy;
// - runtime URLs the export marked with the virtual prefix below are answered from the
//   exported `_runtime/` folder, whatever sub-path the site lives under;
// - every other request that would leave this origin is answered here with a 404: nothing an
//   exported page does reaches the network beyond the host it came from.
// `self.EXPORT` (prepended by the exporter) lists the runtime versions the site holds.
"use strict";

const SCOPE = new URL("./", self.location.href).href; // the exported site's root folder
const VIRTUAL = "/__pyscript-export__/"; // runtime URLs the exporter rewrote (see desktop/export/runtime.py)
const EXPORT = self.EXPORT || { runtime: {} };

const ISOLATION = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "Cross-Origin-Resource-Policy": "same-origin",
};

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

// Content types by extension, for hosts that send none or a wrong one (a module script served
// as text/plain does not run; WebAssembly compiles while it streams only as application/wasm).
const TYPES = EXPORT.types || {};

const withHeaders = async (response, extra) => {
  if (response.status === 0 || response.type === "opaqueredirect") return response;
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(extra)) headers.set(name, value);
  const path = new URL(response.url || "http://x/").pathname;
  const dot = path.lastIndexOf(".");
  const type = dot > path.lastIndexOf("/") ? TYPES[path.slice(dot).toLowerCase()] : undefined;
  if (type) headers.set("Content-Type", type);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
};

const refuse = (url, why) =>
  new Response(`${url} is not part of this exported site (${why}); exported pages make no other requests.`, {
    status: 404,
    headers: { "Content-Type": "text/plain; charset=utf-8", ...ISOLATION },
  });

// A rewritten runtime URL: /__pyscript-export__/<host>/<path> -> the local file it stands for.
const RULES = [
  // Pyodide's own CDN layout and its npm package
  [/^(?:cdn|fastly|gcore)\.jsdelivr\.net\/pyodide\/v[^/]+\/(?:full|debug|pyc)\/(.+)$/, "pyodide"],
  [/^(?:cdn|fastly|gcore)\.jsdelivr\.net\/npm\/pyodide@[^/]+\/(.+)$/, "pyodide"],
  [/^pyodide-cdn2\.iodide\.io\/v[^/]+\/full\/(.+)$/, "pyodide"],
  [/^(?:cdn|fastly|gcore)\.jsdelivr\.net\/npm\/@micropython\/micropython-webassembly-pyscript@[^/]+\/(.+)$/, "micropython"],
  [/^unpkg\.com\/@micropython\/micropython-webassembly-pyscript@[^/]+\/(.+)$/, "micropython"],
];

const localFor = (rest) => {
  for (const [pattern, kind] of RULES) {
    const match = rest.match(pattern);
    const version = EXPORT.runtime[kind];
    if (match && version) return new URL(`_runtime/${kind}/${version}/${match[1]}`, SCOPE).href;
  }
  return null;
};

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    if (url.protocol === "blob:" || url.protocol === "data:") return; // made inside the page
    event.respondWith(refuse(url.href, "a request to another host"));
    return;
  }
  if (url.pathname.startsWith(VIRTUAL)) {
    const local = localFor(url.pathname.slice(VIRTUAL.length));
    event.respondWith(
      local
        ? fetch(local).then((r) => withHeaders(r, ISOLATION))
        : Promise.resolve(refuse("https://" + url.pathname.slice(VIRTUAL.length), "no exported copy"))
    );
    return;
  }
  const extra = request.mode === "navigate" || request.destination === "document"
    ? { ...ISOLATION, "Content-Security-Policy": EXPORT.csp || "" }
    : ISOLATION;
  if (!extra["Content-Security-Policy"]) delete extra["Content-Security-Policy"];
  if (request.cache === "only-if-cached" && request.mode !== "same-origin") return;
  event.respondWith(fetch(request).then((r) => withHeaders(r, extra)));
});
