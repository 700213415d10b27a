"""Which packages a folder of pages uses, read from their configs without running them.

Modern pages: `packages` in `<py-config>`, `<mpy-config>`, `<script type="py" config=...>`
and the config files they point to (the server's own scan_page). Classic pages:
`<py-env>` and 2022's YAML `<py-config>`, read by the same parser the classic
layer uses in the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..classic.migrate import parse_config as parse_classic
from ..server.htmlscan import SCAN_LIMIT, raw_elements
from ..server.cdn import URL_RE
from ..server.libmap import FontsRef, LibRef, map_url
from ..server.pageinfo import package_name, scan_page

__all__ = ["AppScan", "scan_app"]

_CLASSIC = ("py-env", "py-config")


@dataclass
class AppScan:
    """Pages found and what each needs; `problems` are configs that could not be read."""

    pages: list[Path] = field(default_factory=list)
    packages: dict[str, list[str]] = field(default_factory=dict)  # package -> pages (relative) naming it
    problems: list[str] = field(default_factory=list)
    #: JavaScript/CSS library URLs the pages (and their scripts, styles and configs) load from CDNs -> pages
    libraries: dict[str, list[str]] = field(default_factory=dict)

    def library_refs(self) -> list[LibRef | FontsRef]:
        """The npm packages behind `libraries` (URLs that map to none are left to the page's notice)."""
        refs: list[LibRef | FontsRef] = []
        for url in self.libraries:
            host, _, rest = url.split("://", 1)[-1].partition("/")
            path, _, query = ("/" + rest).partition("?")
            mapped = map_url(host, path, query.replace("&amp;", "&"))
            if isinstance(mapped, (LibRef, FontsRef)) and mapped not in refs:
                refs.append(mapped)
        return refs

    def add(self, name: str, page: str) -> None:
        self.packages.setdefault(name, [])
        if page not in self.packages[name]:
            self.packages[name].append(page)


def _classic_packages(html: str) -> tuple[list[str], list[str]]:
    """(packages, problems) of the classic `<py-env>` and YAML `<py-config>` blocks of a page."""
    found: list[str] = []
    problems: list[str] = []
    for tag, _, attrs, body, _ in raw_elements(html[:SCAN_LIMIT], _CLASSIC):
        if "src=" in attrs:
            continue  # a config file: scan_page reads those
        kind = "yaml" if tag == "py-env" else ""
        type_match = re.search(r"type\s*=\s*[\"']?(\w+)", attrs)
        if type_match:
            kind = type_match[1].lower()
        try:
            config = parse_classic(body, kind)
        except (ValueError, RecursionError) as exc:
            problems.append(f"<{tag}>: {'nested too deeply' if isinstance(exc, RecursionError) else exc}")
            continue
        packages = config if isinstance(config, list) else config.get("packages", []) if isinstance(config, dict) else []
        found += [str(p) for p in packages if isinstance(p, (str, int, float))]
    return found, problems


def _read_page(page: Path) -> str:
    """The first SCAN_LIMIT characters of a page (a longer page's tail is not scanned)."""
    with page.open(encoding="utf-8", errors="replace") as f:
        return f.read(SCAN_LIMIT)
#: Text files whose CDN URLs the server rewrites, so a build must vendor what they name.
_LIBRARY_TEXTS = (".html", ".htm", ".js", ".mjs", ".css", ".json", ".toml", ".py")


def scan_app(folder: Path) -> AppScan:
    """Every page under `folder`, the packages their configs name and the CDN libraries they load."""
    scan = AppScan()
    for text_file in sorted(folder.rglob("*")):
        if text_file.suffix.lower() in _LIBRARY_TEXTS and text_file.is_file():
            rel = text_file.relative_to(folder).as_posix()
            for m in URL_RE.finditer(text_file.read_text(encoding="utf-8", errors="replace")):
                url = f"https://{m[1]}{m[2] or '/'}"
                if "${" not in url and rel not in scan.libraries.setdefault(url, []):
                    scan.libraries[url].append(rel)
    for page in sorted(folder.rglob("*")):
        if page.suffix.lower() not in (".html", ".htm") or not page.is_file():
            continue
        rel = page.relative_to(folder).as_posix()
        scan.pages.append(page)
        html = _read_page(page)
        info = scan_page(html, page.parent, folder)
        classic, problems = _classic_packages(html)
        # <py-config> blocks are read by both; the classic reader also knows 2022's YAML, so it has the last word.
        # Refused config files and invalid names are the modern scan's findings alone: keep those whatever the kind.
        has_classic = next(raw_elements(html, _CLASSIC), None) is not None
        errors = problems + [e for e in info.config_errors if " was not read: " in e or "not a valid package name" in e] if has_classic else info.config_errors
        scan.problems += [f"{rel}: {p}" for p in errors]
        for name in info.packages + [n for n in (package_name(c) for c in classic) if n]:
            scan.add(name, rel)
    return scan
