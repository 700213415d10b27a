"""The published-page corpus (tests/corpus/): pages other people wrote, run unmodified and offline.

Each row of tests/corpus/pages.toml names a page, its style and the PyScript release it pins, and
what shows that it ran (text in the page, or a JavaScript predicate), optionally after a few
clicks or keystrokes a person would make. The page's top folder (`tests/corpus/<style>/`) is served
by the app's server, as `serve` would, and opened in Chromium: the row passes when the expected
output shows, no error box or overlay appeared, and no request left the machine (`browser_page`'s
egress recorder). A row with `needs = "..."` is a page that needs the network or a person (an API
key, a camera, data from a URL): it is reported with that reason, not counted as a failure. A row with
`broken = "..."` is a page that fails the same way under the very release it names (checked by hand,
the reason says how): reported, not counted.

Every row's result goes to test-output/corpus/ (one JSON line per page);
`python tests/corpus/report.py` prints the pass table from those lines.
"""

from __future__ import annotations

import json
import os
import re
import time
import tomllib

import pytest
from conftest import ROOT

pytestmark = pytest.mark.e2e

CORPUS = ROOT / "tests" / "corpus"
ROWS = tomllib.loads((CORPUS / "pages.toml").read_text(encoding="utf-8"))["page"]
RESULTS = ROOT / "test-output" / "corpus"

#: Set before any page script: PyScript's "all done" event and the classic layer's ready flag.
_WATCH = """
addEventListener('py:all-done', () => { window.__corpusDone = true; });
document.addEventListener('py:all-done', () => { window.__corpusDone = true; });
"""
_DONE = "() => window.__corpusDone === true || window.__pyscriptDesktopClassicReady === true"
_BOXES = ".py-error, .pyscript-desktop-problem, .pyscript-desktop-error"
#: Helpers the table's predicates use: a canvas (in the document or shadow roots) with pixels drawn;
#: `within` (a selector) limits the search to those elements' subtrees, shadow roots included (a
#: selector such as '#plot canvas' cannot reach into a shadow root, where BokehJS 3 draws).
_HELPERS = """
window.__corpusPainted = (css, within) => {
  const found = [];
  const walk = (scope) => { found.push(...scope.querySelectorAll(css));
    for (const e of scope.querySelectorAll('*')) if (e.shadowRoot) walk(e.shadowRoot); };
  if (!within) walk(document);
  else for (const e of document.querySelectorAll(within)) { walk(e); if (e.shadowRoot) walk(e.shadowRoot); }
  for (const c of found) {
    if (!(c instanceof HTMLCanvasElement) || !c.width || !c.height) continue;
    const gl = c.getContext('webgl2') || c.getContext('webgl');
    if (gl) return true;  // a WebGL canvas in use: its buffer is not readable afterwards
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) return true;
  }
  return false;
};
"""


def _record(row: dict, result: str, seconds: float) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    line = {"page": row["path"], "style": row["style"], "release": row.get("release", ""),
            "result": result, "seconds": round(seconds, 1)}
    with (RESULTS / f"results-{worker}.jsonl").open("a", encoding="utf-8") as out:
        out.write(json.dumps(line) + "\n")


@pytest.fixture(scope="module")
def style_server(bundle):
    """style_server(folder) -> a server whose root is tests/corpus/<folder>/ (one per folder)."""
    from desktop.server import PageServer, ServerOptions

    servers: dict[str, object] = {}

    def server(folder: str):
        if folder not in servers:
            servers[folder] = PageServer(ServerOptions(root=CORPUS / folder, bundle=bundle)).start()
        return servers[folder]

    yield server
    for s in servers.values():
        s.shutdown()


def _act(page, steps: list[list[str]]) -> None:
    for step in steps:
        op, selector, *value = step
        if op == "click":
            page.click(selector, timeout=30_000)
        elif op == "fill":
            page.fill(selector, value[0], timeout=30_000)
        elif op == "press":
            page.press(selector, value[0], timeout=30_000)
        elif op == "wait":
            page.wait_for_timeout(int(selector))
        else:
            raise ValueError(f"pages.toml: unknown step {op!r}")


#: Rows the corpus runs; those marked needs/broken are listed in the table, not run (a skip would fail CI).
RUNNABLE = [r for r in ROWS if not r.get("needs") and not r.get("broken")]


def _param(row: dict) -> object:
    """A row with `fails = "..."` is a page that fails today for a cause not yet found: an expected failure
    that stays in the table (and shows as XPASS once it runs), never silently dropped."""
    marks = [pytest.mark.xfail(reason=row["fails"], strict=False)] if row.get("fails") else []
    return pytest.param(row, id=row["path"], marks=marks)


def test_pages_not_run_say_why():
    """Each page left out names its reason, exists on disk, and gets its row in the pass table."""
    for row in ROWS:
        assert (CORPUS / row["path"]).is_file(), row["path"]
        if row.get("needs") or row.get("broken"):
            reason = row.get("needs") or row.get("broken")
            assert len(reason) > 20, f"{row['path']}: say why it cannot run offline"
            _record(row, ("needs " if row.get("needs") else "broken as published: ") + reason, 0.0)


@pytest.mark.parametrize("row", [_param(r) for r in RUNNABLE])
def test_published_page_runs_offline(row, style_server, browser_page, egress, output_dir):
    folder, _, page = row["path"].partition("/")
    server = style_server(folder)
    timeout = int(row.get("timeout", 90)) * 1000
    started = time.monotonic()
    result = "fail"
    run = None
    try:
        run = _open(browser_page, server.url + page)
        if row.get("steps"):
            if not row.get("steps_start_python"):  # a page that starts PyScript only on a click cannot be done before it
                run.page.wait_for_function(_DONE, timeout=timeout)
            _act(run.page, row["steps"])
        if "js" in row:
            run.page.wait_for_function(row["js"], timeout=timeout)
        else:
            run.page.wait_for_function("t => document.body.innerText.includes(t)", arg=row["text"], timeout=timeout)
        run.page.wait_for_timeout(500)  # an error box that follows the output
        boxes = run.page.evaluate(f"[...document.querySelectorAll({_BOXES!r})].map(e => e.innerText.slice(0, 600))")
        run.page.screenshot(path=str(output_dir / f"corpus-{row['path'].replace('/', '_')}.png"))
        if row.get("warnings"):  # the red boxes PyScript makes of the page's own Python warnings, as published
            boxes = [box for box in boxes if not re.search(row["warnings"], box)]
        assert boxes == [], f"{row['path']}: the page showed an error: {boxes}"
        assert egress.page_traffic() == [], f"{row['path']}: requests left the machine: {egress.page_traffic()}"
        result = "pass"
    finally:
        if result == "fail" and run is not None:  # what the page showed when it failed, to look at
            run.page.screenshot(path=str(output_dir / f"corpus-FAILED-{row['path'].replace('/', '_')}.png"))
            print(f"--- console ---\n{run.console_text()[-3000:]}\n--- page errors ---\n{run.errors}")
        _record(row, result, time.monotonic() - started)


def _open(browser_page, url: str):
    """browser_page with the corpus watchers installed before the page's own scripts."""
    run = browser_page("about:blank", login=True)
    run.page.add_init_script(_WATCH + _HELPERS)
    run.page.goto(url)
    return run
