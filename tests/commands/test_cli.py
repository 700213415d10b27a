"""The entry point as a user meets it: real subprocesses of `python main.py`."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
from conftest import login_client

from desktop.settings import app_root

MAIN = str(app_root() / "main.py")


def run(*args: str, env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, MAIN, *args], capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})}
    )


def test_version_names_app_pyscript_and_pyodide():
    result = run("--version")
    assert result.returncode == 0
    assert "pyscript-desktop" in result.stdout
    assert "PyScript 0.6.66, Pyodide 0.27.7" in result.stdout


def test_missing_runtime_is_a_clear_error_without_traceback(tmp_path):
    empty = tmp_path / "runtime"
    empty.mkdir()
    (empty / "manifest.toml").write_bytes((app_root() / "bundled_runtime" / "manifest.toml").read_bytes())
    result = run("serve", str(app_root() / "pages"), env={"PYSCRIPT_DESKTOP_RUNTIME": str(empty)})
    assert result.returncode == 3
    assert "is not in" in result.stderr and "python main.py runtime fetch" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_missing_folder_is_a_usage_error():
    result = run("serve", "/no/such/folder")
    assert result.returncode == 2
    assert "does not exist" in result.stderr and "Traceback" not in result.stderr


def test_serve_prints_its_url_and_serves_until_interrupted(tmp_path):
    (tmp_path / "index.html").write_text("<html><head></head><body>served</body></html>")
    proc = subprocess.Popen(
        [sys.executable, MAIN, "serve", str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith(f"Serving {tmp_path} at http://127.0.0.1:"), line
        url = line.split(" at ", 1)[1].strip()
        client, page = login_client(url)
        client.close()
        assert "served" in page.text
        assert httpx.get(url, timeout=10).status_code == 403  # one-time: a second use gets nothing
    finally:
        proc.send_signal(2)  # SIGINT, as Ctrl+C
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0  # Ctrl+C is how serving ends: not an error
    assert err == "", err


def test_busy_port_exit_code(tmp_path):
    from desktop.runtime.bundle import RuntimeBundle
    from desktop.server import PageServer, ServerOptions
    from desktop.settings import default_runtime_dir

    with PageServer(ServerOptions(root=tmp_path, bundle=RuntimeBundle(default_runtime_dir()))) as busy:
        result = run("serve", str(tmp_path), "--port", str(busy.port))
    assert result.returncode == 6
    assert f"Port {busy.port}" in result.stderr and "Traceback" not in result.stderr
