"""Modern PyScript features work offline through the server, in Chromium."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "modern"


@pytest.fixture(scope="module")
def modern(bundle):
    from desktop.server import PageServer, ServerOptions

    digests = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in FIXTURES.rglob("*") if p.is_file()}
    server = PageServer(ServerOptions(root=FIXTURES, bundle=bundle)).start()
    yield server
    server.shutdown()
    after = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in FIXTURES.rglob("*") if p.is_file()}
    assert after == digests, "serving modified page files on disk"


def test_src_scripts_for_py_and_mpy_with_config_file_and_files(modern, browser_page):
    run = browser_page(modern.url + "src.html")
    run.wait_for_text("src py says 42")
    run.wait_for_text("src mpy says hi")


def test_json_py_config_with_packages_and_files(modern, browser_page):
    run = browser_page(modern.url + "json-config.html")
    run.wait_for_text("json config: numpy 2.0.2, helper 42")


def test_inline_config_attribute(modern, browser_page):
    run = browser_page(modern.url + "config-attr.html")
    run.wait_for_text("inline config attribute: six 1.16.0")


def test_json_config_file(modern, browser_page):
    run = browser_page(modern.url + "config-file-json.html")
    run.wait_for_text("json config file works: 42")


def test_display_targets_append_replace_html_and_py_click(modern, browser_page):
    run = browser_page(modern.url + "display.html")
    run.wait_for_text("replaced")
    assert run.page.inner_text("#a").split() == ["first", "second"]
    assert run.page.inner_text("#b").strip() == "replaced"
    run.page.click("#btn")
    run.wait_for_text("py-click handled")


def test_py_terminal(modern, browser_page):
    run = browser_page(modern.url + "terminal.html")
    run.page.wait_for_selector(".xterm-rows", timeout=90_000)
    run.page.wait_for_function(
        "() => document.querySelector('.xterm-rows').innerText.includes('printed to the py-terminal')",
        timeout=90_000,
    )


def test_py_editor_runs_its_code(modern, browser_page, output_dir):
    run = browser_page(modern.url + "editor.html")
    run.page.wait_for_selector(".py-editor-run-button", state="attached", timeout=90_000)
    run.page.hover(".py-editor-box")
    run.page.click(".py-editor-run-button")
    run.page.wait_for_function(
        "() => document.body.innerText.includes('42')", timeout=90_000
    )
    run.page.screenshot(path=str(output_dir / "modern-py-editor.png"))


def test_missing_package_is_named_with_the_command_that_adds_it(modern, browser_page, output_dir):
    run = browser_page(modern.url + "missing-package.html")
    run.wait_for_text('Package "definitely-not-bundled-pkg" is not in the offline runtime bundle.')
    run.wait_for_text("python main.py runtime add definitely-not-bundled-pkg")
    assert "numpy" not in run.page.inner_text(".pyscript-desktop-problem")
    assert "content stays" in run.page.inner_text("body")
    run.page.screenshot(path=str(output_dir / "modern-missing-package.png"))


def test_broken_config_is_reported_in_the_page(modern, browser_page):
    run = browser_page(modern.url + "broken-config.html")
    run.wait_for_text("This page's configuration could not be read")
    assert "content stays" in run.page.inner_text("body")


def test_substituted_version_is_noticed_in_the_console(modern, browser_page, bundle):
    from desktop.runtime.releases import nearest_published

    run = browser_page(modern.url + "version-notice.html")
    run.wait_for_text("older version request still runs")
    # the nearest installed core of the 0.6 series at or above it: 0.6.25 with the releases' cores fetched
    served = nearest_published("0.6.24", bundle.installed_versions("pyscript-core"))
    assert f"@pyscript/core 0.6.24 is not bundled with this app; serving the bundled {served} instead." in run.console_text()
