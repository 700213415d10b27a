"""Atomics.waitAsync always answers a promise in pages that run Python (static/waitasync.js).

The PyScript cores of 2024.5-2025.2 (0.5.x-0.6.39) read `Atomics.waitAsync(view, 0).value` as a
promise when the page calls a worker's function (`await worker.sync.f()`). The engine answers
{async: false, value: "not-equal"} when the worker has written before the wait starts, and the call
failed with "value.then is not a function" (the corpus row own/thirdparty/worker-config.html, once,
in a fresh-clone CI). That moment cannot be forced from outside, so this checks the engine's answer
for exactly that state, with the shim and (in a page that runs no Python, which gets no shim) without.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

PROBE = """<script>
addEventListener("load", async () => {
  const view = new Int32Array(new SharedArrayBuffer(4));
  view[0] = 1;  // the worker has answered already: the value is no longer the one waited on
  const answer = Atomics.waitAsync(view, 0, 0);
  const value = answer.value && typeof answer.value.then === "function" ? `promise of ${await answer.value}` : answer.value;
  document.body.dataset.probe = `async=${answer.async} value=${value}`;
});
</script>"""

WORKER_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>sync calls</title>
<script type="module" src="https://pyscript.net/releases/2024.8.1/core.js"></script>
%s
</head><body>
<script type="py">
from pyscript import PyWorker, display
import asyncio

async def main():
    worker = PyWorker("./worker.py", type="pyodide")
    await worker.ready
    total = 0
    for n in range(200):  # many calls: each one a chance for the worker to answer before the wait
        total += await worker.sync.square(n)
    display(f"sum of squares: {total}")

asyncio.ensure_future(main())
</script></body></html>"""

WORKER = """from pyscript import sync

def square(n):
    return n * n

sync.square = square
"""


def test_wait_async_answers_a_promise_in_a_python_page_and_worker_calls_work(tmp_path, serve, browser_page):
    (tmp_path / "python.html").write_text(WORKER_PAGE % PROBE, encoding="utf-8")
    (tmp_path / "worker.py").write_text(WORKER, encoding="utf-8")
    (tmp_path / "plain.html").write_text(f"<!doctype html><title>plain</title><body>{PROBE}</body>", encoding="utf-8")
    server = serve(tmp_path)

    plain = browser_page(server.url + "plain.html")  # no Python: nothing injected, the engine's own answer
    plain.page.wait_for_function("document.body.dataset.probe")
    assert plain.page.evaluate("document.body.dataset.probe") == "async=false value=not-equal"

    run = browser_page(server.url + "python.html")
    run.page.wait_for_function("document.body.dataset.probe")
    assert run.page.evaluate("document.body.dataset.probe") == "async=true value=promise of not-equal"
    run.wait_for_text(f"sum of squares: {sum(n * n for n in range(200))}", timeout=120)
    assert "is not a function" not in run.console_text()
