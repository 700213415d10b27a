// Inlined by PyScript Desktop first in every page it serves (server/inject.py), before the page's
// own scripts. The server rewrites the CDN URLs it finds in a page's text; this covers the ones
// scripts compute at run time (chart libraries' loaders insert <script>/<link> elements): such a
// URL on a CDN host becomes the app's `/_cdn/<host>/<path>`, which the server answers from its
// library cache. Whatever the page's policy still blocks is named in a box (blocked.js).
(() => {
  const state = window.__pyscriptDesktop || (window.__pyscriptDesktop = {});
  const hosts = new Set(state.cdnHosts || []);
  const origin = location.origin;
  const local = (value) => {
    try {
      const url = new URL(String(value), location.href);
      if (/^https?:$/.test(url.protocol) && url.origin !== origin && hosts.has(url.hostname)) {
        return `${origin}/_cdn/${url.hostname}${url.pathname}${url.search}`;
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
    }
    return setAttribute.call(this, name, value);
  };
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
