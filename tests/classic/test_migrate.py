"""`migrate`: the report names each classic construct by line, and the written copy runs on modern PyScript."""

from __future__ import annotations

import math
import shutil
import subprocess
import sys

import pytest
from conftest import PAGES

MAIN = str(PAGES.parent / "main.py")

# classic page -> what its modern copy must show
PAGES_AND_TEXT = {
    "classic-hello.html": ["Hello, World!", "classic PyScript still runs"],
    "classic-clock.html": ["Local time"],
    "classic-csv.html": ["Total sales: 565", "Mar"],
    "classic-plot.html": [],
}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, MAIN, "migrate", *args], capture_output=True, text=True, timeout=60)


def test_report_lists_constructs_with_lines():
    result = run(str(PAGES / "classic-csv.html"))
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert any(":6: <link" in line and "core.css" in line for line in lines)
    assert any(":7: <script defer src=" in line and "core.js" in line for line in lines)
    assert any(":8: <py-env> -> <py-config>" in line for line in lines)
    assert any(':19: <py-script> -> <script type="py">' in line for line in lines)


def test_modern_page_is_not_touched(tmp_path):
    result = run(str(PAGES / "hello.html"))
    assert "no classic PyScript constructs found" in result.stdout


def test_refuses_to_overwrite_the_original(tmp_path):
    page = tmp_path / "p.html"
    shutil.copy(PAGES / "classic-hello.html", page)
    before = page.read_bytes()
    result = run(str(page), "--write", str(page))
    assert result.returncode == 2 and "overwrite" in result.stderr
    assert page.read_bytes() == before


@pytest.mark.e2e
@pytest.mark.parametrize("page", sorted(PAGES_AND_TEXT))
def test_written_copy_runs_on_modern_pyscript(page, tmp_path, serve, browser_page, output_dir):
    site = tmp_path / "site"
    shutil.copytree(PAGES / "data", site / "data")
    result = run(str(PAGES / page), "--write", str(site / page))
    assert result.returncode == 0, result.stderr
    written = (site / page).read_text()
    assert "pyscript.js" not in written and "<py-script" not in written and "<py-env" not in written
    server = serve(site)
    run_ = browser_page(server.url + page)
    for text in PAGES_AND_TEXT[page]:
        run_.wait_for_text(text)
    if page == "classic-plot.html":
        run_.page.wait_for_selector("#plot img", timeout=120_000)
        run_.page.screenshot(path=str(output_dir / "migrated-plot.png"))
    assert run_.page.locator(".py-error").count() == 0


@pytest.mark.e2e
def test_written_buttons_copy_handles_clicks(tmp_path, serve, browser_page):
    site = tmp_path / "site"
    site.mkdir()
    assert run(str(PAGES / "classic-buttons.html"), "--write", str(site / "b.html")).returncode == 0
    server = serve(site)
    page = browser_page("about:blank")  # the listener is in place before the page's first script (one boot)
    page.page.add_init_script("addEventListener('py:all-done', () => { window.__allDone = true; })")
    page.page.goto(server.url + "b.html")
    page.page.wait_for_function("window.__allDone === true", timeout=90_000)
    for button in ("#alpha", "#sept", "#modern"):
        page.page.click(button)
    page.wait_for_text("py-click (2023) with event click")
    assert "pys-onClick handled" in page.page.inner_text("#said")


@pytest.mark.e2e
def test_written_repl_copy_is_a_py_editor_that_runs(tmp_path, serve, browser_page):
    site = tmp_path / "site"
    site.mkdir()
    result = run(str(PAGES / "classic-repl.html"), "--write", str(site / "r.html"))
    assert result.returncode == 0 and 'type="py-editor"' in (site / "r.html").read_text()
    # A py-editor shows what its cell prints, not the last value as <py-repl> did: the report says so.
    assert "not its last value as <py-repl> did: print() that value" in result.stdout
    classic = (PAGES / "classic-repl.html").read_text().replace("math.factorial(20)", "print(math.factorial(20))")
    (site / "classic-print.html").write_text(classic)
    assert run(str(site / "classic-print.html"), "--write", str(site / "p.html")).returncode == 0
    server = serve(site)
    page = browser_page(server.url + "p.html")
    page.page.wait_for_selector(".py-editor-run-button", state="attached", timeout=90_000)
    page.page.hover(".py-editor-box")
    page.page.click(".py-editor-run-button")  # the migrated cell runs
    page.wait_for_text(str(math.factorial(20)))
