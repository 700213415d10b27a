"""What a page asks of the runtime, read from its HTML without running it.

The server uses this to tell a person, before Python even starts, that a
package their page names is not in the offline bundle, and which command adds
it.
"""

from __future__ import annotations

import html as html_lib
import importlib.util
import json
import os
import stat
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable
from urllib.parse import unquote

from ..settings import STATIC_DIR
from .htmlscan import SCAN_LIMIT, Text, tokens

__all__ = ["micropip_installs", "pyodide_loads", "worker_configs", "js_workers", "PageInfo", "scan_page", "package_name", "CONFIG_LIMIT", "ConfigRefused",
           "invalid_package", "ConfigError", "parse_classic_config"]

_CONFIG_TAGS = {"py-config", "mpy-config", "py-env"}
#: A page that loads classic PyScript (2022-2023): its configs are read as classic read them.
_CLASSIC_SCRIPT = re.compile(r"/pyscript(?:\.min)?\.js(?:[?#].*)?$")
_INLINE = "\x00inline\x00"  # separates a src= config's URL from its inline body in the scanner's record
_CLASSIC_CONFIG = STATIC_DIR / "classic" / "classic_config.py"
#: PyScript's script types, and the interpreter each runs on.
#: `micropip.install("name")` or `micropip.install(["a", "b==1"])` in page code: packages installed at run time.
_MICROPIP_INSTALL = re.compile(r"""micropip\.install\(\s*(\[[^\]]{0,2000}\]|["'][^"'\n]{1,200}["'])""")
_QUOTED = re.compile(r"""["']([^"'\n]{1,200})["']""")


#: `pyodide.loadPackage("name")` or `.loadPackage(["a", "b"])` in a plain Pyodide page's JavaScript.
_LOAD_PACKAGE = re.compile(r"""\.loadPackage\(\s*(\[[^\]]{0,2000}\]|["'][^"'\n]{1,200}["'])""")
#: Script types that hold JavaScript (no type, or one of these).
_JS_TYPES = {"", "module", "text/javascript", "application/javascript", "text/babel"}


#: `PyWorker("w.py", type="pyodide", config="./w.json")` in page code: a worker started with its own config file.
_PYWORKER_CALL = re.compile(r"""PyWorker\(([^)]{0,600})\)""")
_CONFIG_KEYWORD = re.compile(r"""config\s{0,20}=\s{0,20}["']([^"'\n]{1,300})["']""")


def worker_configs(code: str) -> list[str]:
    """Config files (literal relative URLs) of the workers page code starts with `PyWorker(..., config="...")`.

    The worker's packages are the page's too: a release page whose worker needs numpy must get the Pyodide
    that has it (and micropip), though its own config names none."""
    found = []
    for call in _PYWORKER_CALL.finditer(code):
        for src in _CONFIG_KEYWORD.findall(call.group(1)):
            if src not in found:
                found.append(src)
    return found


def pyodide_loads(code: str) -> list[str]:
    """Normalised names of the packages a plain Pyodide page's JavaScript loads by name: `loadPackage(...)`
    and `micropip.install(...)` (in Python it hands to runPython, or through pyimport), literal names only."""
    return _named_in_calls(_LOAD_PACKAGE, code, micropip_installs(code))


#: A worker page code starts: `PyWorker("./w.py", { config: {packages: ["numpy"]} })` or `{ config: "./w.toml" }`
#: in JavaScript (core.js's export, also `XWorker`), `PyWorker("w.py", type="pyodide", config={"packages": [...]})`
#: in Python; its arguments up to the call's end, bounded.
_JS_WORKER_CALL = re.compile(r"""\b(?:PyWorker|XWorker)\s{0,20}\(\s{0,20}["'`][^"'`\n]{1,300}["'`]\s{0,20},""")
_JS_CONFIG_FILE = re.compile(r"""\bconfig\s{0,20}[:=]\s{0,20}["'`]([^"'`\n{]{1,300})["'`]""")
_JS_PACKAGES = re.compile(r"""["']?packages["']?\s{0,20}:\s{0,20}(\[[^\]]{0,2000}\]|["'][^"'\n]{1,200}["'])""")
_JS_MICROPYTHON = re.compile(r"""\btype\s{0,20}[:=]\s{0,20}["'`](?:micropython|mpy)["'`]""")


def js_workers(code: str) -> tuple[list[str], list[str]]:
    """Config files and packages of the Pyodide workers page JavaScript starts with core.js's `PyWorker`.

    Such a worker's packages are the page's too, as for a worker started from Python (worker_configs):
    a release page whose worker needs numpy must get the Pyodide that has it, or a box naming the command."""
    files: list[str] = []
    packages: list[str] = []
    for call in _JS_WORKER_CALL.finditer(code):
        args = code[call.end():call.end() + 2000].split(");", 1)[0]
        if _JS_MICROPYTHON.search(args):
            continue  # MicroPython installs with mip, from the network: not the Pyodide bundle's business
        files += [src for src in _JS_CONFIG_FILE.findall(args) if src not in files]
        for listed in _JS_PACKAGES.findall(args):
            packages += [n for n in (package_name(q) for q in _QUOTED.findall(listed)) if n and n not in packages]
    return files, packages


@lru_cache(maxsize=256)
def _script_facts(code: str) -> tuple[list[str], list[str], list[str]]:
    """js_workers(code) and pyodide_loads(code), once per script text: every page load scans the page's
    scripts again (up to 20 files of its own), and they rarely change between loads. Callers only read."""
    files, packages = js_workers(code)
    return files, packages, pyodide_loads(code)


def micropip_installs(code: str) -> list[str]:
    """Normalised names of the packages page code installs with micropip (literal names only)."""
    return _named_in_calls(_MICROPIP_INSTALL, code, [])


def _named_in_calls(call: re.Pattern[str], code: str, names: list[str]) -> list[str]:
    """`names` and, after them, the package names quoted in the first argument of each `call` in `code`."""
    for found in call.finditer(code):
        for spec in _QUOTED.findall(found.group(1)):
            name = package_name(spec)
            if name and name not in names:
                names.append(name)
    return names


#: Script types that make PyScript install a package the page's config does not name.
_IMPLIED_PACKAGES = {"py-game": "pygame-ce"}
_INTERPRETER_OF = {"py": "pyodide", "pyodide": "pyodide", "py-game": "pyodide", "mpy": "micropython", "micropython": "micropython"}
_ELEMENT_INTERPRETER = {"py-script": "pyodide", "mpy-script": "micropython"}
#: Editors run their code in a worker of their own, with the config their `config=` names (2024.4 on).
_EDITOR_TYPES = {"py-editor": "pyodide", "mpy-editor": "micropython"}


@dataclass
class PageInfo:
    title: str = ""
    description: str = ""
    packages: list[str] = field(default_factory=list)
    config_errors: list[str] = field(default_factory=list)
    #: Requirements with a version specifier, as the configs write them (`bokeh==3.2.2`).
    pins: list[str] = field(default_factory=list)
    desktop: dict = field(default_factory=dict)  # the config's [desktop] table (e.g. desktop.mounts for the bridge)
    #: Interpreters the page starts on its main thread ("pyodide", "micropython"); workers not included.
    interpreters: set[str] = field(default_factory=set)
    #: Interpreters the page starts in workers (`<script type="py" worker>`): same release, same packages.
    worker_interpreters: set[str] = field(default_factory=set)
    #: The page names its own interpreter URL in a config (so the default one is not what it loads).
    own_interpreter: bool = False
    #: The page loads classic PyScript (pyscript.js of 2022-2023), served by the classic layer.
    classic: bool = False
    #: A modern config has a `packages` key, even `[]`: PyScript then loads micropip (`if (config.packages)`
    #: holds for an empty JavaScript array), which the releases' npm Pyodides do not carry.
    micropip: bool = False
    #: Packages a plain Pyodide page's JavaScript loads by name (pyodide_loads): shown when the bundle lacks
    #: them, not preloaded (the page decides when, and whether, to load each).
    loads: list[str] = field(default_factory=list)
    #: The texts of the config files the page names (read here, inside the folder): the server looks in
    #: them for library URLs without an offline copy (`js_modules`), which the page then names in its box.
    config_texts: list[str] = field(default_factory=list)


#: PEP 508's name rule: what `runtime add` accepts and what a shown command may carry.
_VALID_NAME = re.compile(r"[A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9]", re.IGNORECASE)


def _is_reference(spec: str) -> bool:
    """A URL or wheel path rather than a name (PyScript loads those as they are)."""
    return "/" in spec or spec.endswith(".whl") or spec.startswith(("emfs:", "http:", "https:"))


def package_name(spec: str) -> str | None:
    """The normalised distribution name in a requirement; None for URLs, wheel paths and invalid names."""
    spec = spec.strip()
    if not spec or _is_reference(spec):
        return None
    name = re.split(r"[\s<>=!~;\[(]", spec, maxsplit=1)[0]
    if not _VALID_NAME.fullmatch(name):
        return None
    return re.sub(r"[-_.]+", "-", name).lower()


def invalid_package(spec: str) -> bool:
    """A requirement that names no valid package (and is no URL): never shown in a command."""
    spec = spec.strip()
    return bool(spec) and not _is_reference(spec) and package_name(spec) is None


class _Scanner:
    """What scan_page needs from a page, read by the linear tokenizer (never html.parser)."""

    def __init__(self) -> None:
        self.configs: list[tuple[str, str]] = []  # (origin, text or "src:<url>")
        self.interpreters: set[str] = set()
        self.worker_interpreters: set[str] = set()
        self.implied: list[str] = []  # packages a script type loads by itself
        self.python_files: list[str] = []  # src= of Pyodide scripts
        self.python: list[str] = []  # inline Pyodide code
        self.javascript: list[str] = []  # inline JavaScript (Pyodide's loadPackage, workers started from it)
        self.javascript_files: list[str] = []  # src= of the page's own scripts
        self.classic = False
        self.title = ""
        self.description = ""
        self._capture: str | None = None
        self._buffer: list[str] = []

    def feed(self, html: str) -> None:
        for token in tokens(html[:SCAN_LIMIT]):
            if isinstance(token, Text):
                if self._capture:
                    self._buffer.append(token.text)
            elif token.end:
                self.handle_endtag(token.name)
            else:
                self.handle_starttag(token.name, token.attrs)
        if self._capture == "javascript":  # a script the page never closes
            self.handle_endtag("script")
        elif self._capture and self._capture.startswith("python:"):  # a script the page never closes
            self.handle_endtag(self._capture.removeprefix("python:"))
        elif self._capture and self._capture != "title":  # a config the page never closes still counts
            self.handle_endtag(self._capture)

    def handle_starttag(self, tag: str, a: dict[str, str]) -> None:
        kind = _INTERPRETER_OF.get(a.get("type", "")) if tag == "script" else _ELEMENT_INTERPRETER.get(tag)
        if kind and "worker" not in a:
            self.interpreters.add(kind)
        elif kind:
            self.worker_interpreters.add(kind)
        if tag == "script" and a.get("type") in _EDITOR_TYPES:
            self.worker_interpreters.add(_EDITOR_TYPES[a["type"]])
        if tag == "script" and a.get("type") in _IMPLIED_PACKAGES:
            self.implied.append(_IMPLIED_PACKAGES[a["type"]])
        if kind == "pyodide" and tag in ("script", "py-script"):
            if a.get("src"):
                self.python_files.append(a["src"])
            elif not self._capture:
                self._capture, self._buffer = "python:" + tag, []
        if tag == "script" and a.get("type", "").strip().lower() in _JS_TYPES:
            if a.get("src"):
                self.javascript_files.append(a["src"])
            elif not self._capture:
                self._capture, self._buffer = "javascript", []
        if tag == "script" and _CLASSIC_SCRIPT.search(a.get("src", "")):
            self.classic = True
        if tag in _CONFIG_TAGS:
            if a.get("src"):
                self.configs.append((f"<{tag} src>", "src:" + a["src"]))
            # classic PyScript merged an inline body with the src= file; the body is read either way
            self._capture, self._buffer = tag, []
        elif tag == "script" and (a.get("type") in _INTERPRETER_OF or a.get("type") in _EDITOR_TYPES) and "config" in a:
            value = a["config"].strip()
            if value.startswith("{"):
                self.configs.append(('<script config="...">', value))
            elif value:
                self.configs.append(('<script config="...">', "src:" + value))
        elif tag == "title" and not self.title:
            self._capture, self._buffer = "title", []
        elif tag == "meta" and a.get("name", "").lower() == "description":
            self.description = a.get("content", "").strip()

    def handle_endtag(self, tag: str) -> None:
        if self._capture == "javascript" and tag == "script":
            self.javascript.append("".join(self._buffer))
            self._capture = None
            return
        if self._capture == "python:" + tag:
            self.python.append(html_lib.unescape("".join(self._buffer)) if tag == "py-script" else "".join(self._buffer))
            self._capture = None
            return
        if tag == self._capture:
            text = "".join(self._buffer)
            if tag == "title":
                self.title = " ".join(html_lib.unescape(text).split())
            elif self.configs and self.configs[-1][0] == f"<{tag} src>":
                # the inline body of a src= config: classic merged it over the file's keys
                if text.strip():
                    self.configs[-1] = (self.configs[-1][0], self.configs[-1][1] + "\n" + _INLINE + text)
            else:
                self.configs.append((f"<{tag}>", text))
            self._capture = None


class ConfigError(ValueError):
    """A config that could not be read (its message says where)."""


@lru_cache(maxsize=1)
def _classic_parser() -> Callable[[str, str], dict]:
    """The classic layer's own config reader (TOML, JSON, 2022's YAML), shared with the page: the one
    loader of static/classic/classic_config.py on the host."""
    spec = importlib.util.spec_from_file_location("classic_config", _CLASSIC_CONFIG)
    assert spec is not None and spec.loader is not None  # a .py file we ship
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.parse_config


def parse_classic_config(text: str, kind: str = "") -> dict:
    """A classic <py-config>/<py-env> body (`kind` "toml", "json" or "" to tell by content) as a dict."""
    return _classic_parser()(text, kind)


def _parse_config(text: str, hint: str, classic: bool = False) -> dict:
    if not text.strip():
        return {}
    if classic:  # a classic page's config is whatever classic PyScript read, YAML included
        kind = "json" if hint.endswith(".json") else "toml" if hint.endswith(".toml") else ""
        try:
            return parse_classic_config(text, kind)
        except Exception as exc:  # any failure of the reader is a broken config
            raise ConfigError(str(exc)) from exc
    text = text.strip()
    if text.startswith("{") or hint.endswith(".json"):
        return json.loads(text)
    return tomllib.loads(text)


#: Bytes of a config file that scanning reads; a longer one is refused (configs are a few lines).
CONFIG_LIMIT = 256 * 1024
_RULE = f"config files must be regular files inside the page folder, at most {CONFIG_LIMIT // 1024} KB"


class ConfigRefused(Exception):
    """A config file a page names that scanning will not read; the message names the rule."""


def _config_path(root: Path, page_dir: Path, src: str) -> Path:
    """The real path of config `src` (relative to `page_dir`) inside `root`, or ConfigRefused."""
    name = unquote(src)
    if "\x00" in name or "\\" in name or ":" in name:
        raise ConfigRefused("unusual characters in the name")
    root_real = Path(os.path.realpath(root))
    try:
        parts = list(Path(os.path.realpath(page_dir)).relative_to(root_real).parts)
    except ValueError:
        raise ConfigRefused("the page is outside the page folder") from None
    for segment in name.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if not parts:
                raise ConfigRefused("the path leads outside the page folder")
            parts.pop()
        else:
            parts.append(segment)
    real = Path(os.path.realpath(root_real.joinpath(*parts)))
    if real != root_real and root_real not in real.parents:
        raise ConfigRefused("the path (or a symlink on it) leads outside the page folder")
    return real


def _read_config(path: Path) -> str | None:
    """The text of a regular file of at most CONFIG_LIMIT bytes, None when missing, or ConfigRefused."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        return None  # the page itself reports a missing config file when it fetches it
    except OSError as exc:
        raise ConfigRefused(f"it cannot be opened ({exc.strerror})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ConfigRefused("it is not a regular file")
        if info.st_size > CONFIG_LIMIT:
            raise ConfigRefused(f"it is larger than {CONFIG_LIMIT // 1024} KB")
        data = os.read(fd, CONFIG_LIMIT + 1)
    finally:
        os.close(fd)
    if len(data) > CONFIG_LIMIT:
        raise ConfigRefused(f"it is larger than {CONFIG_LIMIT // 1024} KB")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigRefused("it is not UTF-8 text") from None


def scan_page(html: str, page_dir: Path | None = None, root: Path | None = None) -> PageInfo:
    """Title, description and requested packages of a page (its first SCAN_LIMIT characters).

    Config files are read relative to `page_dir` and only inside `root` (the served or app
    folder; `page_dir` when not given): regular files of at most CONFIG_LIMIT bytes. A refused
    one becomes a config error naming the file and the rule, which the page shows.
    """
    scanner = _Scanner()
    scanner.feed(html)
    classic = scanner.classic or any(origin.startswith("<py-env") for origin, _ in scanner.configs)
    info = PageInfo(title=scanner.title, description=scanner.description, interpreters=scanner.interpreters,
                    classic=classic, worker_interpreters=scanner.worker_interpreters)
    installs = list(scanner.implied)
    for code in scanner.python:
        installs += micropip_installs(code)
        scanner.configs += [("PyWorker(config=...)", "src:" + url) for url in worker_configs(code)]
    for src in scanner.python_files[:20]:
        src = src.split("?", 1)[0].split("#", 1)[0]
        if page_dir is None or "://" in src or src.startswith("/") or not src.endswith(".py"):
            continue
        try:
            script = _read_config(_config_path(root or page_dir, page_dir, src))
        except ConfigRefused:
            continue  # a script file outside the folder: the page's own problem, not a package
        installs += micropip_installs(script or "")
        scanner.configs += [("PyWorker(config=...)", "src:" + url) for url in worker_configs(script or "")]
        scanner.python.append(script or "")
    scripts = list(scanner.javascript)
    for src in scanner.javascript_files[:20]:
        src = src.split("?", 1)[0].split("#", 1)[0]
        if page_dir is None or "://" in src or src.startswith(("/", "data:")) or not src.endswith((".js", ".mjs")):
            continue
        try:
            scripts.append(_read_config(_config_path(root or page_dir, page_dir, src)) or "")
        except ConfigRefused:
            continue  # a script outside the folder (or a large bundle): not scanned
    for code in scripts + scanner.python:
        files, packages, _ = _script_facts(code)
        if files or packages:
            info.worker_interpreters.add("pyodide")
        installs += packages
        scanner.configs += [("PyWorker(config=...)", "src:" + url) for url in files
                            if ("PyWorker(config=...)", "src:" + url) not in scanner.configs]
    for installed in installs:
        if installed not in info.packages:
            info.packages.append(installed)
    if "pyodide" in html[:SCAN_LIMIT].lower():  # a plain Pyodide page (or one that loads Pyodide itself)
        for code in scripts:
            info.loads += [name for name in _script_facts(code)[2] if name not in info.loads and name not in info.packages]
    for origin, text in scanner.configs:
        where = origin
        text, _, inline = text.partition("\n" + _INLINE)
        if inline and not classic:
            inline = ""  # modern PyScript reads the src= file only
        if text.startswith("src:"):
            src = text[4:].split("?", 1)[0].split("#", 1)[0]
            if page_dir is None or "://" in src or src.startswith("/") or not src:
                continue
            where = src
            try:
                read = _read_config(_config_path(root or page_dir, page_dir, src))
            except ConfigRefused as refused:
                info.config_errors.append(f"{origin} \"{src[:200]}\" was not read: {refused}; {_RULE}.")
                continue
            if read is None:
                continue
            text = read
            info.config_texts.append(read)
        if origin.startswith("<py-env") and not classic:
            continue
        try:
            config = _parse_config(text, where, classic)
            if inline:  # classic: the inline body's keys win over the file's
                config = {**config, **_parse_config(inline, f"<{origin[1:].split()[0]}>", classic)}
        except (ValueError, RecursionError) as exc:  # JSON, TOML and classic errors are ValueErrors
            info.config_errors.append(f"{where}: {'nested too deeply' if isinstance(exc, RecursionError) else exc}")
            continue
        packages = config.get("packages", []) if isinstance(config, dict) else []
        if isinstance(packages, str):  # `packages = "mpmath"`: PyScript hands it to micropip.install, which takes one name
            packages = [packages] if packages else []
        if isinstance(config, dict) and isinstance(config.get("packages"), list) and not classic:
            info.micropip = True
        if isinstance(config, dict) and config.get("interpreter"):
            info.own_interpreter = True
        if isinstance(config, dict) and isinstance(config.get("desktop"), dict):
            info.desktop.update(config["desktop"])
        for spec in packages if isinstance(packages, list) else []:
            if invalid_package(str(spec)):
                info.config_errors.append(f"{where}: {str(spec)[:80]!r} is not a valid package name "
                                          "(PEP 508: letters, digits, '.', '-' and '_', starting and ending with a letter or digit)")
                continue
            name = package_name(str(spec))
            if name and re.search(r"[<>=!~]", str(spec)) and str(spec).strip() not in info.pins:
                info.pins.append(str(spec).strip())
            if name and name not in info.packages:
                info.packages.append(name)
    return info
