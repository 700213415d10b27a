"""The frozen app and its installers, for real: PyInstaller, dpkg, Chromium, a window under Xvfb.

Slow (one freeze, a .deb and a .tar.gz per session: several minutes on two cores), so
marked `packaging`: CI runs them, `-m "not packaging"` skips them locally. Everything is
built once per session and shared.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Iterator

import pytest
from PIL import Image

from conftest import ROOT, remember_login, require
from test_deb import validate_desktop_entry
from window.harness import EXAMPLES, egress_flags, wait_page_text

# One xdist worker builds (and installs) for the whole module: its session builds and dpkg are not shared.
pytestmark = [pytest.mark.packaging, pytest.mark.xdist_group("packaging")]

APPS = Path(__file__).resolve().parent / "apps"
PACKAGE = "pyscript-desktop"


# -- session builds -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pages_runtime(tmp_path_factory, bundle) -> Path:
    """The runtime the session's freeze bundles: the default pair with what the example pages use, trimmed
    as `build` trims an app's (select_packages, write_runtime, the pages' libraries): 200 MB.

    A release bundles the whole runtime (1 GB with every PyScript release and the library cache), and
    tests/packaging/test_system_release.py packages exactly that. Here each copy, archive and install of the
    freeze moved it again, for tests that read the example pages only: stored archives of a 1.4 GB freeze
    took 27 s (22 s of it the kernel copying) and the .deb's install as long again."""
    from desktop.packaging.jslibs import copy_libraries, select_libraries
    from desktop.packaging.runtime import add_release_components, select_packages, write_runtime
    from desktop.packaging.scan import scan_app
    from desktop.settings import Settings

    settings = Settings()
    scan = scan_app(ROOT / "pages")
    assert scan.packages and not scan.problems, scan.problems
    work = tmp_path_factory.mktemp("pages-runtime")
    selection = select_packages(bundle, bundle.require(None), sorted(scan.packages), staging=work / "wheels",
                                cache_dir=settings.cache_dir / "downloads")
    add_release_components(bundle, selection, scan.pages)
    runtime = work / "bundled_runtime"
    write_runtime(bundle, selection, runtime)
    copy_libraries(select_libraries(scan.library_refs(), settings), runtime)
    return runtime


@pytest.fixture(scope="session")
def frozen_app(tmp_path_factory, pages_runtime: Path) -> Path:
    """dist/pyscript-desktop/, frozen (and trimmed) from this checkout, once per session, with `pages_runtime`
    (the spec's PYSCRIPT_DESKTOP_BUILD_RUNTIME)."""
    require(importlib.util.find_spec("PyInstaller") is not None, "PyInstaller is not installed (test extras)")
    from desktop.packaging.pyinstaller import freeze

    return freeze(tmp_path_factory.mktemp("dist"), env={"PYSCRIPT_DESKTOP_BUILD_RUNTIME": str(pages_runtime)})


@pytest.fixture(scope="session")
def installers(frozen_app: Path) -> dict[str, Path]:
    """The app's .deb and .tar.gz, made as build_spec/linux/build-deb.sh makes them."""
    require(shutil.which("dpkg-deb") is not None, "dpkg-deb is not installed (dpkg-dev)")
    from desktop.packaging.release import release

    made = release(frozen_app, frozen_app.parent / "installers", fast=True)  # stored: the content is what is tested
    return {".deb" if p.suffix == ".deb" else ".tar.gz": p for p in made}


@pytest.fixture(scope="session")
def built_app(frozen_app: Path, tmp_path_factory, bundle) -> Path:
    """tests/packaging/apps/inventory built with the real `build` command on the session's freeze."""
    out = tmp_path_factory.mktemp("built")
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "build", str(APPS / "inventory"), "--base", str(frozen_app),
         "--out", str(out), "--no-installers"],
        capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out / "inventory-viewer"


# -- helpers --------------------------------------------------------------------------------------


def clean_env(home: Path) -> dict[str, str]:
    """platformdirs folders under `home`: no PYSCRIPT_DESKTOP_HOME, no XDG overrides."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "PYSCRIPT_DESKTOP_"))}
    env["HOME"] = str(home)
    return env


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every path under `folder` with size and mtime: what "nothing was written" is checked against."""
    return {p.relative_to(folder).as_posix(): (p.lstat().st_size, p.lstat().st_mtime_ns) for p in folder.rglob("*")}


class Served:
    """`EXECUTABLE serve ...` in a child process, on a free port."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.proc = subprocess.Popen([*argv, "--port", str(self.port)], env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        self.url = f"http://127.0.0.1:{self.port}/"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"serve exited with {self.proc.returncode}:\n{self.proc.stdout.read()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    pass
            except OSError:
                time.sleep(0.2)
                continue
            # It prints a one-time login URL: use it, so that browser_page's browsers carry the session.
            for _ in range(50):
                line = self.proc.stdout.readline()
                if " at http://127.0.0.1:" in line:
                    remember_login(line.split(" at ", 1)[1].strip())
                    return
            pytest.fail("the frozen app's serve printed no URL")
        self.stop()
        pytest.fail("the frozen app's server did not start within 60 s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


@pytest.fixture
def serve_frozen(tmp_path) -> Iterator:
    started: list[Served] = []

    def start(executable: Path, *args: str) -> Served:
        served = Served([str(executable), "serve", *args], clean_env(tmp_path / "home"))
        started.append(served)
        return served

    yield start
    for served in started:
        served.stop()


def assert_not_blank(path: Path) -> None:
    with Image.open(path) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is None or len(colours) > 20, f"{path} looks blank"


# -- the frozen app -------------------------------------------------------------------------------


def test_frozen_app_prints_its_versions(frozen_app: Path, bundle):
    result = subprocess.run([str(frozen_app / PACKAGE), "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    pair = bundle.manifest.pair()
    assert re.search(r"^pyscript-desktop \d+\.\d+\.\d+$", result.stdout, re.M)
    assert f"PyScript {pair.pyscript}, Pyodide {pair.pyodide}" in result.stdout
    assert "unknown" not in result.stdout  # it found its runtime next to itself


def test_frozen_app_serves_its_pages_offline(frozen_app: Path, serve_frozen, browser_page, output_dir, tmp_path):
    """`serve` with no folder: the frozen app's own pages/ and runtime; the chart renders with no request leaving,
    from the precompiled package files (fast start survives freezing)."""
    before = snapshot(frozen_app)
    served = serve_frozen(frozen_app / PACKAGE)
    run = browser_page(served.url + "chart.html")
    run.wait_for_text("Chart drawn with numpy", timeout=120)
    run.page.wait_for_function("() => [...document.images].some(i => i.complete && i.naturalWidth > 100)")
    run.page.screenshot(path=str(output_dir / "packaging-frozen-chart.png"))
    assert_not_blank(output_dir / "packaging-frozen-chart.png")
    twins = [u.rsplit("/", 1)[-1] for u in run.requests if "-0pyc-" in u]
    assert any(t.startswith("numpy-") for t in twins), "the frozen app served no precompiled package file"
    served.stop()
    assert snapshot(frozen_app) == before, "the frozen app wrote into its own folder"


def test_frozen_app_is_trimmed(frozen_app: Path):
    internal = frozen_app / "_internal"
    assert not list(internal.rglob("qml")), "QML modules were bundled"
    assert not list(internal.rglob("*.qm")), "Qt translations were bundled"
    locales = {p.name for p in internal.rglob("qtwebengine_locales/*.pak")}
    assert locales == {"en-US.pak"}
    assert not list(internal.glob("libgtk-3*")), "the GTK theme's libraries were bundled"
    assert (internal / "bundled_runtime" / "manifest.toml").is_file()


def test_the_freeze_bundles_the_runtime_it_was_given(frozen_app: Path, pages_runtime: Path):
    """PYSCRIPT_DESKTOP_BUILD_RUNTIME reached the spec: the frozen runtime is that folder, file for file."""
    def files(root: Path) -> dict[str, int]:
        return {p.relative_to(root).as_posix(): p.stat().st_size for p in root.rglob("*") if p.is_file()}

    assert files(frozen_app / "_internal" / "bundled_runtime") == files(pages_runtime)


def as_unprivileged_user(frozen_app: Path, home: Path) -> tuple[list[str], Path]:
    """(command prefix, app folder) to run the frozen app as a user without root, as a person (and CI's
    packaging job) runs it: Qt WebEngine's sandbox on, no `--no-sandbox` added for root.

    Run as root (this project's machine), the app is run as `nobody` through setpriv, from a hard-linked
    copy outside pytest's private temporary folder (mode 0700, which `nobody` cannot enter)."""
    if os.geteuid() != 0:
        return [], frozen_app
    require(shutil.which("setpriv") is not None, "setpriv (util-linux) is needed to drop root")
    import pwd

    nobody = pwd.getpwnam("nobody")
    shared = Path(tempfile.mkdtemp(prefix="frozen-unprivileged-"))
    shared.chmod(0o755)
    copy = shared / frozen_app.name
    linked = subprocess.run(["cp", "-al", str(frozen_app), str(copy)], capture_output=True, text=True)
    if linked.returncode != 0:  # another file system: a real copy
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(frozen_app, copy, symlinks=True)
    home.mkdir(parents=True, exist_ok=True)
    os.chown(home, nobody.pw_uid, nobody.pw_gid)
    for parent in home.parents:  # pytest's folders are 0700: let `nobody` reach its home, and no further
        if parent == Path(tempfile.gettempdir()):
            break
        parent.chmod(parent.stat().st_mode | 0o111)
    return ["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups", "--reset-env"], copy


def test_frozen_app_screenshots_a_page_without_root(frozen_app: Path, xvfb, egress, output_dir, tmp_path):
    """The frozen executable's `screenshot --wait-for` as an unprivileged user: the chart page's Python runs
    in its real window (Qt WebEngine, sandboxed) and writes its figures, which `--wait-for` waits for
    (exit 0 only once they show), with no request leaving the machine (the egress recorder as proxy)."""
    home = tmp_path / "unprivileged-home"
    prefix, app = as_unprivileged_user(frozen_app, home)
    try:
        shot = home / "chart.png"
        env = {**clean_env(home), "DISPLAY": xvfb, "QTWEBENGINE_CHROMIUM_FLAGS": egress_flags(egress, "")}
        egress.seen.clear()
        # (setpriv --reset-env keeps only a few variables: the ones the app needs go on its command line)
        command = [*prefix, *(["env", *(f"{k}={env[k]}" for k in ("HOME", "DISPLAY", "QTWEBENGINE_CHROMIUM_FLAGS"))]
                               if prefix else []),
                   str(app / PACKAGE), "screenshot", str(app / "_internal" / "pages" / "chart.html"), str(shot),
                   "--wait-for", EXAMPLES["chart.html"], "--timeout", "150"]
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
        shutil.copy(shot, output_dir / "packaging-frozen-unprivileged-chart.png")
        assert_not_blank(shot)
        assert egress.page_traffic() == [], f"the frozen app's window sent requests off the machine: {egress.page_traffic()}"
    finally:
        if prefix:
            shutil.rmtree(app.parent, ignore_errors=True)


# -- Linux installers -------------------------------------------------------------------------------


def test_tarball_is_the_app_folder(installers: dict[str, Path]):
    with tarfile.open(installers[".tar.gz"]) as archive:
        names = archive.getnames()
        top = {n.split("/", 1)[0] for n in names}
        assert len(top) == 1
        stem = top.pop()
        assert f"{stem}/{PACKAGE}" in names
        assert f"{stem}/_internal/bundled_runtime/manifest.toml" in names
        assert all(m.uid == 0 and not m.uname for m in archive.getmembers()[:50])


def test_deb_installs_opens_a_page_and_removes_cleanly(installers: dict[str, Path], xvfb, output_dir, tmp_path):
    require(shutil.which("dpkg") is not None and os.geteuid() == 0, "installing a .deb needs dpkg and root")
    deb = installers[".deb"]
    fields = subprocess.run(["dpkg-deb", "--field", str(deb), "Package", "Depends", "Installed-Size"],
                            capture_output=True, text=True, check=True).stdout
    assert f"Package: {PACKAGE}" in fields
    subprocess.run(["dpkg", "-r", PACKAGE], capture_output=True)  # a leftover from an interrupted run
    install = subprocess.run(["dpkg", "-i", str(deb)], capture_output=True, text=True, timeout=600)
    try:
        assert install.returncode == 0, install.stdout + install.stderr
        listed = subprocess.run(["dpkg", "-L", PACKAGE], capture_output=True, text=True, check=True).stdout.split("\n")
        for path in (f"/opt/{PACKAGE}/{PACKAGE}", f"/usr/bin/{PACKAGE}", f"/usr/share/applications/{PACKAGE}.desktop",
                     f"/usr/share/applications/{PACKAGE}-open.desktop", f"/usr/share/icons/hicolor/256x256/apps/{PACKAGE}.png"):
            assert path in listed and Path(path).exists(), path
        entry = Path(f"/usr/share/applications/{PACKAGE}-open.desktop").read_text()
        assert "MimeType=text/html;" in entry and f"Exec=/usr/bin/{PACKAGE} open %f" in entry
        for name in (f"{PACKAGE}.desktop", f"{PACKAGE}-open.desktop"):
            validate_desktop_entry(Path(f"/usr/share/applications/{name}"))

        # The launcher opens a page in a real window (Qt WebEngine under Xvfb), as a person's "Open with" would.
        home = tmp_path / "home"
        before = snapshot(Path(f"/opt/{PACKAGE}"))
        shot = output_dir / "packaging-deb-window.png"
        page = f"/opt/{PACKAGE}/_internal/pages/chart.html"
        result = subprocess.run([f"/usr/bin/{PACKAGE}", "screenshot", page, str(shot), "--wait-for", "Chart drawn with numpy",
                                 "--timeout", "120"], env={**clean_env(home), "DISPLAY": xvfb}, capture_output=True,
                                text=True, timeout=240)
        assert result.returncode == 0, result.stdout + result.stderr
        assert_not_blank(shot)
        assert snapshot(Path(f"/opt/{PACKAGE}")) == before, "the installed app wrote into /opt"
        # User data goes to the platformdirs folders under the person's home.
        assert (home / ".local" / "share" / PACKAGE).is_dir(), sorted(str(p) for p in home.rglob("*"))[:20]
    finally:
        remove = subprocess.run(["dpkg", "-r", PACKAGE], capture_output=True, text=True, timeout=300)
    left = sorted(str(p) for p in Path(f"/opt/{PACKAGE}").rglob("*")) if Path(f"/opt/{PACKAGE}").exists() else []
    subprocess.run(["dpkg", "-P", PACKAGE], capture_output=True, timeout=300)  # leave the machine as it was
    assert remove.returncode == 0, remove.stdout + remove.stderr
    assert not left, f"files were left under /opt: {left[:10]}"
    for path in (f"/usr/bin/{PACKAGE}", f"/usr/share/applications/{PACKAGE}.desktop",
                 f"/usr/share/applications/{PACKAGE}-open.desktop"):
        assert not Path(path).exists(), path


# -- build --------------------------------------------------------------------------------------


def test_built_app_runs_its_pages_offline(built_app: Path, serve_frozen, browser_page, output_dir):
    internal = built_app / "_internal"
    wheels = {p.name.split("-")[0] for p in (internal / "bundled_runtime").rglob("*.whl")}
    assert "pandas" in wheels and not wheels & {"scipy", "matplotlib", "scikit_learn"}
    verify = subprocess.run([str(built_app / "inventory-viewer"), "runtime", "verify"], capture_output=True, text=True, timeout=120)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    served = serve_frozen(built_app / "inventory-viewer")
    run = browser_page(served.url + "index.html")
    run.wait_for_text("Inventory value: 63.30", timeout=120)
    run.page.screenshot(path=str(output_dir / "packaging-built-inventory.png"))
    about = browser_page(served.url + "about.html")
    about.wait_for_text("About page: Python 3.12", timeout=90)


def test_built_app_opens_its_entry_page(built_app: Path, xvfb, egress, output_dir, tmp_path):
    """Started with no command, the built app shows its own entry page in a window of the configured size,
    titled with its own name, and keeps its user data apart from PyScript Desktop's."""
    shot = output_dir / "packaging-built-window.png"
    env = {**clean_env(tmp_path / "home"), "DISPLAY": xvfb, "QTWEBENGINE_CHROMIUM_FLAGS": egress_flags(egress, "")}
    egress.seen.clear()
    proc = subprocess.Popen([str(built_app / "inventory-viewer")], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        found = ""
        while time.monotonic() < deadline and not found:
            time.sleep(2)
            assert proc.poll() is None, proc.stdout.read().decode(errors="replace")
            found = subprocess.run(["xdotool", "search", "--all", "--onlyvisible", "--name", "Inventory"],
                                   capture_output=True, text=True, env=env).stdout.strip()
        assert found, "no window titled Inventory appeared"
        window = found.splitlines()[0]
        title, deadline = "", time.monotonic() + 60  # the window opens titled with the app's name; then the page's
        while time.monotonic() < deadline and title != "Inventory — Inventory Viewer":
            time.sleep(1)
            title = subprocess.run(["xdotool", "getwindowname", window], capture_output=True, text=True, env=env).stdout.strip()
        assert title == "Inventory — Inventory Viewer"  # the page's title, then the built app's name
        # pandas loads and the page shows its figure: read in the window as a person would (select all, copy)
        wait_page_text(env, window, "Inventory value: 63.30", timeout=120)
        geometry = subprocess.run(["xdotool", "getwindowgeometry", window], capture_output=True, text=True, env=env).stdout
        assert "900x" in geometry.replace(" ", ""), geometry
        subprocess.run(["import", "-window", "root", str(shot)], env=env, check=True, timeout=60)
        assert_not_blank(shot)
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    assert egress.page_traffic() == [], f"the built app's window sent requests off the machine: {egress.page_traffic()}"
    home = tmp_path / "home"  # an app of its own: its own user folders, nothing in PyScript Desktop's
    assert (home / ".local" / "share" / "inventory-viewer").is_dir()
    assert not list(home.rglob("pyscript-desktop")), sorted(str(p) for p in home.rglob("*") if p.is_dir())
