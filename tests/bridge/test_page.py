"""The bridge from page code, in Chromium with the real runtime: `import desktop`, mounts, watches, errors."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from .conftest import pyscript_page

pytestmark = pytest.mark.e2e


def _show(expr: str) -> str:
    return f"document.body.append(Object.assign(document.createElement('pre'), {{textContent: str({expr})}}))"


def test_write_then_read_round_trip_and_listdir(bridge_site, browser_page, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    page = pyscript_page(f"""
<script type="py">
import desktop
from pyscript import document
async def main():
    path = {str(data / 'notes.txt')!r}
    size = await desktop.files.write_text(path, "héllo, bridge\\n")
    back = await desktop.files.read_text(path)
    names = [e.name for e in await desktop.files.listdir({str(data)!r})]
    st = await desktop.files.stat(path)
    document.body.append(f"ROUNDTRIP {{size}} {{back!r}} {{names}} {{st.kind}} {{st.size}}")
await main()
</script>""")
    site = bridge_site(write=[data], pages={"index.html": page})
    run = browser_page(site.server.url)
    run.wait_for_text("ROUNDTRIP")
    text = run.page.inner_text("body")
    assert "ROUNDTRIP 15 'héllo, bridge\\n' ['notes.txt'] file 15" in text
    assert (data / "notes.txt").read_text(encoding="utf-8") == "héllo, bridge\n"


def test_denied_path_raises_permission_error_with_the_documented_message(bridge_site, browser_page, tmp_path):
    data, secret = tmp_path / "data", tmp_path / "secret"
    data.mkdir()
    secret.mkdir()
    (secret / "key.txt").write_text("do not read")
    (data / "ro.txt").write_text("read only")
    page = pyscript_page(f"""
<script type="py">
import desktop, errno
from pyscript import document
async def main():
    try:
        await desktop.files.read_text({str(secret / 'key.txt')!r})
    except PermissionError as exc:
        document.body.append(f"DENIED {{exc}} errno={{exc.errno == errno.EACCES}}")
    try:
        await desktop.files.write_text({str(data / 'ro.txt')!r}, "x")
    except PermissionError as exc:
        document.body.append(" READONLY " + str(exc))
    try:
        await desktop.files.read_text("missing.txt")
    except FileNotFoundError as exc:
        document.body.append(" MISSING " + str(exc))
await main()
</script>""")
    site = bridge_site(read=[data], pages={"index.html": page})
    run = browser_page(site.server.url)
    run.wait_for_text("MISSING")
    text = run.page.inner_text("body")
    assert (f"DENIED Not granted: {secret / 'key.txt'} is outside the folders this page may read. "
            f"Give access with --allow-read {secret} (or let the person pick it with desktop.dialogs.open_file() "
            "or choose_folder()). errno=True") in text
    assert f"READONLY Not granted: {data / 'ro.txt'} may be read but not written by this page. " \
           f"Give write access with --allow-write {data}" in text
    assert "MISSING No such file or directory: " + str(site.site / "missing.txt") in text
    assert (secret / "key.txt").read_text() == "do not read"
    assert (data / "ro.txt").read_text() == "read only"


def _sales_csv(path: Path) -> None:
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["month", "sales"])
        for month, sales in zip(["Jan", "Feb", "Mar", "Apr", "May", "Jun"], [120, 135, 90, 160, 175, 150]):
            writer.writerow([month, sales])


def test_pandas_reads_a_csv_from_the_grant_and_plots_it(bridge_site, browser_page, tmp_path, output_dir):
    data = tmp_path / "data"
    data.mkdir()
    _sales_csv(data / "sales.csv")
    page = pyscript_page(f"""
<h1>Sales from a local CSV</h1><div id="chart"></div>
<script type="py">
import io, desktop
import pandas as pd
import matplotlib
matplotlib.use("agg")
import matplotlib.pyplot as plt
from pyscript import display, document
async def main():
    text = await desktop.files.read_text({str(data / 'sales.csv')!r})
    frame = pd.read_csv(io.StringIO(text))
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.bar(frame["month"], frame["sales"], color="#3b7dd8")
    ax.set_title("Sales per month (read through desktop.files)")
    display(fig, target="chart")
    document.body.append(f"PLOTTED rows={{len(frame)}} total={{frame['sales'].sum()}}")
await main()
</script>""", config='packages = ["pandas", "matplotlib"]')
    site = bridge_site(read=[data], pages={"index.html": page})
    run = browser_page(site.server.url)
    run.wait_for_text("PLOTTED", timeout=180)
    assert "PLOTTED rows=6 total=830" in run.page.inner_text("body")
    run.page.wait_for_selector("#chart img")
    shot = output_dir / "bridge-pandas-plot.png"
    run.page.screenshot(path=str(shot))
    from PIL import Image

    image = Image.open(shot).convert("RGB")
    raw = image.tobytes()
    blue = sum(1 for i in range(0, len(raw), 3) if raw[i + 2] > 180 and raw[i] < 100)
    assert blue > 2000, "the bar chart's blue bars are not on the page"


def test_watch_callback_fires_when_the_file_changes(bridge_site, browser_page, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    log = data / "log.csv"
    log.write_text("t,value\n0,1\n")
    page = pyscript_page(f"""
<script type="py">
import desktop
from pyscript import document
seen = []
async def changed(event):
    text = await desktop.files.read_text(event.path)
    seen.append(event.change)
    document.body.append(f"CHANGED {{event.change}} {{event.path}} lines={{len(text.splitlines())}};")
desktop.files.watch({str(log)!r}, changed)
document.body.append("WATCHING")
</script>""")
    site = bridge_site(read=[data], pages={"index.html": page})
    run = browser_page(site.server.url)
    run.wait_for_text("WATCHING")
    import time

    time.sleep(0.5)
    with log.open("a") as fh:  # a logger appending to its CSV
        fh.write("1,2\n2,3\n")
    run.wait_for_text("lines=4", timeout=30)
    assert f"CHANGED modified {log}" in run.page.inner_text("body")


def test_mounted_folder_works_with_plain_open_and_pandas(bridge_site, browser_page, tmp_path):
    sales = tmp_path / "Documents" / "sales"
    sales.mkdir(parents=True)
    _sales_csv(sales / "q3.csv")
    (sales / "old.txt").write_text("keep me")
    config = 'packages = ["pandas"]\n[desktop.mounts]\n"/data" = "~/Documents/sales"\n'
    page = pyscript_page("""
<script type="py">
import os
import pandas as pd
from pyscript import document
frame = pd.read_csv("/data/q3.csv")
with open("/data/q3.csv") as fh:
    header = fh.readline().strip()
with open("/data/summary.txt", "w") as fh:
    fh.write(f"total {frame['sales'].sum()}\\n")
frame.describe().to_csv("/data/describe.csv")
with open("/data/old.txt", "a") as fh:
    fh.write(" and this")
document.body.append(f"MOUNT header={header} listing={sorted(os.listdir('/data'))} rows={len(frame)}")
</script>""", config=config)
    site = bridge_site(write=[tmp_path / "Documents"], pages={"index.html": page}, home=tmp_path)
    run = browser_page(site.server.url)
    run.wait_for_text("MOUNT", timeout=180)
    text = run.page.inner_text("body")
    assert "header=month,sales" in text
    assert "'old.txt', 'q3.csv'" in text and "rows=6" in text
    assert (sales / "summary.txt").read_text() == "total 830\n"
    assert (sales / "describe.csv").read_text().startswith(",sales\ncount,6.0")
    assert (sales / "old.txt").read_text() == "keep me and this"


def test_mount_without_a_grant_refuses_with_the_hint(bridge_site, browser_page, tmp_path):
    (tmp_path / "Documents").mkdir()
    config = '[desktop.mounts]\n"/data" = "~/Documents"\n'
    page = pyscript_page("""
<script type="py">
from pyscript import document
try:
    open("/data/q3.csv")
except PermissionError as exc:
    document.body.append(f"REFUSED {exc}")
</script>""", config=config)
    site = bridge_site(pages={"index.html": page}, home=tmp_path)
    run = browser_page(site.server.url)
    run.wait_for_text("REFUSED")
    assert f"Give access with --allow-read {tmp_path / 'Documents'}" in run.page.inner_text("body")


def test_worker_has_the_module_too(bridge_site, browser_page, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "in.txt").write_text("from the host")
    page = pyscript_page(f"""
<div id="out"></div>
<script type="py" worker>
import desktop
from pyscript import document
async def main():
    text = await desktop.files.read_text({str(data / 'in.txt')!r})
    await desktop.files.write_text({str(data / 'out.txt')!r}, text.upper())
    document.getElementById("out").textContent = "WORKER " + text
await main()
</script>""")
    site = bridge_site(write=[data], pages={"index.html": page})
    run = browser_page(site.server.url)
    run.wait_for_text("WORKER from the host", timeout=120)
    assert (data / "out.txt").read_text() == "FROM THE HOST"


def test_javascript_has_window_desktop(bridge_site, browser_page, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    site = bridge_site(write=[data], pages={"index.html": "<!doctype html><html><head><title>js</title></head><body></body></html>"})
    run = browser_page(site.server.url)
    result = run.page.evaluate("""async (dir) => {
        await desktop.files.writeText(dir + "/js.txt", "from js");
        const text = await desktop.files.readText(dir + "/js.txt");
        let denied = "";
        try { await desktop.files.readText("/etc/hostname"); } catch (e) { denied = e.name + ": " + e.message; }
        return {text, denied, hidden: typeof window.__desktopBridge};
    }""", str(data))
    assert result["text"] == "from js"
    assert result["denied"].startswith("PermissionError: Not granted: /etc/hostname")
    assert result["hidden"] == "undefined"


def test_through_the_serve_command_with_allow_write(browser_page, tmp_path, app_home):
    """The real command line: `python main.py serve SITE --allow-write TMP`, then a page writes and reads."""
    import os
    import subprocess
    import sys

    from conftest import PAGES

    data, site = tmp_path / "data", tmp_path / "site"
    data.mkdir()
    site.mkdir()
    (site / "index.html").write_text(pyscript_page(f"""
<script type="py">
import desktop
from pyscript import document
async def main():
    await desktop.files.write_text({str(data / 'cli.txt')!r}, "written via serve")
    document.body.append("CLI " + await desktop.files.read_text({str(data / 'cli.txt')!r}))
await main()
</script>"""))
    env = {**os.environ, "PYSCRIPT_DESKTOP_HOME": str(app_home)}
    proc = subprocess.Popen([sys.executable, str(PAGES.parent / "main.py"), "serve", str(site), "--allow-write", str(data)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith(f"Serving {site} at http://127.0.0.1:"), line + proc.stderr.read() if proc.poll() else line
        run = browser_page(line.split(" at ", 1)[1].strip())
        run.wait_for_text("CLI written via serve")
    finally:
        proc.send_signal(2)
        proc.communicate(timeout=30)
    assert (data / "cli.txt").read_text() == "written via serve"
    audit = (app_home / "log" / "bridge-audit.jsonl").read_text()
    assert '"op": "write", "outcome": "ok"' in audit


def test_file_bytes_move_raw_in_one_request_each(bridge_site, browser_page, tmp_path):
    """read_bytes/write_bytes send the bytes as they are (no base64 JSON), one request each,
    even for a file many times the chunk size."""
    from desktop.bridge import Limits

    data = tmp_path / "data"
    data.mkdir()
    page = pyscript_page(f"""
<script type="py">
import desktop, hashlib
from pyscript import document
async def main():
    blob = bytes(range(256)) * 1200  # 307200 bytes: almost five 64 KiB chunks
    await desktop.files.write_bytes({str(data / 'big.bin')!r}, blob)
    back = await desktop.files.read_bytes({str(data / 'big.bin')!r})
    document.body.append(f"RAW {{len(back)}} {{back == blob}} {{type(back).__name__}}")
await main()
</script>""")
    site = bridge_site(write=[data], pages={"index.html": page}, limits=Limits(chunk=64 * 1024))
    run = browser_page(site.server.url)
    run.wait_for_text("RAW")
    assert "RAW 307200 True bytes" in run.page.inner_text("body")
    assert (data / "big.bin").read_bytes() == bytes(range(256)) * 1200
    ops = [e["op"] for e in site.bridge.audit.entries()]
    assert ops.count("write") == 1 and ops.count("read") == 1 and "write_chunk" not in ops


def test_open_streams_a_file_larger_than_the_read_cap(bridge_site, browser_page, tmp_path):
    """desktop.files.open reads in parts (csv, lines, pandas chunks); read_bytes of a file over the
    cap says to use it; a streamed write appears whole on close and not at all after an error."""
    from desktop.bridge import Limits

    data = tmp_path / "data"
    data.mkdir()
    rows = "".join(f"{i},{i * i % 97},name{i}\n" for i in range(20000))
    (data / "big.csv").write_text("n,value,name\n" + rows)
    (data / "keep.txt").write_text("old contents")
    size = (data / "big.csv").stat().st_size
    page = pyscript_page(f"""
<script type="py">
import csv, desktop, pandas
from pyscript import document
path = {str(data / 'big.csv')!r}
out = []
try:
    await desktop.files.read_bytes(path)
except OSError as exc:
    out.append(f"CAPPED {{'desktop.files.open' in str(exc)}}")
with desktop.files.open(path) as fh:
    out.append(f"LINES {{sum(1 for _ in fh)}}")
with desktop.files.open(path) as fh:
    out.append(f"CSV {{sum(int(r['value']) for r in csv.DictReader(fh))}}")
with desktop.files.open(path, "rb") as fh:
    fh.seek(-10, 2)
    out.append(f"TAIL {{fh.read().decode().strip()}}")
total = 0
with desktop.files.open(path) as fh:
    for chunk in pandas.read_csv(fh, chunksize=5000):
        total += int(chunk["value"].sum())
out.append(f"PANDAS {{total}}")
with desktop.files.open({str(data / 'copy.csv')!r}, "w") as dst, desktop.files.open(path) as src:
    for line in src:
        dst.write(line)
try:
    with desktop.files.open({str(data / 'keep.txt')!r}, "w") as fh:
        fh.write("half written")
        raise RuntimeError("stop")
except RuntimeError:
    out.append("ABORTED")
document.body.append(" ".join(out))
</script>""", config='packages = ["pandas"]')
    site = bridge_site(write=[data], pages={"index.html": page}, limits=Limits(chunk=64 * 1024, max_read=size // 2))
    run = browser_page(site.server.url)
    run.wait_for_text("ABORTED", timeout=180)
    text = run.page.inner_text("body")
    expected = sum(i * i % 97 for i in range(20000))
    assert "CAPPED True" in text and "LINES 20001" in text, text
    assert f"CSV {expected}" in text and f"PANDAS {expected}" in text and "TAIL name19999" in text, text
    assert (data / "copy.csv").read_text() == (data / "big.csv").read_text()
    assert (data / "keep.txt").read_text() == "old contents"
    ops = [e["op"] for e in site.bridge.audit.entries()]
    assert ops.count("write_chunk") >= 2  # the copy went in parts
    assert not [p for p in data.iterdir() if p.name.startswith(".")]  # no temporaries left


def test_mounted_file_is_read_lazily(bridge_site, browser_page, tmp_path):
    """open() on a mount reads only what is asked for, not the whole file at open()."""
    from desktop.bridge import Limits

    data = tmp_path / "data"
    data.mkdir()
    (data / "big.bin").write_bytes(bytes(range(256)) * 4096)  # 1 MiB: sixteen 64 KiB chunks
    config = '[desktop.mounts]\n"/data" = "%s"\n' % data
    page = pyscript_page("""
<script type="py">
from pyscript import document
with open("/data/big.bin", "rb") as fh:
    head = fh.read(10)
document.body.append(f"MOUNT {list(head)}")
</script>""", config=config)
    site = bridge_site(read=[data], pages={"index.html": page}, limits=Limits(chunk=64 * 1024))
    run = browser_page(site.server.url)
    run.wait_for_text("MOUNT")
    assert "MOUNT [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]" in run.page.inner_text("body")
    reads = [e for e in site.bridge.audit.entries() if e["op"] == "read"]
    assert len(reads) == 1 and reads[0]["bytes"] <= 64 * 1024, reads


def test_micropython_pages_still_run_with_the_bridge_injected(bridge_site, browser_page):
    """The module is for Pyodide; the installer steps aside in MicroPython instead of breaking the page."""
    page = pyscript_page("""
<script type="mpy">
import sys
from pyscript import document
try:
    import desktop
    state = "imported"
except ImportError:
    state = "absent"
document.body.append("MPY " + sys.implementation.name + " " + state)
</script>""")
    site = bridge_site(pages={"index.html": page})
    run = browser_page(site.server.url)
    run.wait_for_text("MPY micropython absent")
    assert run.errors == []


def test_mount_works_in_a_worker_too(bridge_site, browser_page, tmp_path):
    sales = tmp_path / "sales"
    sales.mkdir()
    (sales / "q3.csv").write_text("month,sales\nJul,1\nAug,2\nSep,3\n")
    config = '[desktop.mounts]\n"/data" = "%s"\n' % sales
    page = pyscript_page("""
<div id="out"></div>
<script type="py" worker>
from pyscript import document
with open("/data/q3.csv") as fh:
    rows = fh.read().splitlines()
with open("/data/from-worker.txt", "w") as fh:
    fh.write("worker wrote this")
document.getElementById("out").textContent = f"WORKER MOUNT {len(rows)} rows"
</script>""", config=config)
    site = bridge_site(write=[sales], pages={"index.html": page})
    run = browser_page(site.server.url)
    run.wait_for_text("WORKER MOUNT 4 rows", timeout=120)
    assert (sales / "from-worker.txt").read_text() == "worker wrote this"


def test_write_bytes_sends_a_large_file_in_parallel_parts(bridge_site, browser_page, tmp_path):
    """Above one part, write_bytes sends parts at their offsets, several at once, and the file appears
    whole at the commit; over the write cap it is refused up front with the streaming API named, and a
    streamed write ("wb") of the same size goes through."""
    from desktop.bridge import Limits

    data = tmp_path / "data"
    data.mkdir()
    (data / "big.bin").write_bytes(b"old")
    page = pyscript_page(f"""
<script type="py">
import desktop, hashlib, random
from pyscript import document
desktop._WRITE_PART = desktop._PART_MAX = 64 * 1024  # many parts from a small file
blob = random.Random(7).randbytes(1_000_003)
out = [str(await desktop.files.write_bytes({str(data / 'big.bin')!r}, blob))]
out.append(str(await desktop.files.write_bytes({str(data / 'données-日本.bin')!r}, blob)))  # a name HTTP headers cannot carry as is
try:
    await desktop.files.write_bytes({str(data / 'capped.bin')!r}, bytes(1_500_000))
except OSError as exc:
    out.append("CAPPED " + str("desktop.files.open(path, 'wb')" in str(exc)))
with desktop.files.open({str(data / 'streamed.bin')!r}, "wb") as fh:
    for _ in range(3):
        fh.write(bytes(600_000))
out.append(hashlib.sha256(blob).hexdigest())
document.body.append("PARTS " + " ".join(out))
</script>""")
    site = bridge_site(write=[data], pages={"index.html": page}, limits=Limits(max_write=1_200_000, chunk=64 * 1024))
    run = browser_page(site.server.url)
    run.wait_for_text("PARTS", timeout=120)
    text = run.page.inner_text("body")
    import hashlib
    import random

    blob = random.Random(7).randbytes(1_000_003)
    assert f"PARTS 1000003 1000003 CAPPED True {hashlib.sha256(blob).hexdigest()}" in text, text
    assert (data / "big.bin").read_bytes() == blob and (data / "données-日本.bin").read_bytes() == blob
    assert not (data / "capped.bin").exists() and (data / "streamed.bin").stat().st_size == 1_800_000
    entries = site.bridge.audit.entries()
    chunks = [e for e in entries if e["op"] == "write_chunk" and e["outcome"] == "ok"]
    assert len(chunks) >= 16 + 16 + 1, len(chunks)  # 16 parts of each big file, and the streamed file's
    assert not any(e["op"] == "write" and e["path"].endswith("big.bin") for e in entries)
    assert not [p for p in data.iterdir() if p.name.startswith(".")]
    assert run.errors == []


def test_main_thread_stream_reads_through_the_worker_into_the_buffer(bridge_site, browser_page, tmp_path):
    """On the page's main thread a streamed read's parts come through the bridge's worker (shared memory),
    not the synchronous request's text, once the worker has started; the bytes are the file's."""
    from desktop.bridge import Limits

    data = tmp_path / "data"
    data.mkdir()
    blob = bytes(range(256)) * 5000 + b"end"  # 1,280,003 bytes: 20 parts of 64 KiB
    (data / "big.bin").write_bytes(blob)
    page = pyscript_page(f"""
<script type="py">
import asyncio, desktop, hashlib
from pyscript import document
await asyncio.sleep(0.5)  # the worker starts while the main thread is free
with desktop.files.open({str(data / 'big.bin')!r}, "rb") as fh:
    digest = hashlib.sha256(fh.read()).hexdigest()
    fh.seek(-3, 2)
    tail = fh.read()
try:
    desktop.files.open({str(data / 'missing.bin')!r}, "rb")
except FileNotFoundError:
    tail += b" missing"
document.body.append(f"STREAM {{digest}} {{tail.decode()}} {{desktop._shared_fetch().answered()}}")
</script>""")
    site = bridge_site(read=[data], pages={"index.html": page}, limits=Limits(chunk=64 * 1024))
    run = browser_page(site.server.url)
    run.wait_for_text("STREAM", timeout=120)
    digest, tail, missing, answered = run.page.inner_text("body").split("STREAM ")[1].split()
    import hashlib

    assert (digest, tail, missing) == (hashlib.sha256(blob).hexdigest(), "end", "missing")
    assert int(answered) >= 20  # every part came through the worker
    assert run.errors == []
