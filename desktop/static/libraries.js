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
    } else if (this instanceof HTMLIFrameElement && /^srcdoc$/i.test(name)) {
      value = localHtml(value);
    }
    return setAttribute.call(this, name, value);
  };
  // HTML made at run time into an <iframe srcdoc> (folium's maps) or <link>s inserted as markup:
  // the URLs in it made local too, before or just after the element is attached.
  const localHtml = (html) =>
    String(html).replace(/(https?:)?\/\/([a-z0-9.-]+)\//gi, (url, scheme, host) =>
      hosts.has(host.toLowerCase()) ? `${origin}/_cdn/${host.toLowerCase()}/` : url);
  const srcdoc = Object.getOwnPropertyDescriptor(HTMLIFrameElement.prototype, "srcdoc");
  Object.defineProperty(HTMLIFrameElement.prototype, "srcdoc", { ...srcdoc, set(value) { srcdoc.set.call(this, localHtml(value)); } });
  const fixElement = (element) => {
    if (element instanceof HTMLIFrameElement && element.hasAttribute("srcdoc")) {
      const before = element.getAttribute("srcdoc");
      const after = localHtml(before);
      if (after !== before) setAttribute.call(element, "srcdoc", after);
    } else if (element instanceof HTMLLinkElement && element.hasAttribute("href")) {
      const before = element.getAttribute("href");
      const after = local(before);
      if (after !== before) setAttribute.call(element, "href", after);
    }
  };
  new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.nodeType !== 1) continue;
        fixElement(node);
        for (const inner of node.querySelectorAll("iframe[srcdoc], link[href]")) fixElement(inner);
      }
    }
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
