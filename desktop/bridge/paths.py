"""Path spellings from page code -> real host paths, refusing every trick before any disk access.

Pages name files as text. Before the disk is touched, the text is checked for
everything that has been used to escape a sandbox on some platform: `..`
segments, NUL and control bytes, Windows drive, UNC and device forms,
alternate data streams (`file::$DATA`), reserved device names (`CON`, `NUL`,
`COM1`...), trailing dots and spaces (Windows strips them, so `a.csv.` is
`a.csv`), over-long paths. The same rules apply on every platform, so a page
that works here works everywhere. Then `~` is expanded, relative paths are
joined to the page's folder, and the result goes through `realpath`; the
caller checks that real path against the grants. Finally, a component spelled
in a different case than on disk is refused (on a case-insensitive disk
`DATA` would otherwise reach the folder `Data` under another name).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from .errors import BridgeError

__all__ = ["check_spelling", "check_case_of", "check_length", "resolve", "spelled", "MAX_PATH", "MAX_NAME", "RESERVED_NAMES"]

MAX_PATH = 4096  # characters in the whole path, as given
MAX_NAME = 255  # characters in one component
RESERVED_NAMES = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$"}
    | {f"COM{i}" for i in "123456789¹²³"}
    | {f"LPT{i}" for i in "123456789¹²³"}
)
_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _refuse(text: str, why: str) -> BridgeError:
    shown = text if len(text) <= 120 else text[:117] + "..."
    return BridgeError("EACCES", f"Refused path {shown!r}: {why}.")


def check_spelling(text: object) -> str:
    """`text` if it is a path spelling the bridge accepts, else BridgeError(EACCES). No disk access."""
    if not isinstance(text, str):
        raise BridgeError("EINVAL", f"A path must be a string, not {type(text).__name__}.")
    if not text:
        raise BridgeError("EINVAL", "The path is empty.")
    if "\x00" in text:
        raise _refuse(text, "it contains a NUL byte")
    if _CONTROL.search(text):
        raise _refuse(text, "it contains a control character")
    if len(text) > MAX_PATH:
        raise _refuse(text, f"it is longer than {MAX_PATH} characters")
    if "\\" in text:
        raise _refuse(text, "backslashes are not path separators here (and form Windows UNC and device paths); use '/'")
    if _DRIVE.match(text):
        raise _refuse(text, "Windows drive letters are not accepted; use a path like ~/Documents/file.csv")
    if text.startswith("//"):
        raise _refuse(text, "network (UNC) paths are not accepted")
    if text.startswith("~") and not (text == "~" or text.startswith("~/")):
        raise _refuse(text, "only '~' (your home folder) is expanded, not '~user'")
    for part in text.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            raise _refuse(text, "'..' segments are not accepted; name the file from a granted folder")
        if len(part) > MAX_NAME:
            raise _refuse(text, f"a name is longer than {MAX_NAME} characters")
        if ":" in part:
            raise _refuse(text, "':' is not accepted in names (Windows drives and alternate data streams)")
        if part[-1] in ". " or part[0] == " ":
            raise _refuse(text, "names may not start with a space or end with a dot or space")
        stem = part.split(".", 1)[0].rstrip(" ").upper()
        if stem in RESERVED_NAMES:
            raise _refuse(text, f"{stem} is a reserved device name on Windows")
    return text


def check_case_of(real: Path) -> None:
    """Refuse when an existing component is spelled differently from its name on disk."""
    current = Path(real.anchor)
    for part in real.parts[1:]:
        child = current / part
        if not os.path.lexists(child):
            return  # the rest does not exist yet (a file about to be written)
        try:
            names = os.listdir(current)
        except OSError:
            return
        if part not in names:
            matches = [n for n in names if n.casefold() == part.casefold()]
            on_disk = matches[0] if matches else "?"
            raise BridgeError(
                "EACCES",
                f"Refused path {str(real)!r}: {part!r} is spelled {on_disk!r} on disk; use the exact spelling.",
            )
        current = child


def spelled(text: object, *, base: Path, home: Path | None = None) -> Path:
    """The page's spelling as an absolute path, `~` expanded and `.` dropped, without touching the disk.

    This is what refusals show: it says nothing about the disk (unlike the
    real path, which would tell where a symlink points).
    """
    spelling = check_spelling(text)
    home = home if home is not None else Path.home()
    if spelling == "~" or spelling.startswith("~/"):
        joined = str(home) + spelling[1:]
    elif spelling.startswith("/"):
        joined = spelling
    else:
        joined = os.path.join(str(base), spelling)
    return Path(os.path.normpath(joined))


def resolve(text: object, *, base: Path, home: Path | None = None, follow_last: bool = True,
            check_case: bool = True) -> Path:
    """The real host path for a page's spelling: checked, `~` expanded, relative to `base`, realpath'd.

    With `follow_last=False` only the folders are resolved and the last name
    is kept as spelled (remove and rename act on a symlink itself, not on
    where it points). The result is not yet checked against any grant: that
    is `GrantSet.check`; the bridge checks the length and the case
    (`check_case`) only after the grant check, so that a refusal says nothing
    about the disk outside the grants.
    """
    joined = spelled(text, base=base, home=home)
    try:
        if follow_last or joined.parent == joined:
            real = Path(os.path.realpath(joined))
        else:
            real = Path(os.path.realpath(joined.parent)) / joined.name
    except (OSError, ValueError) as exc:  # symlink loops on some Pythons, over-long results
        raise _refuse(str(text), f"it cannot be resolved ({exc.__class__.__name__})") from None
    if check_case:
        check_length(real, text)
        check_case_of(real)
    return real


def check_length(real: Path, text: object) -> None:
    """Refuse a real path over MAX_PATH (only a symlink can make it longer than the spelling)."""
    if len(str(real)) > MAX_PATH:
        raise _refuse(str(text), f"it resolves to a path longer than {MAX_PATH} characters")
