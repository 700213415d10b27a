"""Reading a classic PyScript page and writing a modern one that runs on plain PyScript.

The report lists each classic construct with its line and modern equivalent; the
rewrite keeps the page as it is except for those constructs. Classic behaviour
that modern PyScript dropped (print() on the page, the last expression shown,
`pyscript.write`, `Element`) comes along as a small Python prelude in the first
script, written with the modern API only.
"""

from __future__ import annotations

import ast
import html
import re
import textwrap
from dataclasses import dataclass, field
from typing import Callable

from ..server.htmlscan import LineIndex, raw_elements
from ..server.pageinfo import parse_classic_config

__all__ = ["Finding", "Migration", "migrate", "MODERN_CORE", "parse_config", "PRELUDE"]

#: What the written copy loads: a released PyScript core (the app serves it offline).
MODERN_CORE = "https://cdn.jsdelivr.net/npm/@pyscript/core@0.6.66/dist"

#: The classic layer's config reader (static/classic/classic_config.py), the page's own, loaded once.
parse_config = parse_classic_config

PRELUDE = '''\
# Classic PyScript compatibility, written by `python main.py migrate` (modern API only).
import asyncio as _asyncio
import builtins as _builtins
from pyscript import HTML, display, document, when
import js

console = js.console


class Element:
    def __init__(self, element_id, element=None):
        self.id, self._element = element_id, element

    @property
    def element(self):
        return self._element or document.querySelector(f"#{self.id}")

    @property
    def value(self):
        return self.element.value

    def write(self, value, append=False):
        display(value, target=self.id, append=append)

    def clear(self):
        self.element.innerHTML = ""

    def add_class(self, name):
        self.element.classList.add(name)

    def remove_class(self, name):
        self.element.classList.remove(name)


class _PyScript:
    loop = _asyncio.get_event_loop()

    @staticmethod
    def write(element_id, value, append=False):
        display(value, target=element_id, append=append)

    @staticmethod
    def run_until_complete(future):
        _asyncio.ensure_future(future)


pyscript = _PyScript()
_classic_target = None


def print(*args, sep=" ", end="\\n", file=None, flush=False):
    if _classic_target is None or file is not None:
        return _builtins.print(*args, sep=sep, end=end, file=file, flush=flush)
    display(sep.join(str(a) for a in args), target=_classic_target, append=True)
'''


@dataclass(frozen=True)
class Finding:
    line: int
    construct: str
    modern: str


@dataclass
class Migration:
    findings: list[Finding] = field(default_factory=list)
    html: str = ""

    @property
    def is_classic(self) -> bool:
        return bool(self.findings)


def _attrs(raw: str) -> dict[str, str]:
    return {m[1].lower(): html.unescape(m[3] if m[3] is not None else m[4] or "")
            for m in re.finditer(r"""([\w:-]+)(\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+)))?""", raw)}


def _with_display(code: str, target: str) -> str:
    """`code` with its last expression displayed into `target`, as classic PyScript showed it."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        return code
    if not tree.body or not isinstance(tree.body[-1], ast.Expr):
        return code
    last = tree.body[-1]
    lines = code.splitlines()
    segment = ast.get_source_segment(code, last) or ""
    if isinstance(last.value, ast.Call) and getattr(last.value.func, "id", "") in ("print", "display"):
        return code
    before = lines[: last.lineno - 1]
    return "\n".join(before + [f"_classic_value = ({segment})", "if _classic_value is not None:",
                               f"    display(_classic_value, target={target!r}, append=True)"])


_PYSCRIPT_JS = re.compile(r"""\bsrc\s*=\s*["'][^"']*pyscript(\.min)?\.js["']""", re.I)
_PYSCRIPT_CSS = re.compile(r"""\bhref\s*=\s*["'][^"']*pyscript\.css["']""", re.I)


def _splice(text: str, edits: list[tuple[int, int, str]]) -> str:
    """`text` with each (start, stop, replacement) applied, in one pass (edits do not overlap)."""
    parts, pos = [], 0
    for start, stop, replacement in sorted(edits):
        if start < pos:
            continue
        parts += [text[pos:start], replacement]
        pos = stop
    parts.append(text[pos:])
    return "".join(parts)


def _sub(pattern: str, replace: Callable[[int, str, str], str], text: str, flags: int = 0) -> str:
    """re.sub over raw elements (`<name ...>body</name>`), linear whatever the text: the
    expression `<name\\b([^>]*)>(.*?)</name>` is quadratic on a page of unclosed tags."""
    edits = [(start, stop, replace(start, attrs, body)) for _, start, attrs, body, stop in raw_elements(text, (pattern,))]
    return _splice(text, edits)


def migrate(source: str) -> Migration:
    """The migration of a classic page: linear in the page's length, whatever the page holds."""
    result = Migration()
    found = result.findings
    lines = LineIndex(source)
    edits: list[tuple[int, int, str]] = []
    packages: list[str] = []
    files: dict[str, str] = {}

    # loading: classic pyscript.js / pyscript.css -> the modern core
    for _, start, attrs, body, stop in raw_elements(source, ("script",)):
        if _PYSCRIPT_JS.search(attrs) and not body.strip():
            whole = source[start:stop]
            found.append(Finding(lines.line(start), whole.strip()[:80], f'<script type="module" src="{MODERN_CORE}/core.js">'))
            edits.append((start, stop, f'<script type="module" src="{MODERN_CORE}/core.js"></script>'))
    for _, start, attrs, _, stop in raw_elements(source, ("link",), closed=False):
        if _PYSCRIPT_CSS.search(attrs):
            found.append(Finding(lines.line(start), source[start:stop].strip()[:80], f'<link rel="stylesheet" href="{MODERN_CORE}/core.css">'))
            edits.append((start, stop, f'<link rel="stylesheet" href="{MODERN_CORE}/core.css">'))

    # configuration: <py-env> and classic <py-config> -> one modern <py-config> (TOML)
    for tag, start, raw_attrs, body, stop in raw_elements(source, ("py-env", "py-config")):
        config_attrs = _attrs(raw_attrs)
        kind = config_attrs.get("type", "yaml" if tag == "py-env" else "")
        try:
            config = parse_config(body, kind) if not config_attrs.get("src") else {}
        except (ValueError, RecursionError) as exc:
            found.append(Finding(lines.line(start), f"<{tag}>", f"unreadable config ({exc}); rewrite it by hand"))
            continue
        if not isinstance(config, dict):
            found.append(Finding(lines.line(start), f"<{tag}>", "unreadable config (not a table); rewrite it by hand"))
            continue
        packages += [str(p) for p in config.get("packages", [])]
        for path in config.get("paths", []):
            files[str(path)] = str(path).lstrip("./")
        for entry in config.get("fetch", []):
            base = entry.get("from", "").rstrip("/")
            folder = entry.get("to_folder", ".").rstrip("/")
            for name in entry.get("files", []):
                files[f"{base}/{name}" if base else name] = f"{folder}/{entry.get('to_file') or name}".lstrip("./")
        found.append(Finding(lines.line(start), f"<{tag}>", "<py-config> with packages = [...] and [files]"))
        edits.append((start, stop, ""))
    out = _splice(source, edits)
    if packages or files:
        block_lines = ["<py-config>"]
        if packages:
            block_lines.append("packages = [" + ", ".join(f'"{p}"' for p in packages) + "]")
        if files:
            block_lines += ["", "[files]"] + [f'"{src}" = "{dst}"' for src, dst in files.items()]
        block_lines.append("</py-config>")
        block = "\n".join(block_lines)
        out = re.sub(r"</head>", lambda _: block + "\n</head>", out, count=1, flags=re.I) if re.search(r"</head>", out, re.I) else block + out

    # 2023 py-<event>="code()" attributes: modern ones take a function name, so wrap the code
    handlers: list[str] = []

    def code_attribute(m: re.Match) -> str:
        value = html.unescape(m["dq"] if m["dq"] is not None else m["sq"])
        if re.fullmatch(r"[A-Za-z_][\w.]*", value.strip()):
            return m[0]  # already a function name: modern as it is
        name = f"_classic_on_{m['kind']}_{len(handlers) + 1}"
        handlers.append(f"def {name}(event):\n    {value.strip()}\n")
        found.append(Finding(lines.line(m.start()), f'py-{m["kind"]}="{value}"', f'py-{m["kind"]}="{name}" (a function holding that code)'))
        return f'py-{m["kind"]}="{name}"'

    out = re.sub(r"""(?<=\s)py-(?P<kind>[a-z]+)\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)')""", code_attribute, out)

    # <py-script> -> <script type="py">, with print() and the last expression on the page
    counter = 0
    first = True

    def script(at: int, raw_attrs: str, raw_body: str) -> str:
        nonlocal counter, first
        counter += 1
        attrs = _attrs(raw_attrs)
        code = textwrap.dedent(html.unescape(raw_body)).strip("\n")
        target = attrs.get("output") or f"classic-output-{counter}"
        found.append(Finding(lines.line(at), "<py-script>", '<script type="py"> (print() and the last value shown via display())'))
        prelude = PRELUDE + "\n" + "\n".join(handlers) if first else ""
        first = False
        body = f"{prelude}\n_classic_target = {target!r}\n{_with_display(code, target)}\n_classic_target = None\n"
        src = f' src="{attrs["src"]}"' if attrs.get("src") else ""
        div = "" if attrs.get("output") else f'<div id="{target}"></div>'
        if src:
            found.append(Finding(lines.line(at), f'<py-script src="{attrs["src"]}">', "its print() goes to the console in modern PyScript; use display() there"))
            return f'<script type="py"{src}></script>{div}'
        return f'<script type="py">\n{body}</script>{div}'

    out = _sub("py-script", script, out)

    # <py-repl> -> <script type="py-editor">
    def repl(at: int, raw_attrs: str, raw_body: str) -> str:
        found.append(Finding(lines.line(at), "<py-repl>", '<script type="py-editor"> (Shift+Enter runs it; '
                             "it shows what the cell prints, not its last value as <py-repl> did: print() that value)"))
        return f'<script type="py-editor">\n{textwrap.dedent(html.unescape(raw_body)).strip()}\n</script>'

    out = _sub("py-repl", repl, out)

    # event attributes of every era -> py-<event>="function"
    def event(m: re.Match) -> str:
        name, value = m["name"], m["dq"] if m["dq"] is not None else m["sq"]
        kind = re.sub(r"^pys?-on", "", name, flags=re.I).lower()
        function = value.strip().removesuffix("()")
        if not re.fullmatch(r"[A-Za-z_][\w.]*", function):
            found.append(Finding(lines.line(m.start()), f'{name}="{value}"', "modern py-* attributes take a function name: move this code into a function"))
            return m[0]
        found.append(Finding(lines.line(m.start()), f'{name}="{value}"', f'py-{kind}="{function}" (the function receives the event)'))
        return f'py-{kind}="{function}"'

    out = re.sub(r"""\b(?P<name>pys?-on[A-Za-z]+)\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)')""", event, out)
    for tag in ("py-title", "py-box", "py-button", "py-inputbox", "py-register-widget", "py-terminal"):
        for m in re.finditer(fr"<{tag}\b", source, re.I):
            found.append(Finding(lines.line(m.start()), f"<{tag}>", "no modern element: plain HTML plus @when handlers"
                                 if tag != "py-terminal" else '<script type="py" terminal>'))
    found.sort(key=lambda f: f.line)
    result.html = out
    return result
