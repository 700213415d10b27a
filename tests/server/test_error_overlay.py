"""Any uncaught Python error of any page shows in the app's overlay, in a plain browser too.

The server injects static/errors.js into every page and registers hooks with the page's own
PyScript core; these pages raise in each place an error used to vanish: a worker's console, a
hidden py-terminal, MicroPython, an event handler, the classic layer, an orphaned asyncio task,
a plain Pyodide page's rejected promise.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "errors"
OVERLAY = ".pyscript-desktop-error"


@pytest.fixture(scope="module")
def errors_server(bundle):
    from desktop.server import PageServer, ServerOptions

    server = PageServer(ServerOptions(root=FIXTURES, bundle=bundle)).start()
    yield server
    server.shutdown()


def overlay_text(run, timeout: float = 90) -> str:
    """The overlay's text, once it is there; on timeout, fail with what the page showed."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        run.page.wait_for_selector(OVERLAY, timeout=timeout * 1000)
    except PlaywrightTimeout:
        pytest.fail(f"no overlay.\n--- page ---\n{run.page.inner_text('body')[-1500:]}\n--- console ---\n"
                    f"{run.console_text()[-3000:]}", pytrace=False)
    return run.page.inner_text(OVERLAY)


@pytest.mark.parametrize("page, error, frame", [
    # (PyScript drops a script's first empty line: the line numbers count from the code's first line)
    ("main.html", "ValueError: main thread boom", 'File "<exec>", line 3'),
    ("worker.html", "KeyError: 'worker boom'", 'File "<exec>", line 1'),
    ("terminal-hidden.html", "ZeroDivisionError: division by zero", 'File "<exec>", line 2'),
    ("js-worker.html", "TypeError: js worker boom", 'File "<exec>", line 2'),  # PyWorker() from JavaScript
    ("worker-terminal.html", "LookupError: worker terminal boom", 'File "<exec>", line 2'),
    ("mpy.html", "RuntimeError: micropython boom", 'File "<stdin>", line 1'),
    ("mpy-worker.html", "RuntimeError: micropython worker boom", 'File "<stdin>", line 1'),
    ("classic.html", "NameError: classic boom", 'File "<exec>", line 2'),
    ("classic-async.html", "OSError: classic async boom", "in later"),
    ("pyodide-plain.html", "IndexError: plain pyodide boom", 'File "<exec>", line 2, in f'),
])
def test_uncaught_error_shows_in_the_overlay(errors_server, browser_page, output_dir, page, error, frame):
    run = browser_page(errors_server.url + page)
    text = overlay_text(run)
    assert "Python raised an error. The rest of the page still works." in text
    assert "Traceback (most recent call last)" in text and error in text and frame in text
    assert "_pyodide/_base.py" not in text  # Pyodide's own frames are left out
    assert run.page.locator(OVERLAY).count() == 1
    assert run.page.locator(".pyscript-desktop-error-versions").count() == 0  # each names its own release
    assert run.page.inner_text("#before").startswith("page text")  # the page itself is untouched
    if page == "terminal-hidden.html":  # the traceback went to a terminal the page hides
        assert run.page.locator("py-terminal").count() == 1 and not run.page.is_visible("py-terminal")
    if page == "classic.html":
        run.wait_for_text("the next script still runs")
    run.page.screenshot(path=str(output_dir / f"error-overlay-{page.removesuffix('.html')}.png"))


def test_a_page_on_a_release_this_app_lacks_says_so_in_the_overlay(errors_server, browser_page, output_dir):
    """A page pinning a PyScript the app does not bundle runs on the bundled core, and raises for a module
    its own release had: the overlay names the substitution, which only the console did before."""
    run = browser_page(errors_server.url + "unbundled-release.html")
    text = overlay_text(run)
    assert "ModuleNotFoundError: No module named 'pyweb'" in text
    note = run.page.inner_text(".pyscript-desktop-error-versions")
    assert note.startswith("This page ran on other versions than it names, which may be why:")
    assert "PyScript 2099.1.1 is not bundled with this app; serving the bundled PyScript core" in note
    run.page.screenshot(path=str(output_dir / "error-overlay-unbundled-release.png"))


def test_a_worker_file_that_is_not_there_says_so(errors_server, browser_page, output_dir):
    """polyscript throws "[404] Unable to fetch" on the main thread and no Python runs: nothing showed."""
    run = browser_page(errors_server.url + "missing-worker.html")
    run.page.wait_for_function(f"document.querySelectorAll('{OVERLAY} pre').length === 2", timeout=60_000)
    text = overlay_text(run)
    for name in ("./not-here.py", "./also-not-here.py"):
        assert f"FileNotFoundError: the worker's Python file {name} could not be loaded (HTTP 404)." in text
        assert f"Check the path {name} in the page's src= or PyWorker(...)" in text
    run.page.screenshot(path=str(output_dir / "error-overlay-missing-worker.png"))


def test_event_handler_error_and_dismiss(errors_server, browser_page):
    run = browser_page(errors_server.url + "handler.html")
    run.wait_for_text("handler ready")
    assert run.page.locator(OVERLAY).count() == 0
    run.page.click("#go")
    text = overlay_text(run, timeout=20)
    assert "TypeError: handler boom" in text and "in go" in text
    run.page.click(f"{OVERLAY} button:has-text('Dismiss')")
    assert run.page.locator(OVERLAY).count() == 0


def test_a_page_without_errors_shows_no_overlay(errors_server, browser_page):
    run = browser_page(errors_server.url + "fine.html")
    run.wait_for_text("all fine")
    run.page.wait_for_timeout(1000)
    assert run.page.locator(OVERLAY).count() == 0
    assert "Python raised an error" not in run.console_text()
