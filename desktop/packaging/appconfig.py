"""`APP_DIR/desktop.toml`: what a built app is called and how it starts, checked before anything is built.

    name = "Sales Dashboard"        # the window's app name, executable and installer name (default: the folder's)
    version = "1.0.0"               # the installers' version (default 0.1.0)
    entry = "index.html"            # the page it opens (default: index.html, else the only page)
    icon = "icon.png"               # PNG (any size; 256 px or more looks best)
    packages = ["humanize"]         # extra packages, beyond what the pages' configs name
    [window]
    width = 1200
    height = 800
    [kiosk]                         # present = start in kiosk mode; any kiosk.toml key (exit_chord, ...)
    exit_chord = "Ctrl+Alt+Shift+Q"
    [grants]                        # folders the pages may read or write on the target machine
    read = ["~/Documents/sales"]
    write = []

Every key is known and typed; a mistake is a ConfigError naming the key.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..entryformat import UnsafeValue, check_text
from ..errors import ConfigError
from ..tomlfile import TomlFile

__all__ = ["AppConfig", "load_app_config", "CONFIG_NAME", "slug"]

CONFIG_NAME = "desktop.toml"
_TOP = {"name", "version", "entry", "icon", "packages", "window", "kiosk", "grants"}
_WINDOW = {"width", "height"}
_GRANTS = {"read", "write"}


def slug(name: str) -> str:
    """A file and package name for `name`: lower case, digits and dashes ("Sales Dashboard" -> "sales-dashboard")."""
    text = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return text or "app"


@dataclass(frozen=True)
class AppConfig:
    """A folder of pages as an app: its identity, first page, window and permissions."""

    folder: Path
    name: str
    version: str = "0.1.0"
    entry: str = "index.html"
    icon: Path | None = None
    packages: tuple[str, ...] = ()
    size: tuple[int, int] | None = None
    kiosk: dict[str, Any] | None = None  # kiosk.toml keys; None = a normal window
    grants_read: tuple[str, ...] = ()
    grants_write: tuple[str, ...] = ()
    source: Path | None = None  # the desktop.toml read, if any
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return slug(self.name)


_OUTCOME = "nothing was built"


def _fail(source: Path, message: str, hint: str | None = None) -> ConfigError:
    return ConfigError(f"{source}: {message}.", hint or "Fix desktop.toml and run build again; nothing was built.")


def _single_line(source: Path, key: str, value: str) -> str:
    """`value`, or a ConfigError naming `key` when it holds a control character: values reach menu
    entries, control files and start commands, where a newline starts a new line of their own."""
    try:
        return check_text(value, key)
    except UnsafeValue as exc:
        raise _fail(source, exc.message.rstrip("."), exc.hint) from None


def _text(source: Path, data: dict, key: str, default: str) -> str:
    value = data.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise _fail(source, f"{key} must be a non-empty string, not {value!r}")
    return _single_line(source, key, value.strip())


def _strings(source: Path, value: Any, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _fail(source, f"{key} must be a list of strings, not {value!r}")
    return tuple(_single_line(source, key, v.strip()) for v in value)


#: What the build leaves out of the copied pages (assemble's ignore patterns): not checked either.
_SKIPPED = re.compile(r"^\..*|__pycache__|.*\.pyc$")


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _check_tree(folder: Path) -> None:
    """Refuse an app folder whose copy would take files from elsewhere: a symlink leading out of
    it (the build follows links, so it would copy what they point at), a link back to a folder
    above itself (an endless copy), or a FIFO/device (a read that never ends)."""
    for top, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = [d for d in dirs if not _SKIPPED.fullmatch(d)]
        for name in dirs + [f for f in files if not _SKIPPED.fullmatch(f)]:
            path = Path(top) / name
            rel = path.relative_to(folder).as_posix()
            if path.is_symlink():
                target = Path(os.path.realpath(path))
                if not _inside(target, folder):
                    raise ConfigError(f"{rel} in {folder} is a symlink leading outside the app folder (to {os.readlink(path)}).",
                                      "Copy the file into the app folder instead of linking to it; nothing was built.")
                if target.is_dir() and _inside(path.parent.resolve(), target):
                    raise ConfigError(f"{rel} in {folder} is a symlink to a folder that holds it (an endless copy).",
                                      "Remove the link; nothing was built.")
                mode = os.stat(path).st_mode if target.exists() else 0
            else:
                mode = os.lstat(path).st_mode
            if mode and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                raise ConfigError(f"{rel} in {folder} is not a regular file or folder (a device, FIFO or socket).",
                                  "Remove it from the app folder; nothing was built.")


def _icon_inside(source: Path, folder: Path, name: str) -> Path:
    """desktop.toml's icon: a regular file inside the app folder (after following symlinks)."""
    path = Path(os.path.realpath(folder / name))
    if Path(name).is_absolute() or not _inside(path, folder):
        raise _fail(source, f"icon {name!r} is outside the app folder {folder}",
                    "Put the icon in the app folder and name it relative to it (icon = \"icon.png\"), "
                    "or give it with --icon; nothing was built.")
    if not path.is_file():
        raise _fail(source, f"icon {name!r} is not a file in {folder}", "Give a PNG file (256 x 256 pixels or more looks best).")
    return path


def _pages(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.htm*") if p.suffix.lower() in (".html", ".htm"))


def load_app_config(folder: Path, *, name: str | None = None, icon: Path | None = None, kiosk: bool = False) -> AppConfig:
    """The app described by `folder` (its desktop.toml if any), with command-line overrides applied."""
    folder = folder.expanduser().resolve()
    if not folder.is_dir():
        raise ConfigError(f"{folder} is not a folder.", "Give build the folder that holds your pages.")
    _check_tree(folder)  # before anything reads the pages: nothing is read through a link out of the folder
    pages = _pages(folder)
    if not pages:
        raise ConfigError(f"{folder} has no .html pages.", "Put your PyScript pages (at least an index.html) in the folder.")
    source = folder / CONFIG_NAME
    toml = TomlFile.read(source, outcome=_OUTCOME) if source.is_file() else TomlFile(source, "", {}, _OUTCOME)
    data = toml.data
    toml.unknown(data, _TOP)
    default_name = folder.name.replace("-", " ").replace("_", " ").strip().title() or "App"
    app_name = _single_line(source, "name", name.strip()) if name else _text(source, data, "name", default_name)
    version = _text(source, data, "version", "0.1.0")
    if not re.fullmatch(r"[0-9][0-9A-Za-z.+~-]*", version):
        raise _fail(source, f"version must start with a digit and use letters, digits and . + ~ - only, not {version!r}")
    default_entry = "index.html" if "index.html" in pages else pages[0]
    entry = _text(source, data, "entry", default_entry)
    if entry not in pages:
        raise _fail(source, f"entry {entry!r} is not a page in {folder}", f"Pages there: {', '.join(pages[:10])}.")
    if icon is None and "icon" in data:
        icon = _icon_inside(source, folder, _text(source, data, "icon", ""))
    if icon is not None:
        icon = icon.expanduser().resolve()
        if not icon.is_file():
            raise ConfigError(f"The icon {icon} does not exist.", "Give a PNG file (256 x 256 pixels or more looks best).")
    packages = _strings(source, data.get("packages", []), "packages")
    size = None
    window = data.get("window", {})
    if not isinstance(window, dict):
        raise _fail(source, "window must be a table: [window] with width and height")
    toml.unknown(window, _WINDOW, "window")
    if window:
        w, h = window.get("width", 1000), window.get("height", 750)
        if not all(isinstance(v, int) and not isinstance(v, bool) and 100 <= v <= 10000 for v in (w, h)):
            raise _fail(source, f"[window] width and height must be whole numbers of pixels from 100 to 10000, not {w!r} x {h!r}")
        size = (w, h)
    kiosk_table = data.get("kiosk")
    if kiosk_table is not None and not isinstance(kiosk_table, dict):
        raise _fail(source, "kiosk must be a table: [kiosk] with kiosk.toml keys (or empty)")
    if kiosk_table is not None:
        from ..kiosk.config import TOP_KEYS

        toml.unknown(kiosk_table, TOP_KEYS - {"home", "pages", "grants"}, "kiosk")
    if kiosk and kiosk_table is None:
        kiosk_table = {}
    grants = data.get("grants", {})
    if not isinstance(grants, dict):
        raise _fail(source, "grants must be a table: [grants] with read = [...] and write = [...]")
    toml.unknown(grants, _GRANTS, "grants")
    return AppConfig(
        folder=folder, name=app_name, version=version, entry=entry, icon=icon, packages=packages, size=size,
        kiosk=kiosk_table, grants_read=_strings(source, grants.get("read", []), "grants.read"),
        grants_write=_strings(source, grants.get("write", []), "grants.write"),
        source=source if source.is_file() else None,
    )
