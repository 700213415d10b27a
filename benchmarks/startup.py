"""Start-up figures for the app against a naive local host, measured side by side.

    .venv/bin/python benchmarks/startup.py [--runs N] [--pages hello,mpy,chart] [--states cold,warm,reload]

Baseline: the same runtime files and the same pages served by `python -m http.server`
(default headers; PyScript's default loading, with only the interpreter URL pointed at the
local copy because the public CDN is unreachable). App: the same pages, written for the
CDN, served by the app's server. Both are driven by Debian's Chromium through Playwright
with persistent profiles, interleaved run by run so machine noise hits both alike.

Cache states:
- cold: a fresh profile (the app's start image made beforehand, in another profile);
- first (opt-in): a new install's first launch: a fresh profile and, for the app, no start image yet;
- warm: a person's relaunch: a fresh profile and, for the app, a fresh start-image store (a new
  install), visited once and left open WARM_VISIT_S (3 s) after the page's mark, closed, then
  relaunched in a new browser process and timed. Whether the app's first visit had time to make
  its start image in those seconds is part of what is measured (until 2026-12-05, "warm" visited
  with an image already made in another profile and closed at once: that state is `primed`);
- primed (opt-in): the earlier "warm": the same profile, a new browser process, after one visit
  closed as soon as the page's mark came, the app's start image made beforehand in another profile;
- reload: the same window, reloaded;
- used (opt-in): a new browser process after two visits that each stayed 5 s, as a page people
  open every day sees it (the engine's code caches fill only over several visits; Chromium keeps
  a WebAssembly module's compiled code only once enough of it has been optimised);
- second (opt-in): the app's second launch, as a person relaunches it. The earlier visit stays
  open FIRST_LAUNCH_S for both hosts; for the app it is its first launch ever, which finds no
  start image and makes one in that browser profile, as on a new install (warm and used measure
  against an image made in another profile).

Figures: time to first Python output, time to chart rendered (image decoded), PSS of the
whole browser process tree with the page open (0.5 s after that mark, and settled: 3 s after it,
see SETTLE_S), and the size of the runtime bundle. Prints a table with median and p90 and the
ratio app/baseline for each figure, with the range that ratio moves in when the runs are drawn
again (bootstrap, 90 %): a goal is met reliably only when the whole range is within it.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from desktop.runtime.bundle import RuntimeBundle  # noqa: E402
from desktop.server import PageServer, ServerOptions  # noqa: E402
from desktop.server.snapshots import WRAPPER_FILE  # noqa: E402
from desktop.settings import default_runtime_dir  # noqa: E402

PAGES = {"hello": "hello.html", "mpy": "mpy-hello.html", "chart": "chart.html", "classic": "classic-chart.html"}
CHART_PAGES = {"chart", "classic"}
CLASSIC_APP = "https://pyscript.net/releases/2022.06.1/"  # what the classic page names; the app answers it
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
#: Headless Chromium 156 still builds its address bar's popup, never shown, in a renderer of its
#: own at every launch: about 150 MB and 0.4-0.8 s of CPU that compete with the page on two cores,
#: for both hosts alike. Left out unless --browser-ui asks for it, as in the results before
#: "2026-11-26 (late night)" in README.md.
NO_BROWSER_UI = ("WebUIOmniboxAimPopup", "WebUIOmniboxFullPopup", "WebUIOmniboxPopup")
#: Chromium's sampling heap profiler, which a few browser sessions turn on by chance: its stack
#: walk crashes a renderer running Pyodide's stack-switching code (see tests/conftest.py), and its
#: sampling costs time in whichever host it lands on. Off for both hosts.
NO_HEAP_PROFILER = ("HeapProfilerReporting",)
BASE_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--disable-extensions", "--disable-dev-shm-usage"]


def chromium_args(browser_ui: bool) -> list[str]:
    """Chromium's switches for both hosts. One --disable-features: Chromium keeps only the last
    of a repeated switch, so a second one would silently switch the first one's features back on."""
    disabled = NO_HEAP_PROFILER + (() if browser_ui else NO_BROWSER_UI)
    return [*BASE_ARGS, "--disable-features=" + ",".join(disabled)]


ARGS = chromium_args(browser_ui=False)


@dataclass
class Samples:
    values: dict[tuple[str, str, str, str], list[float]] = field(default_factory=dict)  # (host, page, state, figure)
    failed: dict[tuple[str, str, str], list[str]] = field(default_factory=dict)  # (host, page, state) -> why, per failed run

    def add(self, host: str, page: str, state: str, figure: str, value: float | None) -> None:
        if value is not None:
            self.values.setdefault((host, page, state, figure), []).append(value)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_baseline_site(bundle: RuntimeBundle, work: Path) -> Path:
    site = work / "baseline"
    site.mkdir()
    runtime = site / "runtime"
    runtime.mkdir()
    pair = bundle.manifest.pair()
    for kind, version in pair.versions().items():
        (runtime / kind).mkdir()
        os.symlink(bundle.component_dir(kind, version), runtime / kind / version)
    # the classic page: the app's classic layer as plain files (it loads /_runtime/pyodide/<v>/pyodide.mjs)
    shutil.copytree(ROOT / "desktop" / "static" / "classic", site / "_desktop" / "classic")
    (site / "_runtime" / "pyodide").mkdir(parents=True)
    os.symlink(bundle.component_dir("pyodide", pair.pyodide), site / "_runtime" / "pyodide" / pair.pyodide)
    for name in PAGES.values():
        text = (ROOT / "benchmarks" / "pages" / name).read_text()
        text = text.replace("{{CLASSIC_JS}}", "/_desktop/classic/pyscript.js").replace("{{CLASSIC_CSS}}", "/_desktop/classic/pyscript.css")
        text = text.replace("{{CORE_JS}}", f"/runtime/pyscript-core/{pair.pyscript}/dist/core.js")
        text = text.replace("{{PY_INTERP}}", f'interpreter = "/runtime/pyodide/{pair.pyodide}/pyodide.mjs"')
        text = text.replace("{{MPY_INTERP}}", f'interpreter = "/runtime/micropython/{pair.micropython}/micropython.mjs"')
        (site / name).write_text(text)
    return site


def make_app_site(work: Path) -> Path:
    site = work / "app"
    site.mkdir()
    for name in PAGES.values():
        text = (ROOT / "benchmarks" / "pages" / name).read_text()
        text = text.replace("{{CLASSIC_JS}}", CLASSIC_APP + "pyscript.js").replace("{{CLASSIC_CSS}}", CLASSIC_APP + "pyscript.css")
        text = text.replace("{{CORE_JS}}", "https://cdn.jsdelivr.net/npm/@pyscript/core@0.6.66/dist/core.js")
        text = text.replace("{{PY_INTERP}}", "").replace("{{MPY_INTERP}}", "")
        (site / name).write_text(text)
    return site


def tree_pss_kib(profile: Path) -> int:
    """PSS of every Chromium process using `profile` (browser, renderers, GPU, utilities)."""
    total = 0
    marker = str(profile)
    pids = {p for p in os.listdir("/proc") if p.isdigit()}
    roots = set()
    for pid in pids:
        try:
            if marker in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"):
                roots.add(pid)
        except OSError:
            continue
    family = set(roots)
    changed = True
    while changed:  # children that do not carry the profile on their command line (zygotes)
        changed = False
        for pid in pids - family:
            try:
                ppid = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1]
            except (OSError, IndexError):
                continue
            if ppid in family:
                family.add(pid)
                changed = True
    for pid in family:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


#: PSS is read FIRST_READ_S after the page's mark (pss_mib) and again SETTLE_S after it (pss_settled_mib).
#: Buffers a page has finished with (fetched wheels, the start image: some 45 MB for the chart)
#: stay in the renderer until the engine's next full garbage collection, which comes before the
#: first reading in most runs and after it in some; the second reading is past it in every run.
FIRST_READ_S = 0.5
SETTLE_S = 3.0
#: How long the first launch of the `second` state stays open, at least, for both hosts: the app
#: makes its start image in that time (about 7 s here), and the engine may cache the compiled
#: WebAssembly of a boot that stayed open (see `used`), so the naive host's launch stays as long.
FIRST_LAUNCH_S = 12.0
#: How long the one earlier visit of `warm` stays open after the page's mark (both hosts), as a
#: person's first look at a page before closing it.
WARM_VISIT_S = 3.0
#: Visits in the same profile before the measured launch, by cache state.
EARLIER_VISITS = {"warm": 1, "primed": 1, "used": 2, "second": 1}
#: States whose app host starts from a new install: no start image yet, its own store per sample.
NEW_INSTALL = {"first", "warm", "second"}
#: True once the app's start module has nothing left to make (no start module, an image used, or one made).
IMAGE_SETTLED = """() => { const s = globalThis.__pyscriptDesktopStart;
  return !s || Boolean(s.made) || s.loads.every((load) => load.snapshot === "used"); }"""


def measure(playwright, url: str, profile: Path, state: str, page_key: str, timeout: float = 120) -> dict[str, float | None]:
    """One measurement in one cache state; returns the page's own marks (ms) and PSS (MiB)."""
    wait = "window.__bench_chart" if page_key in CHART_PAGES else "window.__bench_first_output"

    def launch():
        return logged_in(playwright.chromium.launch_persistent_context(str(profile), executable_path=CHROMIUM, args=ARGS, headless=True))

    for _ in range(EARLIER_VISITS.get(state, 0)):  # visit, close the browser, then measure in a new browser process
        opened = time.monotonic()
        context = launch()
        page = context.new_page()
        page.goto(url)
        page.wait_for_function(wait, timeout=timeout * 1000)
        if state == "used":
            time.sleep(5)
        if state == "warm":
            time.sleep(WARM_VISIT_S)
        if state == "second":  # a first launch that started without an image: until it has made one,
            page.wait_for_function(IMAGE_SETTLED, timeout=240_000)
            time.sleep(max(0.0, FIRST_LAUNCH_S - (time.monotonic() - opened)))  # and as long for either host
        context.close()
    context = launch()
    try:
        page = context.pages[0] if context.pages else context.new_page()
        page.goto(url)
        if state == "reload":
            page.wait_for_function(wait, timeout=timeout * 1000)
            page.reload()
        page.wait_for_function(wait, timeout=timeout * 1000)
        marks = page.evaluate("({first: window.__bench_first_output ?? null, chart: window.__bench_chart ?? null, "
                              "image: globalThis.__pyscriptDesktopStart ? (globalThis.__pyscriptDesktopStart.loads"
                              ".some((load) => load.snapshot === 'used') ? 1 : 0) : null})")
        time.sleep(FIRST_READ_S)
        pss = tree_pss_kib(profile) / 1024
        time.sleep(SETTLE_S - FIRST_READ_S)
        settled = tree_pss_kib(profile) / 1024
        # start_image: 1 when the measured launch restored a start image, 0 when it booted without one
        # (the app's hosts only; its median over the runs says which state the figures are of)
        return {"first_output_ms": marks["first"], "chart_ms": marks["chart"], "pss_mib": pss, "pss_settled_mib": settled,
                "start_image": marks["image"]}
    finally:
        context.close()


class PlainStartServer(PageServer):
    """The app's server as it was before the start module: the bundle's own pyodide.mjs."""

    def _fast_start(self, version: str) -> bool:
        return False


class PyodideInstallServer(PageServer):
    """The app's server with a start module that leaves wheel installs to Pyodide's own installer."""

    CALL = b"fasterInstallsForNextInterpreter(record.installs);"

    def __init__(self, options: ServerOptions):
        # one call per loadPyodide attempt; without them this host would silently measure the app
        if WRAPPER_FILE.read_bytes().count(self.CALL) != 2:
            raise SystemExit("app-pyinstall: the start module no longer calls the unpacker as this benchmark expects")
        super().__init__(options)

    def _start_module(self, version: str):
        response = super()._start_module(version)
        if response.body:  # not a 304
            response.body = response.body.replace(self.CALL, b"")
            response.set_header("Content-Length", str(len(response.body)))
        return response


class OfficialStdlibServer(PageServer):
    """The app's server serving Pyodide's own standard library zip (sources only), not its precompiled twin."""

    def _stdlib_file(self, pyodide_version: str):
        return None


#: The app servers this run started: each browser gets their session cookies, as the app's window does.
LIVE: list[PageServer] = []


def started(server: PageServer) -> str:
    """Start an app server for the benchmark; its URL (browsers are logged in by `logged_in`)."""
    LIVE.append(server.start())
    return server.url


def logged_in(context):
    """A browser context with the session cookie of every app server (the window's cookie)."""
    live = [s for s in LIVE if s._server is not None]
    if live:
        context.add_cookies([dict(zip(("name", "value"), s.auth_cookie()), url=s.origin) for s in live])
    return context


def prime_snapshot(playwright, url: str, profile: Path) -> str:
    """First launch of the app: its start module makes the snapshot in a worker once the page is idle."""
    context = logged_in(playwright.chromium.launch_persistent_context(str(profile), executable_path=CHROMIUM, args=ARGS, headless=True))
    try:
        page = context.pages[0] if context.pages else context.new_page()
        page.goto(url)
        page.wait_for_function("globalThis.__pyscriptDesktopStart && globalThis.__pyscriptDesktopStart.made", timeout=240_000)
        return page.evaluate("JSON.stringify(globalThis.__pyscriptDesktopStart.made)")
    finally:
        context.close()
        shutil.rmtree(profile, ignore_errors=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def ratio_range(app: list[float], base: list[float], *, level: float = 0.9, draws: int = 2000) -> tuple[float, float] | None:
    """How far the ratio of medians (app/baseline) moves when the runs are drawn again (bootstrap).

    The two hosts are measured interleaved, run by run, so when both have every run the runs are
    drawn as pairs (a slow moment of the machine stays with both hosts); otherwise each host's
    runs are drawn on their own. None with fewer than 3 runs, where the range says nothing."""
    if len(app) < 3 or len(base) < 3:
        return None
    rng = random.Random(0)  # the same samples print the same range
    paired = len(app) == len(base)
    ratios = []
    for _ in range(draws):
        if paired:
            picks = [rng.randrange(len(app)) for _ in app]
            a, b = [app[i] for i in picks], [base[i] for i in picks]
        else:
            a, b = rng.choices(app, k=len(app)), rng.choices(base, k=len(base))
        ratios.append(statistics.median(a) / statistics.median(b))
    tail = (1 - level) / 2
    return percentile(ratios, tail), percentile(ratios, 1 - tail)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pages", default="hello,mpy,chart,classic")
    parser.add_argument("--states", default="cold,warm,reload", help="cold, first, warm, reload, primed, used, second (see above)")
    parser.add_argument(
        "--hosts", default="baseline,app",
        help="baseline, app (everything), app-nopyc (no precompiled package or standard library files), "
             "app-nostdpyc (precompiled packages, Pyodide's own standard library), app-nosnap (no start snapshots), app-plain (the bundle's own pyodide.mjs: "
             "no snapshots, no packages during start), app-pyinstall (wheels installed by Pyodide's own installer); measured interleaved",
    )
    parser.add_argument("--browser-ui", action="store_true",
                        help="keep Chromium's hidden address-bar renderer running, as in the results before '2026-11-26 (late night)'")
    args = parser.parse_args()
    if args.browser_ui:
        ARGS[:] = chromium_args(browser_ui=True)
    from playwright.sync_api import sync_playwright

    bundle = RuntimeBundle(default_runtime_dir())
    bundle.require()
    samples = Samples()
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        work = Path(tmp)
        baseline_site = make_baseline_site(bundle, work)
        app_site = make_app_site(work)
        port = free_port()
        naive = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                                 cwd=baseline_site, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # Each host keeps its own start images: a folder keeps one image, and hosts serving another
        # standard library (app-nopyc, app-nostdpyc) need another image than app's.
        servers = {
            "app": PageServer(ServerOptions(root=app_site, bundle=bundle, snapshots=work / "snapshots-app")),
            "app-nosnap": PageServer(ServerOptions(root=app_site, bundle=bundle)),
            "app-nopyc": PageServer(ServerOptions(root=app_site, bundle=bundle, snapshots=work / "snapshots-nopyc", precompiled=False)),
            "app-plain": PlainStartServer(ServerOptions(root=app_site, bundle=bundle)),
            "app-pyinstall": PyodideInstallServer(ServerOptions(root=app_site, bundle=bundle, snapshots=work / "snapshots-pyinstall")),
            "app-nostdpyc": OfficialStdlibServer(ServerOptions(root=app_site, bundle=bundle, snapshots=work / "snapshots-nostdpyc")),
        }
        wanted = args.hosts.split(",")
        hosts = {"baseline": f"http://127.0.0.1:{port}/"} if "baseline" in wanted else {}
        for name in wanted:
            if name in servers:
                hosts[name] = started(servers[name])
        time.sleep(0.5)
        try:
            with sync_playwright() as playwright:
                primed = set(args.states.split(",")) - NEW_INSTALL  # states measured against an image made beforehand
                for name in ("app", "app-nopyc", "app-nostdpyc", "app-pyinstall"):  # each host variant makes its own start image
                    if name in hosts and primed:
                        made = prime_snapshot(playwright, hosts[name] + PAGES["hello"], work / "profile-prime")
                        print(f"start snapshot ({name}): {made}", file=sys.stderr)
                for run in range(args.runs):
                    for page_key in args.pages.split(","):
                        for state in args.states.split(","):
                            for host, base in hosts.items():  # interleaved
                                profile = work / f"profile-{host}-{page_key}-{state}-{run}"
                                own = None  # a relaunch after a new install's first launch: no start image yet
                                if state in NEW_INSTALL and host in servers and servers[host].options.snapshots is not None:
                                    options = dataclasses.replace(servers[host].options, snapshots=work / f"snapshots-{profile.name}")
                                    own = type(servers[host])(options)
                                    base = started(own)
                                try:
                                    result = measure(playwright, base + PAGES[page_key], profile, state, page_key)
                                except Exception as exc:  # a crashed or stuck page: say where, count it, keep measuring
                                    why = f"{exc}".splitlines()[0] if f"{exc}" else type(exc).__name__
                                    print(f"{host} {page_key} {state} run {run + 1}: {why}", file=sys.stderr)
                                    samples.failed.setdefault((host, page_key, state), []).append(f"run {run + 1}: {why}")
                                    continue
                                finally:
                                    if own is not None:
                                        own.shutdown()
                                for figure, value in result.items():
                                    samples.add(host, page_key, state, figure, value)
                                shutil.rmtree(profile, ignore_errors=True)
                    print(f"run {run + 1}/{args.runs} done", file=sys.stderr)
        finally:
            for server in servers.values():
                server.shutdown()
            naive.terminate()
    report(samples, bundle)
    return 0


def report(samples: Samples, bundle: RuntimeBundle) -> None:
    rows = sorted({(page, state, figure) for (_, page, state, figure) in samples.values})
    print(f"{'page':14} {'state':7} {'figure':15} {'baseline med':>12} {'p90':>8} {'app med':>9} {'p90':>8} {'app/base':>9} {'90% range':>11} {'runs b/a':>8}")
    for page, state, figure in rows:
        base = samples.values.get(("baseline", page, state, figure))
        bm = statistics.median(base) if base else None
        for host in ("app", "app-gtk", "app-sysqt", "app-nopyc", "app-nostdpyc", "app-nosnap", "app-plain", "app-pyinstall"):
            mine = samples.values.get((host, page, state, figure))
            if not mine:
                continue
            am = statistics.median(mine)
            label = f"{page}" if host == "app" else f"{page}[{host[4:]}]"
            if bm is None:  # no baseline in this run (--hosts without it): the figures alone
                print(f"{label:14} {state:7} {figure:15} {'-':>12} {'-':>8} {am:9.0f} {percentile(mine, .9):8.0f} {'-':>9} {'-':>11} {f'-/{len(mine)}':>8}")
                continue
            spread = ratio_range(mine, base)
            shown = f"{spread[0]:.2f}-{spread[1]:.2f}" if spread else "-"
            print(f"{label:14} {state:7} {figure:15} {bm:12.0f} {percentile(base, .9):8.0f} {am:9.0f} {percentile(mine, .9):8.0f} {am / bm:9.2f} {shown:>11} {f'{len(base)}/{len(mine)}':>8}")
    if samples.failed:  # runs with no figures: reported, never silently dropped from the table
        print("\nfailed runs (no figures; the cells above count only the runs that finished):")
        for (host, page, state), whys in sorted(samples.failed.items()):
            print(f"  {host} {page} {state}: {len(whys)} failed: " + "; ".join(whys))
    pair = bundle.manifest.pair()
    size = sum(p.stat().st_size for k, v in pair.versions().items() for p in bundle.component_dir(k, v).rglob("*") if p.is_file())
    from desktop.runtime.precompile import Precompiled

    twins = Precompiled(bundle, pair.pyodide).folder
    twin_size = sum(p.stat().st_size for p in twins.glob("*") if p.suffix in (".whl", ".zip")) if twins.is_dir() else 0
    print(f"\nruntime bundle (default pair): {size / 2**20:.1f} MiB, plus {twin_size / 2**20:.1f} MiB of precompiled package and standard library files")
    dist = ROOT / "dist"
    if dist.is_dir():
        built = sum(p.stat().st_size for p in dist.rglob("*") if p.is_file())
        print(f"built app (dist/): {built / 2**20:.1f} MiB")
    else:
        print("built app: not built (see build_spec/)")


if __name__ == "__main__":
    sys.exit(main())
