// The classic PyScript layer (2022 alpha to 2023.05) of PyScript Desktop.
//
// Pages that load pyscript.js from pyscript.net/alpha, /latest, /releases/2022.x or 2023.x
// (or a missing local build/pyscript.js) get this file instead. It loads the bundled
// Pyodide directly, as classic PyScript did, and gives the page what that era defined:
// <py-config>/<py-env>, <py-script>, <py-repl>, <py-terminal>, the alpha widgets, the
// py-on*/pys-on*/py-<event> attributes, the splash screen and red error boxes. The Python
// side (Element, pyscript.write, display, ...) lives in pyscript_classic.py beside it.
(() => {
  "use strict";
  if (window.__pyscriptDesktopClassic) return;
  window.__pyscriptDesktopClassic = true;

  // Always the app's copy: this file may have been served in place of a page's own build/pyscript.js.
  // (An exported site, which may live under any sub-path, says where: desktop/export/.)
  const state = window.__pyscriptDesktop || {};
  const HERE = state.classic || new URL("/_desktop/classic/", location.href).href;
  const PYODIDE = state.pyodide || new URL("/_runtime/pyodide/0.27.7/pyodide.mjs", location.href).href;

  const LIB = "/lib/pyscript-desktop-classic";
  let pyodide = null;
  let namespace = null;
  let terminal = null;
  let outputTarget = null; // element that print() writes into while a script runs
  let scriptCounter = 0;

  // Source code inside the classic tags is not for display (even when the page has no pyscript.css).
  const hide = document.createElement("style");
  hide.textContent = "py-script:not([data-desktop-done]),py-button:not([data-desktop-done]),py-inputbox:not([data-desktop-done]),py-config,py-env{display:none}";
  document.head.append(hide);

  // -- splash screen ---------------------------------------------------------------------------
  let splash = null;
  const showSplash = (text) => {
    if (!splash) {
      splash = document.createElement("div");
      splash.className = "py-overlay";
      splash.innerHTML = '<div class="py-pop-up"><div class="smooth spinner"></div><div class="py-splash-text"></div></div>';
      document.body.append(splash);
    }
    splash.querySelector(".py-splash-text").textContent = text;
    console.log(text);
  };
  const closeSplash = () => { splash?.remove(); splash = null; };

  // -- errors: red boxes, as classic PyScript showed them ----------------------------------------
  const showError = (message, where) => {
    const box = document.createElement("div");
    box.className = "py-error";
    box.textContent = String(message).replace(/^PythonError: /, "");
    if (where && where.isConnected) where.append(box);
    else document.body.append(box);
    console.error(message);
  };

  // -- print(): each line onto the page (and the terminal) ------------------------------------
  const writeLine = (line, isError) => {
    if (terminal) terminal.textContent += line + "\n";
    const target = outputTarget;
    if (!target) { (isError ? console.error : console.log)(line); return; }
    const div = document.createElement("div");
    div.textContent = line;
    if (isError) div.className = "py-stderr";
    target.append(div);
  };

  // -- configuration ------------------------------------------------------------------------------
  async function readConfigs() {
    const merged = { packages: [], paths: [], fetch: [], plugins: [], splashscreen: {}, terminal: undefined, all: {} };
    const parse = pyodide.globals.get("_classic")._parse_config;
    const read = (text, kind) => parse(text, kind).toJs({ dict_converter: Object.fromEntries });
    const blocks = [...document.querySelectorAll("py-config, py-env")];
    for (const element of blocks) {
      const src = element.getAttribute("src");
      const kind = element.getAttribute("type") || (element.tagName === "PY-ENV" ? "yaml" : "");
      let config;
      try {
        // classic merged a src= file with the inline body, the inline keys winning
        config = element.textContent.trim() ? read(element.textContent, kind) : {};
        if (src) {
          const response = await fetch(src);
          if (!response.ok) throw new Error(`Could not fetch ${src} (HTTP ${response.status})`);
          const srcKind = /\.json$/i.test(src) ? "json" : /\.toml$/i.test(src) ? "toml" : kind;
          config = Object.assign(read(await response.text(), srcKind), config);
        }
      } catch (error) {
        showError(`Invalid <${element.tagName.toLowerCase()}>: ${String(error.message || error).replace(/^PythonError: /, "")}`, element.parentElement);
        continue;
      }
      element.style.display = "none";
      Object.assign(merged.all, config);
      for (const p of config.plugins || []) merged.plugins.push(String(p));
      for (const p of config.packages || []) merged.packages.push(String(p));
      for (const p of config.paths || []) merged.paths.push(String(p));
      for (const f of config.fetch || []) merged.fetch.push(f);
      if (config.splashscreen) Object.assign(merged.splashscreen, config.splashscreen);
      if ("autoclose_loader" in config) merged.splashscreen.autoclose = config.autoclose_loader;
      if ("terminal" in config) merged.terminal = config.terminal;
    }
    return merged;
  }

  // A bokeh 2 page that links its Python document to BokehJS's (`bokeh_interactive` of every classic
  // release) reads the embedded views as BokehJS 2's array (`views[0].model.document`) and turns BokehJS
  // changes into JSON with its `create_json_patch_string`. BokehJS 3 (what such pages get offline,
  // server/libraries.py) answers a view manager and has `create_json_patch`, giving the object; it
  // exports neither class, so they are reached through its global view index and each new document.
  function linkBokeh2Documents() {
    const docs = window.Bokeh && window.Bokeh.documents;
    if (!Array.isArray(docs) || Object.hasOwn(docs, "push")) return;
    // Python's views[0] on a JavaScript object with a get() method calls get(0)
    const views = window.Bokeh.index && Object.getPrototypeOf(window.Bokeh.index);
    if (views && typeof views.get === "function" && typeof views.get_by_id === "function" && !views.get.bokeh2) {
      const get = views.get;
      views.get = function (key) { return typeof key === "number" ? [...this._roots][key] ?? null : get.call(this, key); };
      views.get.bokeh2 = true;
      Object.defineProperty(views, "0", { configurable: true, get() { return this.get(0); } });
    }
    const give = (doc) => {
      const proto = Object.getPrototypeOf(doc);
      if (proto && typeof proto.create_json_patch === "function" && !proto.create_json_patch_string) {
        proto.create_json_patch_string = function (events) { return JSON.stringify(this.create_json_patch(Array.from(events))); };
      }
    };
    docs.forEach(give);
    docs.push = function (...added) { added.forEach(give); return Array.prototype.push.apply(this, added); };
  }

  async function loadPackages(names) {
    // Classic releases loaded micropip to install a page's packages, so `import micropip` and
    // `import packaging` (its dependency) worked on every classic page, named or not.
    names = names.some((n) => /^micropip\b/i.test(n)) ? names : [...names, "micropip"];
    const lock = (await (await fetch(new URL("pyodide-lock.json", PYODIDE))).json()).packages;
    const norm = (n) => n.toLowerCase().replace(/[-_.]+/g, "-").split(/[<>=!~ \[]/)[0];
    // `- collections`, `asyncio`: modules of the standard library are imported from there, not installed
    // (but the ones Pyodide splits out as packages of its lock, such as sqlite3, are loaded).
    const stdlib = new Set(pyodide.runPython("import sys; sorted(sys.stdlib_module_names)").toJs());
    const builtIn = (n) => stdlib.has(String(n).trim().replace(/-/g, "_").toLowerCase()) && !(norm(String(n)) in lock);
    for (const n of names.filter(builtIn)) {
      console.info(`[pyscript-desktop] ${n} is part of Python's standard library, not a package to install: its imports use the standard library's.`);
    }
    names = names.filter((n) => !builtIn(n));
    // The server read the page's configs too, and already shows the packages the bundle lacks in
    // the box modern pages get (static/page.js); loading them would only fail later, as an ImportError.
    const reported = new Set((state.missingPackages || []).map((p) => p.name));
    const missing = names.filter((n) => reported.has(norm(n)) || (!/^(https?:|emfs:|\.|\/)/.test(n) && !(norm(n) in lock)));
    // PEP 508's name rule: only such a name is ever shown inside a command a person may paste.
    const valid = (n) => /^([a-z0-9]|[a-z0-9][a-z0-9._-]*[a-z0-9])$/i.test(n);
    for (const name of missing) {
      if (reported.has(norm(name))) continue;
      if (valid(norm(name))) showError(`Package "${norm(name)}" is not in the offline runtime bundle.\nAdd it with: python main.py runtime add ${norm(name)}`);
      else showError(`"${String(name).slice(0, 80)}" is not a valid package name (letters, digits, ".", "-" and "_").`);
    }
    const wanted = names.filter((n) => !missing.includes(n)).map((n) => (/^(https?:|emfs:|\.|\/)/.test(n) ? n : norm(n)));
    if (wanted.length) await pyodide.loadPackage(wanted, { messageCallback: (m) => console.log(m) });
    if (pyodide.loadedPackages.micropip) namespace.set("micropip", pyodide.pyimport("micropip"));  // a global until 2022.09.1 too
  }

  async function fetchFiles(config) {
    const FS = pyodide.FS;
    const writeFile = async (url, to) => {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`Could not fetch ${url} (HTTP ${response.status})`);
      const data = new Uint8Array(await response.arrayBuffer());
      if (!to.startsWith("/")) to = `${FS.cwd()}/${to}`; // mkdirTree works from the root
      const dir = to.split("/").slice(0, -1).join("/");
      if (dir) FS.mkdirTree(dir);
      FS.writeFile(to, data);
    };
    for (const path of config.paths) {
      // classic `paths`: fetched relative to the page, stored under the same relative name
      const to = path.replace(/^(\.\/|\/)+/, "");
      await writeFile(path, to);
    }
    for (const entry of config.fetch) {
      const from = entry.from || "";
      const folder = (entry.to_folder || ".").replace(/\/$/, "");
      const files = entry.files || [];
      if (!files.length && entry.to_file) { await writeFile(from, `${folder}/${entry.to_file}`); continue; }
      for (const file of files) {
        const url = from ? `${from.replace(/\/$/, "")}/${file}` : file;
        const to = entry.to_file && files.length === 1 ? `${folder}/${entry.to_file}` : `${folder}/${file}`;
        await writeFile(url, to.replace(/^\.\//, ""));
      }
    }
  }

  // -- running Python -------------------------------------------------------------------------------
  const dedent = (code) => {
    const lines = code.replace(/^\n+|\s+$/g, "").split("\n");
    const indents = lines.filter((l) => l.trim()).map((l) => l.match(/^\s*/)[0].length);
    const cut = indents.length ? Math.min(...indents) : 0;
    return lines.map((l) => l.slice(cut)).join("\n");
  };

  const outputFor = (element) => {
    const id = element.getAttribute("output");
    if (id) {
      const target = document.getElementById(id);
      if (target) return target;
    }
    if (!element.id) element.id = `py-${++scriptCounter}`;
    let out = document.getElementById(`${element.id}-output`);
    if (!out) {
      out = document.createElement("div");
      out.id = `${element.id}-output`;
      out.className = "py-script-output";
      element.after(out);
    }
    return out;
  };

  async function run(code, target, errorTarget) {
    outputTarget = target;
    try {
      const failure = await pyodide.globals.get("_classic")._run(code, namespace, target?.id || null);
      if (failure) showError(failure, errorTarget || target?.parentElement || document.body);
    } catch (error) {
      showError(error.message || error, errorTarget || target?.parentElement || document.body);
    } finally {
      outputTarget = null;
    }
  }

  // 2023.05 ran <script type="py"> (and "pyscript", "py-script") like <py-script>, in document
  // order, through a <py-script-tag> companion placed right after the script.
  const SCRIPTS = 'py-script, script[type="py"], script[type="pyscript"], script[type="py-script"]';

  async function runScripts() {
    for (let element of document.querySelectorAll(SCRIPTS)) {
      if (element.dataset.desktopDone) continue;
      element.dataset.desktopDone = "1";
      let code = element.textContent;
      if (element.tagName === "SCRIPT") {
        const companion = document.createElement("py-script-tag");
        for (const name of ["output", "src", "stderr"]) {
          if (element.getAttribute(name)) companion.setAttribute(name, element.getAttribute(name));
        }
        if (element.id) companion.id = `${element.id}-tag`;
        companion.dataset.desktopDone = "1";
        element.after(companion);
        element = companion;
      }
      const src = element.getAttribute("src");
      if (src) {
        const response = await fetch(src);
        if (!response.ok) { showError(`Could not fetch ${src} (HTTP ${response.status})`, element.parentElement); continue; }
        code = await response.text();
      }
      element.textContent = "";
      element.style.display = "block";
      const target = outputFor(element);
      const stderrId = element.getAttribute("stderr");
      await run(dedent(code), target, stderrId ? document.getElementById(stderrId) : null);
    }
  }

  // -- events: pys-onClick (alpha), py-onClick (2022.09), py-click="code()" (2023) -----------------
  const NOT_EVENTS = new Set(["py-env", "py-config", "py-script", "py-repl", "py-terminal"]);
  function bindEvents(root = document) {
    const handle = pyodide.globals.get("_classic")._handle_event;
    for (const element of root.querySelectorAll("*")) {
      for (const attribute of [...element.attributes]) {
        const name = attribute.name.toLowerCase();
        let type = null;
        let legacy = false;
        if (name.startsWith("pys-on") || name.startsWith("py-on")) { type = name.replace(/^pys?-on/, ""); legacy = true; }
        else if (name.startsWith("py-") && !NOT_EVENTS.has(name) && name !== "py-mount") type = name.slice(3);
        if (!type || element.dataset[`desktopBound${type}`]) continue;
        element.dataset[`desktopBound${type}`] = "1";
        element.addEventListener(type, (event) => {
          try { handle(attribute.value, event, namespace, legacy); }
          catch (error) { showError(error.message || error, element.parentElement); }
        });
      }
    }
  }

  // -- <py-repl> ------------------------------------------------------------------------------------
  let replCounter = 0;
  async function setUpRepl(element) {
    if (element.dataset.desktopDone) return;
    element.dataset.desktopDone = "1";
    let code = dedent(element.textContent);
    const src = element.getAttribute("src");
    if (src) code = await (await fetch(src)).text();
    element.textContent = "";
    const box = document.createElement("div");
    box.className = "py-repl-box";
    const editor = document.createElement("textarea");
    editor.className = "py-repl-editor";
    editor.value = code;
    editor.rows = Math.max(2, code.split("\n").length);
    editor.spellcheck = false;
    const button = document.createElement("button");
    button.className = "py-repl-run-button";
    button.textContent = "▶";
    button.title = "Run (Shift+Enter)";
    const out = document.createElement("div");
    out.className = "py-repl-output";
    out.id = element.id ? `${element.id}-repl-output` : `py-repl-output-${++replCounter}`;
    box.append(editor, button);
    element.append(box, out);
    const execute = async () => {
      // 2022.06 - 2022.09 named the targets `std-out` and `std-err`; 2022.12 on, `output`.
      const targetId = element.getAttribute("output") || element.getAttribute("std-out");
      const target = (targetId && document.getElementById(targetId)) || out;
      const errId = element.getAttribute("std-err");
      if (element.getAttribute("output-mode") !== "append") target.replaceChildren();
      await run(editor.value, target, (errId && document.getElementById(errId)) || out);
      if (element.getAttribute("auto-generate") === "true" && !element.dataset.desktopGenerated) {
        element.dataset.desktopGenerated = "1";
        const next = document.createElement("py-repl");
        next.setAttribute("auto-generate", "true");
        for (const a of ["output", "output-mode", "std-out", "std-err"]) if (element.hasAttribute(a)) next.setAttribute(a, element.getAttribute(a));
        element.after(next);
        await setUpRepl(next);
        next.querySelector("textarea").focus();
      }
    };
    editor.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && event.shiftKey) { event.preventDefault(); execute(); }
    });
    button.addEventListener("click", execute);
  }

  // -- the alpha widgets -----------------------------------------------------------------------------
  // <py-register-widget src="w.py" name="py-thing" klass="Thing">: the alpha's contract was that
  // every <py-thing> element gets `Thing(element)` and then `.connect()`.
  async function registerWidgets() {
    for (const reg of document.querySelectorAll("py-register-widget")) {
      if (reg.dataset.desktopDone) continue;
      reg.dataset.desktopDone = "1";
      const [src, name, klass] = ["src", "name", "klass"].map((a) => reg.getAttribute(a));
      try {
        if (!src || !name || !klass) throw new Error("<py-register-widget> needs src, name and klass attributes (e.g. src=\"./widget.py\" name=\"py-widget\" klass=\"Widget\").");
        if (!/^[a-z][a-z0-9]*-[a-z0-9-]*$/.test(name)) throw new Error(`<py-register-widget name="${name}">: a widget name must be lower case and contain a dash, like "py-widget".`);
        const response = await fetch(src);
        if (!response.ok) throw new Error(`Could not fetch ${src} (HTTP ${response.status})`);
        await pyodide.runPythonAsync(await response.text(), { globals: namespace });
        const cls = namespace.get(klass);
        if (!cls) throw new Error(`${src} defines no class named ${klass}.`);
        if (customElements.get(name)) continue;
        customElements.define(name, class extends HTMLElement {
          connectedCallback() {
            if (this.desktopWidget) return;
            try {
              this.desktopWidget = cls(this);
              if (this.desktopWidget.connect) this.desktopWidget.connect();
              if (this.id) namespace.set(this.id, this.desktopWidget); // the alpha's registerWidget()
            } catch (error) {
              showError(error.message || error, this);
            }
          }
        });
      } catch (error) {
        showError(error.message || error, reg);
      }
    }
  }

  async function setUpWidgets() {
    await registerWidgets();
    for (const title of document.querySelectorAll("py-title")) {
      const h1 = document.createElement("h1");
      h1.className = "py-title";
      h1.textContent = title.textContent.trim();
      title.replaceChildren(h1);
    }
    for (const box of document.querySelectorAll("py-box")) {
      box.classList.add("py-box");
      const widths = (box.getAttribute("widths") || "").split(";").filter(Boolean);
      [...box.children].forEach((child, i) => { if (widths[i]) child.style.flex = widths[i].includes("/") ? String(eval(widths[i])) : widths[i]; });
    }
    // <py-button>/<py-inputbox> as the alpha made them: the control takes the element's id (the
    // element becomes "<id>-container"), `self` in the code is the global `<id with _>` =
    // Element(id), and `def on_click` etc. become that control's handlers. The code runs in the
    // shared namespace, so handlers can call functions the page's <py-script>s define.
    let widgetCounter = 0;
    for (const [tag, make, hooks] of [
      ["py-button", () => document.createElement("button"), { on_click: "click", on_focus: "focus" }],
      ["py-inputbox", () => Object.assign(document.createElement("input"), { type: "text" }), { on_keypress: "keypress" }],
    ]) {
      for (const element of document.querySelectorAll(tag)) {
        if (element.dataset.desktopDone) continue;
        element.dataset.desktopDone = "1";
        const id = element.id || `${tag}-${++widgetCounter}`;
        const mount = id.split("-").join("_");
        let code = dedent(element.textContent).split("self").join(mount);
        element.textContent = "";
        const control = make();
        control.id = id;
        element.id = `${id}-container`;
        control.className = `py-${tag.slice(3)}`;
        if (tag === "py-button") control.textContent = element.getAttribute("label") || "";
        else if (element.getAttribute("label")) control.placeholder = element.getAttribute("label");
        element.append(control);
        const bound = [];
        for (const hook of Object.keys(hooks)) {
          if (new RegExp(`def ${hook}\\b`).test(code)) {
            code = code.replace(new RegExp(`def ${hook}\\b`), `def ${hook}_${mount}`);
            bound.push(hook);
          }
        }
        try {
          await pyodide.runPythonAsync(`${code}\n${mount} = Element(${JSON.stringify(id)})`, { globals: namespace });
          for (const hook of bound) {
            control.addEventListener(hooks[hook], (e) => {
              try {
                const result = namespace.get(`${hook}_${mount}`)(e);
                if (result && typeof result.then === "function") result.catch((error) => showError(error.message || error, element));
              } catch (error) { showError(error.message || error, element); }
            });
          }
        } catch (error) {
          showError(error.message || error, element);
        }
      }
    }
  }

  // -- plugins (2022.12 - 2023.05) -------------------------------------------------------------------
  // pyscript.net's own Python plugins are served from the app (desktop/static/classic/plugins/);
  // a page's own plugin (.py or .js module) is fetched from the page's folder.
  const OWN_PLUGINS = new Set(["py_markdown.py", "py_tutor.py"]);

  function defineCustomElement(tag, pyClass) {
    if (customElements.get(tag)) return;
    customElements.define(tag, class extends HTMLElement {
      connectedCallback() {
        if (this.pyElementInstance) return;
        this.originalInnerHTML = this.innerHTML;
        try {
          this.pyElementInstance = pyClass(this);
          const html = this.pyElementInstance.connect?.();
          if (typeof html === "string") this.innerHTML = html;
        } catch (error) {
          showError(error.message || error, this);
        }
      }
    });
  }

  async function loadPlugins(config) {
    for (const url of config.plugins) {
      const name = url.split(/[?#]/)[0].split("/").pop();
      try {
        const ours = OWN_PLUGINS.has(name) && (/pyscript\.net|\/_cdn\/|\/_runtime\/|\/build\/plugins\//.test(url) || !/^(\.|\/|[\w-]+\/)/.test(url));
        let response = await fetch(ours ? new URL(`plugins/${name}`, HERE) : url);
        if (!response.ok && OWN_PLUGINS.has(name)) response = await fetch(new URL(`plugins/${name}`, HERE));
        if (!response.ok) throw new Error(`Could not fetch the plugin ${url} (HTTP ${response.status})`);
        if (name.endsWith(".py")) {
          const module = name.slice(0, -3);
          pyodide.FS.writeFile(`${LIB}/${module}.py`, await response.text());
          pyodide.globals.get("_classic")._load_plugin(module, pyodide.toPy(config.all));
        } else {
          const loaded = await import(new URL(url, location.href).href);
          const plugin = typeof loaded.default === "function" ? new loaded.default() : loaded.default;
          plugin?.configure?.(config.all);
          plugin?.afterSetup?.(pyodide);
          plugin?.afterStartup?.(pyodide);
        }
      } catch (error) {
        showError(`Plugin ${url}: ${String(error.message || error).replace(/^PythonError: /, "")}`);
      }
    }
  }

  // Classic PyScript (2022.06 - 2023.05) made each module of the page's import maps importable from
  // Python by its name (`import d3` after `"imports": {"d3": "https://..."}`). The browser resolves
  // the names through the map, whose URLs the server has made local.
  async function importMapModules() {
    for (const script of document.querySelectorAll('script[type="importmap"]')) {
      let imports = {};
      try { imports = JSON.parse(script.textContent).imports || {}; } catch (error) { continue; }
      for (const name of Object.keys(imports)) {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) continue;  // "three/addons/" and the like
        try {
          pyodide.registerJsModule(name, await import(name));
        } catch (error) {
          showError(`The module "${name}" of the page's import map could not be loaded: ${error.message || error}`);
        }
      }
    }
  }

  // The alpha's global `pyscript_loader`: pages logged to the splash screen and closed it themselves.
  const loader = { log: (message) => showSplash(String(message)), close: () => closeSplash() };

  // -- start -----------------------------------------------------------------------------------------
  async function main() {
    showSplash("Loading runtime...");
    const { loadPyodide } = await import(PYODIDE);
    pyodide = await loadPyodide({ stdout: (line) => writeLine(line, false), stderr: (line) => writeLine(line, true) });
    // The layer's own modules (and pyscript.net's plugins) live outside the page's working
    // folder, so a page listing its files sees only its own.
    pyodide.FS.mkdirTree(LIB);
    for (const [file, as] of [["classic_config.py", "classic_config.py"], ["pyscript_classic.py", "pyscript.py"]]) {
      const source = await (await fetch(new URL(file, HERE))).text();
      pyodide.FS.writeFile(`${LIB}/${as}`, source);
    }
    pyodide.runPython(`import sys; sys.path.insert(0, "${LIB}")`);
    pyodide.registerJsModule("_pyscript_js", { define_custom_element: defineCustomElement });
    pyodide.runPython("import pyscript as _classic");
    // matplotlib's routine "building the font cache" warning is not an error worth a red box
    pyodide.runPython("import logging; logging.getLogger('matplotlib.font_manager').setLevel(logging.ERROR)");
    namespace = pyodide.globals.get("dict")();
    // Releases up to 2022.09.1 ran their pyscript.py in the pages' globals, so its imports were names every
    // page had without importing them (the alpha raycaster example calls asyncio.sleep unimported).
    pyodide.runPython(
      "for _n in _classic.__all__: _ns[_n] = getattr(_classic, _n)\n_ns['__name__'] = '__main__'\n" +
      "import asyncio, base64, io, sys, time\nfrom textwrap import dedent\n" +
      "_ns.update(asyncio=asyncio, base64=base64, io=io, sys=sys, time=time, dedent=dedent)",
      { globals: pyodide.toPy({ _ns: namespace, _classic: pyodide.globals.get("_classic") }) }
    );
    namespace.set("pyscript_loader", loader);
    // The global the classic bundles exported (rollup's `pyscript`): page JavaScript of 2022.12-2023.05
    // reads Python names with `pyscript.runtime.globals.get("name")` (`interpreter` from 2023.03 on).
    const runtime = {
      globals: namespace,
      interpreter: pyodide,
      interface: pyodide,
      run: (code) => pyodide.runPython(code, { globals: namespace }),
    };
    window.pyscript = Object.assign(window.pyscript || {}, { runtime, interpreter: runtime });
    linkBokeh2Documents();
    showSplash("Loading packages...");
    const config = await readConfigs();
    if (config.terminal === true || config.terminal === "auto" || document.querySelector("py-terminal")) {
      const host = document.querySelector("py-terminal") || document.body.appendChild(document.createElement("py-terminal"));
      terminal = document.createElement("pre");
      terminal.className = "py-terminal";
      host.replaceChildren(terminal);
    }
    try {
      await loadPackages(config.packages);
      await fetchFiles(config);
    } catch (error) {
      showError(error.message || error);
    }
    await loadPlugins(config);
    await importMapModules();
    showSplash("Initializing...");
    if (config.splashscreen.autoclose !== false) closeSplash();
    await setUpWidgets();
    await runScripts();
    for (const repl of document.querySelectorAll("py-repl")) await setUpRepl(repl);
    bindEvents();
    window.__pyscriptDesktopClassicReady = true;
    dispatchEvent(new Event("py:all-done"));
  }

  const start = () => main().catch((error) => { closeSplash(); showError(error.message || error); });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start, { once: true });
  else start();
})();
