"""`runtime verify`: every installed file is re-hashed; each bad one is named, and the command exits non-zero."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

import pytest

from desktop.runtime.bundle import RuntimeBundle
from desktop.runtime.fetch import Fetcher
from desktop.runtime.npm import Npm
from desktop.runtime.verify import verify_bundle
from desktop.settings import app_root

from .conftest import VERSION


@pytest.fixture
def fetched(synthetic, fake_cdn) -> RuntimeBundle:
    bundle = RuntimeBundle(synthetic.root)
    Fetcher(bundle, synthetic.cache, mirror=fake_cdn.base, npm=Npm(None)).fetch(bundle.manifest.pair())
    assert verify_bundle(bundle).ok
    return bundle


def flip_byte(path, offset: int = 1234) -> None:
    data = bytearray(path.read_bytes())
    data[offset % len(data)] ^= 1
    path.write_bytes(bytes(data))


def test_verify_detects_a_flipped_byte_in_a_package_file(fetched):
    flip_byte(fetched.component_dir("pyodide", VERSION) / "alpha-1.0-py3-none-any.whl")
    report = verify_bundle(fetched)
    assert report.problems == [f"pyodide/{VERSION}/alpha-1.0-py3-none-any.whl: content changed (sha256 mismatch)"]


def test_verify_detects_a_flipped_byte_in_an_npm_package_file(fetched):
    flip_byte(fetched.component_dir("pyscript-core", VERSION) / "dist" / "core.js", 3)
    assert verify_bundle(fetched).problems == [f"pyscript-core/{VERSION}/dist/core.js: content changed (sha256 mismatch)"]


def test_verify_names_missing_and_unexpected_files(fetched):
    (fetched.component_dir("micropython", VERSION) / "micropython.mjs").unlink()
    (fetched.component_dir("pyodide", VERSION) / "extra.js").write_text("injected")
    problems = verify_bundle(fetched).problems
    assert f"micropython/{VERSION}/micropython.mjs: missing" in problems
    assert f"pyodide/{VERSION}/extra.js: not part of the verified package" in problems


def test_a_file_record_cannot_unpin_a_package_file(fetched):
    """Editing .files.json to match a swapped file is still caught: package files must equal the manifest's pin."""
    folder = fetched.component_dir("pyodide", VERSION)
    victim = folder / "beta-2.0-py3-none-any.whl"
    victim.write_bytes(b"a different wheel")
    record = json.loads((folder / ".files.json").read_text())
    record[victim.name] = hashlib.sha256(b"a different wheel").hexdigest()
    (folder / ".files.json").write_text(json.dumps(record))
    assert verify_bundle(fetched).problems == [f"pyodide/{VERSION}/{victim.name}: missing or not the file manifest.toml pins"]


def test_verify_checks_the_wheelhouse(fetched, tmp_path):
    from desktop.runtime.wheelhouse import Wheelhouse

    from .conftest import make_wheel

    name, data = make_wheel("delta", "1.0")
    path = tmp_path / name
    path.write_bytes(data)
    entry = {"name": "delta", "version": "1.0", "file_name": name, "sha256": hashlib.sha256(data).hexdigest(),
             "depends": [], "imports": ["delta"], "install_dir": "site", "package_type": "package"}
    Wheelhouse(fetched, VERSION).install({"delta": (entry, path)})
    assert verify_bundle(fetched).ok
    flip_byte(fetched.wheelhouse_dir(VERSION) / name, 10)
    assert verify_bundle(fetched).problems == [f"wheelhouse/{VERSION}/{name}: content changed (sha256 mismatch)"]


def run_cli(*args: str, runtime, home) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYSCRIPT_DESKTOP_RUNTIME": str(runtime), "PYSCRIPT_DESKTOP_HOME": str(home)}
    return subprocess.run([sys.executable, str(app_root() / "main.py"), *args], capture_output=True, text=True,
                          env=env, timeout=300)


def test_cli_verify_exits_non_zero_naming_each_bad_file(fetched, tmp_path):
    ok = run_cli("runtime", "verify", runtime=fetched.root, home=tmp_path / "home")
    assert ok.returncode == 0 and "match their verified digests" in ok.stdout
    flip_byte(fetched.component_dir("pyodide", VERSION) / "alpha-1.0-py3-none-any.whl")
    flip_byte(fetched.component_dir("micropython", VERSION) / "micropython.mjs", 2)
    bad = run_cli("runtime", "verify", runtime=fetched.root, home=tmp_path / "home")
    assert bad.returncode == 4
    assert "alpha-1.0-py3-none-any.whl" in bad.stderr and "micropython.mjs" in bad.stderr
    assert "2 runtime file problem(s)" in bad.stderr and "runtime fetch --force" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_cli_verify_without_a_runtime_says_how_to_fetch(tmp_path):
    (tmp_path / "runtime").mkdir()
    (tmp_path / "runtime" / "manifest.toml").write_bytes((app_root() / "bundled_runtime" / "manifest.toml").read_bytes())
    result = run_cli("runtime", "verify", runtime=tmp_path / "runtime", home=tmp_path / "home")
    assert result.returncode == 3 and "runtime fetch" in result.stderr and "Traceback" not in result.stderr
