"""Bridge throughput from page code against the page's own static fetch of the same bytes.

    .venv/bin/python benchmarks/bridge.py [--mb 100] [--runs 3] [--stream-gb 1]

A real PageServer with a Bridge on 127.0.0.1, the real runtime, Debian's Chromium through
Playwright. The page's Python times, for one file of --mb MB, in the same run:
- static fetch: `fetch("big.bin")` of the file in the page's own folder, into Python bytes
  (the local ceiling: what the machine gives a page for these bytes);
- bridge read / write: `desktop.files.read_bytes` / `write_bytes` (raw bytes, one request);
- JSON read (old): the same file through the base64-in-JSON `read` operation in 8 MiB
  parts, as read_bytes did before the raw transport (the earlier baseline);
- streamed read: `desktop.files.open(path, "rb")`, read 8 MiB at a time;
- mounted read: `open("/data/big.bin", "rb").read()` on a `[desktop.mounts]` folder;
and, on the host, Python reading the file and writing it with fsync (the disk's own speed).
Prints the median MB/s of each and its ratio to the static fetch.

--stream-gb N then streams an N GB file (sparse, so it costs no disk) through
`desktop.files.open` and samples the PSS of the browser's processes every 0.2 s: idle (page
started, nothing read) against the peak while streaming.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from desktop.bridge import Bridge, Grant, GrantSet  # noqa: E402
from desktop.runtime.bundle import RuntimeBundle  # noqa: E402
from desktop.server import PageServer, ServerOptions  # noqa: E402
from desktop.settings import default_runtime_dir  # noqa: E402

CORE = "https://cdn.jsdelivr.net/npm/@pyscript/core@0.6.66/dist/core.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]

THROUGHPUT = """<!doctype html><html><head><title>bench</title><script type="module" src="%(core)s"></script>
<py-config>[desktop.mounts]
"/data" = "%(data)s"
</py-config></head><body>
<script type="py">
import base64, json, time, js, desktop
from pyscript import document
big, out = %(big)r, %(out)r

async def static():
    return (await (await js.fetch("big.bin")).arrayBuffer()).to_bytes()

async def json_read():  # the transport before the raw one: base64 inside JSON, 8 MiB a request
    parts, offset = [], 0
    while True:
        result = await desktop._call("read", path=big, offset=offset)
        data = base64.b64decode(result["data"])
        parts.append(data)
        offset += len(data)
        if not data or offset >= result["size"]:
            return b"".join(parts)

def streamed():
    n = 0
    with desktop.files.open(big, "rb") as fh:
        while block := fh.read(8 << 20):
            n += len(block)
    return n

def mounted():
    with open("/data/big.bin", "rb") as fh:
        return len(fh.read())

async def timed(results, name, step):
    start = time.perf_counter()
    value = step()
    if hasattr(value, "__await__"):
        value = await value
    results.setdefault(name, []).append(time.perf_counter() - start)
    return value

async def main():
    results = {}
    for run in range(%(runs)d):
        blob = await timed(results, "static fetch", static)
        await timed(results, "bridge read", lambda: desktop.files.read_bytes(big))
        await timed(results, "bridge write", lambda: desktop.files.write_bytes(out, blob))
        await timed(results, "JSON read (old)", json_read)
        await timed(results, "streamed read", streamed)
        await timed(results, "mounted read", mounted)
        del blob
    document.body.append("RESULTS " + json.dumps(results))
await main()
</script></body></html>"""

STREAM = """<!doctype html><html><head><title>stream</title><script type="module" src="%(core)s"></script>
</head><body>
<script type="py">
import asyncio, desktop
from pyscript import document
document.body.append("IDLE")
while "GO" not in document.body.innerText:
    await asyncio.sleep(0.1)
n = 0
with desktop.files.open(%(big)r, "rb") as fh:
    while block := fh.read(8 << 20):
        n += len(block)
document.body.append(f"STREAMED {n}")
</script></body></html>"""


def pss_kib(root_pid: int) -> int:
    """PSS of a process and all its descendants (the browser and its renderers), in KiB."""
    pids, queue = [], [root_pid]
    while queue:
        pid = queue.pop()
        pids.append(pid)
        try:
            queue += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except OSError:
            pass
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def host_figures(path: Path, runs: int) -> dict[str, list[float]]:
    figures: dict[str, list[float]] = {"host read (native)": [], "host write+fsync (native)": []}
    for _ in range(runs):
        start = time.perf_counter()
        data = path.read_bytes()
        figures["host read (native)"].append(time.perf_counter() - start)
        start = time.perf_counter()
        with open(path.with_name("host-out.bin"), "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        figures["host write+fsync (native)"].append(time.perf_counter() - start)
    return figures


def serve(site: Path, data: Path, logs: Path) -> tuple[PageServer, Bridge]:
    bridge = Bridge(GrantSet([Grant.of(data, write=True)]), log_dir=logs)
    server = PageServer(ServerOptions(root=site, bundle=RuntimeBundle(default_runtime_dir()),
                                      injections=[bridge.injection], mounts=bridge.mounts)).start()
    return server, bridge


def throughput(p, tmp: Path, mb: int, runs: int) -> None:
    site, data = tmp / "site", tmp / "data"
    site.mkdir(), data.mkdir()
    blob = os.urandom(1 << 20) * mb
    (site / "big.bin").write_bytes(blob)
    (data / "big.bin").write_bytes(blob)
    del blob
    (site / "index.html").write_text(THROUGHPUT % {"core": CORE, "data": data, "big": str(data / "big.bin"),
                                                   "out": str(data / "out.bin"), "runs": runs})
    server, bridge = serve(site, data, tmp / "logs")
    try:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(server.url)
        page.wait_for_function("document.body.innerText.includes('RESULTS')", timeout=1_800_000)
        results = json.loads(page.inner_text("body").split("RESULTS ", 1)[1])
        browser.close()
    finally:
        server.shutdown()
        bridge.close()
    results.update(host_figures(data / "big.bin", runs))
    ceiling = mb / statistics.median(results["static fetch"])
    print(f"\n{mb} MB file, {runs} runs, median (Chromium page, Pyodide 0.27.7, main thread)")
    print(f"{'what':<28} {'MB/s':>8} {'vs static fetch':>16}")
    for name, seconds in results.items():
        rate = mb / statistics.median(seconds)
        print(f"{name:<28} {rate:>8.0f} {rate / ceiling:>15.2f}x")


def streaming_memory(p, tmp: Path, gb: float) -> None:
    site, data = tmp / "stream-site", tmp / "stream-data"
    site.mkdir(), data.mkdir()
    big = data / "huge.bin"
    with open(big, "wb") as fh:
        fh.truncate(int(gb * (1 << 30)))  # sparse: no disk, still read byte by byte
    (site / "index.html").write_text(STREAM % {"core": CORE, "big": str(big)})
    server, bridge = serve(site, data, tmp / "logs2")
    try:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        root = int(subprocess.run(["pgrep", "-n", "-f", "chromium.*--remote-debugging-pipe"],
                                  capture_output=True, text=True).stdout.split()[0])
        page = browser.new_page()
        page.goto(server.url)
        page.wait_for_function("document.body.innerText.includes('IDLE')", timeout=120_000)
        time.sleep(2)
        idle = pss_kib(root)
        peak, done = idle, threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, pss_kib(root))
                time.sleep(0.2)

        sampler = threading.Thread(target=sample)
        sampler.start()
        start = time.perf_counter()
        page.evaluate("document.body.append('GO')")
        page.wait_for_function("document.body.innerText.includes('STREAMED')", timeout=1_800_000)
        took = time.perf_counter() - start
        done.set()
        sampler.join()
        browser.close()
    finally:
        server.shutdown()
        bridge.close()
    print(f"\nstreamed {gb} GB through desktop.files.open in {took:.1f} s ({gb * 1024 / took:.0f} MiB/s)")
    print(f"browser PSS: idle {idle / 1024:.0f} MiB, peak while streaming {peak / 1024:.0f} MiB, "
          f"+{(peak - idle) / 1024:.0f} MiB (goal: under 200 MB above idle)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--stream-gb", type=float, default=1.0, help="0 to skip the memory run")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        throughput(p, Path(tmp), args.mb, args.runs)
        if args.stream_gb:
            streaming_memory(p, Path(tmp), args.stream_gb)


if __name__ == "__main__":
    main()
