"""Package version pins the bundle cannot meet: the bundled version stands in, with a notice.

Published pages pin what was current when they were written (`packages = ["bokeh==3.2.2"]`).
Offline, micropip cannot fetch that version, so the page would fail at its first import. The
bundle's own version of the same package is what the app can run, as it does for a pinned
JavaScript library it lacks: the served config asks for the bare name, and the page's console
says which version stands in. A pin the bundle meets is left as it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

__all__ = ["quoted_specs", "unmet_pins", "relax_pins", "standin_notes"]

_PIN = re.compile(r"([A-Za-z0-9][A-Za-z0-9._-]*)\s*((?:===|[<>=!~]=|[<>])\s*[^\s;,\[\]]+(?:\s*,\s*(?:[<>=!~]=|[<>])\s*[^\s;,\[\]]+)*)")
#: A quoted requirement string with a version specifier, as TOML, JSON and YAML configs write it.
_QUOTED_PIN = re.compile(r"""(["'])\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*((?:[<>=!~]=?|===)\s*[^"'\s;,\[\]]+(?:\s*,\s*(?:[<>=!~]=?)\s*[^"'\s;,\[\]]+)*)\s*\1""")


def quoted_specs(text: str) -> list[str]:
    """Requirement strings with a version specifier quoted in a config file's text (at most
    CONFIG_LIMIT long: callers pass config files only, never whole pages)."""
    return [m.group(0)[1:-1] for m in _QUOTED_PIN.finditer(text)]


def unmet_pins(specs: list[str], versions: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """{spec: (name, bundled version)} for each pinned spec the bundled version does not meet."""
    found: dict[str, tuple[str, str]] = {}
    for raw in specs:
        match = _PIN.fullmatch(raw.strip())
        if match is None:
            continue
        name, spec = match.group(1), match.group(2).replace(" ", "")
        have = versions.get(canonicalize_name(name))
        if have is None:
            continue  # not bundled at all: the missing-package box says so
        try:
            if Version(have) in SpecifierSet(spec):
                continue
        except (InvalidSpecifier, InvalidVersion):
            continue
        found[raw] = (name, have)
    return found


def relax_pins(text: str, unmet: Mapping[str, tuple[str, str]]) -> tuple[str, list[str]]:
    """`text` with each unmet pin (quoted, as configs write them) replaced by the bare name, and a notice
    for each (also when the pin is in a config file, which is relaxed as it is served)."""
    notices = []
    for raw, (name, have) in unmet.items():
        for quote in ('"', "'"):
            text = text.replace(f"{quote}{raw}{quote}", f"{quote}{name}{quote}")
        notices.append(f"{raw.strip()} is not in the offline runtime bundle; its {name} {have} stands in "
                           "(this app makes no network requests).")
    return text, notices


def standin_notes(unmet: Mapping[str, tuple[str, str]]) -> dict[str, str]:
    """{import name: what stands in for what} of each unmet pin, for the console line of a deprecation
    warning the stand-in raises (pyhooks.standin_warnings_snippet). The import name is the distribution's
    normalised name with `_`: right for bokeh; a package imported under another name (pyyaml's `yaml`)
    keeps its warnings as PyScript shows them."""
    return {canonicalize_name(name).replace("-", "_"): f"{name} {have} stands in for the page's {raw.strip()}, "
            "which would not warn; the page is fine" for raw, (name, have) in unmet.items()}
