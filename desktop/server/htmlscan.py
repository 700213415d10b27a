"""A linear-time HTML tokenizer for reading pages the app did not write.

Pages are hostile input: the standard library's `html.parser` is quadratic on
malformed input in the Python versions the app supports (CVE-2025-6069), and so
is a regular expression such as `<head(\\s[^>]*)?>` on 240 KB of `<head `
(194 s of CPU in a probe). This tokenizer never scans a character twice in a way
that grows with the page: every search that reaches the end of the text without
finding what it looks for ends the tokenizing (as the HTML standard treats end of
file inside a tag, comment or quoted attribute), and callers read at most
`SCAN_LIMIT` characters of a page.

It follows the standard's tokenizer closely enough for what the app reads
(start tags with attributes, end tags, text; comments, doctypes and the raw text
of script/style/textarea/title skipped or kept whole), not for rendering.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Iterator

__all__ = ["SCAN_LIMIT", "Tag", "Text", "tokens", "elements", "raw_elements", "LineIndex"]

#: Characters of a page that scanning and head injection look at. Configs and the <head>
#: come first in a page; a longer page is still served whole, only its tail is not scanned.
SCAN_LIMIT = 2 * 1024 * 1024

_NAME = re.compile(r"[A-Za-z][^\s/>]*")
_SPACE = re.compile(r"[\s/]*")
_ATTR_NAME = re.compile(r"[^\s/>][^\s/>=]*")
_EQUALS = re.compile(r"\s*=\s*")
_UNQUOTED = re.compile(r"[^\s>]*")
#: Elements whose content is text up to their end tag (no tags, no comments inside).
_RAW = {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes"}


@dataclass(frozen=True)
class Tag:
    """A start tag (`end` False) or end tag; `start`/`stop` are offsets in the text."""

    name: str
    attrs: dict[str, str]
    start: int
    stop: int
    end: bool = False


@dataclass(frozen=True)
class Text:
    """Text between tags (raw for script-like elements, entity-decoded otherwise)."""

    text: str
    start: int
    stop: int


_raw_end_cache: dict[str, re.Pattern[str]] = {}


def _raw_end(name: str) -> re.Pattern[str]:
    pattern = _raw_end_cache.get(name)
    if pattern is None:
        pattern = _raw_end_cache[name] = re.compile(f"</{name}(?=[\\s/>])", re.IGNORECASE)
    return pattern


def _start_tag(text: str, pos: int) -> Tag | None:
    """The start tag at `pos` (text[pos] == "<", a letter follows), or None at end of text."""
    m = _NAME.match(text, pos + 1)
    attrs: dict[str, str] = {}
    name, i, n = m[0].lower(), m.end(), len(text)
    while True:
        i = _SPACE.match(text, i).end()
        if i >= n:
            return None
        if text[i] == ">":
            return Tag(name, attrs, pos, i + 1)
        a = _ATTR_NAME.match(text, i)
        key, i = a[0].lower(), a.end()
        value = ""
        e = _EQUALS.match(text, i)
        if e and e.end() < n and text[e.end()] != ">":
            i = e.end()
            quote = text[i]
            if quote in "\"'":
                close = text.find(quote, i + 1)
                if close < 0:
                    return None  # end of text inside a quoted value: the tag never ends
                value, i = text[i + 1 : close], close + 1
            else:
                u = _UNQUOTED.match(text, i)
                value, i = u[0], u.end()
        elif e:
            i = e.end()
        attrs.setdefault(key, html.unescape(value) if "&" in value else value)


def tokens(text: str) -> Iterator[Tag | Text]:
    """Tags and text of `text`, in order; stops at the first construct the text never closes."""
    n, pos = len(text), 0
    while pos < n:
        lt = text.find("<", pos)
        if lt < 0:
            yield Text(html.unescape(text[pos:]), pos, n)
            return
        if lt > pos:
            yield Text(html.unescape(text[pos:lt]), pos, lt)
        nxt = text[lt + 1 : lt + 2]
        if nxt.isascii() and nxt.isalpha():
            tag = _start_tag(text, lt)
            if tag is None:
                return
            yield tag
            pos = tag.stop
            if tag.name in _RAW:
                m = _raw_end(tag.name).search(text, pos)
                stop = m.start() if m else n
                if stop > pos:
                    yield Text(text[pos:stop], pos, stop)
                pos = stop
            continue
        if text.startswith("<!--", lt):
            if text.startswith("<!-->", lt):
                pos = lt + 5
                continue
            if text.startswith("<!--->", lt):
                pos = lt + 6
                continue
            close = text.find("-->", lt + 4)
            if close < 0:
                return
            pos = close + 3
            continue
        if nxt == "/" and text[lt + 2 : lt + 3].isascii() and text[lt + 2 : lt + 3].isalpha():
            m = _NAME.match(text, lt + 2)
            close = text.find(">", m.end())
            if close < 0:
                return
            yield Tag(m[0].lower(), {}, lt, close + 1, end=True)
            pos = close + 1
            continue
        if nxt in ("!", "?", "/"):  # doctype, processing instruction, bogus comment: up to ">"
            close = text.find(">", lt + 2)
            if close < 0:
                return
            pos = close + 1
            continue
        yield Text("<", lt, lt + 1)
        pos = lt + 1


def elements(text: str, names: set[str]) -> Iterator[tuple[Tag, str, int]]:
    """(start tag, inner text, offset after the end tag) of each element named in `names`.

    The inner text is the text between the start tag and the matching end tag (tags
    inside dropped); an element the text never closes runs to the end of the text.
    """
    current: Tag | None = None
    parts: list[str] = []
    for token in tokens(text):
        if current is None:
            if isinstance(token, Tag) and not token.end and token.name in names:
                current, parts = token, []
            continue
        if isinstance(token, Text):
            parts.append(token.text)
        elif token.end and token.name == current.name:
            yield current, "".join(parts), token.stop
            current = None
    if current is not None:
        yield current, "".join(parts), len(text)


def raw_elements(text: str, names: tuple[str, ...], *, closed: bool = True) -> Iterator[tuple[str, int, str, str, int]]:
    """(lowercase name, start, attribute text, body, stop) of each `<name ...>body</name>` in `text`, as the regular
    expression `<(names)\\b([^>]*)>(.*?)</\\1>` (case-insensitive) finds them, in linear time.

    The expression itself is quadratic on `<py-env` repeated (each try scans to the end of the
    text); here every "next `>`" and "next end tag" found is remembered and reused until passed.
    With `closed` False the element has no end tag (`<link ...>`): body is "" and stop ends the tag.
    """
    opening = re.compile("<(" + "|".join(re.escape(n) for n in names) + r")\b", re.IGNORECASE)
    closing = {n.lower(): re.compile(f"</{re.escape(n)}>", re.IGNORECASE) for n in names}
    next_close: dict[str, tuple[int, int]] = {}  # name -> (start, stop) of the next end tag, (-1, -1) if none
    pos, gt = 0, -1
    while True:
        m = opening.search(text, pos)
        if not m:
            return
        if gt < m.end():
            gt = text.find(">", m.end())
            if gt < 0:
                return  # no start tag can end after this point
        attrs = text[m.end() : gt]
        if not closed:
            yield m[1].lower(), m.start(), attrs, "", gt + 1
            pos = gt + 1
            continue
        name = m[1].lower()
        close = next_close.get(name)
        if close is None or (close[0] != -1 and close[0] <= gt):
            found = closing[name].search(text, gt + 1)
            close = next_close[name] = (found.start(), found.end()) if found else (-1, -1)
        if close[0] == -1:
            pos = m.end()  # no end tag after here: this name never matches again, others may
            continue
        yield name, m.start(), attrs, text[gt + 1 : close[0]], close[1]
        pos = close[1]


class LineIndex:
    """Line numbers of offsets in a text, in O(log n) each (counting newlines per finding is quadratic)."""

    def __init__(self, text: str) -> None:
        self._starts = [m.end() for m in re.finditer("\n", text)]

    def line(self, offset: int) -> int:
        import bisect

        return bisect.bisect_right(self._starts, offset) + 1
