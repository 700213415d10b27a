"""The external-tool wrappers (desktop/tools.py): found on a real PATH, and a missing one is a
DesktopError of its caller's layer that says how to get it. And nothing else looks programs up."""

from __future__ import annotations

import ast
import os
import stat
import sys
from pathlib import Path

import pytest

from desktop import tools
from desktop.errors import DesktopError, FetchError, PackagingError
from desktop.runtime.npm import Npm
from desktop.settings import app_root
from desktop.tools import DpkgDeb, Node, PyInstaller, SystemPython, Tool, Xset

ALL_TOOLS = [cls for cls in vars(tools).values() if isinstance(cls, type) and issubclass(cls, Tool) and cls is not Tool]
ALL_TOOLS.append(Npm)


def _path_with(tmp_path: Path, *names: str) -> str:
    """A folder holding a do-nothing program for each name (a .bat on Windows, where PATHEXT decides)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for name in names:
        if os.name == "nt":
            (folder / f"{name}.bat").write_text("@exit /b 0\r\n")
            continue
        program = folder / name
        program.write_text("#!/bin/sh\nexit 0\n")
        program.chmod(program.stat().st_mode | stat.S_IXUSR)
    return str(folder)


@pytest.mark.parametrize("tool", [Node, Npm, DpkgDeb, Xset], ids=lambda t: t.command)
def test_a_tool_on_path_is_found_and_verify_returns_it(tool, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", _path_with(tmp_path, tool.command))
    found = tool.find()
    assert found.available()
    program = Path(found.verify())
    assert program.parent == tmp_path / "bin" and program.name.lower().startswith(tool.command)


@pytest.mark.parametrize(("tool", "error"), [(Node, FetchError), (Npm, FetchError), (DpkgDeb, PackagingError)],
                         ids=lambda t: getattr(t, "command", t.__name__))
def test_a_missing_tool_raises_its_layers_error_with_a_next_step(tool, error, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", _path_with(tmp_path))  # an empty folder: nothing is installed
    found = tool.find()
    assert not found.available()
    with pytest.raises(error) as raised:
        found.verify()
    assert "is not installed" in raised.value.message
    assert raised.value.hint and "install" in raised.value.hint.lower()


def test_the_messages_read_as_before():
    """The wording people (and older tests) know: npm's and Node's messages kept their text."""
    with pytest.raises(FetchError, match="^The npm client is not installed, and it is needed to download"):
        Npm(None).verify()
    with pytest.raises(FetchError, match="^Node.js is not installed, and it runs the bundle's Pyodide"):
        Node(None).verify()


@pytest.mark.parametrize("tool", ALL_TOOLS, ids=lambda t: t.__name__)
def test_every_tool_says_what_it_is_for_and_how_to_get_it(tool):
    assert tool.command and tool.purpose and tool.install
    assert issubclass(tool.error, DesktopError)


def test_this_python_runs_pip_and_pyinstaller_outside_a_frozen_app():
    assert SystemPython.find().verify() == sys.executable
    pyinstaller = PyInstaller.find()
    if pyinstaller.available():  # the test extras install it
        assert pyinstaller.verify() == sys.executable
    else:
        with pytest.raises(PackagingError, match="PyInstaller is not installed"):
            pyinstaller.verify()


def test_no_module_but_tools_looks_programs_up_on_path():
    """One place knows how programs are found: a new `shutil.which` elsewhere fails here."""
    package = app_root() / "desktop"
    offenders = []
    for path in sorted(package.rglob("*.py")):
        if path == package / "tools.py" or "static" in path.relative_to(package).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "which" and getattr(node.value, "id", "") == "shutil":
                offenders.append(f"{path.relative_to(package.parent)}:{node.lineno}")
            if isinstance(node, ast.ImportFrom) and node.module == "shutil" and any(a.name == "which" for a in node.names):
                offenders.append(f"{path.relative_to(package.parent)}:{node.lineno}")
    assert not offenders, "look programs up through desktop.tools (a Tool subclass), not shutil.which: " + ", ".join(offenders)


def test_path_is_read_at_find_time(tmp_path, monkeypatch):
    """A tool installed while the app runs is found by the next find() (nothing is cached)."""
    monkeypatch.setenv("PATH", str(tmp_path))
    assert not Node.find().available()
    monkeypatch.setenv("PATH", _path_with(tmp_path, "node") + os.pathsep + str(tmp_path))
    assert Node.find().available()
