"""`build --engine system`: a small .deb on the system's Python and WebKitGTK, installed for real.

The real command builds tests/packaging/apps/oscillation (numpy and matplotlib); apt-get installs
the .deb with its dependencies, the installed command names its runtime and screenshots its page
in a WebKitGTK window under Xvfb, and `dpkg -r` takes every file away again. Root and dpkg, like
the other dpkg test (test_installers.py), in the same xdist group.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, require
from test_deb import validate_desktop_entry
from test_installers import assert_not_blank, clean_env, snapshot

pytestmark = [pytest.mark.packaging, pytest.mark.xdist_group("packaging")]

APPS = Path(__file__).resolve().parent / "apps"
PACKAGE = "oscillation"
LIMIT_KIB = 150 * 1024  # the goal: under 150 MB installed for an app whose pages use numpy and matplotlib


@pytest.fixture(scope="module")
def system_deb(tmp_path_factory, bundle) -> Path:
    require(shutil.which("dpkg-deb") is not None, "dpkg-deb is not installed (dpkg-dev)")
    out = tmp_path_factory.mktemp("system-engine")
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), "build", str(APPS / PACKAGE), "--engine", "system",
                             "--fast", "--out", str(out)], capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    debs = sorted(out.glob("*.deb"))
    assert [d.name for d in debs] == [f"{PACKAGE}_1.0.0_{_arch()}.deb"], sorted(p.name for p in out.iterdir())
    assert not list(out.glob("*.tar.gz")), "the system-engine build made a portable archive it cannot be"
    assert "data.tar" in _ar_members(debs[0]), "--fast did not reach dpkg-deb (stored, not xz)"
    return debs[0]


def _ar_members(deb: Path) -> list[str]:
    """The member names of a .deb (an ar archive: 8-byte magic, then 60-byte headers)."""
    names, data = [], deb.read_bytes()
    at = 8
    while at + 60 <= len(data):
        header = data[at:at + 60]
        names.append(header[:16].decode().strip().rstrip("/"))
        at += 60 + int(header[48:58]) + int(header[48:58]) % 2
    return names


def _dpkg(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """dpkg, waiting while another package operation on this machine holds dpkg's lock (the tests
    of another worker, or a person's apt-get): dpkg itself gives up at once."""
    deadline = time.monotonic() + timeout
    while True:
        result = subprocess.run(["dpkg", *args], capture_output=True, text=True, timeout=timeout)
        if "lock" not in result.stderr or time.monotonic() > deadline:
            return result
        time.sleep(2)


def _arch() -> str:
    from desktop.packaging.deb import deb_architecture

    return deb_architecture()


def test_system_engine_deb_is_small_and_names_the_engine(system_deb: Path):
    fields = dict(line.split(": ", 1) for line in subprocess.run(
        ["dpkg-deb", "--field", str(system_deb), "Package", "Depends", "Installed-Size"],
        capture_output=True, text=True, check=True).stdout.splitlines())
    assert fields["Package"] == PACKAGE
    assert int(fields["Installed-Size"]) < LIMIT_KIB, f"{int(fields['Installed-Size']) // 1024} MiB installed"
    depends = [d.strip() for d in fields["Depends"].split(",")]
    assert {"python3-gi", "gir1.2-webkit2-4.1"} <= set(depends)
    assert f"python3 (>= {sys.version_info[0]}.{sys.version_info[1]})" in depends  # lib/ holds compiled modules
    listing = subprocess.run(["dpkg-deb", "--contents", str(system_deb)], capture_output=True, text=True, check=True).stdout
    assert "libQt6" not in listing and "libpython" not in listing, "an engine or an interpreter was packed"
    assert f"./opt/{PACKAGE}/lib/webview/platforms/gtk.py" in listing
    assert "numpy-" in listing and "matplotlib-" in listing and "pandas-" not in listing  # the trimmed runtime


def test_system_engine_deb_installs_shows_its_page_and_removes_cleanly(system_deb: Path, bundle, xvfb, output_dir, tmp_path):
    require(os.geteuid() == 0 and shutil.which("apt-get") is not None, "installing a .deb needs apt-get and root")
    _dpkg("-P", PACKAGE)  # a leftover from an interrupted run
    # apt-get (not dpkg -i): the engine and Python come from the distribution as Depends
    install = subprocess.run(["apt-get", "-o", "DPkg::Lock::Timeout=600", "install", "-y", "--no-install-recommends",
                              str(system_deb)],
                             env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"}, capture_output=True, text=True,
                             timeout=1200)
    listed: list[str] = []
    try:
        assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
        listed = [p for p in subprocess.run(["dpkg", "-L", PACKAGE], capture_output=True, text=True,
                                            check=True).stdout.splitlines() if p.strip()]
        for path in (f"/opt/{PACKAGE}/{PACKAGE}", f"/usr/bin/{PACKAGE}", f"/usr/share/applications/{PACKAGE}.desktop"):
            assert path in listed and Path(path).exists(), path
        validate_desktop_entry(Path(f"/usr/share/applications/{PACKAGE}.desktop"))

        home = tmp_path / "home"
        env = {**clean_env(home), "DISPLAY": xvfb}
        env.pop("PYTHONPATH", None)  # what a person's shell has: the system's Python, nothing of this checkout
        version = subprocess.run([f"/usr/bin/{PACKAGE}", "--version"], env=env, capture_output=True, text=True, timeout=120)
        assert version.returncode == 0, version.stderr
        assert f"Pyodide {bundle.manifest.pair().pyodide}" in version.stdout, version.stdout

        before = snapshot(Path(f"/opt/{PACKAGE}"))
        shot = output_dir / "packaging-system-deb-window.png"
        result = subprocess.run([f"/usr/bin/{PACKAGE}", "screenshot", f"/opt/{PACKAGE}/pages/index.html", str(shot),
                                 "--wait-for", "Chart drawn with numpy", "--timeout", "180"],
                                env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
        assert_not_blank(shot)
        assert snapshot(Path(f"/opt/{PACKAGE}")) == before, "the installed app wrote into /opt"
        assert (home / ".local" / "share" / PACKAGE).is_dir()  # its web profile: in the person's home
    finally:
        remove = _dpkg("-r", PACKAGE)
        _dpkg("-P", PACKAGE)
    assert remove.returncode == 0, remove.stdout + remove.stderr
    assert not Path(f"/opt/{PACKAGE}").exists(), sorted(str(p) for p in Path(f"/opt/{PACKAGE}").rglob("*"))[:10]
    assert listed and not [p for p in listed if p.startswith(("/opt/", "/usr/bin/", "/usr/share/applications/",
                                                              "/usr/share/icons/")) and Path(p).is_file()]
