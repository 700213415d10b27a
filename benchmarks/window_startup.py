"""Start-up figures in the app's own window (Qt WebEngine under Xvfb), next to a naive webview.

    .venv/bin/python benchmarks/window_startup.py [--runs N] [--pages hello,mpy,chart,classic] [--states cold,warm,reload]
                                                  [--hosts baseline,app,app-gtk]

App: `DesktopApp` (its server, persistent profile, injections and start snapshots) showing the
benchmark pages. Baseline: a plain pywebview window on the same Qt backend with a persistent
profile, showing the same pages served by `python -m http.server` (see startup.py). Each
measurement is its own process (a GUI loop runs once per process); the figures are the page's
own `performance.now()` marks, read through the window, and the PSS of the process and
everything below it (the Qt WebEngine processes), 0.5 s after the mark and settled (see
startup.FIRST_READ_S and SETTLE_S). Cold: a fresh profile (for the app: with the start snapshot its first
launch made); warm: the same profile, a new process; reload: the same
window reloaded. `app-gtk`: the same app on WebKitGTK (the `build --engine system` engine), with
the system's PyGObject reached as the tests reach it (tests/window/harness.py system_gi).
`app-sysqt`: the same app on Debian's own Qt WebEngine (python3-pyqt6.qtwebengine, Qt 6.4 =
Chromium 102), run as `build --engine system` runs the app: the system's /usr/bin/python3 with
the app's libraries copied beside it (systemapp.py) plus qtpy, which pywebview's Qt backend
imports. Chromium 102 lacks `Promise.withResolvers`, which PyScript core 0.6.66 calls at import:
without it no PyScript page starts (measured: nothing but the page's HTML appears), so this
host's pages carry a six-line polyfill before the core (POLYFILL); pages as published do not run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import startup  # noqa: E402  (sites, pages, percentile)
from kiosk_soak import start_display  # noqa: E402

#: Chromium 102 (Debian 12's Qt WebEngine 6.4) has no Promise.withResolvers (Chrome 119); PyScript core
#: 0.6.66 binds it when its module loads. Only the app-sysqt host's copies of the pages get this.
POLYFILL = ("<script>Promise.withResolvers ??= function () { let resolve, reject; "
            "const promise = new this((a, b) => { resolve = a; reject = b; }); return { promise, resolve, reject }; };</script>")
SYSTEM_PYTHON = "/usr/bin/python3"
MARKS = "JSON.stringify({first: window.__bench_first_output ?? null, chart: window.__bench_chart ?? null, origin: performance.timeOrigin, start: globalThis.__pyscriptDesktopStart ?? null})"


def tree_pss_mib(root: int) -> float:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def system_gi(work: Path) -> Path:
    """A folder with links to the system's `gi` and `cairo` only (python3-gi, python3-gi-cairo)."""
    found = subprocess.run(["/usr/bin/python3", "-c", "import gi, cairo; print(gi.__path__[0]); print(cairo.__path__[0])"],
                           capture_output=True, text=True, check=True).stdout.split()
    folder = work / "system-gi"
    folder.mkdir()
    for path in found:
        (folder / Path(path).name).symlink_to(path)
    return folder


def system_qt_path(work: Path) -> str:
    """PYTHONPATH for the app on the system's Python and Debian's PyQt6 WebEngine: this checkout, then a
    folder with the app's libraries (as `build --engine system` vendors them) and qtpy."""
    import importlib.metadata

    from desktop.packaging.systemapp import copy_distribution, vendored_distributions

    probe = subprocess.run([SYSTEM_PYTHON, "-s", "-c", "from PyQt6 import QtWebEngineWidgets, QtCore; print(QtCore.QT_VERSION_STR)"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        sys.exit("app-sysqt needs Debian's Qt WebEngine for the system's Python: apt-get install python3-pyqt6.qtwebengine")
    print(f"app-sysqt: Qt {probe.stdout.strip()} on {SYSTEM_PYTHON}", file=sys.stderr)
    lib = work / "system-qt-lib"
    lib.mkdir()
    for dist in [*vendored_distributions(), importlib.metadata.distribution("qtpy")]:
        copy_distribution(dist, lib)
    return os.pathsep.join([str(ROOT), str(lib)])


def polyfilled_site(site: Path, work: Path) -> Path:
    """A copy of the app's pages with POLYFILL first in each head (for Chromium 102), the doctype kept."""
    copy = work / "app-sysqt"
    copy.mkdir()
    charset = '<meta charset="utf-8">'
    for page in site.iterdir():
        text = page.read_text()
        assert charset in text, f"{page.name}: no {charset} to put the polyfill after"
        (copy / page.name).write_text(text.replace(charset, charset + POLYFILL, 1))
    return copy


# -- one measurement, in a child process ---------------------------------------------------------------


def child(args: argparse.Namespace) -> int:
    home = Path(args.home)
    result: dict = {}
    wait = "chart" if args.page_key in startup.CHART_PAGES else "first"

    def poll(window, previous_origin=None, timeout=180.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                marks = json.loads(window.evaluate_js(MARKS) or "null") or {}
            except Exception:  # the page is between documents
                marks = {}
            if marks.get(wait) is not None and marks.get("origin") != previous_origin:
                return marks
            time.sleep(0.05)
        raise TimeoutError("the page never reported")

    def measure(window) -> None:
        try:
            marks = poll(window)
            if args.prime:
                deadline = time.monotonic() + 240
                while time.monotonic() < deadline and not window.evaluate_js("!!(globalThis.__pyscriptDesktopStart||{}).made"):
                    time.sleep(0.5)
            if args.state == "reload":
                window.evaluate_js("location.reload()")
                marks = poll(window, marks["origin"])
            time.sleep(startup.FIRST_READ_S)
            pss = tree_pss_mib(os.getpid())
            time.sleep(startup.SETTLE_S - startup.FIRST_READ_S)
            result.update(first_output_ms=marks["first"], chart_ms=marks["chart"], pss_mib=pss, pss_settled_mib=tree_pss_mib(os.getpid()),
                          snapshot=(marks.get("start") or {}).get("loads", [{}])[0].get("snapshot") if marks.get("start") else None)
        except Exception as exc:  # reported to the parent
            result["error"] = str(exc)
        finally:
            window.destroy()

    if args.host in ("app", "app-gtk", "app-sysqt"):
        os.environ["PYSCRIPT_DESKTOP_HOME"] = str(home)
        from desktop.settings import Settings
        from desktop.window import DesktopApp, WindowOptions

        app = DesktopApp(settings=Settings(), options=WindowOptions(menu=False, remember_geometry=False, size=(1000, 750)))
        entry = app.open(Path(args.target))
        app.run(after_start=lambda: measure(entry.webview_window))
    else:
        import webview

        os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox")
        window = webview.create_window("baseline", args.target, width=1000, height=750)
        storage = home / "data"
        storage.mkdir(parents=True, exist_ok=True)
        webview.start(lambda: measure(window), gui="qt", private_mode=False, storage_path=str(storage))
    print("RESULT " + json.dumps(result), flush=True)
    return 0


def run_child(env: dict, host: str, target: str, home: Path, state: str, page_key: str, prime: bool = False) -> dict:
    python = [SYSTEM_PYTHON, "-s"] if host == "app-sysqt" else [sys.executable]
    cmd = [*python, __file__, "--child", "--host", host, "--target", target, "--home", str(home),
           "--state", state, "--page-key", page_key] + (["--prime"] if prime else [])
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    return {"error": (proc.stderr or proc.stdout)[-800:]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pages", default="hello,mpy,chart,classic")
    parser.add_argument("--states", default="cold,warm,reload")
    parser.add_argument("--hosts", default="baseline,app", help="baseline, app (Qt WebEngine), app-gtk (WebKitGTK), app-sysqt (Debian's Qt WebEngine)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--host", help=argparse.SUPPRESS)
    parser.add_argument("--target", help=argparse.SUPPRESS)
    parser.add_argument("--home", help=argparse.SUPPRESS)
    parser.add_argument("--state", help=argparse.SUPPRESS)
    parser.add_argument("--page-key", help=argparse.SUPPRESS)
    parser.add_argument("--prime", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)

    from desktop.runtime.bundle import RuntimeBundle
    from desktop.settings import default_runtime_dir

    bundle = RuntimeBundle(default_runtime_dir())
    bundle.require()
    display, xvfb = start_display()
    env = {**os.environ, "DISPLAY": display, "PYSCRIPT_DESKTOP_GUI": "qt"}
    samples = startup.Samples()
    with tempfile.TemporaryDirectory(prefix="bench-webview-") as tmp:
        work = Path(tmp)
        gtk_env = {**env, "PYSCRIPT_DESKTOP_GUI": "gtk", "PYTHONPATH": str(system_gi(work))} if "app-gtk" in args.hosts else env
        sysqt_env = {**env, "PYTHONPATH": system_qt_path(work)} if "app-sysqt" in args.hosts else env
        baseline_site = startup.make_baseline_site(bundle, work)
        app_site = startup.make_app_site(work)
        sites = {"app": app_site, "app-gtk": app_site, "app-sysqt": polyfilled_site(app_site, work) if "app-sysqt" in args.hosts else app_site}
        port = startup.free_port()
        naive = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                                 cwd=baseline_site, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            prime_home = work / "home-prime"
            primed = run_child(env, "app", str(app_site / startup.PAGES["hello"]), prime_home, "cold", "hello", prime=True)
            print(f"first launch (makes the start snapshot): {primed}", file=sys.stderr)
            for run in range(args.runs):
                for page_key in args.pages.split(","):
                    for state in args.states.split(","):
                        for host in args.hosts.split(","):  # interleaved
                            home = work / f"home-{host}-{page_key}-{state}-{run}"
                            if host.startswith("app") and (prime_home / "cache" / "snapshots").is_dir():
                                shutil.copytree(prime_home / "cache" / "snapshots", home / "cache" / "snapshots")
                            target = (str(sites[host] / startup.PAGES[page_key]) if host.startswith("app")
                                      else f"http://127.0.0.1:{port}/{startup.PAGES[page_key]}")
                            host_env = {"app-gtk": gtk_env, "app-sysqt": sysqt_env}.get(host, env)
                            if state == "warm":
                                run_child(host_env, host, target, home, "cold", page_key)
                            result = run_child(host_env, host, target, home, state, page_key)
                            if "error" in result:
                                print(f"{host} {page_key} {state}: {result['error']}", file=sys.stderr)
                            for figure in ("first_output_ms", "chart_ms", "pss_mib", "pss_settled_mib"):
                                samples.add(host, page_key, state, figure, result.get(figure))
                            shutil.rmtree(home, ignore_errors=True)
                print(f"run {run + 1}/{args.runs} done", file=sys.stderr)
        finally:
            naive.terminate()
            if xvfb:
                xvfb.terminate()
    startup.report(samples, bundle)
    return 0


if __name__ == "__main__":
    sys.exit(main())
