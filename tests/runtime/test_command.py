"""The `runtime` verb as users run it: exit codes, messages without tracebacks, nothing redone when complete."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.settings import app_root

from .conftest import VERSION


def run_cli(*args: str, runtime: Path, home: Path, **env) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k != "PYSCRIPT_DESKTOP_MIRROR"}
    environ.update(PYSCRIPT_DESKTOP_RUNTIME=str(runtime), PYSCRIPT_DESKTOP_HOME=str(home), COLUMNS="200", **env)
    return subprocess.run([sys.executable, str(app_root() / "main.py"), *args], capture_output=True, text=True,
                          env=environ, timeout=600)


@pytest.fixture
def home(synthetic, tmp_path) -> Path:
    """A user home whose download cache holds the synthetic npm tarballs, as after an earlier fetch."""
    home = tmp_path / "home"
    shutil.copytree(synthetic.cache, home / "cache" / "downloads")
    return home


def test_fetch_through_the_mirror_setting_then_again_instantly(synthetic, fake_cdn, home):
    first = run_cli("runtime", "fetch", runtime=synthetic.root, home=home, PYSCRIPT_DESKTOP_MIRROR=fake_cdn.base)
    assert first.returncode == 0, first.stderr
    assert "Runtime pair 'default' ready" in first.stdout and f"pyodide {VERSION}" in first.stdout
    assert len(fake_cdn.requests) == 2
    again = run_cli("runtime", "fetch", runtime=synthetic.root, home=home)
    assert again.returncode == 0 and "is complete" in again.stdout and len(fake_cdn.requests) == 2
    verify = run_cli("runtime", "verify", runtime=synthetic.root, home=home)
    assert verify.returncode == 0 and "All 7 runtime files" in verify.stdout


def test_fetch_with_a_down_mirror_exits_4_with_a_message_not_a_traceback(synthetic, dead_url, home):
    result = run_cli("runtime", "fetch", "--mirror", dead_url, runtime=synthetic.root, home=home)
    assert result.returncode == 4
    assert "error:" in result.stderr and "alpha-1.0-py3-none-any.whl" in result.stderr and dead_url in result.stderr
    assert "hint:" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("action", [("fetch",), ("add", "tabulate")])
def test_a_runtime_folder_that_cannot_be_written_is_named_before_any_download(synthetic, fake_cdn, home, tmp_path, action):
    # An installed app's read-only runtime folder, as root can meet it too: a file stands where a folder must be.
    blocker = tmp_path / "installed"
    blocker.write_text("not a folder")
    result = run_cli("runtime", *action, runtime=blocker / "bundled_runtime", home=home,
                     PYSCRIPT_DESKTOP_MIRROR=fake_cdn.base)
    assert result.returncode == 2, result.stderr
    assert f"Cannot write to the runtime folder {blocker / 'bundled_runtime'}" in result.stderr
    assert "PYSCRIPT_DESKTOP_RUNTIME" in result.stderr and "Traceback" not in result.stderr
    assert fake_cdn.requests == [] and blocker.read_text() == "not a folder"


def test_unknown_pair_lists_the_known_ones(synthetic, home):
    result = run_cli("runtime", "fetch", "--pair", "nope", runtime=synthetic.root, home=home)
    assert result.returncode == 2 and "'nope'" in result.stderr and "default" in result.stderr


def test_list_shows_pairs_packages_and_sizes(synthetic, fake_cdn, home):
    before = run_cli("runtime", "list", runtime=synthetic.root, home=home)
    assert before.returncode == 0 and "default (default)" in before.stdout and " no " in before.stdout
    run_cli("runtime", "fetch", "--mirror", fake_cdn.base, runtime=synthetic.root, home=home)
    after = run_cli("runtime", "list", runtime=synthetic.root, home=home)
    assert after.returncode == 0, after.stderr
    assert " yes " in after.stdout and "alpha-1.0-py3-none-any.whl" in after.stdout and "official lock" in after.stdout
    assert "KB" in after.stdout


def test_add_without_the_pair_installed_says_how_to_fetch(synthetic, home):
    result = run_cli("runtime", "add", "anything", runtime=synthetic.root, home=home)
    assert result.returncode == 3 and "runtime fetch" in result.stderr and "Traceback" not in result.stderr


def test_fetch_of_the_real_bundle_changes_nothing_when_complete(bundle, tmp_path):
    """What setup.sh does before every README command: no download, no rewritten file."""
    def files() -> dict[str, int]:
        return {str(p.relative_to(bundle.root)): p.stat().st_mtime_ns for p in bundle.root.rglob("*") if p.is_file()}

    before = files()
    result = run_cli("runtime", "fetch", runtime=bundle.root, home=tmp_path / "home")
    assert result.returncode == 0 and "is complete" in result.stdout, result.stderr
    assert files() == before


def test_two_fetches_at_once_both_succeed_and_the_bundle_verifies(synthetic, fake_cdn, home):
    """setup.sh may run twice at the same time: the bundle lock makes the second wait, then find it complete."""
    environ = {k: v for k, v in os.environ.items() if k != "PYSCRIPT_DESKTOP_MIRROR"}
    environ.update(PYSCRIPT_DESKTOP_RUNTIME=str(synthetic.root), PYSCRIPT_DESKTOP_HOME=str(home))
    command = [sys.executable, str(app_root() / "main.py"), "runtime", "fetch", "--mirror", fake_cdn.base]
    runs = [subprocess.Popen(command, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert sum("ready" in out for out, _ in outputs) >= 1
    assert len(fake_cdn.requests) == 2  # each package file was downloaded once
    assert run_cli("runtime", "verify", runtime=synthetic.root, home=home).returncode == 0
