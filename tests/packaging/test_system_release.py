"""`build_spec/linux/build-deb.sh --engine system`: PyScript Desktop's own .deb on the system's Python and WebKitGTK.

The real script runs once (with --fast, stored: the content is what is tested, not the compression).
Its fields and file list are read from the .deb and apt-get resolves its Depends against this machine
(a simulated install); then the unpacked package runs as it would from /opt: on /usr/bin/python3 with
nothing of this checkout, `--version` names the runtime and `screenshot` renders an example page in a
WebKitGTK window under Xvfb. Installing, the menu entries and a clean `dpkg -r` are checked for real on
the same package builder by test_system_deb.py (`build APP --engine system`); installing this one too
would unpack the whole runtime (the app's own package carries every component) a second time.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PAGES, ROOT, require
from test_deb import validate_desktop_entry
from test_installers import assert_not_blank, clean_env, snapshot
from window.harness import EXAMPLES

pytestmark = [pytest.mark.packaging, pytest.mark.xdist_group("packaging")]

PACKAGE = "pyscript-desktop"


@pytest.fixture(scope="module")
def release_deb(tmp_path_factory, bundle) -> Path:
    """The script's one .deb, made from this checkout."""
    require(shutil.which("dpkg-deb") is not None, "dpkg-deb is not installed (dpkg-dev)")
    from desktop import __version__
    from desktop.packaging.deb import deb_architecture

    out = tmp_path_factory.mktemp("system-release")
    result = subprocess.run(["bash", str(ROOT / "build_spec" / "linux" / "build-deb.sh"), "--engine", "system", "--fast",
                             "--out", str(out)], env={**os.environ, "PYTHON": sys.executable},
                            capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    made = sorted(p.name for p in out.iterdir())
    # only the .deb: no freeze, no portable archive (it needs the system's engine), no staging folder left behind
    assert made == [f"{PACKAGE}_{__version__}+system_{deb_architecture()}.deb"], made
    return out / made[0]


@pytest.fixture(scope="module")
def unpacked(release_deb: Path, tmp_path_factory) -> Path:
    tree = tmp_path_factory.mktemp("system-release-tree")
    subprocess.run(["dpkg-deb", "-x", str(release_deb), str(tree)], check=True, timeout=600)
    return tree


def test_the_release_deb_depends_on_the_system_engine_and_carries_none(release_deb: Path):
    from desktop import __version__
    from desktop.packaging.systemapp import ENGINE_DEPENDS

    fields = dict(line.split(": ", 1) for line in subprocess.run(
        ["dpkg-deb", "--field", str(release_deb), "Package", "Version", "Depends"],
        capture_output=True, text=True, check=True).stdout.splitlines())
    # the bundled-engine package's name: one replaces the other
    assert fields["Package"] == PACKAGE and fields["Version"] == f"{__version__}+system"
    depends = [d.strip() for d in fields["Depends"].split(",")]
    assert set(ENGINE_DEPENDS) <= set(depends), depends
    assert f"python3 (>= {sys.version_info[0]}.{sys.version_info[1]})" in depends  # lib/ holds compiled modules
    listing = subprocess.run(["dpkg-deb", "--contents", str(release_deb)], capture_output=True, text=True,
                             check=True).stdout
    assert "libQt6" not in listing and "libpython" not in listing and "PyQt6" not in listing, \
        "an engine or an interpreter was packed"
    for path in (f"./opt/{PACKAGE}/{PACKAGE}", f"./opt/{PACKAGE}/main.py", f"./opt/{PACKAGE}/lib/webview/platforms/gtk.py",
                 f"./opt/{PACKAGE}/pages/index.html", f"./opt/{PACKAGE}/bundled_runtime/manifest.toml",
                 f"./usr/bin/{PACKAGE}", f"./usr/share/applications/{PACKAGE}.desktop",
                 f"./usr/share/applications/{PACKAGE}-open.desktop"):
        assert f" {path}\n" in listing or listing.endswith(f" {path}"), f"{path} is not in the .deb"


def test_apt_resolves_the_release_debs_dependencies(release_deb: Path):
    require(shutil.which("apt-get") is not None, "apt-get is not installed")
    # -s: apt works out the whole install (the .deb and what it Depends on) and changes nothing
    simulated = subprocess.run(["apt-get", "-s", "install", "--no-install-recommends", str(release_deb)],
                               env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"}, capture_output=True, text=True,
                               timeout=300)
    assert simulated.returncode == 0, simulated.stdout[-3000:] + simulated.stderr[-3000:]
    assert f"Inst {PACKAGE} " in simulated.stdout, simulated.stdout[-3000:]


def test_the_unpacked_release_names_its_runtime_and_shows_an_example_page(unpacked: Path, bundle, xvfb, output_dir,
                                                                           tmp_path):
    app = unpacked / "opt" / PACKAGE
    for entry in (unpacked / "usr/share/applications").glob("*.desktop"):
        validate_desktop_entry(entry)
    env = {**clean_env(tmp_path / "home"), "DISPLAY": xvfb}
    env.pop("PYTHONPATH", None)  # what a person's shell has: the system's Python, nothing of this checkout
    version = subprocess.run([str(app / PACKAGE), "--version"], env=env, capture_output=True, text=True, timeout=120)
    assert version.returncode == 0, version.stderr
    assert f"Pyodide {bundle.manifest.pair().pyodide}" in version.stdout, version.stdout

    before = snapshot(app)
    shot = output_dir / "packaging-system-release-chart.png"
    result = subprocess.run([str(app / PACKAGE), "screenshot", str(app / "pages" / "chart.html"), str(shot),
                             "--wait-for", EXAMPLES["chart.html"], "--timeout", "180"],
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert_not_blank(shot)
    assert snapshot(app) == before, "the app wrote into its own folder (read-only /opt once installed)"
    assert (app / "pages" / "chart.html").read_bytes() == (PAGES / "chart.html").read_bytes()
