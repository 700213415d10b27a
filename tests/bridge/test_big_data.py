"""pages/big-data.html: a CSV streamed by a worker, summarised and charted, redrawn when it changes."""

from __future__ import annotations

import pytest

from conftest import PAGES

pytestmark = pytest.mark.e2e


def _csv(path, rows: int, scale: float) -> None:
    with open(path, "w") as fh:
        fh.write("t,signal,label\n")
        for i in range(rows):
            fh.write(f"{i},{(i % 1000) * scale:.1f},row{i}\n")


def test_big_data_page_streams_summarises_and_redraws(bridge_site, browser_page, tmp_path, output_dir):
    data = tmp_path / "data"
    data.mkdir()
    csv = data / "measurements.csv"
    _csv(csv, 300_000, 1.0)  # about 7 MB, two chunks of pandas rows
    pages = {name: (PAGES / name).read_text() for name in ("big-data.html", "style.css")}
    site = bridge_site(read=[data], pages=pages)
    run = browser_page(site.server.url + f"big-data.html?csv={csv}")
    run.wait_for_text("300,000 rows, 2 numeric columns. Watching it for changes.", timeout=180)
    chart = "document.getElementById('chart')"
    run.page.wait_for_function(f"{chart}.dataset.draws === '1'", timeout=30_000)  # the image decoded and shown
    summary = run.page.inner_text("#summary")
    assert "499.500" in summary and "999.000" in summary and "300000" in summary, summary  # signal: mean, max; count
    assert run.page.evaluate("document.querySelector('#chart img').naturalWidth") >= 600
    assert run.page.evaluate("document.getElementById('progress').value === document.getElementById('progress').max")
    run.page.screenshot(path=str(output_dir / "page-big-data.png"), full_page=True)
    reads = [e for e in site.bridge.audit.entries() if e["op"] == "read"]
    assert len(reads) > 2 and max(e["bytes"] for e in reads) <= 2 << 20  # in parts, never the whole file
    first = run.page.evaluate(f"{chart}.querySelector('img').src")

    _csv(csv, 1_000, 2.0)  # the file changes on disk: the page draws it again, with the new data
    run.page.wait_for_function(f"{chart}.dataset.rows === '1000' && {chart}.dataset.draws === '2'", timeout=30_000)
    run.wait_for_text("1,000 rows, 2 numeric columns", timeout=30)
    assert "999.000" in run.page.inner_text("#summary") and "1,998.000" in run.page.inner_text("#summary")
    assert run.page.evaluate(f"{chart}.querySelector('img').src") != first  # a new chart, not the old one again
    marks = run.page.evaluate(f"({{...{chart}.dataset}})")
    # the redraw came from the watch event: event, then load, then read, then drawn
    assert int(marks["changedAt"]) <= int(marks["startedAt"]) <= int(marks["readAt"]) <= int(marks["drawnAt"]), marks
    run.page.screenshot(path=str(output_dir / "page-big-data-redrawn.png"), full_page=True)
    assert run.errors == []
