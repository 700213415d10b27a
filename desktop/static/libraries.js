// Inlined by PyScript Desktop first in every page it serves (server/inject.py), before the page's
// own scripts. The server rewrites the CDN URLs it finds in a page's text; this covers the ones
// scripts compute at run time (chart libraries' loaders insert <script>/<link> elements): such a
// URL on a CDN host becomes the app's `/_cdn/page/<host>/<path>`, which the server answers from its
// library cache. Whatever the page's policy still blocks is named in a box (blocked.js).
(() => {
  const state = window.__pyscriptDesktop || (window.__pyscriptDesktop = {});
  const hosts = new Set(state.cdnHosts || []);
  const origin = location.origin;
  const local = (value) => {
    try {
      const url = new URL(String(value), location.href);
      if (/^https?:$/.test(url.protocol) && url.origin !== origin && hosts.has(url.hostname)) {
        return `${origin}/_cdn/page/${url.hostname}${url.pathname}${url.search}`;
      }
    } catch (e) { /* not a URL: left as it is */ }
    return value;
  };
  for (const [type, name] of [[HTMLScriptElement, "src"], [HTMLLinkElement, "href"]]) {
    const property = Object.getOwnPropertyDescriptor(type.prototype, name);
    Object.defineProperty(type.prototype, name, { ...property, set(value) { property.set.call(this, local(value)); } });
  }
  const setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    if ((this instanceof HTMLScriptElement && /^src$/i.test(name)) || (this instanceof HTMLLinkElement && /^href$/i.test(name))) {
      value = local(value);
    } else if (this instanceof HTMLIFrameElement && /^srcdoc$/i.test(name)) {
      value = localHtml(value);
    }
    return setAttribute.call(this, name, value);
  };
  // A document written into an <iframe srcdoc> (folium's `_repr_html_`, which PyScript's display() puts
  // in the page) names its libraries on CDN hosts too, and is parsed in a task of its own: rewriting the
  // attribute as soon as the element is added (a microtask) replaces it before anything in it is fetched.
  const cdnUrl = /\bhttps?:\/\/([a-z0-9.-]+)(\/[^"'\s<>()]*)?/gi;
  const localHtml = (html) => String(html).replace(cdnUrl, (url, host) => (hosts.has(host.toLowerCase()) ? local(url) : url));
  const srcdoc = Object.getOwnPropertyDescriptor(HTMLIFrameElement.prototype, "srcdoc");
  Object.defineProperty(HTMLIFrameElement.prototype, "srcdoc", { ...srcdoc, set(value) { srcdoc.set.call(this, localHtml(value)); } });
  const fixFrames = (root) => {
    const frames = root instanceof HTMLIFrameElement ? [root] : root.querySelectorAll ? root.querySelectorAll("iframe[srcdoc]") : [];
    for (const frame of frames) {
      const html = frame.getAttribute("srcdoc");
      if (html === null) continue;
      const fixed = localHtml(html);
      if (fixed !== html) setAttribute.call(frame, "srcdoc", fixed);
    }
  };
  new MutationObserver((records) => {
    for (const record of records) for (const node of record.addedNodes) if (node.nodeType === 1) fixFrames(node);
  }).observe(document, { childList: true, subtree: true });
  addEventListener("securitypolicyviolation", (event) => {
    if (!/^https?:/.test(event.blockedURI)) return;
    (state.blocked = state.blocked || []).push(event.blockedURI);
    if (state.showBlocked) return state.showBlocked();
    if (state.blockedLoading) return;
    state.blockedLoading = true;
    const script = document.createElement("script");
    script.src = "/_desktop/blocked.js";
    document.head.append(script);
  });
})();
