"""desktop.files.open in text mode (lines, csv.reader, pandas) asks the host for whole parts, not for
the 8 KiB TextIOWrapper reads at a time: a real page, real server and bridge, real files."""

from __future__ import annotations

import math

import pytest

from .conftest import pyscript_page

pytestmark = pytest.mark.e2e

PART = 2 << 20  # desktop_module._PART with the default chunk


@pytest.mark.parametrize("where", ["main", "worker"])
def test_lines_and_csv_of_a_text_stream_go_in_whole_parts(bridge_site, browser_page, tmp_path, where):
    data = tmp_path / "data"
    data.mkdir()
    csv_file = data / "rows.csv"
    csv_file.write_text("n,value,label\n" + "".join(f"{i},{i * 7 % 1000},label-{i}\n" for i in range(200_000)))
    size = csv_file.stat().st_size  # about 4.6 MB: 3 parts
    worker = " worker" if where == "worker" else ""
    page = pyscript_page(f"""
<div id="out"></div>
<script type="py"{worker}>
import asyncio, csv, desktop
from pyscript import document
await asyncio.sleep(0.5)  # (main thread: the bridge's worker starts while the page is free)
path = {str(csv_file)!r}
with desktop.files.open(path) as fh:
    lines = sum(1 for _ in fh)
with desktop.files.open(path, newline="") as fh:
    total = sum(int(row["value"]) for row in csv.DictReader(fh))
with desktop.files.open(path) as fh:
    fh.seek(0, 2)
    end = fh.tell()
    fh.seek(end - 20)
    tail = fh.read().split(",")[-1].strip()
document.getElementById("out").textContent = f"STREAMED {{lines}} {{total}} {{tail}}"
</script>""")
    site = bridge_site(read=[data], pages={"index.html": page})
    run = browser_page(site.server.url)
    run.wait_for_text("STREAMED", timeout=120)
    expected = sum(i * 7 % 1000 for i in range(200_000))
    assert run.page.inner_text("#out") == f"STREAMED 200001 {expected} label-199999"
    reads = [e for e in site.bridge.audit.entries() if e["op"] == "read" and e["outcome"] == "ok"]
    parts = math.ceil(size / PART)
    # two whole passes in parts, and the tail (one more); 8 KiB reads would be about 1,100 requests
    assert len(reads) <= 2 * parts + 2, (len(reads), parts)
    assert run.errors == []
