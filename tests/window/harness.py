"""Driving the real app under Xvfb: its environment, its windows (through xdotool), its pictures.

Shared by tests/window and tests/commands. The app runs as a real process
(`python main.py ...`); tests see it only as a person would: windows, titles,
keys, pixels, files, and the URLs it hands to the "system browser" (a script
that records them).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Iterator

import pytest
from conftest import PAGES, require

__all__ = [
    "MAIN", "TEST_PAGES", "EXAMPLES", "app_env", "egress_flags", "run_app", "start_app", "find_window", "wait_title", "key",
    "image_stats", "has_pixel", "descendants", "renderers", "kill_renderers", "stop_app", "geometry", "clipboard",
    "wait_page_text", "engine_env", "system_gi", "engine_png",
]

HERE = Path(__file__).resolve().parent
TEST_PAGES = HERE / "pages"
MAIN = str(PAGES.parent / "main.py")

#: example page -> text its Python shows when done
EXAMPLES = {
    "hello.html": "Hello from Python 3.12",
    "chart.html": "Chart drawn with numpy 2.0.2",
    "table.html": "Total revenue: 166,075",
    "interactive.html": "Ready.",
    "worker.html": "crossOriginIsolated: True",
    "micropython.html": "Hello from micropython",
}


@pytest.fixture
def app_env(xvfb, app_home, tmp_path, egress) -> Iterator[dict[str, str]]:
    """Environment for the app: the virtual screen, a private home, a recording 'system browser', and
    its engine's traffic sent to the egress recorder (a proxy that forwards nothing).

    Qt WebEngine is Chromium: with `--proxy-server` every request that would leave the machine
    (pages, workers, the engine itself) reaches the recorder, while loopback (the app's own server)
    stays direct. At teardown nothing may have been recorded: no test's window sent a request off
    the machine, whatever the test itself checks."""
    require(shutil.which("xdotool") is not None, "xdotool is not installed")
    browser_log = tmp_path / "browser.log"
    browser = tmp_path / "browser.sh"
    browser.write_text(f'#!/bin/sh\necho "$1" >> {browser_log}\n')
    browser.chmod(0o755)
    egress.seen.clear()
    yield {**os.environ, "DISPLAY": xvfb, "PYSCRIPT_DESKTOP_HOME": str(app_home), "BROWSER": str(browser),
           "BROWSER_LOG": str(browser_log), "QTWEBENGINE_CHROMIUM_FLAGS": egress_flags(egress, _baseline_only(
               os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", ""))), **ENGINE_BASELINE_ONLY}
    # The engine's own sign-in/updater CONNECTs (EgressRecorder.BROWSER_SERVICES, by exact request) were seen
    # from Qt WebEngine in a fresh-clone run under load; everything else a window sends fails the test.
    assert egress.page_traffic() == [], f"the app's window sent requests off the machine: {egress.page_traffic()}"


#: As the tests' Chromium (`--js-flags=--liftoff-only`, tests/conftest.py): the windows' engines run WebAssembly
#: with their baseline compiler only; same semantics, none of the optimizing tier's background compiles. The
#: suite is CPU-bound on two cores. WebKitGTK's optimizing tier (OMG) cost the most: a chart page's screenshot
#: took 10.8-12.6 CPU-s with it and 5.9-6.0 without (its text 1.6 s sooner); Qt WebEngine's 5.0-6.6 against
#: 4.9-5.1 (2026-12-07, one window at a time). The app itself keeps the engines' defaults.
ENGINE_BASELINE_ONLY = {"JSC_useOMGJIT": "0"}


def _baseline_only(flags: str) -> str:
    return f"{flags} --js-flags=--liftoff-only".strip()


def egress_flags(egress, flags: str | None = None) -> str:
    """QTWEBENGINE_CHROMIUM_FLAGS (from `flags`, by default the environment's) plus the egress recorder as proxy."""
    flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "") if flags is None else flags
    return f"{flags} --proxy-server=http://127.0.0.1:{egress.server_address[1]}".strip()


#: What the window backends run on: Qt WebEngine (pip's PyQt6) and WebKitGTK (the system's, through PyGObject).
BACKENDS = ["qt", "gtk"]


_system_gi: list[str] = []


def system_gi(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A folder holding only the system's PyGObject (`gi`) and pycairo (`cairo`): what this test
    environment's Python adds to its path to reach WebKitGTK. Debian builds python3-gi for its own
    Python 3; the project's Python is the same minor version (same ABI), and nothing else of the
    system's site-packages comes along."""
    system = shutil.which("python3", path="/usr/bin")
    require(system is not None, "no /usr/bin/python3")
    found = subprocess.run([system, "-c", "import gi, cairo; gi.require_version('WebKit2', '4.1'); "
                            "print(gi.__path__[0]); print(cairo.__path__[0])"], capture_output=True, text=True, timeout=60)
    require(found.returncode == 0, "WebKitGTK 4.1 or PyGObject is not installed (python3-gi, python3-gi-cairo, "
                                   "gir1.2-webkit2-4.1: scripts/setup.sh test installs them)")
    if not _system_gi:  # once per session (per worker)
        folder = tmp_path_factory.mktemp("system-gi")
        for path in found.stdout.split():
            (folder / Path(path).name).symlink_to(path)
        _system_gi.append(str(folder))
    return _system_gi[0]


@pytest.fixture(params=BACKENDS)
def engine_env(request, app_env, tmp_path_factory) -> dict[str, str]:
    """app_env for each window backend: the test runs once on Qt WebEngine and once on WebKitGTK."""
    if request.param == "qt":
        return {**app_env, "PYSCRIPT_DESKTOP_GUI": "qt"}
    gi = system_gi(tmp_path_factory)
    path = os.pathsep.join(p for p in (gi, app_env.get("PYTHONPATH", "")) if p)
    return {**app_env, "PYSCRIPT_DESKTOP_GUI": "gtk", "PYTHONPATH": path}


def engine_png(folder: Path, name: str, env: dict[str, str]) -> Path:
    """`folder`/NAME-ENGINE.png: a picture of an engine-parametrized test, named for its engine (the [qt] and
    [gtk] runs of one test go to different workers, and once wrote and read one file at the same time)."""
    return folder / f"{name}-{env['PYSCRIPT_DESKTOP_GUI']}.png"


def run_app(env: dict[str, str], *args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, MAIN, *args], env=env, capture_output=True, text=True, timeout=timeout)


def start_app(env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, MAIN, *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def stop_app(proc: subprocess.Popen) -> tuple[str, str]:
    """End an app started by the test (SIGTERM, then SIGKILL) and return its output."""
    proc.terminate()
    try:
        return proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.communicate(timeout=30)


def _xdotool(env: dict[str, str], *args: str) -> str:
    # (several conditions need `--all`: xdotool matches windows meeting ANY of them by default)
    # xdotool exits non-zero on an X error, e.g. when a window disappears mid-search: that is "not yet".
    return subprocess.run(["xdotool", *args], env=env, capture_output=True, text=True, timeout=30).stdout


def find_window(env: dict[str, str], name_pattern: str, timeout: float = 90, pid: int | None = None) -> str:
    """The id of a visible window whose title matches `name_pattern`, polling until `timeout`."""
    deadline = time.monotonic() + timeout
    args = ["search", "--all", "--onlyvisible", *(["--pid", str(pid)] if pid else []), "--name", name_pattern]
    while time.monotonic() < deadline:
        found = _xdotool(env, *args).split()
        if found:
            return found[0]
        time.sleep(0.3)
    titles = [_xdotool(env, "getwindowname", w).strip() for w in _xdotool(env, "search", "--onlyvisible", "--name", ".").split()]
    raise AssertionError(f"no window titled like {name_pattern!r} within {timeout:g} s; visible: {titles}")


def wait_title(env: dict[str, str], window: str, pattern: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    title = ""
    while time.monotonic() < deadline:
        title = _xdotool(env, "getwindowname", window).strip()
        if re.search(pattern, title):
            return title
        time.sleep(0.2)
    # The window's own size, to tell a small window from a page laid out small in a large one
    # (seen twice on 2026-11-27: the page reported 100x30, Qt's default size for a child widget).
    size = " ".join(_xdotool(env, "getwindowgeometry", window).split())
    raise AssertionError(f"window title never matched {pattern!r}; last: {title!r}; window: {size}")


def activate(env: dict[str, str], window: str) -> None:
    """Activate `window` through the window manager, as a click would."""
    subprocess.run(["xdotool", "windowactivate", "--sync", window], env=env, capture_output=True, timeout=30)


def activate_until(env: dict[str, str], window: str, pattern: str, timeout: float = 60) -> str:
    """Activate `window` until its title matches `pattern` (a page that titles itself once focused).

    Under load the window manager may leave one activation without the keyboard focus; a person
    clicks again, and so does this. (The minute-long wait once put down to focus was a stale
    title: the app showed the page's first title after its later one, fixed in the app; see
    tests/window/test_app_logic.py::test_a_title_reported_earlier_never_replaces_a_later_one.)"""
    deadline = time.monotonic() + timeout
    while True:
        activate(env, window)
        try:
            return wait_title(env, window, pattern, timeout=min(5.0, max(0.5, deadline - time.monotonic())))
        except AssertionError:
            if time.monotonic() >= deadline:
                raise


def key(env: dict[str, str], window: str, keys: str) -> None:
    """Activate `window` and press `keys` in it."""
    activate(env, window)
    subprocess.run(["xdotool", "key", "--clearmodifiers", keys], env=env, check=True, timeout=30)


def clipboard(env: dict[str, str]) -> str:
    """The X clipboard's text, as another program pasting would get it."""
    return subprocess.run([sys.executable, str(HERE / "clipboard.py")], env=env, capture_output=True, text=True,
                          timeout=60).stdout


def wait_page_text(env: dict[str, str], window: str, *texts: str, timeout: float = 60) -> str:
    """Read the page in `window` as a person would (select all, copy) until it shows every one of `texts`.

    The page's own output, not only its title: a window whose title is right but whose Python
    never ran fails here, naming what the page showed instead."""
    deadline = time.monotonic() + timeout
    while True:
        key(env, window, "ctrl+a")
        key(env, window, "ctrl+c")
        text = clipboard(env)
        if all(t in text for t in texts):
            return text
        if time.monotonic() > deadline:
            raise AssertionError(f"the page never showed {texts} within {timeout:g} s; it showed: {text[-1500:]!r}")
        time.sleep(1)


def geometry(env: dict[str, str], window: str) -> tuple[int, int, int, int]:
    """(x, y, width, height) of a window as the X server has it."""
    out = _xdotool(env, "getwindowgeometry", "--shell", window)
    values = dict(line.split("=", 1) for line in out.split() if "=" in line)
    return int(values["X"]), int(values["Y"]), int(values["WIDTH"]), int(values["HEIGHT"])


def image_stats(path: Path) -> tuple[int, float]:
    """(distinct colours, share of non-white pixels) of a PNG."""
    from PIL import Image

    with Image.open(path) as image:
        colours = image.convert("RGB").resize((320, 200)).getcolors(maxcolors=320 * 200)
    total = sum(count for count, _ in colours)
    non_white = sum(count for count, rgb in colours if min(rgb) < 235) / total
    return len(colours), non_white


def has_pixel(path: Path, predicate: Callable[[int, int, int], bool]) -> bool:
    from PIL import Image

    with Image.open(path) as image:
        return any(predicate(*rgb) for _, rgb in image.convert("RGB").getcolors(maxcolors=1 << 24))


def descendants(pid: int) -> Iterator[tuple[int, int, str]]:
    """(pid, parent pid, command line) of every process below `pid` (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    stack = [(child, pid) for child in children.get(pid, [])]
    while stack:
        child, parent = stack.pop()
        stack.extend((grandchild, child) for grandchild in children.get(child, []))
        try:
            cmdline = (Path("/proc") / str(child) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        yield child, parent, cmdline


def renderers(app: int) -> list[int]:
    """The page renderer processes below the app: Qt WebEngine's (children of its zygote) or WebKitGTK's
    web processes."""
    below = list(descendants(app))
    zygotes = {pid for pid, _, cmd in below if "--type=zygote" in cmd}
    return [pid for pid, ppid, cmd in below if ppid in zygotes or "WebKitWebProcess" in cmd.split(" ", 1)[0]]


def kill_renderers(app: int) -> list[int]:
    """SIGKILL every renderer below the app; the ones this killed (one may exit on its own meanwhile)."""
    killed = []
    for pid in renderers(app):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            continue
        killed.append(pid)
    return killed
