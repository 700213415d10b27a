"""The import-layer contract of the `desktop` package, read from the source with `ast`.

Data flows one way: CLI -> settings -> runtime bundle -> server -> window -> page -> bridge. In
imports that becomes the list of layers below, top to bottom: a module may import from its own
layer or any layer below it, never from one above, and no two modules (or packages) may import
each other, directly or round a longer loop. Every import counts: at module level, inside a
function (the usual way to "break" a cycle only hides it), and under `if TYPE_CHECKING:`.

The layers, as the code has them (top to bottom):

    entry      __main__, cli, commands     parse the command line and compose everything below
    export     export                      pages plus their runtime for a static host (uses packaging's scan)
    packaging  packaging                   `build` and installers (reads kiosk.toml's keys, classic configs)
    kiosk      kiosk                       kiosk mode: a session in a locked-down window, supervised
    session    session                     one launch's server pool, bridge and window app, composed
    window     window                      the native window, menus, dialogs, single instance
    page       bridge, classic             what pages get: the files bridge, the classic PyScript layer
    server     server                      the loopback server; window and page plug into its
                                           injections and mounts, so they sit above it
    settings   settings                    where things live, decided once at start-up
    runtime    runtime                     the pinned manifest and the bundle on disk (takes paths, not settings)
    shared     desktop (the package's __init__), errors, console, tools, tomlfile, entryformat
                                           bottom utilities any layer may use

The brief's data-flow order puts the server above the window and page: in imports it is the
other way round, because the server only defines the hooks (`Injection`, mounts) that the
window and the bridge implement; what flows from server to window is a URL, not an import.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from desktop.settings import app_root

PACKAGE = app_root() / "desktop"

#: Top to bottom. The names are the first component under `desktop` (a subpackage or a module).
LAYERS: list[tuple[str, set[str]]] = [
    ("entry", {"__main__", "cli", "commands"}),
    ("export", {"export"}),
    ("packaging", {"packaging"}),
    ("kiosk", {"kiosk"}),
    ("session", {"session"}),
    ("window", {"window"}),
    ("page", {"bridge", "classic"}),
    ("server", {"server"}),
    ("settings", {"settings"}),
    ("runtime", {"runtime"}),
    ("shared", {"", "errors", "console", "tools", "tomlfile", "entryformat"}),
]


def _modules() -> dict[str, Path]:
    """Dotted name -> file, for every module of the package (not static/: that is page code, run in Pyodide)."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        if "static" in rel.parts:
            continue
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imports(modules: dict[str, Path]) -> dict[str, dict[str, int]]:
    """Module -> {imported desktop module: first line}. `from .x import y` counts as importing x.y when
    that is a module, else x; every import statement anywhere in the file counts."""
    graph: dict[str, dict[str, int]] = defaultdict(dict)
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    source = ".".join(base + ([node.module] if node.module else []))
                else:
                    source = node.module or ""
                targets = [f"{source}.{a.name}" if f"{source}.{a.name}" in modules else source for a in node.names]
            for target in targets:
                while target and target not in modules:  # `import desktop.server.app as x` and the like
                    target = target.rpartition(".")[0]
                if target.startswith("desktop") and target != name:
                    graph[name].setdefault(target, node.lineno)
    return graph


def _top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _layer_of(module: str) -> int:
    for index, (_, names) in enumerate(LAYERS):
        if _top(module) in names:
            return index
    raise AssertionError(f"{module} is in no layer: add `{_top(module)}` to LAYERS in {__file__} (and say why)")


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


MODULES = _modules()
GRAPH = _imports(MODULES)


def test_the_graph_sees_function_level_and_type_checking_imports():
    """The reader itself: a function-level import and a TYPE_CHECKING one are edges like any other."""
    assert "desktop.runtime.bundle" in GRAPH["desktop.cli"]  # imported inside version_text()
    assert "desktop.window.app" in GRAPH["desktop.window.pickers"]  # under `if TYPE_CHECKING:`
    assert "desktop.server.inject" in GRAPH["desktop.bridge.inject"]  # a plain module-level import


def test_every_module_is_in_a_layer():
    for module in MODULES:
        _layer_of(module)


def test_no_module_imports_from_a_layer_above_it():
    upward = []
    for module, targets in sorted(GRAPH.items()):
        for target, line in sorted(targets.items()):
            if _layer_of(target) < _layer_of(module):
                upward.append(f"{MODULES[module].relative_to(PACKAGE.parent)}:{line}: {module} "
                              f"({LAYERS[_layer_of(module)][0]}) imports {target} ({LAYERS[_layer_of(target)][0]})")
    assert not upward, "imports from a layer above (see this test's docstring for the layers):\n" + "\n".join(upward)


def test_no_import_cycle_between_modules():
    cycles = _cycles({module: set(targets) for module, targets in GRAPH.items()})
    assert not cycles, "modules that import each other (one loop per line):\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_no_import_cycle_between_packages():
    """Subpackages (and top-level modules) as wholes: `bridge` and `classic` share a layer, so only this
    test stops one importing the other both ways."""
    packages: dict[str, set[str]] = defaultdict(set)
    for module, targets in GRAPH.items():
        for target in targets:
            if _top(target) != _top(module):
                packages[_top(module)].add(_top(target))
    cycles = _cycles(packages)
    loops = [" <-> ".join(name or "desktop" for name in cycle) for cycle in cycles]
    assert not cycles, "packages that import each other (one loop per line):\n" + "\n".join(loops)
