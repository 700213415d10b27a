"""Python the app runs in every PyScript interpreter before the page's own code.

Registered through PyScript's own `hooks` (shared per page by PyScript's
sticky module, so it reaches the same instance the page loads), for the main
thread and for workers, Pyodide and MicroPython alike, so the code must run on
both.
"""

from __future__ import annotations

import re

from .htmlscan import SCAN_LIMIT, tokens
from .inject import script_json


__all__ = ["before_run_snippet", "BEFORE_RUN", "core_url", "hook_snippet", "errors_hook_snippet"]

#: matplotlib logs "building the font cache" as a warning on first import; PyScript shows
#: stderr as a red error box, which alarms people for what is routine start-up work.
BEFORE_RUN = """\
try:
    import logging as _desktop_logging
    _desktop_logging.getLogger("matplotlib.font_manager").setLevel(_desktop_logging.ERROR)
    del _desktop_logging
except ImportError:
    pass
"""

_CORE = re.compile(r"""["'](https?://127\.0\.0\.1:\d+/_runtime/pyscript-core/[^/"']+/dist/core\.js)["']""")


def core_url(html: str) -> str:
    """The URL of the PyScript core.js a (rewritten) page loads, or "".

    A core named only inside an HTML comment is not loaded: a page that moved to a newer release often
    keeps the old `<script src=".../2024.1.1/core.js">` commented out above the new one, and hooking or
    preloading that old core ran two PyScripts in one page (polyscript's "Cannot redefine property")."""
    matches = iter(_CORE.finditer(html))
    match = next(matches, None)
    if match is None:
        return ""
    for token in tokens(html[:SCAN_LIMIT]):  # comments (and doctypes) are the gaps between tokens
        while match is not None and match.start() < token.start:
            match = next(matches, None)
        if match is None:
            return ""
        if match.start() < token.stop:
            return match[1]
    return ""


def hook_snippet(core: str, code: str) -> str:
    """A module script registering Python `code` to run before page code, main thread and workers."""
    if not core:
        return ""
    text = script_json(code)
    return (
        f'<script type="module">import {{ hooks }} from {script_json(core)};'
        "for (const branch of [hooks.main, hooks.worker]) {"
        f"branch.codeBeforeRun.add({text}); branch.codeBeforeRunAsync.add({text}); }}</script>"
    )


def before_run_snippet(html: str) -> str:
    """A module script registering BEFORE_RUN with the PyScript core this page loads (or nothing)."""
    return hook_snippet(core_url(html), BEFORE_RUN)




#: Registered with the page's PyScript core: every interpreter's runPython/runPythonAsync reports
#: what it raises to static/errors.js (the overlay), on the main thread directly and from workers
#: through the worker's `sync` channel, before a py-terminal (hidden or not) or the worker's console
#: swallows it. The worker hook is sent to the worker as source text, so it closes over nothing.
_ERRORS_HOOKS = """
const desktopErrorHook = function (wrap, xworker) {
  const report = (error) => {
    const text = String((error && error.message) || error);
    try {
      // (a PyScript worker has a `document` of its own; WorkerGlobalScope tells the two apart)
      if (typeof WorkerGlobalScope === "undefined") window.__pyscriptDesktopErrors?.show(text);
      else xworker.sync.pyscript_desktop_error(text);
    } catch (_) { /* the page goes on as before */ }
  };
  const interpreter = wrap.interpreter;
  for (const name of ["runPython", "runPythonAsync"]) {
    const run = interpreter && interpreter[name];
    if (typeof run !== "function" || run.pyscriptDesktop) continue;
    const checked = function (...args) {
      try {
        const result = run.apply(this, args);
        return result && typeof result.then === "function" ? result.catch((error) => { report(error); throw error; }) : result;
      } catch (error) {
        report(error);
        throw error;
      }
    };
    checked.pyscriptDesktop = true;
    interpreter[name] = checked;
  }
};
// (optional chaining: a page may name an older PyScript core with fewer hooks)
hooks?.main?.onWorker?.add((wrap, xworker) => {
  xworker.sync.pyscript_desktop_error = (text) => { window.__pyscriptDesktopErrors?.show(String(text)); };
});
hooks?.main?.onReady?.add(desktopErrorHook);
hooks?.worker?.onReady?.add(desktopErrorHook);
"""


def errors_hook_snippet(core: str) -> str:
    """A module script that makes the page's PyScript report every Python error to the overlay (or nothing)."""
    if not core:
        return ""
    return f'<script type="module">import {{ hooks }} from {script_json(core)};{_ERRORS_HOOKS}</script>'
