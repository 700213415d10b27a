"""Shared fixtures: the real runtime bundle, a real server on loopback, a real Chromium, Xvfb.

Slow groups are marked (e2e, gui, packaging). A quick local run may skip them
with `-m "not gui and not packaging"`; a missing tool skips locally but fails
under CI (`CI=true`), so CI can never pass by skipping.

Every request to a page server needs its session cookie (desktop/server/access.py). Tests
authenticate like the app does:
- `browser_page`'s open_page(url) gives each new browser context the session cookie of every
  PageServer started in this test process (by port), so `open_page(server.url)` just works;
  `open_page(url, login=False)` opens it as a stranger would.
- raw HTTP: `httpx.get(url, headers=server.auth_headers())`, or `server_client(server)`
  (an httpx.Client with base_url and the cookie).
- a server in another process (a command's printed one-time URL): `login_client(url)` follows
  the URL and returns the logged-in httpx.Client and the page's response; `remember_login(url)`
  uses it up and has open_page() add that session to its browsers from then on.
"""

from __future__ import annotations

import os
import shutil
import signal
import socketserver
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import pytest

from desktop.runtime.bundle import RuntimeBundle
from desktop.server import PageServer, ServerOptions
from desktop.settings import app_root, default_runtime_dir

if TYPE_CHECKING:
    import httpx

# Tests press Ctrl+C (SIGINT) in the apps they start. A test run started in the background (`&`,
# nohup) has SIGINT ignored, and ignored signals pass to every child: those apps would never see
# it. With a handler here, children start with SIGINT at its default, as from a terminal.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

ROOT = app_root()
PAGES = ROOT / "pages"
OUTPUT = ROOT / "test-output"  # screenshots kept for people to look at
# Where Debian's Chromium keeps a minidump of each crashed process (its crashpad database):
CRASH_DUMPS = Path.home() / ".config" / "chromium" / "Crash Reports" / "pending"
TEST_STARTED = pytest.StashKey[float]()
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

CHROMIUM_ARGS = [
    "--no-sandbox",
    # As in the app's window (desktop/window/backends/qt.py): WebRTC sends nothing but through
    # the proxy, so no STUN packet carries page data off the machine.
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",  # (older Chromium's spelling)
    "--webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    # Chromium's own background services, which would otherwise talk to the network:
    "--disable-extensions",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--no-pings",
    "--metrics-recording-only",
    "--safebrowsing-disable-auto-update",
    "--disable-features=Translate,OptimizationHints,MediaRouter,DialMediaRouteProvider,"
    "AutofillServerCommunication,CertificateTransparencyComponentUpdater,SignInProfileCreation,"
    "AccountConsistency,ChromeWhatsNewUI,PrivacySandboxSettings4,"
    # the network-time query (clients2.google.com/time), a request the egress recorder would see:
    "NetworkTimeServiceQuerying,"
    # the address bar's popup, never shown headless, which Chromium 156 still builds in a renderer
    # of its own at launch (about 150 MB and half a second of CPU):
    "WebUIOmniboxAimPopup,WebUIOmniboxFullPopup,WebUIOmniboxPopup,"
    # Chromium's own sampling heap profiler: in a random few browser sessions it profiles some
    # renderers (`--subproc-heap-profiling`), and its frame-pointer stack walk, taken while a
    # page's WebAssembly runs on a stack-switching (JSPI) stack, as Pyodide's async code does,
    # reads past that stack's end: SIGSEGV, "Target crashed" (10 of 10 minidumps here, one
    # address). Not the page's doing, and Qt WebEngine, the app's window, has no such profiler.
    "HeapProfilerReporting",
    # WebAssembly by V8's baseline compiler only: the same semantics, none of the optimizing tier's
    # background compiles, which took about 45 % of a hello page's renderer CPU (2.3-2.8 -> 1.25-1.4
    # CPU-s a boot; a numpy chart 5.3 -> 4.2, its text 0.35-0.5 s later). The suite is CPU-bound
    # on two cores, so that is test time; the app's own window (Qt WebEngine) keeps the engine's
    # defaults, and benchmarks/ launch Chromium with theirs.
    "--js-flags=--liftoff-only",
]


def require(condition: bool, what: str) -> None:
    """Skip when a tool is missing locally; fail under CI, where everything must be installed."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{what} (CI installs it: see scripts/setup.sh)")
    pytest.skip(what)


#: Every PageServer started in this test process, by port: open_page() logs its contexts in to all.
LIVE_SERVERS: dict[int, PageServer] = {}
_start = PageServer.start


def _start_and_register(self: PageServer) -> PageServer:
    _start(self)
    LIVE_SERVERS[self.port] = self
    return self


PageServer.start = _start_and_register  # the real start, plus the registry above


def server_client(server: PageServer, **options) -> "httpx.Client":
    """An httpx.Client on `server` that carries its session cookie."""
    import httpx

    options.setdefault("timeout", 30)
    return httpx.Client(base_url=server.origin, headers=server.auth_headers(), **options)


#: Sessions of servers in other processes (`serve` children), by origin: open_page() adds them too.
OTHER_SESSIONS: dict[str, tuple[str, str]] = {}


def remember_login(url: str) -> str:
    """Use a one-time login URL another process printed, and keep its session cookie for every
    browser context open_page() makes from now on. Returns the server's origin."""
    import httpx

    answer = httpx.get(url, follow_redirects=False, timeout=30)
    assert answer.status_code == 303 and "set-cookie" in answer.headers, (answer.status_code, answer.text[:300])
    name, value = answer.headers["set-cookie"].split(";", 1)[0].split("=", 1)
    origin = url.split("/_desktop/login/", 1)[0]
    OTHER_SESSIONS[origin] = (name, value)
    return origin


def login_client(url: str, **options) -> tuple["httpx.Client", "httpx.Response"]:
    """Follow a one-time login URL (as `serve` prints it): the client keeps the session cookie.
    Returns (client, response of the page it landed on); close the client when done."""
    import httpx

    options.setdefault("timeout", 30)
    client = httpx.Client(follow_redirects=True, **options)
    response = client.get(url)
    return client, response


@pytest.fixture(scope="session")
def bundle() -> RuntimeBundle:
    bundle = RuntimeBundle(default_runtime_dir())
    require(bundle.is_installed(bundle.manifest.pair()), "runtime bundle not fetched: python main.py runtime fetch")
    return bundle


def linked_runtime(bundle: RuntimeBundle, root: Path, *, extras: bool = True) -> RuntimeBundle:
    """A runtime bundle at `root` whose components are `bundle`'s, linked, so that a test's `runtime add`
    or precompile writes only under `root`.

    With `extras`, also the wheelhouse (linked wheels, a copied index) and the bytecode twins (linked files
    in folders of its own): a person's bundle has both, and without the twins an add precompiles the whole
    standard library and every bundled wheel (30 s of CPU)."""
    root.mkdir()
    shutil.copyfile(bundle.root / "manifest.toml", root / "manifest.toml")
    for kind in ("pyscript-core", "pyodide", "micropython"):
        (root / kind).mkdir()
        for version in bundle.installed_versions(kind):
            os.symlink(bundle.component_dir(kind, version), root / kind / version)
    if extras and (bundle.root / "wheelhouse").is_dir():
        shutil.copytree(bundle.root / "wheelhouse", root / "wheelhouse",
                        copy_function=lambda src, dst: os.symlink(src, dst) if src.endswith(".whl") else shutil.copy2(src, dst))
    if extras and (bundle.root / "precompiled").is_dir():
        for folder in (bundle.root / "precompiled").iterdir():
            (root / "precompiled" / folder.name).mkdir(parents=True)
            for twin in folder.iterdir():
                os.symlink(twin, root / "precompiled" / folder.name / twin.name)
    return RuntimeBundle(root)


@pytest.fixture(scope="session")
def js_libraries(bundle):
    """The default libraries in the bundle's library folder: vendored here once (npm client, integrity
    checked) when `runtime fetch --js-defaults` has not run yet."""
    from desktop.runtime.jsdefaults import DEFAULT_LIBRARIES
    from desktop.runtime.jslibs import LIBRARY_FOLDER, JsLibraries
    from desktop.server.libmap import js_specs

    root = bundle.root / LIBRARY_FOLDER
    libraries = JsLibraries((root,))
    wanted = [spec for spec, _ in DEFAULT_LIBRARIES]
    missing = [spec for spec in wanted for package, rng in js_specs(spec)[0] if not libraries.best(package, rng)]
    if missing:
        from desktop.runtime.jsvendor import JsVendor
        from desktop.runtime.npm import Npm
        from desktop.settings import Settings

        require(Npm.find().available(), f"npm is needed to vendor {', '.join(missing)} (or run: python main.py runtime fetch --js-defaults)")
        vendor = JsVendor(root, libraries, Settings().cache_dir / "downloads")
        for spec, esm in DEFAULT_LIBRARIES:
            if spec in missing:
                vendor.add(js_specs(spec)[0], deps=esm)
    return libraries


@pytest.fixture(scope="session")
def output_dir() -> Path:
    OUTPUT.mkdir(exist_ok=True)
    return OUTPUT


@pytest.fixture
def serve(bundle: RuntimeBundle) -> Iterator:
    """serve(folder, **options) -> a started PageServer; all are shut down after the test."""
    servers: list[PageServer] = []

    def start(folder: Path, **options) -> PageServer:
        server = PageServer(ServerOptions(root=Path(folder), bundle=options.pop("bundle", bundle), **options)).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()


@pytest.fixture(scope="session")
def pages_server(bundle: RuntimeBundle) -> Iterator[PageServer]:
    """One server for the bundled example pages, shared by the page tests."""
    server = PageServer(ServerOptions(root=PAGES, bundle=bundle)).start()
    yield server
    server.shutdown()


# -- Chromium -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright_instance():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "Playwright for Python is not installed")
    require(Path(CHROMIUM).exists(), f"Chromium not found at {CHROMIUM}")
    with sync_playwright() as p:
        yield p


class EgressRecorder(socketserver.ThreadingTCPServer):
    """A proxy that forwards nothing: it records every request that would leave the machine.

    Chromium sends all non-loopback traffic (pages, workers, the browser itself) through
    `--proxy-server`; loopback stays direct. So anything recorded here is a request that a
    page or worker tried to send off the machine, which Playwright's request events cannot
    see for workers.
    """

    daemon_threads = True
    allow_reuse_address = True

    #: The requests headless Chromium (tests' `chromium`) makes by itself, whatever the page does,
    #: with every switch in CHROMIUM_ARGS (recorded 2026-12-05, Chromium 156, a data: page left
    #: 25 s): each exact request, by method and URL without its query (the query carries one-time
    #: keys). Nothing else of a host is ignored: a page's request to any other URL of these hosts,
    #: or any request of Qt WebEngine (the app's window, which makes none of these), is recorded.
    #: - the component updater's check, which --disable-component-update leaves on in Chromium 156:
    #:   "CONNECT update.googleapis.com:443" then "POST http://update.googleapis.com/service/update2/json";
    #: - the browser's account check at start (Google sign-in cookies; no page code is involved):
    #:   "CONNECT accounts.google.com:443". A page's https request to that host would look the same
    #:   here, but no page can make one (the app's Content-Security-Policy allows only its own
    #:   origin), and browser_page's other check, Playwright's request events, sees page requests.
    #: (The network-time query, GET http://clients2.google.com/time/1/current, is switched off:
    #: NetworkTimeServiceQuerying in CHROMIUM_ARGS.)
    BROWSER_SERVICES = (
        "CONNECT update.googleapis.com:443",
        "POST http://update.googleapis.com/service/update2/json",
        "CONNECT accounts.google.com:443",
        "CONNECT redirector.gvt1.com:443",  # the component updater's download host (seen in a CI-like run)
    )

    def page_traffic(self) -> list[str]:
        """Recorded requests, less the exact requests of the browser itself (BROWSER_SERVICES)."""

        def request(line: str) -> str:
            method, target = (line.split() + ["", ""])[:2]
            return f"{method} {target.split('?', 1)[0]}"

        return [line for line in self.seen if request(line) not in self.BROWSER_SERVICES]

    def __init__(self) -> None:
        self.seen: list[str] = []
        recorder = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                line = self.rfile.readline(8192).decode("latin-1").strip()
                if line:
                    recorder.seen.append(line)
                self.wfile.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

        super().__init__(("127.0.0.1", 0), Handler)


@pytest.fixture(scope="session")
def egress() -> Iterator[EgressRecorder]:
    recorder = EgressRecorder()
    threading.Thread(target=recorder.serve_forever, daemon=True).start()
    yield recorder
    recorder.shutdown()
    recorder.server_close()


@pytest.fixture(scope="session")
def chromium(playwright_instance, egress):
    proxy = f"--proxy-server=http://127.0.0.1:{egress.server_address[1]}"
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, proxy])
    yield browser
    browser.close()


def crash_dumps_since(started: float) -> list[str]:
    dumps = CRASH_DUMPS.glob("*.dmp") if CRASH_DUMPS.is_dir() else []
    return sorted(str(dump) for dump in dumps if dump.stat().st_mtime >= started)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    item.stash[TEST_STARTED] = time.time()
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A renderer crash (Playwright says only "Target crashed") names the minidumps it left.

    A minidump holds the crashing thread's registers and stack, readable with any minidump reader."""
    outcome = yield
    report = outcome.get_result()
    if report.failed and call.excinfo is not None and "Target crashed" in str(call.excinfo.value):
        new = crash_dumps_since(item.stash.get(TEST_STARTED, 0.0))
        report.sections.append(("Chromium's minidumps of this test", "\n".join(new) or "none written"))
    fail_skip_under_ci(report)


def fail_skip_under_ci(report) -> None:
    """Under CI every test runs: a skip (whatever raised it) becomes a failure that names its reason.

    An expected failure (xfail) is not a skip and is left alone; deselection (`-m`) is not a skip either."""
    if not (IN_CI and report.skipped) or hasattr(report, "wasxfail"):
        return
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    report.outcome = "failed"
    report.longrepr = f"skipped under CI ({reason}); CI must run every test: install what is missing (scripts/setup.sh)"


@pytest.hookimpl(tryfirst=True)
def pytest_collectreport(report) -> None:
    """A module skipped at collection fails under CI too (and the run with it: see below)."""
    if IN_CI and report.skipped:
        SKIPPED_MODULES.append(report.nodeid)
    fail_skip_under_ci(report)


SKIPPED_MODULES: list[str] = []


def pytest_sessionfinish(session, exitstatus) -> None:
    """pytest counts a failed collection report as an error but may still exit 0: CI must not."""
    if SKIPPED_MODULES and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_configure(config) -> None:
    import xdist_groups

    config.pluginmanager.register(xdist_groups, "xdist_groups")  # --dist loadgroup under pytest 9.2 (see there)


#: fixtures -> the marker a test using them must carry (what it needs, for `-m` and `./run-tests --quick`)
NEEDS = {"gui": {"xvfb", "app_env"}, "e2e": {"chromium", "browser_page", "playwright_instance"}}


def pytest_collection_modifyitems(config, items) -> None:
    """Markers match what tests need: a test that uses a window or Chromium is marked so, even if its module forgot."""
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        for marker, fixtures in NEEDS.items():
            if used & fixtures and item.get_closest_marker(marker) is None:
                item.add_marker(marker)


@dataclass
class PageRun:
    """A Playwright page with every request, console line and page error recorded."""

    page: object
    requests: list[str] = field(default_factory=list)
    console: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def external_requests(self) -> list[str]:
        """Requests that would leave the machine (anything but loopback, blob:, data:)."""
        local = ("http://127.0.0.1:", "blob:", "data:", "about:")
        return [u for u in self.requests if not u.startswith(local)]

    def console_text(self) -> str:
        return "\n".join(text for _, text in self.console)

    def wait_for_text(self, text: str, timeout: float = 90) -> None:
        """Wait until the page shows `text`; on timeout, fail with what the page said instead."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        try:
            self.page.wait_for_function(
                "t => document.body && document.body.innerText.includes(t)", arg=text, timeout=timeout * 1000
            )
        except PlaywrightTimeout:
            body = self.page.evaluate("document.body ? document.body.innerText : ''")
            pytest.fail(
                f"page never showed {text!r} within {timeout} s.\n--- page text ---\n{body[-2000:]}"
                f"\n--- console ---\n{self.console_text()[-3000:]}\n--- page errors ---\n{self.errors}",
                pytrace=False,
            )


@pytest.fixture
def browser_page(chromium, egress) -> Iterator:
    """open_page(url) -> PageRun in a fresh context; asserts no external request at teardown.

    Two independent checks: Playwright's request events (page and frames) and the egress
    recorder (everything, workers included).
    """
    egress.seen.clear()
    contexts = []
    runs: list[PageRun] = []

    def open_page(url: str, *, wait_until: str = "load", viewport=(1000, 750), login: bool = True) -> PageRun:
        context = chromium.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        contexts.append(context)
        if login:  # the session cookie of every live server, as the app's own windows get it
            live = [(s.origin, s.auth_cookie()) for s in LIVE_SERVERS.values() if s._server is not None]
            live += list(OTHER_SESSIONS.items())
            if live:
                context.add_cookies([{"name": name, "value": value, "url": origin} for origin, (name, value) in live])
        page = context.new_page()
        run = PageRun(page)
        context.on("request", lambda r: run.requests.append(r.url))  # page and workers
        page.on("console", lambda m: run.console.append((m.type, m.text)))
        page.on("pageerror", lambda e: run.errors.append(str(e)))
        page.goto(url, wait_until=wait_until)
        runs.append(run)
        return run

    yield open_page
    for context in contexts:
        context.close()
    for run in runs:
        assert run.external_requests() == [], f"requests left the machine: {run.external_requests()}"
    assert egress.page_traffic() == [], f"requests tried to leave the machine: {egress.page_traffic()}"


# -- Xvfb -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def xvfb() -> Iterator[str]:
    """A virtual screen with a window manager; yields its DISPLAY value and sets it for the session.

    Xvfb picks a free display itself (-displayfd), so parallel workers each get their own, and
    both it and openbox are checked to be up before any test draws (tests/virtual_display.py)."""
    import virtual_display

    require(shutil.which("Xvfb") is not None, "Xvfb is not installed")
    # A window manager, as on every real desktop: fullscreen, focus and activation go through it.
    require(shutil.which("openbox") is not None, "openbox is not installed")
    try:
        screen = virtual_display.start()
    except virtual_display.DisplayError as error:
        pytest.fail(f"no virtual screen: {error}", pytrace=False)
    old = os.environ.get("DISPLAY")
    os.environ["DISPLAY"] = screen.display
    yield screen.display
    screen.close()
    if old is None:
        os.environ.pop("DISPLAY", None)
    else:
        os.environ["DISPLAY"] = old


@pytest.fixture
def app_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private folder for the app's config, data, cache and logs."""
    home = tmp_path / "home"
    monkeypatch.setenv("PYSCRIPT_DESKTOP_HOME", str(home))
    return home
