"""npm's version ranges, enough to pick a vendored library version offline.

Pages name ranges (`d3@7`, `vega-lite@^5.2`, `three@0.160`), and a module's
package.json names its dependencies by range. The npm client resolves them when
vendoring; the server must resolve them again, offline, against the versions in
the library cache. This is node-semver's grammar: `||` alternatives, hyphen
ranges, `^`, `~`, comparators, `x`/`*` wildcards and partial versions; a
prerelease matches only a range that names a prerelease of the same version.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["parse_version", "satisfies", "max_satisfying", "is_exact", "Version"]

_VERSION = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")
_PARTIAL = re.compile(r"^v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")
_COMPARATOR = re.compile(r"^(\^|~>?|>=|<=|>|<|=)?\s*(.+)$")

Version = tuple  # (major, minor, patch, prerelease tuple or ())


def parse_version(text: str) -> Version | None:
    """(major, minor, patch, prerelease) of an exact version, or None."""
    m = _VERSION.match(text.strip())
    if not m:
        return None
    pre = tuple((0, int(p)) if p.isdigit() else (1, p) for p in m[4].split(".")) if m[4] else ()
    return (int(m[1]), int(m[2]), int(m[3]), pre)


def is_exact(text: str) -> bool:
    return parse_version(text) is not None


def _key(v: Version) -> tuple:
    # a release sorts above its prereleases
    return (v[0], v[1], v[2], 1 if not v[3] else 0, v[3])


def _partial(text: str) -> tuple[list[int | None], tuple]:
    m = _PARTIAL.match(text)
    if not m:
        raise ValueError(text)
    parts: list[int | None] = []
    for group in m.groups()[:3]:
        parts.append(None if group is None or group in "xX*" else int(group))
    for i in range(1, 3):  # "1.x.3" means "1.x"
        if parts[i - 1] is None:
            parts[i] = None
    pre = tuple((0, int(p)) if p.isdigit() else (1, p) for p in m[4].split(".")) if m[4] else ()
    return parts, pre


def _comparators(op: str, text: str) -> list[tuple[str, Version]]:
    """One range token as a list of (operator, version) bounds that must all hold."""
    (major, minor, patch), pre = _partial(text)
    if major is None:
        return [] if op in ("", "=", "^", "~", "~>", ">=", "<=") else [("<", (0, 0, 0, ()))] if op in ("<", ">") else []
    low = (major, minor or 0, patch or 0, pre)
    if op in ("", "="):
        if minor is None:
            return [(">=", (major, 0, 0, ())), ("<", (major + 1, 0, 0, ((0, 0),)))]
        if patch is None:
            return [(">=", (major, minor, 0, ())), ("<", (major, minor + 1, 0, ((0, 0),)))]
        return [("=", low)]
    if op in ("~", "~>"):
        upper = (major + 1, 0, 0) if minor is None else (major, minor + 1, 0)
        return [(">=", low), ("<", (*upper, ((0, 0),)))]
    if op == "^":
        if major != 0 or minor is None:
            upper = (major + 1, 0, 0)
        elif minor != 0 or patch is None:
            upper = (0, minor + 1, 0)
        else:
            upper = (0, 0, patch + 1)
        return [(">=", low), ("<", (*upper, ((0, 0),)))]
    if op == ">":
        if minor is None:
            return [(">=", (major + 1, 0, 0, ()))]
        if patch is None:
            return [(">=", (major, minor + 1, 0, ()))]
        return [(">", low)]
    if op == "<=":
        if minor is None:
            return [("<", (major + 1, 0, 0, ((0, 0),)))]
        if patch is None:
            return [("<", (major, minor + 1, 0, ((0, 0),)))]
        return [("<=", low)]
    if op == "<":
        return [("<", (major, minor or 0, patch or 0, pre or (((0, 0),) if minor is None or patch is None else ())))]
    return [(">=", low)]  # ">="


@lru_cache(maxsize=1024)
def _parse_range(text: str) -> tuple[tuple[tuple[str, Version], ...], ...]:
    alternatives = []
    for part in (text or "*").split("||"):
        part = part.strip() or "*"
        hyphen = re.match(r"^(\S+)\s+-\s+(\S+)$", part)
        bounds: list[tuple[str, Version]] = []
        if hyphen:
            bounds += _comparators(">=", hyphen[1]) + _comparators("<=", hyphen[2])
        else:
            for token in re.sub(r"(\^|~>?|>=|<=|>|<|=)\s+", r"\1", part).split():
                m = _COMPARATOR.match(token)
                if not m:
                    raise ValueError(text)
                bounds += _comparators(m[1] or "", m[2])
        alternatives.append(tuple(bounds))
    return tuple(alternatives)


def _holds(op: str, version: Version, bound: Version) -> bool:
    a, b = _key(version), _key(bound)
    return {"=": a == b, ">": a > b, ">=": a >= b, "<": a < b, "<=": a <= b}[op]


def satisfies(version: str, range_text: str) -> bool:
    """Does `version` satisfy the npm range (`7`, `^5.2.0`, `>=1 <2 || 3.x`, `latest` = any release)?"""
    v = parse_version(version)
    if v is None:
        return False
    if range_text.strip() in ("", "*", "latest", "x"):
        return not v[3]
    try:
        alternatives = _parse_range(range_text.strip())
    except ValueError:
        return False
    for bounds in alternatives:
        if not all(_holds(op, v, b) for op, b in bounds):
            continue
        # a prerelease only matches a bound that names a prerelease of the same major.minor.patch
        if v[3] and not any(b[3] and b[3] != ((0, 0),) and b[:3] == v[:3] for _, b in bounds):
            continue
        return True
    return False


def max_satisfying(versions: list[str], range_text: str) -> str | None:
    """The highest of `versions` that satisfies the range, or None."""
    matching = [v for v in versions if satisfies(v, range_text)]
    return max(matching, key=lambda v: _key(parse_version(v))) if matching else None  # type: ignore[arg-type]
