"""kiosk.toml (or a single page) into one frozen, fully checked `KioskConfig`.

The kiosk never starts half-configured: every key is known, every value has
the right type and range, every page exists. A mistake is a `ConfigError`
naming the file, the line and the reason, raised before any window or child
process is started.
"""

from __future__ import annotations

import getpass
import math
import re
import socket
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..tomlfile import TomlFile

__all__ = ["BOUNDS", "Chord", "KioskConfig", "PageEntry", "RestartPolicy", "load_config", "parse_config", "DAY_NAMES", "TOP_KEYS", "PAGE_KEYS", "GRANT_KEYS", "RESTART_KEYS", "placeholders"]

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_ALIASES = {name: i for i, name in enumerate(DAY_NAMES)} | {
    full: i for i, full in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))
}
_MODIFIERS = {"ctrl": "ctrl", "control": "ctrl", "alt": "alt", "shift": "shift", "meta": "meta", "super": "meta"}
_PAGE_SUFFIXES = (".html", ".htm")

TOP_KEYS = {
    "home", "pages", "order", "reload_interval", "watchdog_timeout", "screen", "hide_cursor_after", "keep_awake",
    "idle_reset", "exit_chord", "exit_pin", "health_token", "grants", "restart",
}
PAGE_KEYS = {"path", "duration", "days", "from", "to"}
GRANT_KEYS = {"read", "write"}
RESTART_KEYS = {"delay", "max_delay", "crash_loop", "crash_window"}

_DAY = 24 * 3600.0
_WEEK = 7 * _DAY
#: (least, most) for every number: finite, and within what a timer and a person can use (a `nan`
#: watchdog never fired, `1e300` seconds crashed the rotation). Documented in README's kiosk section
#: and pages/kiosk.example.toml; 0 still means "off" where the key allows it.
BOUNDS: dict[str, tuple[float, float]] = {
    "reload_interval": (1.0, _WEEK),
    "watchdog_timeout": (3.0, 3600.0),
    "hide_cursor_after": (1.0, _DAY),
    "idle_reset": (1.0, _DAY),
    "duration": (1.0, _WEEK),
    "delay": (0.1, 3600.0),
    "max_delay": (0.1, _DAY),
    "crash_window": (1.0, _WEEK),
    "crash_loop": (1, 1000),
    "screen": (0, 63),
}


@dataclass(frozen=True)
class Chord:
    """A key chord such as Ctrl+Alt+Shift+Q: modifiers plus one key (KeyboardEvent.key, lower case)."""

    key: str
    ctrl: bool = False
    alt: bool = False
    shift: bool = False
    meta: bool = False

    @classmethod
    def parse(cls, text: str) -> "Chord":
        """Raises ValueError with a reason a person can act on."""
        parts = [p.strip() for p in text.split("+")]
        if len(parts) < 2 or any(not p for p in parts):
            raise ValueError(f"{text!r} is not a chord like \"Ctrl+Alt+Shift+Q\" (modifiers and one key, joined by +)")
        *mods, key = parts
        flags = {}
        for mod in mods:
            name = _MODIFIERS.get(mod.lower())
            if name is None:
                raise ValueError(f"{mod!r} in {text!r} is not a modifier (use Ctrl, Alt, Shift, Meta)")
            flags[name] = True
        if not (flags.get("ctrl") or flags.get("alt") or flags.get("meta")):
            raise ValueError(f"{text!r} needs Ctrl, Alt or Meta, so that typing on the page cannot trigger it")
        return cls(key=key.lower(), **flags)

    def __str__(self) -> str:
        mods = [name.capitalize() for name in ("ctrl", "alt", "shift", "meta") if getattr(self, name)]
        return "+".join([*mods, self.key.upper() if len(self.key) == 1 else self.key.capitalize()])


@dataclass(frozen=True)
class PageEntry:
    """One page of the playlist and when it may be shown."""

    path: Path
    duration: float | None = None  # seconds on screen before the next page; None = until its window closes
    days: frozenset[int] = frozenset()  # 0 = Monday; empty = every day
    start: time | None = None  # `from`: shown from this time of day
    end: time | None = None  # `to`: until this time of day (before `from` = across midnight)


@dataclass(frozen=True)
class RestartPolicy:
    """How the supervisor restarts a dead app: delay doubles per quick crash, capped; too many gives up."""

    delay: float = 1.0
    max_delay: float = 60.0
    crash_loop: int = 5  # this many crashes ...
    crash_window: float = 300.0  # ... within this many seconds is a crash loop


@dataclass(frozen=True)
class KioskConfig:
    home: Path
    pages: tuple[PageEntry, ...]
    source: Path | None = None  # the kiosk.toml, or None when the target was a page
    order: str = "sequence"  # or "shuffle"
    reload_interval: float | None = 6 * 3600.0  # WebAssembly memory never shrinks: reload now and then
    watchdog_timeout: float = 30.0
    screen: int | None = None
    hide_cursor_after: float | None = 3.0
    keep_awake: bool = True
    idle_reset: float | None = None
    exit_chord: Chord = field(default_factory=lambda: Chord.parse("Ctrl+Alt+Shift+Q"))
    exit_pin: str | None = None
    health_token: str | None = None
    grants_read: tuple[Path, ...] = ()
    grants_write: tuple[Path, ...] = ()
    restart: RestartPolicy = field(default_factory=RestartPolicy)


def placeholders() -> dict[str, str]:
    """What `{name}` in a string value expands to on this machine."""
    return {"hostname": socket.gethostname().split(".")[0], "user": getpass.getuser()}


def load_config(target: Path) -> KioskConfig:
    """A page (.html, or a folder with index.html) or a kiosk.toml, checked completely."""
    target = target.expanduser()
    if not target.exists():
        raise ConfigError(f"{target} does not exist.", "Give a page (.html) or a kiosk.toml.")
    if target.is_dir() or target.suffix.lower() in _PAGE_SUFFIXES:
        page = _page_path(target, where=str(target))
        return KioskConfig(home=page, pages=(PageEntry(page),))
    return _Reader(TomlFile.read(target, outcome=_OUTCOME), placeholders()).read()


def parse_config(text: str, source: Path) -> KioskConfig:
    """Check a kiosk.toml's text; relative paths are relative to `source`'s folder."""
    return _Reader(TomlFile.parse(text, source, outcome=_OUTCOME), placeholders()).read()


_OUTCOME = "nothing was started"


class _Reader:
    """Typed access to the parsed TOML, with errors that point at the line (desktop/tomlfile.py)."""

    def __init__(self, toml: TomlFile, names: dict[str, str]) -> None:
        self.toml = toml
        self.source = toml.source
        self.base = toml.source.resolve().parent
        self.names = names
        self.fail = toml.fail
        self.unknown = toml.unknown

    # -- values -----------------------------------------------------------------------------------

    def text(self, value: Any, table: str | None, index: int, key: str) -> str:
        if not isinstance(value, str):
            raise self.fail(f"{key} must be a string, not {_kind(value)}", table, index, key)
        try:
            return value.format_map(self.names)
        except KeyError as exc:
            known = ", ".join("{" + n + "}" for n in self.names)
            raise self.fail(f"{key}: unknown placeholder {{{exc.args[0]}}} (known: {known}; write {{{{ and }}}} "
                            "for literal braces)",
                            table, index, key) from None
        except (ValueError, IndexError) as exc:
            raise self.fail(f"{key}: {exc} (write {{{{ and }}}} for literal braces)", table, index, key) from None

    def seconds(self, value: Any, table: str | None, index: int, key: str, *, zero_means_off: bool) -> float | None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(f"{key} must be a number of seconds, not {_kind(value)}", table, index, key)
        least, most = BOUNDS[key]
        if value == 0 and zero_means_off:
            return None
        if not math.isfinite(value) or not least <= value <= most:
            need = f"0 (off) or from {least:g} to {most:g}" if zero_means_off else f"from {least:g} to {most:g}"
            raise self.fail(f"{key} must be {need} seconds, not {value}", table, index, key)
        return float(value)

    def count(self, value: Any, table: str | None, key: str, what: str) -> int:
        least, most = BOUNDS[key]
        if isinstance(value, bool) or not isinstance(value, int) or not least <= value <= most:
            raise self.fail(f"{key} must be {what} from {least} to {most}, not {value!r}", table, 0, key)
        return value

    def flag(self, value: Any, key: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(f"{key} must be true or false, not {_kind(value)}", None, 0, key)
        return value

    def page(self, value: Any, table: str | None, index: int, key: str) -> Path:
        raw = self.text(value, table, index, key)
        path = Path(raw).expanduser()
        path = path if path.is_absolute() else self.base / path
        try:
            return _page_path(path, where=raw)
        except ConfigError as exc:
            raise self.fail(exc.message.rstrip("."), table, index, key) from None

    def folder_list(self, value: Any, key: str) -> tuple[Path, ...]:
        items = value if isinstance(value, list) else [value]
        paths = []
        for item in items:
            raw = self.text(item, "grants", 0, key)
            path = Path(raw).expanduser()
            path = path if path.is_absolute() else self.base / path
            if not path.exists():
                raise self.fail(f"grants.{key}: {raw} does not exist", "grants", 0, key,
                                hint="Grant a folder that exists (create it first), or check the spelling.")
            paths.append(path.resolve())
        return tuple(paths)

    def clock(self, value: Any, index: int, key: str) -> time:
        if isinstance(value, time):
            return value
        if isinstance(value, str):
            match = re.fullmatch(r"(\d{1,2}):(\d{2})(?::(\d{2}))?", value.strip())
            if match and int(match[1]) < 24 and int(match[2]) < 60 and int(match[3] or 0) < 60:
                return time(int(match[1]), int(match[2]), int(match[3] or 0))
        raise self.fail(f"{key} must be a time of day like \"08:30\", not {value!r}", "pages", index, key)

    # -- the whole file -----------------------------------------------------------------------------
    def read(self) -> KioskConfig:
        data = self.toml.data
        self.unknown(data, TOP_KEYS)
        pages_data = data.get("pages", [])
        if not isinstance(pages_data, list) or not all(isinstance(p, dict) for p in pages_data):
            raise self.fail("pages must be a list of [[pages]] tables", None, 0, "pages")
        pages = tuple(self.page_entry(entry, i) for i, entry in enumerate(pages_data))
        if "home" in data:
            home = self.page(data["home"], None, 0, "home")
        elif pages:
            home = pages[0].path
        else:
            raise self.fail("no pages: give home = \"page.html\" or at least one [[pages]] table with a path",
                            hint="Add home = \"page.html\"; nothing was started.")
        order = data.get("order", "sequence")
        if order not in ("sequence", "shuffle"):
            raise self.fail(f"order must be \"sequence\" or \"shuffle\", not {order!r}", None, 0, "order")
        kwargs: dict[str, Any] = {}
        for key in ("reload_interval", "hide_cursor_after", "idle_reset"):
            if key in data:
                kwargs[key] = self.seconds(data[key], None, 0, key, zero_means_off=True)
        if "watchdog_timeout" in data:
            kwargs["watchdog_timeout"] = self.seconds(data["watchdog_timeout"], None, 0, "watchdog_timeout",
                                                      zero_means_off=False)
        if "screen" in data:
            kwargs["screen"] = self.count(data["screen"], None, "screen", "a screen number (0 is the first)")
        if "keep_awake" in data:
            kwargs["keep_awake"] = self.flag(data["keep_awake"], "keep_awake")
        if "exit_chord" in data:
            try:
                kwargs["exit_chord"] = Chord.parse(self.text(data["exit_chord"], None, 0, "exit_chord"))
            except ValueError as exc:
                raise self.fail(f"exit_chord: {exc}", None, 0, "exit_chord") from None
        if "exit_pin" in data:
            pin = data["exit_pin"]
            pin = str(pin) if isinstance(pin, int) and not isinstance(pin, bool) else pin
            if not isinstance(pin, str) or not re.fullmatch(r"[0-9]{4,12}", pin):
                raise self.fail("exit_pin must be 4 to 12 digits, written as a string (\"0042\")", None, 0, "exit_pin")
            kwargs["exit_pin"] = pin
        if "health_token" in data:
            token = self.text(data["health_token"], None, 0, "health_token")
            if len(token) < 16:
                raise self.fail("health_token must be at least 16 characters", None, 0, "health_token")
            kwargs["health_token"] = token
        if "grants" in data:
            grants = data["grants"]
            if not isinstance(grants, dict):
                raise self.fail("grants must be a table: [grants] with read = [...] and write = [...]", None, 0, "grants")
            self.unknown(grants, GRANT_KEYS, "grants")
            kwargs["grants_read"] = self.folder_list(grants.get("read", []), "read")
            kwargs["grants_write"] = self.folder_list(grants.get("write", []), "write")
        if "restart" in data:
            kwargs["restart"] = self.restart(data["restart"])
        return KioskConfig(home=home, pages=pages or (PageEntry(home),), source=self.source.resolve(), order=order,
                           **kwargs)

    def page_entry(self, entry: dict, index: int) -> PageEntry:
        self.unknown(entry, PAGE_KEYS, "pages", index)
        if "path" not in entry:
            raise self.fail("this [[pages]] table has no path", "pages", index)
        path = self.page(entry["path"], "pages", index, "path")
        duration = None
        if "duration" in entry:
            duration = self.seconds(entry["duration"], "pages", index, "duration", zero_means_off=True)
        days: set[int] = set()
        if "days" in entry:
            raw_days = entry["days"]
            if not isinstance(raw_days, list) or not raw_days:
                raise self.fail("days must be a list like [\"mon\", \"tue\"]", "pages", index, "days")
            for day in raw_days:
                number = _DAY_ALIASES.get(str(day).strip().lower()) if isinstance(day, str) else None
                if number is None:
                    raise self.fail(f"days: {day!r} is not a day (use {', '.join(DAY_NAMES)})", "pages", index, "days")
                days.add(number)
        start = self.clock(entry["from"], index, "from") if "from" in entry else None
        end = self.clock(entry["to"], index, "to") if "to" in entry else None
        if start is not None and end is not None and start == end:
            raise self.fail("from and to are the same time (leave both out for all day)", "pages", index, "to")
        return PageEntry(path=path, duration=duration, days=frozenset(days), start=start, end=end)

    def restart(self, data: Any) -> RestartPolicy:
        if not isinstance(data, dict):
            raise self.fail("restart must be a table: [restart]", None, 0, "restart")
        self.unknown(data, RESTART_KEYS, "restart")
        values: dict[str, Any] = {}
        for key in ("delay", "max_delay", "crash_window"):
            if key in data:
                values[key] = self.seconds(data[key], "restart", 0, key, zero_means_off=False)
        if "crash_loop" in data:
            values["crash_loop"] = self.count(data["crash_loop"], "restart", "crash_loop", "a number of crashes")
        policy = RestartPolicy(**values)
        if policy.max_delay < policy.delay:
            raise self.fail("max_delay must not be shorter than delay", "restart", 0, "max_delay")
        return policy


def _page_path(path: Path, *, where: str) -> Path:
    if path.is_dir():
        path = path / "index.html"
    if not path.is_file():
        raise ConfigError(f"the page {where} does not exist.", "Give the path of an .html page (relative to the kiosk file).")
    if path.suffix.lower() not in _PAGE_SUFFIXES:
        raise ConfigError(f"{where} is not an .html page.", "Kiosk pages are .html files.")
    return path.resolve()


def _kind(value: Any) -> str:
    return {bool: "true/false", int: "a number", float: "a number", str: "a string", list: "a list",
            dict: "a table"}.get(type(value), type(value).__name__)
