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
  const reportBlocked = (url) => {
    (state.blocked = state.blocked || []).push(url);
    if (state.showBlocked) return state.showBlocked();
    if (state.blockedLoading) return;
    state.blockedLoading = true;
    const script = document.createElement("script");
    script.src = "/_desktop/blocked.js";
    document.head.append(script);
  };
  addEventListener("securitypolicyviolation", (event) => {
    if (/^https?:/.test(event.blockedURI)) reportBlocked(event.blockedURI);
  });
  // Data that scripts fetch from the same CDNs at run time: vega-embed loading an altair chart's
  // vega_datasets file (`.../npm/vega-datasets@v1.29.0/data/movies.json`), d3 loading TopoJSON from
  // us-atlas or world-atlas, pyodide.http.pyfetch. Answered from the library cache the same way; a
  // file it lacks is named in the same box as a blocked one.
  // (the server has usually made the URL local already, in the page's text: `base + "file.json"`)
  const cdnOf = (url) => {
    const found = /^\/_cdn\/(?:page\/)?([^/]+)(\/.*)$/.exec(new URL(url, location.href).pathname);
    return found ? `https://${found[1]}${found[2]}` : null;
  };
  const pageFetch = window.fetch;
  window.fetch = function (input, init) {
    const asked = input instanceof Request ? input.url : String(input);
    const moved = local(asked);
    const request = moved === asked ? input : input instanceof Request ? new Request(moved, input) : moved;
    const cdn = cdnOf(moved);
    if (cdn === null) return pageFetch.call(this, request, init);
    return pageFetch.call(this, request, init).then((response) => {
      if (response.status === 404) reportBlocked(cdn);
      return response;
    });
  };
  const open = XMLHttpRequest.prototype.open;
  XMLHttpRequest.prototype.open = function (method, url, ...rest) {
    return open.call(this, method, local(url), ...rest);
  };
})();
