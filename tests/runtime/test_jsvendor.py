"""`runtime add --js`: libraries vendored with the npm client, checked against the registry's integrity.

The first test uses the real npm client and registry (reachable here, as on CI's fresh machine);
the integrity test replaces only the registry, with an npm executable that serves wrong bytes
under the right metadata, to show that nothing unverified reaches the library cache.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import textwrap
from pathlib import Path

import pytest

from conftest import require
from desktop.errors import IntegrityError
from desktop.runtime.integrity import sri_of
from desktop.runtime.jslibs import JsLibraries
from desktop.runtime.jsvendor import JsVendor
from desktop.runtime.npm import Npm
from desktop.settings import app_root


def run_cli(*args: str, home: Path) -> subprocess.CompletedProcess:
    environ = dict(os.environ, PYSCRIPT_DESKTOP_HOME=str(home), COLUMNS="200")
    return subprocess.run([sys.executable, str(app_root() / "main.py"), *args], capture_output=True, text=True,
                          env=environ, timeout=600)


@pytest.mark.network
def test_add_js_vendors_with_npm_then_has_nothing_to_do(tmp_path):
    require(shutil.which("npm") is not None, "npm is not installed")
    home = tmp_path / "home"
    result = run_cli("runtime", "add", "--js", "jquery@3.6", "https://cdn.plot.ly/plotly-basic-2.35.2.min.js", home=home)
    assert result.returncode == 0, result.stderr
    assert "jquery@3.6.4" in result.stdout and "plotly.js-basic-dist-min@2.35.2" in result.stdout
    folder = home / "cache" / "js" / "jquery@3.6.4"
    index = json.loads((folder / ".files.json").read_text())
    assert "dist/jquery.min.js" in index and (folder / "dist" / "jquery.min.js").is_file()
    assert not list((home / "cache" / "js").glob(".staging-*"))
    again = run_cli("runtime", "add", "--js", "jquery@3.6", home=home)
    assert again.returncode == 0 and "Nothing to add" in again.stdout
    listed = run_cli("runtime", "list", home=home)
    assert "jquery" in listed.stdout and "3.6.4" in listed.stdout


def test_add_js_refuses_what_has_no_npm_counterpart(tmp_path):
    result = run_cli("runtime", "add", "--js", "https://example.com/lib.js", home=tmp_path / "home")
    assert result.returncode == 2
    assert "example.com is not a CDN this app maps" in result.stderr and "Traceback" not in result.stderr


def _tarball(folder: Path, name: str, content: str) -> Path:
    package = folder / "src" / "package"
    package.mkdir(parents=True)
    (package / "package.json").write_text(json.dumps({"name": name, "version": "1.0.0", "main": "index.js"}))
    (package / "index.js").write_text(content)
    path = folder / f"{name}-1.0.0.tgz"
    with tarfile.open(path, "w:gz") as archive:
        archive.add(package, arcname="package")
    return path


def test_a_tarball_that_does_not_match_the_registry_integrity_is_refused(tmp_path):
    genuine = _tarball(tmp_path / "genuine", "tiny-lib", "export const ok = 1;\n")
    forged = _tarball(tmp_path / "forged", "tiny-lib", "steal();\n")
    npm = tmp_path / "npm"
    # A registry that advertises the genuine tarball's integrity but hands out another tarball.
    npm.write_text(textwrap.dedent(f"""\
        #!{sys.executable}
        import shutil, sys
        args = sys.argv[1:]
        if args[0] == "view" and args[2] == "version":
            print('"1.0.0"')
        elif args[0] == "view" and args[2] == "dist.integrity":
            print({sri_of(genuine)!r})
        elif args[0] == "pack":
            dest = args[args.index("--pack-destination") + 1]
            shutil.copy({str(forged)!r}, dest)
            print("tiny-lib-1.0.0.tgz")
        else:
            sys.exit(1)
        """))
    npm.chmod(0o755)
    target = tmp_path / "js"
    vendor = JsVendor(target, JsLibraries((target,)), tmp_path / "downloads", Npm(str(npm)))
    with pytest.raises(IntegrityError) as refused:
        vendor.add([("tiny-lib", "1")])
    assert "did not match" in refused.value.message
    assert not target.exists() or not any(p for p in target.iterdir())


def test_verify_reports_a_changed_library_file(tmp_path):
    from desktop.runtime.bundle import RuntimeBundle
    from desktop.runtime.verify import verify_bundle

    genuine = _tarball(tmp_path / "genuine", "tiny-lib", "export const ok = 1;\n")
    npm = tmp_path / "npm"
    npm.write_text(textwrap.dedent(f"""\
        #!{sys.executable}
        import shutil, sys
        args = sys.argv[1:]
        if args[0] == "view":
            print({sri_of(genuine)!r} if args[2] == "dist.integrity" else '"1.0.0"')
        elif args[0] == "pack":
            shutil.copy({str(genuine)!r}, args[args.index("--pack-destination") + 1])
            print("tiny-lib-1.0.0.tgz")
        """))
    npm.chmod(0o755)
    runtime = tmp_path / "bundled_runtime"
    target = runtime / "js"
    vendor = JsVendor(target, JsLibraries((target,)), tmp_path / "downloads", Npm(str(npm)))
    assert vendor.add([("tiny-lib", "1")]) == ["tiny-lib@1.0.0"]
    assert verify_bundle(RuntimeBundle(runtime)).problems == []
    (target / "tiny-lib@1.0.0" / "index.js").write_text("steal();\n")
    (target / "tiny-lib@1.0.0" / "extra.js").write_text("x\n")
    problems = verify_bundle(RuntimeBundle(runtime)).problems
    assert problems == ["js/tiny-lib@1.0.0/index.js: content changed (sha256 mismatch)",
                        "js/tiny-lib@1.0.0/extra.js: not part of the verified package"]
