"""Classic PyScript pages (2022 alpha to 2023.05) run unmodified and offline, in Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import PAGES

pytestmark = pytest.mark.e2e

HERE = Path(__file__).resolve().parent / "pages"


@pytest.fixture(scope="module")
def classic_server(bundle):
    from desktop.server import PageServer, ServerOptions

    server = PageServer(ServerOptions(root=HERE, bundle=bundle)).start()
    yield server
    server.shutdown()


def ready(run):
    run.page.wait_for_function("window.__pyscriptDesktopClassicReady === true", timeout=120_000)


def test_alpha_hello_world_prints_on_the_page(pages_server, browser_page):
    run = browser_page(pages_server.url + "classic-hello.html")
    ready(run)
    text = run.page.inner_text("body")
    assert "Hello, World!" in text
    assert "classic PyScript still runs" in text  # the last expression is displayed
    assert "print(" not in text  # the source itself is not shown


def test_py_env_plot_via_output_and_last_expression(pages_server, browser_page, output_dir):
    run = browser_page(pages_server.url + "classic-plot.html")
    ready(run)
    size = run.page.evaluate("(() => { const i = document.querySelector('#plot img'); return i && [i.naturalWidth, i.naturalHeight]; })()")
    assert size and size[0] > 300 and size[1] > 200
    assert run.page.locator(".py-error").count() == 0  # no font-cache warning box either
    run.page.screenshot(path=str(output_dir / "classic-plot.png"))


def test_clock_ticks_with_pyscript_write_and_element(pages_server, browser_page):
    run = browser_page(pages_server.url + "classic-clock.html")
    ready(run)
    assert run.page.inner_text("#label") == "Local time"
    first = run.page.inner_text("#clock")
    run.page.wait_for_function("t => document.querySelector('#clock').innerText !== t", arg=first, timeout=5000)
    assert "Task" not in run.page.inner_text("body")


def test_csv_listed_in_paths_is_read(pages_server, browser_page):
    run = browser_page(pages_server.url + "classic-csv.html")
    ready(run)
    text = run.page.inner_text("#table")
    assert "Total sales: 565" in text
    assert run.page.locator("#table table").count() == 1  # the DataFrame's HTML repr


def test_event_attributes_of_every_era(pages_server, browser_page):
    run = browser_page(pages_server.url + "classic-buttons.html")
    ready(run)
    for button in ("#alpha", "#sept", "#modern"):
        run.page.click(button)
    run.wait_for_text("py-click (2023) with event click")
    text = run.page.inner_text("#said")
    assert "pys-onClick handled" in text and "py-onClick handled" in text


def test_repl_shift_enter_shows_the_value_and_adds_a_cell(pages_server, browser_page, output_dir):
    run = browser_page(pages_server.url + "classic-repl.html")
    ready(run)
    editor = run.page.locator("py-repl textarea").first
    editor.click()
    editor.press("Shift+Enter")
    run.wait_for_text("2432902008176640000")
    run.page.wait_for_function("document.querySelectorAll('py-repl').length === 2", timeout=10_000)  # auto-generate
    second = run.page.locator("py-repl textarea").nth(1)
    second.fill("[n * n for n in range(4)]")
    second.press("Shift+Enter")
    run.wait_for_text("[0, 1, 4, 9]")
    run.page.screenshot(path=str(output_dir / "classic-repl.png"))


def test_toml_config_with_fetch_packages_and_terminal(classic_server, browser_page):
    run = browser_page(classic_server.url + "toml-config.html")
    ready(run)
    assert "six 1.16.0, total 15" in run.page.inner_text("#out")
    assert "six 1.16.0, total 15" in run.page.inner_text(".py-terminal")


def test_json_config_and_a_missing_local_build_pyscript_js(classic_server, browser_page):
    run = browser_page(classic_server.url + "json-config.html")
    ready(run)
    run.wait_for_text("json config: mean 3.0")


def test_python_api(classic_server, browser_page):
    run = browser_page(classic_server.url + "api.html")
    ready(run)
    text = run.page.inner_text("#w")
    assert text.split() == ["written", "appended", "value=typed"]
    assert run.page.locator("#item2.cloned").count() == 1
    assert run.page.inner_text("#bold") == "bold"
    assert run.page.inner_text("#fancy") == "fancy repr"
    assert run.page.inner_text("p#made.a.b") == "created element"
    assert "ValueError: classic error box" in run.page.inner_text("#err .py-error")
    run.wait_for_text("still running after the error")


def test_alpha_widgets_and_terminal(classic_server, browser_page):
    run = browser_page(classic_server.url + "widgets.html")
    ready(run)
    assert run.page.inner_text("h1.py-title") == "Widget title"
    # as the alpha made them: the control takes the id, the element becomes "<id>-container"
    run.page.click("#btn-container > button#btn")
    run.wait_for_text("button pressed")
    run.page.fill("#ibox-container > input#ibox", "abc")
    run.page.press("#ibox", "Enter")
    run.wait_for_text("entered abc")
    assert "to the terminal" in run.page.inner_text(".py-terminal")


def test_registered_widget_becomes_an_element(classic_server, browser_page, output_dir):
    run = browser_page(classic_server.url + "register-widget.html")
    ready(run)
    run.page.click("#apples button.counter")
    run.page.click("#apples button.counter")
    run.page.click("#pears button.counter")
    assert run.page.inner_text("#apples") == "apples: 2"
    assert run.page.inner_text("#pears") == "pears: 1"
    # a widget whose class is missing is a red box naming it; the page goes on
    assert "defines no class named NoSuchClass" in run.page.inner_text(".py-error")
    assert run.page.is_visible("#after")
    run.page.screenshot(path=str(output_dir / "classic-register-widget.png"))


SPLASH_RECORDER = """
window.__splashTexts = [];
new MutationObserver(() => {
  const text = document.querySelector(".py-splash-text")?.textContent;
  if (text && window.__splashTexts.at(-1) !== text) window.__splashTexts.push(text);
}).observe(document, { childList: true, subtree: true, characterData: true });
"""


@pytest.mark.parametrize("page, stays", [("splash.html", True), ("toml-config.html", False)])
def test_splash_screen_steps_and_autoclose(classic_server, browser_page, page, stays):
    run = browser_page("about:blank")  # the recorder is in place before the page's first script (one boot)
    run.page.add_init_script(SPLASH_RECORDER)
    run.page.goto(classic_server.url + page)
    ready(run)
    texts = run.page.evaluate("window.__splashTexts")
    assert texts[:2] == ["Loading runtime...", "Loading packages..."], texts
    assert run.page.locator(".py-overlay").count() == (1 if stays else 0)
    if stays:
        assert run.page.inner_text(".py-splash-text") == "Initializing..."
        run.wait_for_text("ran under a splash that stays")


def test_repl_src_output_and_append_mode(classic_server, browser_page):
    run = browser_page(classic_server.url + "repl-options.html")
    ready(run)
    editor = run.page.locator("#r textarea")
    assert "globals().get" in editor.input_value()  # src= filled the cell
    editor.press("Shift+Enter")
    run.wait_for_text("run 1")
    editor.press("Shift+Enter")
    run.wait_for_text("run 2")
    assert run.page.inner_text("#replout").split() == ["run", "1", "run", "2"]  # output= and append mode
    assert run.page.inner_text("#r-repl-output") == ""


def test_missing_package_names_the_command(classic_server, browser_page):
    """The same box as a modern page gets (static/page.js), from the server's reading of <py-env>."""
    run = browser_page(classic_server.url + "missing.html")
    ready(run)
    box = run.page.inner_text(".pyscript-desktop-problem")
    assert 'Package "not-a-bundled-package-xyz" is not in the offline runtime bundle.' in box
    assert "python main.py runtime add not-a-bundled-package-xyz" in box
    assert run.page.locator(".py-error").count() == 0  # said once, not again by the classic layer
    assert "runs anyway" in run.page.inner_text("body")


def test_package_in_pyodides_lock_but_not_bundled_gets_the_modern_message(classic_server, browser_page):
    """lxml is in Pyodide's lock but not in the bundle: named before Python starts, not loaded
    (which would fail later as an import error), and the page's other packages still load."""
    run = browser_page(classic_server.url + "lock-not-bundled.html")
    ready(run)
    box = run.page.inner_text(".pyscript-desktop-problem")
    assert 'Package "lxml" is not in the offline runtime bundle.' in box
    assert "Add it with: python main.py runtime add lxml" in box
    assert run.page.inner_text("#out") == "six 1.16.0 still loaded"
    assert run.page.locator(".py-error").count() == 0
    assert not any("lxml" in url for url in run.requests if url.endswith(".whl"))


def test_moved_pyodide_apis_still_import(classic_server, browser_page):
    """`from pyodide import create_proxy, to_js, open_url, eval_code` as 2022 pages wrote it."""
    run = browser_page(classic_server.url + "moved-apis.html")
    ready(run)
    text = run.page.inner_text("#out")
    assert "to_js length 3" in text and "open_url read 5 numbers" in text and "eval_code gives 42" in text
    assert "pyodide.open_url is pyodide.http.open_url: True" in text
    assert "sqlite 42" in text  # `- sqlite3` loaded (Pyodide ships it as a package); `- collections` skipped
    assert "collections is part of Python's standard library" in run.console_text()
    run.page.click("#btn")
    run.wait_for_text("clicked through create_proxy")
    assert run.page.locator(".py-error").count() == 0


def test_a_bokeh_2_page_draws_with_the_bundled_bokeh(classic_server, browser_page, output_dir):
    """A 2022-2023 bokeh page (BokehJS 2.4.3 from cdn.bokeh.org, `figure(plot_width=...)`, `Panel`) draws
    with the bundle's bokeh and the BokehJS of that version; its JavaScript reads Python names through
    `pyscript.runtime.globals`; `packaging` came with micropip; today's deprecations go to the console."""
    run = browser_page(classic_server.url + "bokeh2.html")
    ready(run)
    run.wait_for_text("from JavaScript: width 420, height 320, packaging True")
    drawn = """() => { const found = []; const walk = (s) => { found.push(...s.querySelectorAll('canvas'));
        for (const e of s.querySelectorAll('*')) if (e.shadowRoot) walk(e.shadowRoot); }; walk(document);
        return found.some((c) => c.width > 100 && c.getContext('2d').getImageData(0, 0, c.width, c.height).data.some((v, i) => i % 4 === 3 && v)); }"""
    run.page.wait_for_function(drawn, timeout=60_000)
    assert run.page.locator(".py-error, .pyscript-desktop-problem").count() == 0, run.page.inner_text("body")
    console = run.console_text()
    assert "serving @bokeh/bokehjs@3.6.0, the version of the Python bokeh the page gets offline" in console
    assert "BokehDeprecationWarning" in console and "BokehDeprecationWarning" not in run.page.inner_text("body")
    run.page.screenshot(path=str(output_dir / "classic-bokeh2.png"))


def test_script_type_py_beside_py_script_runs_in_document_order(classic_server, browser_page):
    """2023.05: <script type="py"> (inline, src=, type="pyscript") and <py-script> share one namespace."""
    run = browser_page(classic_server.url + "script-type-py.html")
    ready(run)
    assert run.page.inner_text("#log").split("\n") == [
        "script type=py ran first", "py-script ran second", "script src= ran third", "type=pyscript ran fourth"]
    assert run.page.locator("py-script-tag").count() == 3  # each script's companion, as 2023.05 made them
    last = run.page.locator("py-script-tag").last.evaluate("t => t.nextElementSibling.innerText")
    assert last == "last expression of a script tag"
    assert run.page.locator(".py-error").count() == 0


def test_config_src_and_inline_body_are_merged(classic_server, browser_page):
    """`packages` from the src= file, `[[fetch]]` from the inline body (inline keys win, as in classic)."""
    run = browser_page(classic_server.url + "config-merge.html")
    ready(run)
    assert run.page.inner_text("#out") == "six 1.16.0 from the src file; fetched ['numbers.txt', 'repl_start.py'] from the inline body"


def test_alpha_yaml_config_and_pyscript_loader(classic_server, browser_page):
    """`- autoclose_loader: false` keeps the splash until the page calls pyscript_loader.close();
    the YAML config is read, not reported as broken."""
    run = browser_page(classic_server.url + "alpha-loader.html")
    ready(run)
    run.wait_for_text("loader closed by the page")
    assert run.page.inner_text("#out").startswith("alpha total 15")  # py-env: six and paths
    assert run.page.locator(".py-overlay").count() == 0
    assert run.page.locator(".pyscript-desktop-problem, .py-error").count() == 0


def test_a_pages_own_python_and_js_plugins(classic_server, browser_page):
    run = browser_page(classic_server.url + "own-plugin.html")
    ready(run)
    assert run.page.inner_text("#greet") == "Hello, plugins!"
    assert run.page.inner_text("#configured") == "configured with name=own plugin page"
    assert run.page.inner_text("#js-plugin") == "js plugin started for own plugin page; python says 42"


def test_pages_on_disk_are_unchanged():
    assert (PAGES / "classic-hello.html").read_text().count("https://pyscript.net/alpha/pyscript.js") == 1
