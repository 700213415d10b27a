"""Every module of the package says what it offers: each public name it defines is in its `__all__`,
and every name in `__all__` exists. A name that is not meant for other modules starts with `_`."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from desktop.settings import app_root

PACKAGE = app_root() / "desktop"


def _module_names() -> list[str]:
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        if "static" in rel.parts:  # page code, run in Pyodide
            continue
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        names.append(".".join(parts))
    return names


def _path(module: str) -> Path:
    base = PACKAGE.parent.joinpath(*module.split("."))
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


def _defined(tree: ast.Module) -> dict[str, int]:
    """Names the module itself binds at top level (def, class, assignment; also inside top-level if/try),
    with their lines. Imported names are not counted: a module re-exports one only by listing it."""
    found: dict[str, int] = {}

    def targets(node: ast.AST) -> list[ast.Name]:
        return [n for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)]

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                found.setdefault(node.name, node.lineno)
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    for name in targets(target):
                        found.setdefault(name.id, node.lineno)
            elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and isinstance(node.target, ast.Name):
                found.setdefault(node.target.id, node.lineno)
            elif isinstance(node, ast.If):
                if not (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"):
                    visit(node.body)
                    visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
                for handler in node.handlers:
                    visit(handler.body)
                visit(node.orelse)
                visit(node.finalbody)

    visit(tree.body)
    return found


MODULES = _module_names()


@pytest.mark.parametrize("module", MODULES)
def test_public_names_are_in_all_and_all_names_exist(module):
    path = _path(module)
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    defined = _defined(tree)
    assert "__all__" in defined, f"{path.relative_to(PACKAGE.parent)} has no __all__"
    imported = importlib.import_module(module)
    exported = list(imported.__all__)
    assert len(exported) == len(set(exported)), f"{module}.__all__ names something twice"
    missing = [name for name in exported if not hasattr(imported, name)]
    assert not missing, f"{module}.__all__ names what the module does not have: {missing}"
    unlisted = [f"{name} (line {line})" for name, line in sorted(defined.items(), key=lambda item: item[1])
                if not name.startswith("_") and name not in exported]
    assert not unlisted, (f"{path.relative_to(PACKAGE.parent)}: public names missing from __all__ "
                          f"(add them, or start them with _ if only this module uses them): {', '.join(unlisted)}")
