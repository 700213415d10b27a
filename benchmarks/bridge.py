"""Bridge throughput from page code against the page's own static fetch of the same bytes.

    .venv/bin/python benchmarks/bridge.py [--mb 100] [--runs 3] [--stream-gb 1]

A real PageServer with a Bridge on 127.0.0.1, the real runtime, Debian's Chromium (headless,
started directly: no DevTools client in between, which would copy every request body). The page's
Python writes its figures into the granted folder, where this script reads them. It times, for one file of --mb MB, in the same run:
- static fetch: `fetch("big.bin")` of the file in the page's own folder, into Python bytes
  (the local ceiling: what the machine gives a page for these bytes; after the first round the
  engine revalidates it and reads the bytes from its HTTP cache);
- static fetch (uncached): the same with `cache: "no-store"`, the bytes over the loopback every time;
- bridge read / write: `desktop.files.read_bytes` (one request) / `write_bytes` (parts of a
  quarter of the file, 4-32 MiB, four at a time), and the same write from the page's JavaScript
  (`desktop.files.writeBytes`);
- engine upload (sink): the same bytes in the same parts POSTed to a host endpoint that drops
  them: what the engine can send a host at all, the ceiling of any write;
- JSON read (old): the same file through the base64-in-JSON `read` operation in 8 MiB
  parts, as read_bytes did before the raw transport (the earlier baseline);
- streamed read: `desktop.files.open(path, "rb")`, read 8 MiB at a time;
- mounted read: `open("/data/big.bin", "rb").read()` on a `[desktop.mounts]` folder;
and, on the host, Python reading the file and writing it with fsync (the disk's own speed).
Prints the median MB/s of each and its ratio to the static fetch.

--csv-mb N loads an N MB CSV into a pandas DataFrame in a page worker, through
`pandas.read_csv(desktop.files.open(path))`, and prints the time and rows.

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
from collections.abc import Callable
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
<script>
// The engine's own upload ceiling: the same bytes in the write's parts and lanes (desktop.js partSize,
// LANES), POSTed to a host endpoint that reads each body and drops it: no bridge, no disk.
window.benchSink = async (bytes) => {
  const part = Math.min(32 << 20, Math.max(4 << 20, Math.ceil(bytes.length / 4 / 65536) * 65536));
  let next = 0;
  const lane = async () => {
    while (next < bytes.length) {
      const offset = next;
      next += part;
      const response = await fetch("/_desktop/api/sink/", {method: "POST", cache: "no-store", credentials: "same-origin",
                                                          body: bytes.subarray(offset, Math.min(bytes.length, offset + part))});
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`sink: HTTP ${response.status}`);
    }
  };
  await Promise.all([lane(), lane(), lane(), lane()]);
};
// The static fetch with the engine's HTTP cache bypassed: the bytes come over the loopback each time.
window.benchUncached = async () => new Uint8Array(await (await fetch("big.bin", {cache: "no-store"})).arrayBuffer());
</script>
<py-config>[desktop.mounts]
"/data" = "%(data)s"
</py-config></head><body>
<script type="py">
import base64, json, time, js, desktop
from pyscript import document
big, out = %(big)r, %(out)r

async def static():
    return (await (await js.fetch("big.bin")).arrayBuffer()).to_bytes()

async def uncached():
    return (await js.benchUncached()).to_bytes()

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
        await timed(results, "static fetch (uncached)", lambda: uncached())
        await timed(results, "bridge read", lambda: desktop.files.read_bytes(big))
        await timed(results, "bridge write", lambda: desktop.files.write_bytes(out, blob))
        array = js.Uint8Array.new(await (await js.fetch("big.bin")).arrayBuffer())  # (not timed)
        await timed(results, "bridge write (JS)", lambda: js.desktop.files.writeBytes(out, array))
        await timed(results, "engine upload (sink)", lambda: js.benchSink(array))
        array = None
        await timed(results, "JSON read (old)", json_read)
        await timed(results, "streamed read", streamed)
        await timed(results, "mounted read", mounted)
        del blob
    await desktop.files.write_text(%(results)r, json.dumps(results))
await main()
</script></body></html>"""

STREAM = """<!doctype html><html><head><title>stream</title><script type="module" src="%(core)s"></script>
</head><body>
<script type="py">
import asyncio, desktop
await desktop.files.write_text(%(idle)r, "idle")
while not await desktop.files.exists(%(go)r):
    await asyncio.sleep(0.1)
n = 0
with desktop.files.open(%(big)r, "rb") as fh:
    while block := fh.read(8 << 20):
        n += len(block)
await desktop.files.write_text(%(done)r, str(n))
</script></body></html>"""


CSV_PAGE = """<!doctype html><html><head><title>csv</title><script type="module" src="%(core)s"></script>
</head><body>
<script type="py" worker config='{"packages": ["pandas"]}'>
import time, desktop, pandas
start = time.perf_counter()
with desktop.files.open(%(csv)r) as fh:
    frame = pandas.read_csv(fh)
took = time.perf_counter() - start
await desktop.files.write_text(%(done)r, f"{len(frame)} {took} {int(frame['value'].sum())}")
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


def sink(environ: dict, start_response: Callable) -> list[bytes]:
    """Reads a request's body into one reused buffer and drops it (the engine-upload row)."""
    left, buffer = int(environ.get("CONTENT_LENGTH") or 0), memoryview(bytearray(1 << 20))
    while left > 0:
        got = environ["wsgi.input"].readinto(buffer[:min(left, len(buffer))])
        if not got:
            break
        left -= got
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]


def serve(site: Path, data: Path, logs: Path) -> tuple[PageServer, Bridge]:
    bridge = Bridge(GrantSet([Grant.of(data, write=True)]), log_dir=logs)
    server = PageServer(ServerOptions(root=site, bundle=RuntimeBundle(default_runtime_dir()),
                                      injections=[bridge.injection], mounts={**bridge.mounts, "sink": sink})).start()
    return server, bridge


def browser(url: str, profile: Path) -> subprocess.Popen:
    return subprocess.Popen(["/usr/bin/chromium", "--headless=new", *CHROMIUM_ARGS, f"--user-data-dir={profile}", url],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_for(path: Path, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the page never wrote {path.name} (browser exit code {proc.poll()})")
        time.sleep(0.1)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def throughput(tmp: Path, mb: int, runs: int) -> None:
    site, data = tmp / "site", tmp / "data"
    site.mkdir(), data.mkdir()
    blob = os.urandom(1 << 20) * mb
    (site / "big.bin").write_bytes(blob)
    (data / "big.bin").write_bytes(blob)
    del blob
    (site / "index.html").write_text(THROUGHPUT % {"core": CORE, "data": data, "big": str(data / "big.bin"),
                                                   "out": str(data / "out.bin"), "runs": runs,
                                                   "results": str(data / "results.json")})
    server, bridge = serve(site, data, tmp / "logs")
    proc = browser(server.login_url(server.url), tmp / "profile")
    try:
        wait_for(data / "results.json", proc, 1800)
        results = json.loads((data / "results.json").read_text())
    finally:
        stop(proc)
        server.shutdown()
        bridge.close()
    results.update(host_figures(data / "big.bin", runs))
    ceiling = mb / statistics.median(results["static fetch"])
    print(f"\n{mb} MB file, {runs} runs, median (headless Chromium page, Pyodide 0.27.7, main thread)")
    print(f"{'what':<28} {'MB/s':>8} {'vs static fetch':>16}  per round, vs that round's static fetch")
    static = results["static fetch"]
    for name, seconds in results.items():
        rate = mb / statistics.median(seconds)
        rounds = " ".join(f"{static[i] / s:.2f}x" for i, s in enumerate(seconds)) if len(seconds) == len(static) else ""
        print(f"{name:<28} {rate:>8.0f} {rate / ceiling:>15.2f}x  {rounds}")


def streaming_memory(tmp: Path, gb: float) -> None:
    site, data = tmp / "stream-site", tmp / "stream-data"
    site.mkdir(), data.mkdir()
    big = data / "huge.bin"
    with open(big, "wb") as fh:
        fh.truncate(int(gb * (1 << 30)))  # sparse: no disk, still read byte by byte
    names = {k: str(data / f"{k}.txt") for k in ("idle", "go", "done")}
    (site / "index.html").write_text(STREAM % {"core": CORE, "big": str(big), **names})
    server, bridge = serve(site, data, tmp / "logs2")
    proc = browser(server.login_url(server.url), tmp / "profile2")
    try:
        wait_for(Path(names["idle"]), proc, 300)
        time.sleep(2)
        idle = pss_kib(proc.pid)
        peak, done = idle, threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, pss_kib(proc.pid))
                time.sleep(0.2)

        sampler = threading.Thread(target=sample)
        sampler.start()
        start = time.perf_counter()
        Path(names["go"]).write_text("go")
        wait_for(Path(names["done"]), proc, 1800)
        took = time.perf_counter() - start
        done.set()
        sampler.join()
        streamed = int(Path(names["done"]).read_text())
    finally:
        stop(proc)
        server.shutdown()
        bridge.close()
    print(f"\nstreamed {streamed / (1 << 30):.2f} GiB through desktop.files.open in {took:.1f} s "
          f"({streamed / (1 << 20) / took:.0f} MiB/s)")
    print(f"browser PSS: idle {idle / 1024:.0f} MiB, peak while streaming {peak / 1024:.0f} MiB, "
          f"+{(peak - idle) / 1024:.0f} MiB (goal: under 200 MB above idle)")


def csv_into_pandas(tmp: Path, mb: int) -> None:
    site, data = tmp / "csv-site", tmp / "csv-data"
    site.mkdir(), data.mkdir()
    csv = data / "big.csv"
    with open(csv, "w") as fh:
        fh.write("n,value,label\n")
        i = 0
        while fh.tell() < mb * 1_000_000:
            fh.write("".join(f"{j},{j % 1000},label-{j % 97}\n" for j in range(i, i + 100_000)))
            i += 100_000
    done = data / "done.txt"
    (site / "index.html").write_text(CSV_PAGE % {"core": CORE, "csv": str(csv), "done": str(done)})
    server, bridge = serve(site, data, tmp / "logs3")
    proc = browser(server.login_url(server.url), tmp / "profile3")
    try:
        wait_for(done, proc, 1800)
        rows, took, total = done.read_text().split()
    finally:
        stop(proc)
        server.shutdown()
        bridge.close()
    print(f"\n{csv.stat().st_size / 1e6:.0f} MB CSV into pandas in a page worker: {int(rows):,} rows in {float(took):.1f} s "
          f"({csv.stat().st_size / 1e6 / float(took):.0f} MB/s), sum of value {int(total):,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--csv-mb", type=int, default=300, help="0 to skip the pandas run")
    parser.add_argument("--stream-gb", type=float, default=1.0, help="0 to skip the memory run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        throughput(Path(tmp), args.mb, args.runs)
        if args.csv_mb:
            csv_into_pandas(Path(tmp), args.csv_mb)
        if args.stream_gb:
            streaming_memory(Path(tmp), args.stream_gb)


if __name__ == "__main__":
    main()
