"""PyScript's JavaScript `PyWorker()` made to wait until its core can give the worker PyScript.

From `@pyscript/core` 0.6.13 (2024.10.2) on, the core registers what a worker gets from it (the
`pyscript` module, `codeBeforeRun`, every `hooks.worker` callback) only once its plugins have
loaded, asynchronously; `PyWorker()` means to wait for that, but awaits the plugin loader function
instead of calling it (`await configs.get(TYPE).plugins`; still so in 0.7.31). A page that calls
`PyWorker("w.py")` as soon as its module script has imported the core, the usual way, so gets a bare
Pyodide worker: `from pyscript import sync` raises "No module named 'pyscript'", and the app's
error hook never reaches that worker, so its traceback lands only in the console. (Served from a CDN
the race is lost as often: the plugins are network fetches.)

The served entry module (`dist/core.js`, a one-line re-export of the core's chunk) therefore hands
out a `PyWorker`/`MPWorker` that first waits for the core's `py-script`/`mpy-script` element
(defined in the same step that registers the worker hooks), then calls the core's own. A core whose
config failed never defines the element; after a few seconds the worker starts as PyScript would
have started it.

The 0.3 cores (2023.11.1-2024.1.3) race the same way, but their `PyWorker()` returns the worker at
once, so there is nothing to wait in: their entry waits instead (a top-level await), which holds
back every module that imports it, the page's `import { PyWorker } from ".../core.js"` included.
The app's own hook scripts must be registered before the core starts, so they import the entry as
published (`core.js?desktop=hooks`, answered without the wait; the chunk, and so `hooks`, is one).
"""

from __future__ import annotations

import re

__all__ = ["HOOKS_QUERY", "WAITS_FROM", "workers_after_hooks"]

#: The first core whose `PyWorker()` can start before the worker hooks exist (an async PyWorker).
WAITS_FROM = (0, 6, 13)
#: The cores whose synchronous `PyWorker()` races too: their entry waits as a whole.
_SYNC_WORKERS = ((0, 3), (0, 4))
#: The query of the entry as published, for the app's hook scripts.
HOOKS_QUERY = "desktop=hooks"

_ENTRY = re.compile(r'\Aexport\{(?P<names>[^}]*)\}from"(?P<chunk>\./core-[\w-]+\.js)";')
_WORKERS = {"PyWorker": "py-script", "MPWorker": "mpy-script"}
#: How long a worker waits for a core that never defines its element (a broken config).
_GIVE_UP_MS = 5000


def _version(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split("."))
    except ValueError:
        return ()


def workers_after_hooks(text: str, version: str) -> str:
    """The text of core `version`'s `dist/core.js`, with `PyWorker`/`MPWorker` waiting for the worker
    hooks; unchanged for cores without the race or an entry module of another shape."""
    ordered = _version(version)
    match = _ENTRY.match(text)
    if match is None:
        return text
    hooked = ("Promise.race([customElements.whenDefined(\"py-script\"),"
              f"new Promise((resolve)=>setTimeout(resolve,{_GIVE_UP_MS}))])")
    if _SYNC_WORKERS[0] <= ordered < _SYNC_WORKERS[1]:
        return text[:match.end()] + f"\nawait {hooked};" + text[match.end():]
    if ordered < WAITS_FROM:
        return text
    names: dict[str, str] = {}  # exported name -> the chunk's local name
    for part in match["names"].split(","):
        local, _, name = part.partition(" as ")
        if name:
            names[name] = local
    wrapped = {name: names[name] for name in _WORKERS if name in names}
    if not wrapped:
        return text
    chunk = match["chunk"]
    kept = ",".join(f"{local} as {name}" for name, local in names.items() if name not in wrapped)
    imports = ",".join(f"{local} as _{name}" for name, local in wrapped.items())
    lines = [
        f'import{{{imports}}}from"{chunk}";',
        f'export{{{kept}}}from"{chunk}";',
        "const _hooked=(tag)=>Promise.race([customElements.whenDefined(tag),"
        f"new Promise((resolve)=>setTimeout(resolve,{_GIVE_UP_MS}))]);",
    ]
    for name in wrapped:
        lines.append(f'export const {name}=async(...args)=>(await _hooked("{_WORKERS[name]}"),_{name}(...args));')
    return "\n".join(lines) + text[match.end():]
