"""`build` without freezing: desktop.toml, the page scan, the trimmed runtime, failures that leave nothing.

Real pip against a package index on 127.0.0.1 (tests/runtime's stand-in), the real
runtime bundle, the real command line in a child process. The freeze itself is in
test_installers.py (marked packaging).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, require
from desktop.errors import ConfigError, PackageNotFoundError
from desktop.packaging.appconfig import load_app_config
from desktop.packaging.launcher import default_argv
from desktop.settings import LAUNCH_CONFIG
from desktop.packaging.runtime import select_packages, write_runtime
from desktop.packaging.scan import scan_app
from desktop.runtime.bundle import RuntimeBundle
from desktop.runtime.precompile import Precompiled
from desktop.runtime.verify import verify_bundle
from runtime.conftest import FakeCdn, FakeIndex, make_wheel

APPS = Path(__file__).resolve().parent / "apps"


@pytest.fixture
def index():
    cdn = FakeCdn().start()
    yield FakeIndex(cdn)
    cdn.stop()


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=600)


# -- desktop.toml --------------------------------------------------------------------------------


def test_example_app_config():
    config = load_app_config(APPS / "inventory")
    assert (config.name, config.version, config.entry, config.size, config.slug) == (
        "Inventory Viewer", "1.2.0", "index.html", (900, 650), "inventory-viewer")
    assert config.kiosk is None
    assert load_app_config(APPS / "inventory", name="Stock", kiosk=True).kiosk == {}


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ('nmae = "x"', "unknown key 'nmae' (did you mean 'name'?)"),
        ('entry = "missing.html"', "entry 'missing.html' is not a page"),
        ("[window]\nwidth = 50\nheight = 600", "from 100 to 10000"),
        ('version = "one"', "version must start with a digit"),
        ('[kiosk]\nexit_cord = "Ctrl+Q"', "line 2: unknown key 'exit_cord' in [kiosk] (did you mean 'exit_chord'?)"),
        ("name = ", "desktop.toml line 1: Invalid value (the file ends there)"),
    ],
)
def test_config_mistakes_are_named(tmp_path, toml, expected):
    (tmp_path / "index.html").write_text("<title>x</title>")
    (tmp_path / "desktop.toml").write_text(toml)
    with pytest.raises(ConfigError) as error:
        load_app_config(tmp_path)
    assert expected in error.value.message
    assert "desktop.toml" in error.value.message


def test_folder_without_pages(tmp_path):
    with pytest.raises(ConfigError, match="no .html pages"):
        load_app_config(tmp_path)


# -- the scan -------------------------------------------------------------------------------------


def test_scan_finds_modern_and_classic_packages(tmp_path):
    (tmp_path / "a.html").write_text('<py-config>packages = ["pandas", "Humanize>=4"]</py-config>')
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.html").write_text("<py-env>\n- numpy\n- six\n</py-env>")
    (tmp_path / "sub" / "c.html").write_text('<script type="py" config="conf.toml"></script>')
    (tmp_path / "sub" / "conf.toml").write_text('packages = ["pytz"]')
    (tmp_path / "d.html").write_text("<py-config>packages = [</py-config>")
    scan = scan_app(tmp_path)
    assert scan.packages == {"pandas": ["a.html"], "humanize": ["a.html"], "numpy": ["sub/b.html"],
                             "six": ["sub/b.html"], "pytz": ["sub/c.html"]}
    assert len(scan.problems) == 1 and scan.problems[0].startswith("d.html: <py-config>")


# -- the trimmed runtime --------------------------------------------------------------------------


def test_trimmed_runtime_holds_only_what_the_pages_need(tmp_path, bundle: RuntimeBundle, index: FakeIndex):
    """pandas from the lock (with its dependencies), a pure-Python package through pip, nothing else; it verifies."""
    name, data = make_wheel("tinytable", "1.0", requires=["six"])
    index.publish("tinytable", name, data)
    pair = bundle.manifest.pair()
    selection = select_packages(bundle, pair, ["pandas", "tinytable"], staging=tmp_path / "wheels",
                                cache_dir=tmp_path / "cache", pip=index.pip())
    assert selection.names == ["micropip", "numpy", "packaging", "pandas", "python-dateutil", "pytz", "six", "tinytable"]
    dest = tmp_path / "runtime"
    write_runtime(bundle, selection, dest)
    trimmed = RuntimeBundle(dest)
    assert list(trimmed.manifest.pairs) == [pair.name]
    files = {p.name for p in trimmed.component_dir("pyodide", pair.pyodide).iterdir()}
    assert any(f.startswith("pandas-") for f in files)
    assert not any(f.startswith(("scipy-", "matplotlib-", "scikit_learn-")) for f in files)
    assert (dest / "wheelhouse" / pair.pyodide / name).is_file()
    made = Precompiled(bundle, pair.pyodide).records()
    require(bool(made), "no precompiled package files: run python main.py runtime fetch (with Node.js)")
    assert set(Precompiled(trimmed, pair.pyodide).records()) == {f for f in files if f in made}  # their bytecode comes along
    report = verify_bundle(trimmed)
    assert report.ok, report.problems
    assert trimmed.installed_versions("pyodide") == [pair.pyodide]  # one pair only


@pytest.mark.e2e
def test_a_page_pinned_to_a_release_brings_that_release_s_core_into_the_app(tmp_path, bundle: RuntimeBundle, serve, browser_page):
    """A built app serves a 2024.1.1 page (pyweb pydom) with the release's own core and Pyodide, as `serve` does."""
    from desktop.packaging.runtime import add_release_components

    wanted = [("pyscript-core", "0.3.14"), ("pyodide", "0.24.1"), ("micropython", "1.21.0-278")]
    require(all(bundle.component_dir(k, v).is_dir() for k, v in wanted), "release cores not fetched: python main.py runtime fetch --releases")
    pages = tmp_path / "pages"
    pages.mkdir()
    release_pages = ROOT / "tests" / "server" / "release_pages"
    for name in ("2024.1.1-pydom.html", "pydom_2024.1.1.py"):
        shutil.copy(release_pages / name, pages / name)
    selection = select_packages(bundle, bundle.manifest.pair(), [], staging=tmp_path / "w", cache_dir=tmp_path / "c")
    assert add_release_components(bundle, selection, scan_app(pages).pages) == ["0.3.14"]
    assert selection.extra == set(wanted)
    write_runtime(bundle, selection, tmp_path / "rt")
    trimmed = RuntimeBundle(tmp_path / "rt")
    assert verify_bundle(trimmed).ok
    assert trimmed.manifest.releases["2024.1.1"].serve_core == "0.3.14"
    assert "2024.8.2" not in trimmed.manifest.releases  # its core is not in this app
    run = browser_page(serve(pages, bundle=trimmed).url + "2024.1.1-pydom.html")
    run.wait_for_text("pyweb pydom ready: Python 3.11")
    assert "Pyodide 0.24.1" in run.page.inner_text("#version")


def test_no_packages_means_core_only(tmp_path, bundle: RuntimeBundle):
    selection = select_packages(bundle, bundle.manifest.pair(), [], staging=tmp_path / "w", cache_dir=tmp_path / "c")
    assert selection.names == []
    write_runtime(bundle, selection, tmp_path / "rt")
    assert not any(p.suffix == ".whl" for p in (tmp_path / "rt").rglob("*"))
    assert verify_bundle(RuntimeBundle(tmp_path / "rt")).ok


def test_unknown_package_is_a_clear_error(tmp_path, bundle: RuntimeBundle, index: FakeIndex):
    with pytest.raises(PackageNotFoundError) as error:
        select_packages(bundle, bundle.manifest.pair(), ["numpy", "surely-not-a-real-package-pysd"],
                        staging=tmp_path / "w", cache_dir=tmp_path / "c", pip=index.pip())
    assert "surely-not-a-real-package-pysd" in error.value.message
    assert "no project of that name" in error.value.message


# -- the command ----------------------------------------------------------------------------------


def test_build_of_unknown_package_fails_and_leaves_nothing(tmp_path, bundle, index: FakeIndex):
    out = tmp_path / "out"
    env = {"PIP_INDEX_URL": index.url, "PIP_CONFIG_FILE": os.devnull, "PIP_NO_CACHE_DIR": "1",
           "PYSCRIPT_DESKTOP_HOME": str(tmp_path / "home")}
    result = run_cli("build", str(APPS / "unknown-package"), "--out", str(out), env=env)
    assert result.returncode == 5, result.stderr
    assert "surely-not-a-real-package-pysd" in result.stderr
    assert "named by index.html" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()  # not even the output folder
    # An existing output folder is left exactly as it was.
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    result = run_cli("build", str(APPS / "unknown-package"), "--out", str(out), env=env)
    assert result.returncode == 5
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]


def test_build_of_a_missing_folder(tmp_path):
    result = run_cli("build", str(tmp_path / "nope"), "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "is not a folder" in result.stderr and "Traceback" not in result.stderr


# -- the launch config ----------------------------------------------------------------------------


def test_launch_config_opens_the_entry_page(tmp_path):
    assert default_argv(tmp_path) == ["launch"]  # the plain app: the launcher
    (tmp_path / LAUNCH_CONFIG).write_text('entry = "pages/index.html"\nsize = [900, 650]\nallow_read = ["/data"]\n')
    assert default_argv(tmp_path) == ["open", str(tmp_path / "pages/index.html"), "--size", "900x650",
                                      "--allow-read", "/data"]
    (tmp_path / LAUNCH_CONFIG).write_text('entry = "pages/index.html"\nkiosk = "kiosk.toml"\n')
    assert default_argv(tmp_path) == ["kiosk", str(tmp_path / "kiosk.toml")]


# -- Windows installer script ---------------------------------------------------------------------


def test_nsis_script_compiles(tmp_path):
    """Debian's makensis compiles the per-user installer around a stand-in app folder (the real one needs Windows)."""
    require(shutil.which("makensis") is not None, "makensis is not installed (nsis)")
    app = tmp_path / "pyscript-desktop"
    (app / "_internal").mkdir(parents=True)
    (app / "pyscript-desktop.exe").write_bytes(b"MZ stand-in")
    (app / "_internal" / "base_library.zip").write_bytes(b"stand-in")
    out = tmp_path / "pyscript-desktop-setup.exe"
    result = subprocess.run(["makensis", "-V2", f"-DAPP_DIR={app}", f"-DOUT_FILE={out}", "installer.nsi"],
                            cwd=ROOT / "build_spec" / "windows", capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert out.read_bytes()[:2] == b"MZ"
    script = (ROOT / "build_spec" / "windows" / "installer.nsi").read_text()
    assert "RequestExecutionLevel user" in script and "HKLM" not in script


# -- assembling on a base ---------------------------------------------------------------------------


def test_kiosk_app_gets_a_kiosk_toml_the_kiosk_reads(tmp_path, bundle: RuntimeBundle):
    """--kiosk: the launch file runs `kiosk` on a generated kiosk.toml that the kiosk's own parser accepts."""
    from desktop.kiosk.config import load_config
    from desktop.packaging.assemble import assemble

    base = tmp_path / "base"  # the shape of a one-folder build, without the minutes a freeze takes
    for folder in ("_internal/bundled_runtime", "_internal/pages", "_internal/desktop/static", "_internal/icons"):
        (base / folder).mkdir(parents=True)
    (base / "pyscript-desktop").write_text("#!/bin/sh\n")
    app_dir = tmp_path / "Wall Clock"
    app_dir.mkdir()
    (app_dir / "index.html").write_text("<title>clock</title>")
    (app_dir / "desktop.toml").write_text('[kiosk]\nexit_chord = "Ctrl+Alt+Q"\nhide_cursor_after = 5\n')
    config = load_app_config(app_dir)
    selection = select_packages(bundle, bundle.manifest.pair(), [], staging=tmp_path / "w", cache_dir=tmp_path / "c")
    app = assemble(base, config, bundle, selection, tmp_path / "out" / config.slug)
    assert (app / "wall-clock").is_file() and not (app / "pyscript-desktop").exists()
    internal = app / "_internal"
    assert default_argv(internal) == ["kiosk", str(internal / "kiosk.toml")]
    kiosk = load_config(internal / "kiosk.toml")
    assert kiosk.home == (internal / "pages" / "index.html").resolve()
    assert kiosk.exit_chord.key == "q" and kiosk.hide_cursor_after == 5
