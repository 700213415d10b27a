"""--allow-read/--allow-write on the command line: parsed, checked, and refused clearly when wrong."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

import pytest
from conftest import PAGES

from desktop.bridge import add_grant_arguments, grants_from_args
from desktop.errors import UsageError


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_grant_arguments(parser)
    return parser.parse_args(argv)


def test_grants_from_the_command_line(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    grants = grants_from_args(_parse("--allow-read", str(tmp_path / "a"), "--allow-write", str(tmp_path / "b")), tmp_path)
    assert [(g.path, g.write, g.source) for g in grants] == [
        (tmp_path, False, "page folder"), (tmp_path / "a", False, "command line"), (tmp_path / "b", True, "command line"),
    ]


def test_tilde_is_expanded(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "Documents").mkdir()
    grants = grants_from_args(_parse("--allow-read", "~/Documents"))
    assert [g.path for g in grants] == [tmp_path / "Documents"]


def test_a_missing_path_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError) as raised:
        grants_from_args(_parse("--allow-write", str(tmp_path / "nope")))
    assert "--allow-write" in raised.value.message and "no such file or folder" in raised.value.message
    assert raised.value.hint


def test_serve_reports_a_missing_grant_with_exit_code_2(tmp_path, app_home):
    env = {**os.environ, "PYSCRIPT_DESKTOP_HOME": str(app_home)}
    result = subprocess.run([sys.executable, str(PAGES.parent / "main.py"), "serve", str(PAGES), "--allow-read",
                             str(tmp_path / "missing")], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "no such file or folder" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["serve", "open"])
def test_commands_offer_the_grant_options(command):
    result = subprocess.run([sys.executable, str(PAGES.parent / "main.py"), command, "--help"], capture_output=True,
                            text=True, timeout=60)
    assert "--allow-read PATH" in result.stdout and "--allow-write PATH" in result.stdout
