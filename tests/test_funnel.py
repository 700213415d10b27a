"""One error funnel (console.funnel) for every entry point: the app's `main.py` and the release script
both turn a DesktopError into its message, its next step and its exit code, and nothing else does."""

from __future__ import annotations

import ast
import subprocess
import sys

from desktop.errors import PackagingError
from desktop.settings import app_root

ROOT = app_root()


def test_the_release_script_reports_through_the_funnel(tmp_path):
    """A folder that is no one-folder build: the release script says so, with the next step and exit 8."""
    not_a_build = tmp_path / "pyscript-desktop"
    not_a_build.mkdir()
    result = subprocess.run([sys.executable, "-m", "desktop.packaging.release", "--app", str(not_a_build),
                             "--out", str(tmp_path / "out"), "--no-deb"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == PackagingError.exit_code == 8, result.stderr
    assert "is not a one-folder build" in result.stderr and "--base" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_the_app_reports_through_the_funnel(tmp_path):
    result = subprocess.run([sys.executable, "main.py", "kiosk", str(tmp_path / "missing.toml")],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr  # ConfigError
    assert "error:" in result.stderr and "does not exist" in result.stderr and "Traceback" not in result.stderr


def test_only_the_funnel_turns_errors_into_exit_codes():
    package = ROOT / "desktop"
    readers = []
    for path in sorted(package.rglob("*.py")):
        if path in (package / "console.py", package / "errors.py") or "static" in path.relative_to(package).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "exit_code":
                readers.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not readers, "turn DesktopErrors into exit codes through desktop.console.funnel: " + ", ".join(readers)
