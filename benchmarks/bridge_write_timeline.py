"""Where a 100 MB bridge write's time goes: page and host on one clock (a probe, not a benchmark).

    .venv/bin/python benchmarks/bridge_write_timeline.py [--mb 100] [--rounds 3]

The same real PageServer, Bridge and headless Chromium as `bridge.py`. The page wraps its own
`fetch` to note when each request starts and when its answer comes (performance.timeOrigin +
performance.now(), milliseconds since the epoch); the host notes, with the same wall clock, when
each request's connection was accepted, when the bridge got its headers, the time it spent
waiting for body bytes and the time it spent writing them, and the commit's fsync + rename.

Also, per round, two uploads of the same bytes in the same parts and lanes to a probe-only
`sink` operation (added here to the bridge's tables, never in the app) that only takes the
body: with the bridge's own body reader, and with one `readinto` loop into a reused buffer.
What the sink gets is what Chromium and the loopback deliver; the rest is the host's writing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import bridge as bench  # noqa: E402  (benchmarks/bridge.py: server, browser, waiting)

from desktop.bridge import api, atomic  # noqa: E402
from desktop.server import httpd  # noqa: E402

PAGE = """<!doctype html><html><head><title>timeline</title><script type="module" src="%(core)s"></script>
<script>
window.__probe = [];
const original = window.fetch;
window.fetch = function (url, init) {
  const entry = {url: String(url), start: performance.timeOrigin + performance.now()};
  try { entry.args = JSON.parse((init && init.headers && init.headers["X-Desktop-Args"]) || "null"); } catch (_) {}
  window.__probe.push(entry);
  const pending = original.call(this, url, init);
  pending.then(() => { entry.answered = performance.timeOrigin + performance.now(); }, () => {});
  return pending;
};
window.__sink = async (bytes, part, lanes, op) => {
  let next = 0;
  const lane = async () => {
    while (next < bytes.length) {
      const offset = next; next += part;
      const r = await fetch("/_desktop/api/files/" + op, {method: "POST", cache: "no-store", credentials: "same-origin",
        headers: {"Content-Type": "application/octet-stream", "X-Desktop-Token": window.__token,
                  "X-Desktop-Args": JSON.stringify({offset})},
        body: bytes.subarray(offset, Math.min(bytes.length, offset + part))});
      await r.text();
    }
  };
  await Promise.all(Array.from({length: lanes}, lane));
};
</script>
</head><body>
<script type="py">
import json, time, js, desktop
from pyscript import window
big, out = %(big)r, %(out)r
js.window.__token = desktop._headers()["X-Desktop-Token"]
now = lambda: js.performance.timeOrigin + js.performance.now()
rounds = []
for n in range(%(rounds)d):
    marks = {}
    js.window.__probe = js.Array.new()
    marks["static start"] = now()
    response = await js.fetch("big.bin")
    marks["static headers"] = now()
    buffer = await response.arrayBuffer()
    marks["static arrayBuffer"] = now()
    blob = buffer.to_bytes()
    buffer = None
    marks["static to_bytes"] = now()
    marks["write start"] = now()
    await desktop.files.write_bytes(out, blob)
    marks["write done"] = now()
    array = js.Uint8Array.new(await (await js.fetch("big.bin")).arrayBuffer())
    marks["js write start"] = now()
    await js.desktop.files.writeBytes(out, array)
    marks["js write done"] = now()
    for op in ("sink_body", "sink_readinto"):
        marks[op + " start"] = now()
        await js.window.__sink(array, %(part)d, %(lanes)d, op)
        marks[op + " done"] = now()
    array = None
    blob = None
    fetches = json.loads(js.JSON.stringify(js.window.__probe))
    rounds.append({"marks": marks, "fetches": fetches})
await desktop.files.write_text(%(results)r, json.dumps(rounds))
</script></body></html>"""

EVENTS: list[dict] = []
_LOCK = threading.Lock()


def note(**event: object) -> None:
    with _LOCK:
        EVENTS.append(event)


def instrument() -> None:
    """Wrap the host's steps with timers (this process only)."""
    ms = lambda: time.time() * 1000  # noqa: E731

    accept = httpd.LoopbackServer.process_request

    def process_request(self, request, client_address):
        note(kind="accepted", fd=request.fileno(), at=ms())
        return accept(self, request, client_address)

    httpd.LoopbackServer.process_request = process_request

    handle = api.handle

    def timed_handle(bridge, op, request):
        environ = request.environ
        args = environ.get("HTTP_X_DESKTOP_ARGS", "")
        started = ms()
        try:
            return handle(bridge, op, request)
        finally:
            note(kind="handle", op=op, args=args, start=started, end=ms(), thread=threading.get_ident())

    api.handle = timed_handle

    body_iter = api._Body.__iter__

    def timed_iter(self):
        waited = 0.0
        blocks = 0
        it = body_iter(self)
        first = None
        while True:
            t = time.perf_counter()
            try:
                block = next(it)
            except StopIteration:
                break
            waited += time.perf_counter() - t
            if first is None:
                first = ms()
            blocks += 1
            yield block
        note(kind="body", length=self.length, waited=waited * 1000, blocks=blocks, first=first, last=ms())

    api._Body.__iter__ = timed_iter

    write_at = atomic.AtomicWriter.write_at
    original_pwrite = os.pwrite
    spent = threading.local()

    def pwrite(fd, data, off):
        t = time.perf_counter()
        try:
            return original_pwrite(fd, data, off)
        finally:
            spent.total = getattr(spent, "total", 0.0) + time.perf_counter() - t

    os.pwrite = pwrite  # (this process only: the server's threads each sum their own)

    def timed_write_at(self, offset, blocks):
        spent.total = 0.0
        try:
            return write_at(self, offset, blocks)
        finally:
            note(kind="pwrite", offset=offset, ms=spent.total * 1000, at=time.time() * 1000)

    atomic.AtomicWriter.write_at = timed_write_at

    commit = atomic.AtomicWriter.commit

    def timed_commit(self, *, exclusive=False):
        started = ms()
        try:
            return commit(self, exclusive=exclusive)
        finally:
            note(kind="commit", start=started, end=ms())

    atomic.AtomicWriter.commit = timed_commit

    # the probe-only sinks: take the body and drop it
    def sink_body(bridge, session, args, body):
        n = sum(len(b) for b in body)
        return {"size": n}, n

    def sink_readinto(bridge, session, args, body):
        stream = body.stream._rfile  # the handler's buffered socket reader
        buffer = bytearray(1 << 20)
        view = memoryview(buffer)
        left, waited = body.length, 0.0
        while left:
            t = time.perf_counter()
            n = stream.readinto(view[:min(left, len(view))])
            waited += time.perf_counter() - t
            if not n:
                break
            left -= n
        note(kind="readinto", length=body.length, waited=waited * 1000, at=time.time() * 1000)
        return {"size": body.length - left}, body.length - left

    for name, op in (("sink_body", sink_body), ("sink_readinto", sink_readinto)):
        api.OPS[name] = op
        api.RAW_BODY_OPS[name] = op


def summarize(rounds: list[dict], mb: int) -> None:
    def rate(seconds_ms: float) -> float:
        return mb / (seconds_ms / 1000)

    host = list(EVENTS)
    for i, r in enumerate(rounds):
        m = r["marks"]
        print(f"\nround {i + 1}")
        fetch_ms = m["static to_bytes"] - m["static start"]
        print(f"  static fetch {fetch_ms:7.0f} ms ({rate(fetch_ms):.0f} MB/s): headers +{m['static headers'] - m['static start']:.0f}, "
              f"arrayBuffer +{m['static arrayBuffer'] - m['static headers']:.0f}, to_bytes +{m['static to_bytes'] - m['static arrayBuffer']:.0f}")
        for label, a, b in (("write_bytes (Python)", "write start", "write done"),
                            ("writeBytes (JS)", "js write start", "js write done"),
                            ("sink, bridge body reader", "sink_body start", "sink_body done"),
                            ("sink, readinto 1 MiB", "sink_readinto start", "sink_readinto done")):
            took = m[b] - m[a]
            print(f"  {label:<26} {took:7.0f} ms ({rate(took):.0f} MB/s, {fetch_ms / took:.2f}x static)")
        # the Python write's parts, page and host on one clock
        start, end = m["write start"], m["write done"]
        parts = [f for f in r["fetches"] if "write_chunk" in f["url"] and start <= f["start"] <= end]
        handles = {h["args"]: h for h in host if h["kind"] == "handle" and h["op"] == "write_chunk" and start <= h["start"] <= end}
        begin = [h for h in host if h["kind"] == "handle" and h["op"] == "write_begin" and start <= h["start"] <= end]
        commit = [h for h in host if h["kind"] == "commit" and start <= h["start"] <= end]
        if begin:
            print(f"  write_begin on host at +{begin[0]['start'] - start:.0f} ms, first part fetch() at +{parts[0]['start'] - start:.0f}")
        lat, hold = [], []
        for f in parts:
            h = handles.get(json.dumps(f["args"])) or next(
                (h for a, h in handles.items() if json.loads(a or "{}").get("offset") == f["args"]["offset"]), None)
            if h is None:
                continue
            lat.append(h["start"] - f["start"])
            hold.append(h["end"] - h["start"])
        bodies = [e for e in host if e["kind"] == "body" and e["first"] and start <= e["first"] <= end]
        pw = [e for e in host if e["kind"] == "pwrite" and start <= e["at"] <= end]
        if lat:
            print(f"  {len(parts)} parts: fetch() -> host handler: median {statistics.median(lat):.0f} ms "
                  f"({min(lat):.0f}-{max(lat):.0f}); handler time median {statistics.median(hold):.0f} ms ({min(hold):.0f}-{max(hold):.0f})")
        if bodies:
            waited = [b["waited"] for b in bodies]
            print(f"  host waiting for body bytes per part: median {statistics.median(waited):.0f} ms, sum {sum(waited):.0f} ms; "
                  f"pwrite per part median {statistics.median(e['ms'] for e in pw):.1f} ms, sum {sum(e['ms'] for e in pw):.0f} ms")
        if commit:
            c = commit[-1]
            print(f"  commit (fsync + rename) {c['end'] - c['start']:.0f} ms, ends {end - c['end']:.0f} ms before the page sees it")
        if parts:
            print(f"  last part answered at +{max(f.get('answered', 0) for f in parts) - start:.0f} ms of {end - start:.0f}")
        ri = [e for e in host if e["kind"] == "readinto" and m["sink_readinto start"] <= e["at"] <= m["sink_readinto done"]]
        if ri:
            print(f"  readinto sink: host waiting for body bytes, sum over parts {sum(e['waited'] for e in ri):.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--part", type=int, default=4, help="sink part size, MiB")
    parser.add_argument("--lanes", type=int, default=4)
    args = parser.parse_args()
    instrument()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        site, data = tmp / "site", tmp / "data"
        site.mkdir(), data.mkdir()
        blob = os.urandom(1 << 20) * args.mb
        (site / "big.bin").write_bytes(blob)
        del blob
        results = data / "results.json"
        (site / "index.html").write_text(PAGE % {"core": bench.CORE, "big": str(site / "big.bin"), "out": str(data / "out.bin"),
                                                 "rounds": args.rounds, "results": str(results),
                                                 "part": args.part << 20, "lanes": args.lanes})
        server, bridge = bench.serve(site, data, tmp / "logs")
        proc = bench.browser(server.login_url(server.url), tmp / "profile")
        try:
            bench.wait_for(results, proc, 900)
            rounds = json.loads(results.read_text())
        finally:
            bench.stop(proc)
            server.shutdown()
            bridge.close()
    summarize(rounds, args.mb)


if __name__ == "__main__":
    main()
