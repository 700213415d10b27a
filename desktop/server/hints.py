"""Preload hints: the runtime files a PyScript page is about to ask for, named first in its <head>.

PyScript reaches its interpreter through a chain: core.js imports its chunk, the chunk imports
its plugins and, once the page is parsed, the interpreter's module, which only then fetches its
WebAssembly and data. Each link is asked for when the one before has run. Named up front,
every file is fetched (and every module parsed) at once, while the page is still being read.
The gain measured here is small: a warm MicroPython hello 462 against 487 ms (median of 8),
within the noise for Pyodide pages.

Only what the page certainly loads is named: the bundled core's chunk and start-up plugins (read
from the core's own files), and the default interpreter of each kind the page's main-thread
scripts use with the small files it fetches first (for Pyodide, where the app's start module
stands in for pyodide.mjs, also the real module and the start module's own import, named by the
server). A page that names its own interpreter URL, or runs its Python only in workers, gets the
core's files only. Every hint matches the request the runtime makes (same URL, `crossorigin` for
`fetch()`), or the engine would fetch the file twice.

Large files are not named: Pyodide's 10 MB WebAssembly and 6 MB standard library, the 20 MB
start image and the package wheels, all asked for at once, made a warm numpy + matplotlib start
0.8 s slower here (4.7 s against 3.9 s, 2-core machine): their reads compete with the scripts
that have to run first, and the runtime asks for them soon enough itself.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = ["CoreLayout", "Hint", "core_layout", "hint_links", "interpreter_files", "INTERPRETER_FILES"]

#: core.js re-exports its chunk: `export{...}from"./core-XXXX.js"`.
_STATIC_IMPORT = re.compile(r"""\bfrom\s*["']\./([\w.-]+\.js)["']""")
#: The plugins PyScript imports at every start: `{..., "py-editor":()=>import("./py-editor-XXXX.js"), ...}`.
#: Found from the arrow (a fixed text the engine scans for quickly), then the key before it is
#: checked: a pattern starting with the key is tried at every word of the 137 KB chunk, 22 ms
#: of the first page a new app process serves, against 0.3 ms this way.
_PLUGIN = re.compile(r"""\(\)\s*=>\s*import\(\s*["']\./([\w.-]+\.js)["']\s*\)""")
_PLUGIN_KEY = re.compile(r"""["']?[\w-]+["']?\s*:\s*$""")
#: Each interpreter's default module: `{type:"pyodide",module:(e="0.27.7")=>`https://.../v${e}/full/pyodide.mjs``.
_DEFAULT_MODULE = re.compile(r"""type:\s*["'](\w+)["']\s*,\s*module:\s*\(\s*(\w+)\s*=\s*["']([^"']+)["']\s*\)\s*=>\s*`([^`]+)`""")

#: The small files each interpreter's module fetches first, beside itself: (file, how it is asked for).
INTERPRETER_FILES: dict[str, tuple[tuple[str, str], ...]] = {
    "micropython": (("micropython.wasm", "fetch"),),  # 0.4 MB
    "pyodide": (("pyodide.asm.js", "module"), ("pyodide-lock.json", "fetch")),
}


@dataclass(frozen=True)
class Hint:
    """One file to fetch early: "module" (modulepreload) or "fetch" (preload as fetch)."""

    url: str
    how: str = "module"


@dataclass(frozen=True)
class CoreLayout:
    """What one bundled PyScript core loads at every start."""

    chunks: tuple[str, ...]  # file names beside core.js: its chunk and the start-up plugins
    interpreters: dict[str, str]  # interpreter type -> its default module URL (a CDN URL)


@lru_cache(maxsize=8)
def _layout(dist: str, mtime_ns: int) -> CoreLayout:
    folder = Path(dist)
    entry = (folder / "core.js").read_text(encoding="utf-8", errors="replace")
    chunks: list[str] = []
    interpreters: dict[str, str] = {}
    for name in _STATIC_IMPORT.findall(entry):
        if name in chunks or not (folder / name).is_file():
            continue
        chunks.append(name)
        text = (folder / name).read_text(encoding="utf-8", errors="replace")
        plugins = [m[1] for m in _PLUGIN.finditer(text) if _PLUGIN_KEY.search(text, max(0, m.start() - 100), m.start())]
        chunks += [p for p in dict.fromkeys(plugins) if p not in chunks and (folder / p).is_file()]
        for kind, variable, version, template in _DEFAULT_MODULE.findall(text):
            interpreters.setdefault(kind, template.replace("${" + variable + "}", version))
    return CoreLayout(tuple(chunks), interpreters)


def core_layout(dist: Path) -> CoreLayout:
    """The layout of the core in `dist` (its `dist/` folder); empty when it is not laid out as expected."""
    try:
        return _layout(str(dist), (dist / "core.js").stat().st_mtime_ns)
    except OSError:
        return CoreLayout((), {})


def interpreter_files(kind: str, module_url: str) -> list[Hint]:
    """An interpreter's module and the files it fetches at start, beside it."""
    base = module_url.rsplit("/", 1)[0] + "/"
    return [Hint(module_url)] + [Hint(base + name, how) for name, how in INTERPRETER_FILES.get(kind, ())]


def hint_links(hints: list[Hint]) -> str:
    """<link> elements: modulepreload for modules, preload as fetch for everything else."""
    links = []
    for hint in dict.fromkeys(hints):
        href = html.escape(hint.url, quote=True)
        if hint.how == "module":
            links.append(f'<link rel="modulepreload" href="{href}">')
        else:
            links.append(f'<link rel="preload" as="fetch" crossorigin="anonymous" href="{href}">')
    return "".join(links)
