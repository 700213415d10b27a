"""Python the app runs in every PyScript interpreter before the page's own code.

Registered through PyScript's own `hooks` (shared per page by PyScript's
sticky module, so it reaches the same instance the page loads), for the main
thread and for workers, Pyodide and MicroPython alike, so the code must run on
both.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from .cdn import VARIANT_MARK
from .htmlscan import SCAN_LIMIT, tokens
from .coreentry import HOOKS_QUERY
from .inject import script_json


__all__ = [
    "before_run_snippet", "BEFORE_RUN", "core_url", "hook_snippet", "hooks_url", "errors_hook_snippet",
    "PYODIDE_COMPAT", "pyodide_compat_snippet", "standin_warnings_snippet",
]

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


def hooks_url(core: str) -> str:
    """Where the app's own hook scripts import the core's `hooks` from: its entry module without the wait the
    served entry adds for page code (server/coreentry.py), so they are registered before the core starts."""
    return core + "?" + HOOKS_QUERY


def hook_snippet(core: str, code: str) -> str:
    """A module script registering Python `code` to run before page code, main thread and workers."""
    if not core:
        return ""
    text = script_json(code)
    return (
        f'<script type="module">import {{ hooks }} from {script_json(hooks_url(core))};'
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
    return f'<script type="module">import {{ hooks }} from {script_json(hooks_url(core))};{_ERRORS_HOOKS}</script>'


#: A PyScript core built for a newer Pyodide, served with the pair's older one (a `+pyodide-` variant
#: core: the page needs packages the bundle has for that Pyodide only). Cores from 0.6.70 (2025.8.1,
#: Pyodide 0.28) on import `jsnull` from `pyodide.ffi`, which Pyodide 0.28 added (JavaScript `null`
#: became `jsnull` instead of `None`); on Pyodide 0.27 their `pyscript` package fails to import, in the
#: main thread and in every worker. On 0.27 `null` is `None`, which PyScript's own check
#: (`ffi.is_none`: `value is None or value is jsnull`) already takes, so a `jsnull` that JavaScript never
#: produces keeps that check right. It must exist before the core's own start-up Python imports
#: `pyscript`, so it runs in the `onReady` hooks (JavaScript, before any Python of the page or the core).
PYODIDE_COMPAT = """\
try:
    import pyodide.ffi as _desktop_ffi
    if not hasattr(_desktop_ffi, "jsnull"):
        class JsNull:
            "JavaScript null as Pyodide 0.28+ names it; on this Pyodide null converts to None."
            __slots__ = ()
            def __repr__(self):
                return "jsnull"
            def __bool__(self):
                return False
        _desktop_ffi.jsnull = JsNull()
        _desktop_ffi.JsNull = JsNull
        del JsNull
    del _desktop_ffi
except ImportError:
    pass
"""


def pyodide_compat_snippet(core: str) -> str:
    """A module script that gives a variant core's Pyodide what that core's Python expects (or nothing:
    only a `<core>+pyodide-<version>` core needs it). Main thread and workers; the worker hook is sent to
    the worker as source text, so the Python is written into the function itself. (`wrap.type` is the
    script type, `py`, not the interpreter's name: MicroPython runs the code too, where the import fails.)"""
    if VARIANT_MARK not in core:
        return ""
    hook = (
        "function (wrap) { const i = wrap && wrap.interpreter;"
        " if (i && typeof i.runPython === 'function')"
        f" i.runPython({script_json(PYODIDE_COMPAT)}); }}"
    )
    return (
        f'<script type="module">import {{ hooks }} from {script_json(hooks_url(core))};'
        f"const desktopCompat = {hook};"
        "hooks?.main?.onReady?.add(desktopCompat); hooks?.worker?.onReady?.add(desktopCompat);</script>"
    )


#: A package the bundle has in another version than the page pins (server.pins: `bokeh==3.2.2`, the
#: bundle's 3.6.0 stands in) warns of deprecations the pinned version never had: bokeh 3.6 deprecates
#: `circle(size=...)`, which every bokeh 3.2 example calls. PyScript shows stderr as a red error box, so
#: the page looked broken for what is the app's substitution, not the page's code. The stand-in's
#: deprecation warnings (its own warning classes, or raised in its own files) go to the console with the
#: substitution named; every other warning is shown as before. {module: note} is filled in per page.
_STANDIN_WARNINGS = """\
try:
    import warnings as _desktop_warnings

    def _desktop_standin_hook(standins, show=_desktop_warnings.showwarning):
        def showwarning(message, category, filename, lineno, file=None, line=None):
            top = (getattr(category, "__module__", "") or "").split(".")[0]
            found = top if top in standins else None
            for name in standins:
                if found is None and ("/" + name + "/") in str(filename):
                    found = name
            if found is not None and issubclass(category, (DeprecationWarning, PendingDeprecationWarning, FutureWarning)):
                import js
                js.console.warn("[pyscript-desktop] " + category.__name__ + ": " + str(message) + " (" + standins[found] + ")")
                return
            show(message, category, filename, lineno, file, line)
        return showwarning

    if not getattr(_desktop_warnings.showwarning, "desktop_standins", False):  # once, not per script
        _desktop_warnings.showwarning = _desktop_standin_hook(STANDINS)
        _desktop_warnings.showwarning.desktop_standins = True
    del _desktop_warnings, _desktop_standin_hook
except Exception:
    pass
"""


def standin_warnings_snippet(core: str, standins: Mapping[str, str]) -> str:
    """A module script sending the deprecation warnings of stand-in packages ({import name: note}) to the
    console instead of the page (or nothing, when no pinned version was replaced)."""
    if not standins:
        return ""
    return hook_snippet(core, _STANDIN_WARNINGS.replace("STANDINS", json.dumps(dict(standins), sort_keys=True)))
