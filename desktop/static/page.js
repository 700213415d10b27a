// Injected by PyScript Desktop into every page it serves. Reports what the server
// found before Python started: substituted runtime versions (console), packages and CDN
// libraries the offline bundle lacks and broken page configs (a visible box naming the fix).
(() => {
  const state = window.__pyscriptDesktop || {};
  for (const notice of state.notices || []) console.warn(`[pyscript-desktop] ${notice}`);

  const problems = [];
  for (const { name, command, why } of state.missingPackages || []) {
    const message = why || `Package "${name}" is not in the offline runtime bundle.`;
    console.error(`[pyscript-desktop] ${message} Add it with: ${command}`);
    problems.push([message, `Add it with: ${command}`, name]);
  }
  for (const { url, command, reason, cosmetic } of state.missingLibraries || []) {
    if (cosmetic) {
      // a web font: the page works in a fallback font, so the console says it
      console.warn(`[pyscript-desktop] The font stylesheet ${url} is not in the offline library cache (a fallback font is used). Vendor it with: ${command}`);
      continue;
    }
    const message = command
      ? `The library ${url} is not in the offline library cache, so it was not loaded (this app makes no network requests).`
      : `${url} has no offline copy (${reason}), so it was not loaded (this app makes no network requests).`;
    const fix = command ? `Vendor it with: ${command}` : "Save the file beside the page and use a relative URL.";
    console.error(`[pyscript-desktop] ${message} ${fix}`);
    problems.push([message, fix]);
  }
  for (const error of state.configErrors || []) {
    console.error(`[pyscript-desktop] Broken page config: ${error}`);
    problems.push([`This page's configuration could not be read: ${error}`, "Fix the config and reload."]);
  }
  if (!problems.length) return;

  // In the app's own window or `serve` session, a missing package can be added from here: a plain form
  // the person submits (the server accepts only that navigation, never a script's request).
  const addButton = (name) => {
    const form = document.createElement("form");
    form.method = "post";
    form.action = state.packageAction;
    form.className = "pyscript-desktop-add";
    form.style.cssText = "display:inline;margin:0";
    for (const [key, value] of [["name", name], ["return", location.pathname + location.search]]) {
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = key;
      input.value = value;
      form.append(input);
    }
    const button = document.createElement("button");
    button.type = "submit";
    button.textContent = `Add ${name} and reload`;
    button.style.cssText = "margin-top:6px;font:inherit;padding:3px 10px;cursor:pointer";
    form.append(button);
    return form;
  };

  const show = () => {
    const box = document.createElement("div");
    box.className = "pyscript-desktop-problem";
    box.setAttribute("role", "alert");
    box.style.cssText =
      "font:14px/1.4 system-ui,sans-serif;background:#fdecea;color:#611a15;border:1px solid #f5c2c0;" +
      "border-left:6px solid #d93025;padding:10px 14px;margin:8px;border-radius:4px;white-space:pre-wrap";
    for (const [what, fix, name] of problems) {
      const p = document.createElement("p");
      p.style.margin = "4px 0";
      const strong = document.createElement("strong");
      strong.textContent = what;
      const code = document.createElement("code");
      code.textContent = fix;
      p.append(strong, document.createElement("br"), code);
      if (name && state.packageAction) p.append(document.createElement("br"), addButton(name));
      box.append(p);
    }
    document.body.prepend(box);
  };
  if (document.body) show();
  else document.addEventListener("DOMContentLoaded", show, { once: true });
})();
