"""The one reader for the app's TOML files (kiosk.toml, desktop.toml): errors that name the line.

    toml = TomlFile.read(path, outcome="nothing was started")   # or TomlFile.parse(text, path, outcome=...)
    toml.unknown(toml.data, {"home", "pages"})           # "unknown key 'hme' (did you mean 'home'?)"
    raise toml.fail("screen must be a number", key="screen")                  # "<path> line 4: screen must ..."
    raise toml.fail("days: 'x' is not a day", table="pages", index=2, key="days")   # the third [[pages]]

A syntax error is a ConfigError with the line and column tomllib found; a wrong value is one with
the line of its key (found in the text, since tomllib keeps no positions), each with a next step.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigError

__all__ = ["TomlFile"]

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")


@dataclass(frozen=True)
class TomlFile:
    """A TOML file's text and data, and the file's own next step for any mistake in it."""

    source: Path
    text: str
    data: dict[str, Any]
    outcome: str  # what a mistake cost, for the next step: "nothing was started", "nothing was built"

    @classmethod
    def read(cls, path: Path, *, outcome: str) -> TomlFile:
        """Read and parse `path` (UTF-8); a file that cannot be read or parsed is a ConfigError."""
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path} could not be read: {exc}.",
                              "Check the file's permissions and encoding (UTF-8).") from None
        return cls.parse(text, path, outcome=outcome)

    @classmethod
    def parse(cls, text: str, source: Path, *, outcome: str) -> TomlFile:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            reason = str(exc)
            match = re.search(r"\(at line (\d+), column (\d+)\)", reason)
            if match:
                raise ConfigError(f"{source} line {match[1]}: {reason[: match.start()].strip()} (column {match[2]}).",
                                  f"Fix the TOML syntax there; {outcome}.") from None
            if reason.endswith("(at end of document)"):  # tomllib's words for the last line
                line = max(1, len(text.splitlines()))
                raise ConfigError(f"{source} line {line}: {reason[: -len('(at end of document)')].strip()} "
                                  "(the file ends there).", f"Fix the TOML syntax there; {outcome}.") from None
            raise ConfigError(f"{source}: {reason}.", f"Fix the TOML syntax; {outcome}.") from None
        return cls(source, text, data, outcome)

    # -- errors ---------------------------------------------------------------------------------------
    def fail(self, reason: str, table: str | None = None, index: int = 0, key: str | None = None,
             hint: str | None = None) -> ConfigError:
        """A ConfigError for `key` of `table` (the `index`-th one of an array of tables), at its line."""
        line = self.line_of(table, index, key)
        where = f"{self.source} line {line}" if line else str(self.source)
        return ConfigError(f"{where}: {reason}.", hint or f"Fix that in {self.source.name}; {self.outcome}.")

    def unknown(self, table_data: dict, known: set[str], table: str | None = None, index: int = 0) -> None:
        """Refuse a key that is not in `known`, suggesting the nearest known one (a typo is the usual cause)."""
        for key in table_data:
            if key not in known:
                close = difflib.get_close_matches(key, sorted(known), n=1)
                suggestion = f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(sorted(known))})"
                inside = f" in [{table}]" if table else ""
                raise self.fail(f"unknown key {key!r}{inside}{suggestion}", table, index, key)

    def line_of(self, table: str | None, index: int = 0, key: str | None = None) -> int | None:
        """The line of `key` in `table` (None: the top level), or of the table's header when `key` is None."""
        current: str | None = None
        counts: dict[str | None, int] = {None: 0}
        for number, line in enumerate(self.text.splitlines(), 1):
            match = _HEADER.match(line)
            if match:
                current = match[2].strip().strip("\"'")
                counts[current] = counts.get(current, -1) + 1 if match[1] == "[[" else 0
                if key is None and current == table and counts[current] == index:
                    return number
                continue
            if (key is not None and current == table and counts.get(current) == index
                    and re.match(rf"""^\s*(["']?){re.escape(key)}\1\s*=""", line)):
                return number
        return None
