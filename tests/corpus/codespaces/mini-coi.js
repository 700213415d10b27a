/* A service worker in the style of the codespaces template's mini-coi.js, written for this corpus:
   registered from the page, it reloads the page once it controls it and adds the cross-origin
   isolation headers to every answer (what a static host like GitHub Pages cannot send). */
(({ document, navigator }) => {
  if (document) {
    const me = document.currentScript;
    navigator.serviceWorker.register(me.src, { scope: me.getAttribute("scope") || "." }).then((reg) => {
      reg.addEventListener("updatefound", () => location.reload());
      if (reg.active && !navigator.serviceWorker.controller) location.reload();
    });
    return;
  }
  addEventListener("install", () => skipWaiting());
  addEventListener("activate", (event) => event.waitUntil(clients.claim()));
  addEventListener("fetch", (event) => {
    const { request } = event;
    if (request.cache === "only-if-cached" && request.mode !== "same-origin") return;
    event.respondWith(fetch(request).then((response) => {
      if (!response.status || response.status > 399) return response;
      const headers = new Headers(response.headers);
      headers.set("Cross-Origin-Opener-Policy", "same-origin");
      headers.set("Cross-Origin-Embedder-Policy", "require-corp");
      headers.set("Cross-Origin-Resource-Policy", "cross-origin");
      return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
    }));
  });
})(self);
