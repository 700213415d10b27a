"""Pages pinned to a PyScript release get that release's core and interpreter, offline, in Chromium.

The pages (release_pages/, adapted from the official examples of each release) use what changed
between releases: `pyweb.pydom` (early 2024, gone from 2024.8), `pyscript.fetch` (2024.4 on),
`pyscript.web` (2024.8 on),
`page["#id"]` as a collection (2025) or as the element (2026.1 on). Each would fail on another
release's core, which is what the app served before it vendored them.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from conftest import require

pytestmark = pytest.mark.e2e

PAGES = Path(__file__).resolve().parent / "release_pages"

#: page, the text it shows, the core it must load, the interpreter file it must load
CASES = [
    ("2024.1.1-pydom.html", r"pyweb pydom ready: Python 3\.11\.\d+, Pyodide 0\.24\.1", "0.3.14", "pyodide/0.24.1/"),
    # the npm build 1.22.0-356 is a preview of 1.23 and says so in sys.implementation
    ("2024.5.2-fetch-mpy.html", r"pyscript.fetch on MicroPython 1\.23\.0: fetched twelve bytes", "0.4.32", "micropython/1.22.0-356/"),
    ("2024.8.2-web.html", r"pyscript.web ElementCollection of 1: Pyodide 0\.26\.2", "0.5.12", "pyodide/0.26.2/"),
    ("2025.2.4-page-value.html", r"page\['#name'\] is ElementCollection, value Ada on Pyodide 0\.27\.3", "0.6.35", "pyodide/0.27.3/"),
    ("2025.11.2-page-value.html", r"page\['#name'\] is ElementCollection, value Ada on Pyodide 0\.29\.0", "0.7.11", "pyodide/0.29.0/"),
    ("2026.1.1-page-value.html", r"page\['#name'\] is input_, value Ada on MicroPython 1\.27\.0", "0.7.12", "micropython/1.27.0/"),
]


def _releases_installed(bundle) -> None:
    missing = [p.name for p in bundle.manifest.release_pairs() if not bundle.is_installed(p)]
    require(not missing, f"PyScript release cores not fetched ({', '.join(missing[:3])}...): python main.py runtime fetch --releases")


@pytest.fixture(scope="module")
def releases_server(bundle):
    from desktop.server import PageServer, ServerOptions

    _releases_installed(bundle)
    digests = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in PAGES.rglob("*") if p.is_file()}
    server = PageServer(ServerOptions(root=PAGES, bundle=bundle)).start()
    yield server
    server.shutdown()
    assert {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in PAGES.rglob("*") if p.is_file()} == digests


def _wait_for_match(run, pattern: str, timeout: float = 120) -> str:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        run.page.wait_for_function(
            "p => document.body && new RegExp(p).test(document.body.innerText)", arg=pattern, timeout=timeout * 1000
        )
    except PlaywrightTimeout:
        body = run.page.evaluate("document.body ? document.body.innerText : ''")
        pytest.fail(f"page never matched {pattern!r}.\n--- page ---\n{body[-1500:]}\n--- console ---\n{run.console_text()[-3000:]}")
    return re.search(pattern, run.page.evaluate("document.body.innerText"))[0]


#: How each component's version shows in a URL: the canonical path, or the CDN URL the core computed
#: (answered from the bundle under /_cdn/, where the version asked for is the one served when installed).
_VERSION_IN_URL = {
    "pyscript-core": (r"/_runtime/pyscript-core/([^/]+)/",),
    "pyodide": (r"/_runtime/pyodide/([^/]+)/", r"/_cdn/[^/]+/pyodide/v([^/]+)/full/"),
    "micropython": (r"/_runtime/micropython/([^/]+)/", r"/micropython-webassembly-pyscript@([^/]+)/"),
}


def _loaded(run, kind: str) -> set[str]:
    """The versions of a component the page (and its workers) asked for."""
    found = set()
    for url in run.requests:
        for pattern in _VERSION_IN_URL[kind]:
            m = re.search(pattern, url)
            if m:
                found.add(m[1])
    return found


def _the_notice_names_the_substituted_core(run) -> None:
    """2024.8.2 shipped core 0.5.3, which npm never published: the page says which core it got instead."""
    assert "PyScript 2024.8.2 is served with @pyscript/core 0.5.12: core 0.5.3 is not published on npm" in run.console_text()


def _pydom_events_reach_python(run) -> None:
    run.page.click("#just-a-button")
    run.wait_for_text("Hello from Python!")
    run.page.click("#color-button")
    run.page.wait_for_function("document.querySelector('#result').style.backgroundColor !== ''", timeout=30_000)
    assert "not bundled" not in run.console_text()


#: What else a page of CASES shows once it ran (asked of the same page load: one Pyodide boot each)
THEN = {"2024.8.2-web.html": _the_notice_names_the_substituted_core, "2024.1.1-pydom.html": _pydom_events_reach_python}


@pytest.mark.parametrize("page, shows, core, interpreter", CASES, ids=[c[0].removesuffix(".html") for c in CASES])
def test_a_page_pinned_to_a_release_runs_on_that_release(releases_server, browser_page, output_dir, page, shows, core, interpreter):
    run = browser_page(releases_server.url + page)
    _wait_for_match(run, shows)
    assert _loaded(run, "pyscript-core") == {core}
    kind, version = interpreter.strip("/").split("/")
    assert _loaded(run, kind) == {version}
    run.page.screenshot(path=str(output_dir / f"release-{page.removesuffix('.html')}.png"))
    assert run.errors == []
    if page in THEN:
        THEN[page](run)


NUMPY_CASES = [
    ("2024.1.1-numpy.html", "0.3.14", "0.24.1"),
    # cores built for a newer Pyodide (0.28 on) than the pair's: they import pyodide.ffi.jsnull
    ("2025.8.1-numpy.html", "0.6.72", "0.28.2"),
    ("2026.7.3-numpy.html", "0.7.31", "314.0.2"),
]


@pytest.mark.parametrize("page, core, release_pyodide", NUMPY_CASES, ids=[c[0].removesuffix(".html") for c in NUMPY_CASES])
def test_a_release_page_that_needs_bundled_packages_runs_on_the_pairs_pyodide(releases_server, browser_page, bundle, page, core, release_pyodide):
    """The releases' Pyodides have no packages offline; numpy exists for the default pair's Pyodide. A page
    of any release runs its own release's core (and so its own `pyscript` API) with the pair's Pyodide,
    also a core built for a newer Pyodide (the app gives that Pyodide the `jsnull` those cores import:
    pyhooks.PYODIDE_COMPAT). The console says which."""
    pair = bundle.manifest.pair()
    run = browser_page(releases_server.url + page)
    shown = _wait_for_match(run, rf"numpy [\d.]+ sum=45 on Pyodide {re.escape(pair.pyodide)}", timeout=180)
    assert _loaded(run, "pyodide") == {pair.pyodide}
    assert _loaded(run, "pyscript-core") == {f"{core}+pyodide-{pair.pyodide}"}
    assert f"its PyScript (core {core}) runs with Pyodide {pair.pyodide} instead of {release_pyodide}" in run.console_text()
    if page.startswith("2026"):  # its own release's API: page["#id"] is the element (a collection on the pair's 0.6.66)
        assert "page['#name'] is input_" in run.page.evaluate("document.body.innerText"), shown
    assert run.errors == []
    assert run.page.evaluate("document.querySelectorAll('.py-error, .pyscript-desktop-error').length") == 0


def test_a_worker_that_needs_bundled_packages_answers_a_newer_releases_page(releases_server, browser_page, bundle, output_dir):
    """PyScript 2026.7.1 (core 0.7.28, built for Pyodide 0.29.3): MicroPython on the main thread asks a named
    Pyodide worker with numpy (the docs' prime-worker app in small). The page keeps its own core, whose
    `page["#id"]` is the element, and the worker runs on the pair's Pyodide; without the app's `jsnull` the
    worker's `pyscript` fails to import (ImportError in the overlay), and with the pair's core instead
    `page["#limit"].value` is a list (TypeError): either way the answer never reached the page."""
    pair = bundle.manifest.pair()
    run = browser_page(releases_server.url + "2026.7.1-worker-numpy.html")
    _wait_for_match(run, rf"page\['#limit'\] is input_; the worker says numpy [\d.]+ sum=45 on Pyodide {re.escape(pair.pyodide)}", timeout=180)
    assert _loaded(run, "pyscript-core") == {f"0.7.28+pyodide-{pair.pyodide}"}
    assert _loaded(run, "micropython") == {"1.28.0-6"}
    assert _loaded(run, "pyodide") == {pair.pyodide}
    run.page.screenshot(path=str(output_dir / "release-2026.7.1-worker-numpy.png"))
    assert run.errors == []
    assert run.page.evaluate("document.querySelectorAll('.py-error, .pyscript-desktop-error').length") == 0


def test_only_a_variant_core_gets_the_pyodide_compat_hook():
    """pyhooks.pyodide_compat_snippet: a `<core>+pyodide-<version>` core (served with an older Pyodide) gets it;
    a core served with its own Pyodide, or a page without a core, gets nothing."""
    from desktop.server.pyhooks import pyodide_compat_snippet

    base = "http://127.0.0.1:1/_runtime/pyscript-core/"
    assert pyodide_compat_snippet(base + "0.7.28/dist/core.js") == ""
    assert pyodide_compat_snippet("") == ""
    snippet = pyodide_compat_snippet(base + "0.7.28+pyodide-0.27.7/dist/core.js")
    assert "hooks?.worker?.onReady?.add(desktopCompat)" in snippet and "jsnull" in snippet
