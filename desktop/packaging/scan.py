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
from ..server.pageinfo import package_name, scan_page

__all__ = ["AppScan", "scan_app"]

_CLASSIC = ("py-env", "py-config")


@dataclass
class AppScan:
    """Pages found and what each needs; `problems` are configs that could not be read."""

    pages: list[Path] = field(default_factory=list)
    packages: dict[str, list[str]] = field(default_factory=dict)  # package -> pages (relative) naming it
    problems: list[str] = field(default_factory=list)

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


def scan_app(folder: Path) -> AppScan:
    """Every page under `folder` and the packages their configs name."""
    scan = AppScan()
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
