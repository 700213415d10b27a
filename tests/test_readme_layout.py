"""README's Layout section names every part of the package, so the map people read matches the tree."""

from __future__ import annotations

import re

from desktop.settings import app_root

ROOT = app_root()


def _layout_block() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    return section.split("```", 2)[1]


def test_every_module_and_subpackage_of_the_package_is_in_the_layout():
    block = _layout_block()
    named = set(re.findall(r"[A-Za-z_][\w.]*(?:/|\.py)", block))
    missing = []
    for path in sorted((ROOT / "desktop").iterdir()):
        if path.name.startswith(("_", ".")) and path.name != "__main__.py":
            continue
        name = f"{path.name}/" if path.is_dir() else path.name
        if (path.is_dir() or path.suffix == ".py") and name not in named:
            missing.append(name)
    assert not missing, f"README.md's Layout leaves out desktop/{', desktop/'.join(missing)}"


def test_every_top_level_folder_in_the_layout_exists():
    block = _layout_block()
    for line in block.splitlines():
        match = re.match(r"^(\S+?)/?\s{2,}", line)
        if match and not line.startswith(" "):
            assert (ROOT / match[1].rstrip("/")).exists(), f"README.md's Layout names {match[1]}, which is not in the tree"
