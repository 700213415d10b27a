"""Values written into files that other programs parse: desktop entries, batch files, control files.

A name from desktop.toml with a newline once became an `Exec=` line of a built .deb's menu
entry, and a path with `&` ran a second command from a Windows Startup `.cmd`. Every value
that reaches such a file goes through one of these writers: control characters (and line
separators) are refused, and the rest is escaped by the format's own rules. macOS plists
are written by `plistlib`, which escapes XML; `check_text` still refuses what XML cannot hold.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Sequence

from .errors import ConfigError

__all__ = ["UnsafeValue", "check_text", "xdg_string", "xdg_exec", "cmd_line", "control_field"]


class UnsafeValue(ConfigError):
    """A value holds a character its file format cannot carry safely."""


def check_text(value: str, what: str) -> str:
    """`value` unchanged, or UnsafeValue when it holds a control character or a line/paragraph separator."""
    for i, c in enumerate(value):
        if unicodedata.category(c) in ("Cc", "Zl", "Zp"):
            raise UnsafeValue(
                f"{what} holds a control character ({c!r} at position {i + 1}): {value[:60]!r}.",
                "Use a single line of ordinary characters (no newlines, tabs or other control characters).",
            )
    return value


def xdg_string(value: str, what: str) -> str:
    """A desktop entry `string`/`localestring` value: one line, backslashes escaped (spec: "\\\\")."""
    return check_text(value, what).replace("\\", "\\\\")


#: Characters that make the Desktop Entry Specification's Exec quoting mandatory.
_EXEC_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


def xdg_exec(args: Sequence[str], what: str = "the command") -> str:
    """An `Exec=` value running `args` exactly, by the Desktop Entry Specification.

    Reserved characters put an argument in double quotes, inside which `"`, `` ` ``, `$` and
    `\\` get a backslash; `%` is doubled (field codes). The string escape rule applies on top
    (a launcher unescapes it first), so every backslash is then doubled again.
    """
    out = []
    for arg in args:
        check_text(arg, what)
        if arg and not _EXEC_RESERVED.intersection(arg):
            quoted = arg
        else:
            quoted = '"' + "".join("\\" + c if c in '"`$\\' else c for c in arg) + '"'
        out.append(quoted.replace("%", "%%").replace("\\", "\\\\"))
    return " ".join(out)


def cmd_line(args: Sequence[str], what: str = "the command") -> str:
    """A cmd.exe batch-file command line running `args` exactly, in a form that needs no ^ escapes.

    Every argument is in double quotes, where cmd.exe takes `& | < > ^ ( )` literally; `%` is
    doubled (a batch file expands it even in quotes). Backslashes before the closing quote are
    doubled for the program's argument parser (Microsoft C runtime rules). A `"` cannot be
    carried this way, and Windows file names never hold one, so it is refused, as is `!` (which
    delayed expansion would read) and any control character.
    """
    out = []
    for arg in args:
        check_text(arg, what)
        for c in '"!':
            if c in arg:
                raise UnsafeValue(f"{what} holds {c!r}, which a Windows Startup entry cannot carry: {arg[:60]!r}.",
                                  "Use a path without quotes or exclamation marks.")
        arg = re.sub(r"(\\+)$", r"\1\1", arg)
        out.append('"' + arg.replace("%", "%%") + '"')
    return " ".join(out)


def control_field(value: str, what: str) -> str:
    """A single-line Debian control field value (a newline would start a new field)."""
    return check_text(value, what).strip()
