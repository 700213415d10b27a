"""A built app on the system's Python and web engine (`build --engine system`): no Qt, no frozen Python.

The app folder is the app's own source (`main.py`, `desktop/`), the pure-Python libraries
it imports (`lib/`, copied from the distributions this build runs with), the icons, the
pages and their trimmed runtime. It runs on the distribution's Python 3 with WebKitGTK
through PyGObject (python3-gi, gir1.2-webkit2-4.1), which the .deb depends on instead
of carrying them.

Why not a freeze without the engine: PyGObject is built against the distribution's Python
and loads GTK and WebKit through their typelibs; PyInstaller's hooks for it collect GTK,
WebKit and their libraries into the app (the size this option exists to avoid), and a
frozen interpreter would load the system's compiled `gi` only by accident of matching ABIs.
The system's Python is what python3-gi is built for, and the app's own code is pure Python.

Libraries come from this build's environment (the versions the tests ran with) rather than
Debian's python3-* packages, which are older than the pinned minimums (bottle 0.12, rich 13.3)
or missing (watchfiles). watchfiles carries a compiled module for this Python's minor
version, so the .deb depends on that minor version of python3.
"""

from __future__ import annotations

import compileall
import py_compile
import importlib.metadata
import os
import shutil
import sys
import tomllib
from pathlib import Path

from ..runtime.bundle import RuntimeBundle
from ..settings import app_root
from .appconfig import AppConfig
from .assemble import write_launch_config
from .pyinstaller import PackagingError
from .runtime import RuntimeSelection, write_runtime

__all__ = ["assemble_system", "system_release_app", "system_depends", "vendored_distributions", "copy_distribution",
           "ENGINE_DEPENDS", "PROJECT"]

#: What the system must provide: PyGObject with its cairo bridge (screenshots), WebKitGTK 4.1's typelib
#: (which brings WebKitGTK and GTK 3), fonts, D-Bus. Python itself is added by system_depends().
ENGINE_DEPENDS = ["python3-gi", "python3-gi-cairo", "gir1.2-webkit2-4.1", "gir1.2-gtk-3.0", "libfontconfig1"]
#: The distribution this app is (its requirements are what gets vendored).
PROJECT = "pyscript-desktop"
_SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", ".*")

_MAIN = '''"""Entry point of PyScript Desktop on the system's Python (made by `build --engine system`)."""

import os
import sys

sys.dont_write_bytecode = True  # the app folder is read-only (/opt): nothing may appear there
_here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(1, os.path.join(_here, "lib"))  # after the app's own folder, before the system's packages
os.environ.setdefault("PYSCRIPT_DESKTOP_GUI", "gtk")  # the system's web engine

from desktop.__main__ import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
'''

_LAUNCHER = '''#!/bin/sh
# {name} on the system's Python 3 and WebKitGTK.
exec /usr/bin/python3 -s -B "$(dirname "$(readlink -f "$0")")/main.py" "$@"
'''


def system_depends() -> str:
    """The .deb's Depends: this Python's minor version (compiled modules in lib/) and the engine."""
    major, minor = sys.version_info[:2]
    return ", ".join([f"python3 (>= {major}.{minor})", f"python3 (<< {major}.{minor + 1})", *ENGINE_DEPENDS])


def _requirements(requires: list[str] | None) -> list[str]:
    """Names of what these requirements ask for on Linux with this Python, extras left out."""
    from packaging.requirements import Requirement
    names = []
    for text in requires or []:
        requirement = Requirement(text)
        if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
            names.append(requirement.name)
    return names


def vendored_distributions() -> list[importlib.metadata.Distribution]:
    """The installed distributions the app needs at run time: the closure of pyproject.toml's dependencies."""
    root = PROJECT
    project = tomllib.loads((app_root() / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    queue = _requirements(project["dependencies"])
    found: dict[str, importlib.metadata.Distribution] = {}
    while queue:
        name = queue.pop().lower().replace("_", "-")
        if name in found:
            continue
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            raise PackagingError(f"{name}, which {root} needs, is not installed in {sys.prefix}.",
                                 "Install the checkout's dependencies: .venv/bin/python -m pip install -e .") from None
        found[name] = dist
        queue += _requirements(dist.requires)
    return [found[n] for n in sorted(found)]


def copy_distribution(dist: importlib.metadata.Distribution, lib: Path) -> None:
    """Every file the distribution installed into site-packages (its RECORD), byte code and scripts left out."""
    base = Path(str(dist.locate_file("")))
    for file in dist.files or []:
        parts = Path(file).parts
        if not parts or parts[0] == ".." or "__pycache__" in parts or file.suffix == ".pyc":
            continue
        source = base / file
        if not source.is_file():
            continue
        target = lib / file
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


def _code(dest: Path, name: str, executable: str) -> None:
    """The app's code, its libraries, icons and the executable into the new folder `dest`."""
    root = app_root()
    dest.mkdir(parents=True)
    shutil.copytree(root / "desktop", dest / "desktop", ignore=_SKIP)
    (dest / "main.py").write_text(_MAIN, encoding="utf-8")
    lib = dest / "lib"
    lib.mkdir()
    for dist in vendored_distributions():
        copy_distribution(dist, lib)
    icons = dest / "icons"
    icons.mkdir()
    for icon in sorted((root / "build_spec" / "icons").glob("pyscript-desktop-*.png")):
        shutil.copy2(icon, icons / icon.name)
    launcher = dest / executable
    launcher.write_text(_LAUNCHER.format(name=name), encoding="utf-8")
    launcher.chmod(0o755)


def _compile(dest: Path) -> None:
    """Byte code made now, checked by hash rather than time: the installed app never writes it."""
    for folder in (dest / "desktop", dest / "lib"):
        if not compileall.compile_dir(folder, quiet=2, workers=1,
                                      invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH):
            raise PackagingError(f"Python could not compile the app's code in {folder}.")


def assemble_system(config: AppConfig, bundle: RuntimeBundle, selection: RuntimeSelection, dest: Path) -> Path:
    """Write the system-engine app folder `dest` (which must not exist); returns it."""
    _code(dest, config.name, config.slug)
    shutil.copytree(config.folder, dest / "pages", ignore=_SKIP)
    write_runtime(bundle, selection, dest / "bundled_runtime")
    write_launch_config(dest, config)
    _compile(dest)
    return dest


def system_release_app(dest: Path, runtime: Path, pages: Path, executable: str) -> Path:
    """PyScript Desktop itself on the system engine: its example pages and the whole runtime."""
    _code(dest, "PyScript Desktop", executable)
    shutil.copytree(pages, dest / "pages", ignore=_SKIP)
    shutil.copytree(runtime, dest / "bundled_runtime", symlinks=False, ignore=shutil.ignore_patterns("__pycache__"))
    _compile(dest)
    os.chmod(dest, 0o755)
    return dest
