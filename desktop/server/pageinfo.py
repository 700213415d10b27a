"""What a page asks of the runtime, read from its HTML without running it.

The server uses this to tell a person, before Python even starts, that a
package their page names is not in the offline bundle, and which command adds
it.
"""

from __future__ import annotations

import importlib.util
import json
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

__all__ = ["PageInfo", "scan_page", "package_name"]

_CONFIG_TAGS = {"py-config", "mpy-config", "py-env"}
#: A page that loads classic PyScript (2022-2023): its configs are read as classic read them.
_CLASSIC_SCRIPT = re.compile(r"/pyscript(?:\.min)?\.js(?:[?#].*)?$")
_INLINE = "\x00inline\x00"  # separates a src= config's URL from its inline body in the scanner's record
_CLASSIC_CONFIG = Path(__file__).resolve().parent.parent / "static" / "classic" / "classic_config.py"
#: PyScript's script types, and the interpreter each runs on.
_INTERPRETER_OF = {"py": "pyodide", "pyodide": "pyodide", "py-game": "pyodide", "mpy": "micropython", "micropython": "micropython"}
_ELEMENT_INTERPRETER = {"py-script": "pyodide", "mpy-script": "micropython"}


@dataclass
class PageInfo:
    title: str = ""
    description: str = ""
    packages: list[str] = field(default_factory=list)
    config_errors: list[str] = field(default_factory=list)
    desktop: dict = field(default_factory=dict)  # the config's [desktop] table (e.g. desktop.mounts for the bridge)
    #: Interpreters the page starts on its main thread ("pyodide", "micropython"); workers not included.
    interpreters: set[str] = field(default_factory=set)
    #: The page names its own interpreter URL in a config (so the default one is not what it loads).
    own_interpreter: bool = False
    #: The page loads classic PyScript (pyscript.js of 2022-2023), served by the classic layer.
    classic: bool = False


def package_name(spec: str) -> str | None:
    """The normalised distribution name in a requirement, or None for URLs and wheel paths."""
    spec = spec.strip()
    if not spec or "/" in spec or spec.endswith(".whl") or spec.startswith(("emfs:", "http:", "https:")):
        return None
    name = re.split(r"[\s<>=!~;\[(]", spec, maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower() or None


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.configs: list[tuple[str, str]] = []  # (origin, text or "src:<url>")
        self.interpreters: set[str] = set()
        self.classic = False
        self.title = ""
        self.description = ""
        self._capture: str | None = None
        self._buffer: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        kind = _INTERPRETER_OF.get(a.get("type", "")) if tag == "script" else _ELEMENT_INTERPRETER.get(tag)
        if kind and "worker" not in a:
            self.interpreters.add(kind)
        if tag == "script" and _CLASSIC_SCRIPT.search(a.get("src", "")):
            self.classic = True
        if tag in _CONFIG_TAGS:
            if a.get("src"):
                self.configs.append((f"<{tag} src>", "src:" + a["src"]))
            # classic PyScript merged an inline body with the src= file; the body is read either way
            self._capture, self._buffer = tag, []
        elif tag == "script" and a.get("type") in _INTERPRETER_OF and "config" in a:
            value = a["config"].strip()
            if value.startswith("{"):
                self.configs.append(('<script config="...">', value))
            elif value:
                self.configs.append(('<script config="...">', "src:" + value))
        elif tag == "title" and not self.title:
            self._capture, self._buffer = "title", []
        elif tag == "meta" and a.get("name", "").lower() == "description":
            self.description = a.get("content", "").strip()

    def handle_data(self, data: str) -> None:
        if self._capture:
            self._buffer.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == self._capture:
            text = "".join(self._buffer)
            if tag == "title":
                self.title = " ".join(text.split())
            elif self.configs and self.configs[-1][0] == f"<{tag} src>":
                # the inline body of a src= config: classic merged it over the file's keys
                if text.strip():
                    self.configs[-1] = (self.configs[-1][0], self.configs[-1][1] + "\n" + _INLINE + text)
            else:
                self.configs.append((f"<{tag}>", text))
            self._capture = None


@lru_cache(maxsize=1)
def _classic_parser():
    """The classic layer's own config reader (TOML, JSON, 2022's YAML), shared with the page."""
    spec = importlib.util.spec_from_file_location("classic_config", _CLASSIC_CONFIG)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.parse_config


def _parse_config(text: str, hint: str, classic: bool = False) -> dict:
    if not text.strip():
        return {}
    if classic:  # a classic page's config is whatever classic PyScript read, YAML included
        kind = "json" if hint.endswith(".json") else "toml" if hint.endswith(".toml") else ""
        try:
            return _classic_parser()(text, kind)
        except Exception as exc:  # noqa: BLE001 - any failure of the reader is a broken config
            raise ConfigError(str(exc)) from exc
    text = text.strip()
    if text.startswith("{") or hint.endswith(".json"):
        return json.loads(text)
    return tomllib.loads(text)


class ConfigError(ValueError):
    """A config that could not be read (its message says where)."""


def scan_page(html: str, page_dir: Path | None = None) -> PageInfo:
    """Title, description and requested packages of a page; config files are read from `page_dir`."""
    scanner = _Scanner()
    scanner.feed(html)
    scanner.close()
    classic = scanner.classic or any(origin.startswith("<py-env") for origin, _ in scanner.configs)
    info = PageInfo(title=scanner.title, description=scanner.description, interpreters=scanner.interpreters,
                    classic=classic)
    for origin, text in scanner.configs:
        where = origin
        text, _, inline = text.partition("\n" + _INLINE)
        if inline and not classic:
            inline = ""  # modern PyScript reads the src= file only
        if text.startswith("src:"):
            src = text[4:].split("?", 1)[0]
            if page_dir is None or "://" in src or src.startswith("/"):
                continue
            path = (page_dir / src).resolve()
            where = src
            try:
                text = path.read_text(encoding="utf-8")
            except OSError:
                continue  # the page itself will report a missing config file
        if origin.startswith("<py-env") and not classic:
            continue
        try:
            config = _parse_config(text, where, classic)
            if inline:  # classic: the inline body's keys win over the file's
                config = {**config, **_parse_config(inline, f"<{origin[1:].split()[0]}>", classic)}
        except (json.JSONDecodeError, tomllib.TOMLDecodeError, ConfigError) as exc:
            info.config_errors.append(f"{where}: {exc}")
            continue
        packages = config.get("packages", []) if isinstance(config, dict) else []
        if isinstance(config, dict) and config.get("interpreter"):
            info.own_interpreter = True
        if isinstance(config, dict) and isinstance(config.get("desktop"), dict):
            info.desktop.update(config["desktop"])
        for spec in packages if isinstance(packages, list) else []:
            name = package_name(str(spec))
            if name and name not in info.packages:
                info.packages.append(name)
    return info
