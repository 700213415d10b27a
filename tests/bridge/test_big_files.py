"""The issue's sizes, for real: a 1 GiB file read in chunks, a 300 MB CSV into pandas in a page.

The files are made in the test's temporary folder (the 1 GiB one sparse, so it costs no disk);
both tests take tens of seconds and are e2e, so `./run-tests --quick` leaves them out."""

from __future__ import annotations

import pytest

from .conftest import pyscript_page

pytestmark = pytest.mark.e2e

GIB = 1 << 30
MARKS = {0: b"first", 700_000_000: b"middle", GIB - 4: b"last"}


def test_a_1_gib_file_is_read_in_chunks_on_the_main_thread(bridge_site, browser_page, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    big = data / "huge.bin"
    with open(big, "wb") as fh:
        fh.truncate(GIB)
        for offset, mark in MARKS.items():
            fh.seek(offset)
            fh.write(mark)
    page = pyscript_page(f"""
<script type="py">
import asyncio, desktop
from pyscript import document
await asyncio.sleep(0.5)
marks, n, blocks = {dict(MARKS)!r}, 0, 0
found = []
with desktop.files.open({str(big)!r}, "rb") as fh:
    while block := fh.read(8 << 20):
        for offset, mark in marks.items():
            if n <= offset < n + len(block):
                found.append(bytes(block[offset - n:offset - n + len(mark)]) == mark)
        n += len(block)
        blocks += 1
try:
    await desktop.files.read_bytes({str(big)!r})
except OSError as exc:
    capped = "desktop.files.open(path, 'rb')" in str(exc)
document.body.append(f"GIB {{n}} {{blocks}} {{found}} {{capped}}")
</script>""")
    site = bridge_site(read=[data], pages={"index.html": page})
    run = browser_page(site.server.url)
    run.wait_for_text("GIB", timeout=600)
    assert f"GIB {GIB} 128 [True, True, True] True" in run.page.inner_text("body")
    reads = [e for e in site.bridge.audit.entries() if e["op"] == "read" and e["outcome"] == "ok"]
    assert len(reads) >= 512 and max(e["bytes"] for e in reads) <= 2 << 20  # in parts, never the whole
    assert run.errors == []


def test_a_300_mb_csv_loads_into_pandas_in_a_page(bridge_site, browser_page, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    csv = data / "big.csv"
    rows = 0
    with open(csv, "w") as fh:
        fh.write("n,value,label\n")
        while fh.tell() < 300_000_000:
            fh.write("".join(f"{j},{j % 1000},label-{j % 97}\n" for j in range(rows, rows + 100_000)))
            rows += 100_000
    expected = sum(j % 1000 for j in range(rows))
    page = pyscript_page(f"""
<div id="out"></div>
<script type="py" worker config='{{"packages": ["pandas"]}}'>
import desktop, pandas
from pyscript import document
with desktop.files.open({str(csv)!r}) as fh:
    frame = pandas.read_csv(fh)
document.getElementById("out").textContent = f"CSV {{len(frame)}} {{int(frame['value'].sum())}}"
</script>""")
    site = bridge_site(read=[data], pages={"index.html": page})
    run = browser_page(site.server.url)
    run.wait_for_text("CSV", timeout=900)
    assert f"CSV {rows} {expected}" in run.page.inner_text("#out")
    assert run.errors == []
