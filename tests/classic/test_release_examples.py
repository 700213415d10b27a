"""The official examples of each classic PyScript release, run unmodified and offline in Chromium.

The pages under pages/releases/<tag>/ are copied unchanged from the PyScript repository at that
release tag (examples/, or pyscriptjs/examples/ for 2022.05.1), under its Apache-2.0 licence
(pages/releases/LICENSE; pages/releases/README.md lists the sources). Each folder is served as
the root, as the examples were (2022.05.1's todo.html loads `/todo.py`). The `browser_page`
fixture fails any test whose page sent a request off the machine.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, require

pytestmark = pytest.mark.e2e

RELEASES = Path(__file__).resolve().parent / "pages" / "releases"
DATE = r"\d\d/\d\d/\d{4}, \d\d:\d\d:\d\d"


@pytest.fixture(scope="module")
def release(bundle):
    """release(tag) -> a server whose root is that release's examples folder."""
    from desktop.server import PageServer, ServerOptions

    servers = {}

    def server(tag: str):
        if tag not in servers:
            servers[tag] = PageServer(ServerOptions(root=RELEASES / tag, bundle=bundle)).start()
        return servers[tag]

    yield server
    for s in servers.values():
        s.shutdown()


def open_example(release, browser_page, tag: str, page: str):
    run = browser_page(release(tag).url + page)
    run.page.wait_for_function("window.__pyscriptDesktopClassicReady === true", timeout=120_000)
    return run


def no_problem_boxes(run):
    """No red box of any kind: the page ran as its release ran it."""
    assert run.page.locator(".py-error").count() == 0, run.page.inner_text("body")
    assert run.page.locator(".pyscript-desktop-problem, .pyscript-desktop-error").count() == 0, run.page.inner_text("body")


@pytest.mark.parametrize("tag", ["2022.05.1", "2022.09.1", "2022.12.1"])
def test_hello_world_shows_the_date(release, browser_page, tag):
    run = open_example(release, browser_page, tag, "hello_world.html")
    run.page.wait_for_function("t => new RegExp(t).test(document.body.innerText)", arg=DATE, timeout=10_000)
    no_problem_boxes(run)


def test_2023_hello_world_with_the_py_tutor_plugin(release, browser_page):
    run = open_example(release, browser_page, "2023.05.1", "hello_world.html")
    run.page.wait_for_function("t => new RegExp(t).test(document.querySelector('section.pyscript').innerText)", arg=DATE, timeout=10_000)
    run.page.click("#view-code-button")  # the plugin's toggle shows the page's code
    assert "datetime.now()" in run.page.inner_text("#code-section")
    no_problem_boxes(run)


@pytest.mark.parametrize("tag", ["2022.05.1", "2022.12.1"])
def test_todo_adds_and_strikes_tasks(release, browser_page, tag):
    run = open_example(release, browser_page, tag, "todo.html")
    run.page.fill("#new-task-content", "buy milk")
    run.page.click("#new-task-btn")
    run.page.fill("#new-task-content", "walk the dog")
    run.page.press("#new-task-content", "Enter")
    tasks = run.page.locator("#list-tasks-container .task")
    run.page.wait_for_function("document.querySelectorAll('#list-tasks-container .task').length === 2", timeout=10_000)
    assert [t.strip() for t in tasks.all_inner_texts()] == ["buy milk", "walk the dog"]
    assert run.page.input_value("#new-task-content") == ""  # cleared after adding
    tasks.first.locator("input").click()
    run.page.wait_for_function("document.querySelectorAll('#list-tasks-container .line-through').length === 1", timeout=10_000)
    no_problem_boxes(run)


@pytest.mark.parametrize("tag", ["2022.05.1", "2022.09.1", "2023.05.1"])
def test_todo_pylist_widget_built_on_the_alpha_templates(release, browser_page, output_dir, tag):
    """PyListTemplate/PyItemTemplate: 2022 from the app's base classes, 2023.05 from its own plugin."""
    run = open_example(release, browser_page, tag, "todo-pylist.html")
    run.page.fill("#new-task-content", "buy milk")
    run.page.click("#new-task-btn")
    run.page.fill("#new-task-content", "walk the dog")
    run.page.press("#new-task-content", "Enter")
    run.page.wait_for_function("document.querySelectorAll('#myList-list-tasks-container > *').length === 2", timeout=10_000)
    assert "buy milk" in run.page.inner_text("#myList") and "walk the dog" in run.page.inner_text("#myList")
    first = run.page.locator("#myList-list-tasks-container > *").first
    first.locator("p").click()  # the item's own click handler (on the whole item) toggles it
    run.page.wait_for_function("document.querySelectorAll('#myList .line-through').length === 1", timeout=10_000)
    assert run.page.evaluate("document.querySelector('#myList-c-0 input').checked") is True
    assert run.page.locator("py-repl textarea").count() >= 1
    no_problem_boxes(run)
    run.page.screenshot(path=str(output_dir / f"classic-todo-pylist-{tag}.png"))


@pytest.mark.parametrize("tag", ["2022.05.1", "2022.09.1", "2023.05.1"])
def test_simple_clock_ticks(release, browser_page, tag):
    """2022.05.1's has the alpha's YAML <py-config> and closes the splash with `pyscript_loader`."""
    run = open_example(release, browser_page, tag, "simple_clock.html")
    clock = "document.querySelector('#outputDiv2').innerText"
    run.page.wait_for_function(f"{clock}.length > 0", timeout=10_000)
    first = run.page.evaluate(clock)
    run.page.wait_for_function(f"{clock} !== {first!r}", timeout=5_000)
    assert run.page.locator(".py-overlay").count() == 0  # the splash is gone
    assert "configuration could not be read" not in run.page.inner_text("body")
    no_problem_boxes(run)


@pytest.mark.parametrize("tag", ["2022.05.1", "2022.09.1"])
def test_matplotlib_figure_is_shown(release, browser_page, tag):
    run = open_example(release, browser_page, tag, "matplotlib.html")
    run.page.wait_for_function("document.querySelector('#mpl img')?.naturalWidth > 300", timeout=60_000)
    no_problem_boxes(run)


def test_alpha_repl_runs_antigravity_through_moved_pyodide_apis(release, browser_page, output_dir):
    """antigravity.py of 2022.05.1: `from pyodide import create_proxy`, `open_url`, `sys.stdout._out`."""
    run = open_example(release, browser_page, "2022.05.1", "repl.html")
    editor = run.page.locator("py-repl textarea").first
    editor.fill("import antigravity\nantigravity.fly()")
    editor.press("Shift+Enter")
    run.page.wait_for_function("document.querySelector('py-repl svg') !== null", timeout=30_000)
    moved = "document.querySelector('py-repl svg').getElementsByTagName('g')[1].getAttribute('transform')"
    run.page.wait_for_function(f"({moved} || '').startsWith('translate(') && {moved} !== 'translate(0, 0)'", timeout=10_000)
    no_problem_boxes(run)
    run.page.screenshot(path=str(output_dir / "classic-antigravity-2022.05.1.png"))


@pytest.mark.parametrize("tag", ["2022.12.1", "2023.05.1"])
def test_markdown_plugin_page(release, browser_page, tag):
    """<py-md> through pyscript.net's py_markdown plugin (the app's copy). `markdown` comes from
    PyPI (not Pyodide's lock): with it added (`runtime add markdown`) the element renders; without
    it the page says so in the same box as a modern page, and nothing hangs."""
    run = open_example(release, browser_page, tag, "markdown-plugin.html")
    if "markdown" in release(tag).available_packages():
        run.page.wait_for_function("document.querySelector('py-md h1')?.innerText === 'Hello world!'", timeout=30_000)
        no_problem_boxes(run)
    else:
        box = run.page.inner_text(".pyscript-desktop-problem")
        assert 'Package "markdown" is not in the offline runtime bundle.' in box
        assert "python main.py runtime add markdown" in box
        assert "#Hello world!" in run.page.inner_text("py-md")  # the element is left as written


@pytest.fixture(scope="module")
def markdown_bundle(bundle, tmp_path_factory):
    """A runtime bundle that is the real one plus `markdown` added the way a user adds it
    (`runtime add markdown`, pip from PyPI). The components are linked, read-only; what the
    command writes (wheelhouse/, precompiled/) goes to copies in this temporary folder only."""
    from desktop.runtime.bundle import RuntimeBundle

    root = tmp_path_factory.mktemp("runtime")
    for name in ("pyodide", "pyscript-core", "micropython"):
        (root / name).symlink_to(bundle.root / name, target_is_directory=True)
    if (bundle.root / "precompiled").is_dir():  # copied, so only markdown gets compiled
        shutil.copytree(bundle.root / "precompiled", root / "precompiled", symlinks=False)
    shutil.copy(bundle.root / "manifest.toml", root / "manifest.toml")
    env = {**os.environ, "PYSCRIPT_DESKTOP_RUNTIME": str(root)}
    added = subprocess.run([sys.executable, str(ROOT / "main.py"), "runtime", "add", "markdown"], env=env,
                           capture_output=True, text=True, timeout=600)
    require(added.returncode == 0, f"`runtime add markdown` needs the package index: {added.stderr[-500:]}")
    return RuntimeBundle(root)


def test_py_md_renders_once_markdown_is_added(markdown_bundle, browser_page, serve, output_dir):
    server = serve(RELEASES / "2023.05.1", bundle=markdown_bundle)
    run = browser_page(server.url + "markdown-plugin.html")
    run.page.wait_for_function("window.__pyscriptDesktopClassicReady === true", timeout=120_000)
    run.page.wait_for_function("document.querySelector('py-md h1')?.innerText === 'Hello world!'", timeout=30_000)
    assert run.page.locator("py-tutor #view-code-button").count() == 1  # the page's second plugin
    no_problem_boxes(run)
    run.page.screenshot(path=str(output_dir / "classic-py-md-2023.05.1.png"))


def test_pages_on_disk_are_unchanged():
    """The copies are the published files: a CDN URL is still in them (the server rewrites as it serves)."""
    assert "https://pyscript.net/alpha/pyscript.js" in (RELEASES / "2022.05.1" / "todo.html").read_text()
    assert "https://pyscript.net/latest/plugins/python/py_tutor.py" in (RELEASES / "2023.05.1" / "hello_world.html").read_text()
