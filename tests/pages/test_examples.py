"""Every example page in pages/ renders its output in Chromium, offline, through the app's server."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

# Each page is booted once: one test per page checks its output, its errors and takes its picture.


def shoot(run, output_dir, page: str) -> None:
    assert run.errors == []
    run.page.screenshot(path=str(output_dir / f"page-{page.removesuffix('.html')}.png"), full_page=True)


def test_hello_page_renders_offline(pages_server, browser_page, output_dir):
    run = browser_page(pages_server.url + "hello.html")
    run.wait_for_text("Hello from Python 3.12")
    shoot(run, output_dir, "hello.html")


def test_chart_page_draws_an_image_and_shows_no_font_cache_warning(pages_server, browser_page, output_dir):
    run = browser_page(pages_server.url + "chart.html")
    run.wait_for_text("Chart drawn with numpy 2.0.2 and matplotlib 3.8.4")
    size = run.page.evaluate(
        """() => { const img = document.querySelector('#chart img');
                   return img && img.complete ? [img.naturalWidth, img.naturalHeight] : null; }"""
    )
    assert size is not None and size[0] >= 600 and size[1] >= 300, size
    shoot(run, output_dir, "chart.html")
    # matplotlib's routine first-import warning must not appear as a red error box
    assert "building the font cache" not in run.page.inner_text("body")
    assert run.page.locator(".py-error").count() == 0


def test_table_page_shows_pandas_table(pages_server, browser_page, output_dir):
    run = browser_page(pages_server.url + "table.html")
    run.wait_for_text("Total revenue")
    rows = run.page.locator("#table table.dataframe tbody tr")
    assert rows.count() == 3
    assert "North" in run.page.locator("#table table.dataframe").inner_text()
    assert "Total revenue: 166,075" in run.page.inner_text("body")
    shoot(run, output_dir, "table.html")


def test_interactive_page_handles_clicks(pages_server, browser_page, output_dir):
    run = browser_page(pages_server.url + "interactive.html")
    run.wait_for_text("Ready.")
    run.page.fill("#name", "Ada")
    run.page.click("#greet")
    run.wait_for_text("Hello, Ada!")
    run.page.click("#count")
    run.page.click("#count")
    run.wait_for_text("Clicked 2 times.")
    shoot(run, output_dir, "interactive.html")


def test_worker_page_reaches_the_dom_from_a_worker(pages_server, browser_page, output_dir):
    run = browser_page(pages_server.url + "worker.html")
    run.wait_for_text("Page title seen from the worker: Worker: Python off the main thread")
    assert "largest is 199999" in run.page.inner_text("#out")
    assert run.page.evaluate("crossOriginIsolated") is True
    assert "crossOriginIsolated: True" in run.page.inner_text("body")
    shoot(run, output_dir, "worker.html")


def test_micropython_page_handles_a_click(pages_server, browser_page, output_dir):
    run = browser_page(pages_server.url + "micropython.html")
    run.wait_for_text("Hello from micropython")
    run.page.click("#roll")
    run.wait_for_text("You rolled")
    # MicroPython came from the app's server (the bundle), not a CDN
    assert any(u.startswith("http://127.0.0.1:") and u.endswith("micropython.wasm") for u in run.requests)
    shoot(run, output_dir, "micropython.html")
