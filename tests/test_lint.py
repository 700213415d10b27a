"""ruff over the whole tree and mypy over the package, as configured in pyproject.toml.

The rule set (and why each ignored rule is ignored) lives in pyproject.toml's [tool.ruff] and
[tool.mypy] tables; this test only runs the two tools the way CI and a person would, so a
violation fails the suite with the tools' own messages (file:line: code message).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from desktop.settings import app_root

ROOT = app_root()


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_finds_nothing_in_the_tree():
    result = _run("ruff", "check", "--no-fix", "--output-format", "concise", ".")
    if result.returncode:
        pytest.fail(f"ruff check:\n{result.stdout}{result.stderr}", pytrace=False)


def test_mypy_finds_nothing_in_the_package():
    result = _run("mypy", "--no-error-summary", "--hide-error-context")
    if result.returncode:
        pytest.fail(f"mypy (files and settings from pyproject.toml):\n{result.stdout}{result.stderr}", pytrace=False)
