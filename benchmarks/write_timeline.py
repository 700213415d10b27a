"""Where a bridge write's time goes: page and host on one clock (the system's, in ms).

    .venv/bin/python benchmarks/write_timeline.py [--mb 100] [--runs 3]

The same set-up as bridge.py (a real PageServer + Bridge on 127.0.0.1, the real runtime, Debian's
Chromium headless). The page times its static fetch of the file and then `desktop.files.write_bytes`
and `desktop.files.writeBytes` of it, logging every fetch() it starts (and when its answer came)
at performance.timeOrigin + performance.now(). The host, in this process, logs for each raw-body
request when its handler thread started, how long it spent waiting for the body's blocks (the
socket) and writing them (pwrite), and the commit (fsync + rename). This is a probe that wraps
the server's functions in place; it changes nothing they do. Prints, per write, the phases.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bridge as bench

from desktop.bridge import api, atomic
from desktop.server import httpd

PAGE = """<!doctype html><html><head><title>timeline</title><script type="module" src="%(core)s"></script>
<script>
globalThis.__log = [];
const now = () => performance.timeOrigin + performance.now();
const realFetch = globalThis.fetch;
globalThis.fetch = function (url, init) {
  const entry = {url: String(url), start: now(), size: init && init.body ? (init.body.byteLength || 0) : 0};
  globalThis.__log.push(entry);
  const p = realFetch.apply(this, arguments);
  p.then(() => { entry.end = now(); }, () => { entry.end = now(); });
  return p;
};
</script>
</head><body>
<script type="py">
import json, time, js, desktop
out = %(out)r

def mark(name):
    js.__log.push(js.Object.fromEntries([["url", name], ["start", js.performance.timeOrigin + js.performance.now()]]))

async def main():
    for run in range(%(runs)d):
        mark("static:begin")
        blob = (await (await js.fetch("big.bin")).arrayBuffer()).to_bytes()
        mark("static:end")
        mark("py-write:begin")
        await desktop.files.write_bytes(out, blob)
        mark("py-write:end")
        array = js.Uint8Array.new(await (await js.fetch("big.bin")).arrayBuffer())
        mark("js-write:begin")
        await js.desktop.files.writeBytes(out, array)
        mark("js-write:end")
        array = None
        del blob
    await desktop.files.write_text(%(results)r, js.JSON.stringify(js.__log))
await main()
</script></body></html>"""

HOST: list[dict] = []
_lock = threading.Lock()


def _now() -> float:
    return time.time() * 1000


def install_probes() -> None:
    """Wrap the handler, the raw body's iterator and the commit with timers (same behaviour)."""
    handle = httpd._QuietHandler.handle

    def timed_handle(self):
        entry = {"thread_start": _now()}
        self._probe = entry
        threading.current_thread().probe = entry
        try:
            return handle(self)
        finally:
            entry["thread_end"] = _now()
            with _lock:
                HOST.append(entry)

    httpd._QuietHandler.handle = timed_handle
    body_iter = api._Body.__iter__

    def timed_iter(self):
        entry = getattr(threading.current_thread(), "probe", {})
        entry.update(length=self.length, body_start=_now(), wait=0.0, write=0.0)
        it = body_iter(self)
        while True:
            t0 = _now()
            try:
                block = next(it)
            except StopIteration:
                break
            t1 = _now()
            entry["wait"] += t1 - t0
            yield block
            entry["write"] += _now() - t1
        entry["body_end"] = _now()

    api._Body.__iter__ = timed_iter
    commit = atomic.AtomicWriter.commit

    def timed_commit(self, *args, **kwargs):
        t0 = _now()
        try:
            return commit(self, *args, **kwargs)
        finally:
            entry = getattr(threading.current_thread(), "probe", {})
            entry.update(commit_start=t0, commit_end=_now())

    atomic.AtomicWriter.commit = timed_commit


def report(page: list[dict], host: list[dict], mb: int, each: bool = False) -> None:
    marks = {}
    for e in page:
        marks.setdefault(e["url"], []).append(e["start"])
    parts = [e for e in page if "write_chunk" in e["url"]]
    bodies = sorted((h for h in host if "body_start" in h and h.get("length", 0) > 0), key=lambda h: h["thread_start"])
    commits = sorted((h for h in host if "commit_start" in h), key=lambda h: h["commit_start"])
    for kind in ("py-write", "js-write"):
        for i, (b, e) in enumerate(zip(marks[f"{kind}:begin"], marks[f"{kind}:end"])):
            mine = [p for p in parts if b <= p["start"] <= e]
            hosts = [h for h in bodies if b <= h["thread_start"] <= e]
            com = [c for c in commits if b <= c["commit_start"] <= e]
            first_part = min(p["start"] for p in mine)
            last_answer = max(p.get("end", e) for p in mine)
            # each part: page fetch() -> host thread start -> body taken (socket wait + pwrite) -> answer at the page
            print(f"{kind} run {i + 1}: total {e - b:6.0f} ms ({mb / ((e - b) / 1000):.0f} MB/s); "
                  f"before first part {first_part - b:4.0f}; parts {len(mine)} span {last_answer - first_part:5.0f}; "
                  f"after last answer {e - last_answer:4.0f} (commit {sum(c['commit_end'] - c['commit_start'] for c in com):.0f})")
            if hosts:
                delays = [h["thread_start"] - p["start"] for p, h in zip(sorted(mine, key=lambda p: p["start"]), hosts)]
                print(f"   page fetch() -> host thread: median {statistics.median(delays):5.1f} ms (max {max(delays):.0f}); "
                      f"host per part: socket wait median {statistics.median(h['wait'] for h in hosts):5.1f} ms, "
                      f"pwrite median {statistics.median(h['write'] for h in hosts):5.1f} ms; "
                      f"sum over parts wait {sum(h['wait'] for h in hosts):5.0f}, pwrite {sum(h['write'] for h in hosts):4.0f}; "
                      f"answer after body median {statistics.median(p['end'] - h['body_end'] for p, h in zip(sorted(mine, key=lambda p: p['start']), hosts) if 'end' in p):.1f}")
            if hosts and each:  # each part on the write's own clock (ms since it began)
                for p, h in zip(sorted(mine, key=lambda p: p["start"]), hosts):
                    print(f"     part {p['size'] >> 20:3d} MiB: fetch() {p['start'] - b:5.0f}, host thread {h['thread_start'] - b:5.0f}, "
                          f"body {h['body_start'] - b:5.0f}-{h['body_end'] - b:5.0f}, answer at the page {p.get('end', e) - b:5.0f}")
    for i, (b, e) in enumerate(zip(marks["static:begin"], marks["static:end"])):
        print(f"static fetch run {i + 1}: {e - b:6.0f} ms ({mb / ((e - b) / 1000):.0f} MB/s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--parts", action="store_true", help="print each part's times too")
    args = parser.parse_args()
    install_probes()
    import os
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        site, data = tmp / "site", tmp / "data"
        site.mkdir(), data.mkdir()
        (site / "big.bin").write_bytes(os.urandom(1 << 20) * args.mb)
        results = data / "log.json"
        (site / "index.html").write_text(PAGE % {"core": bench.CORE, "out": str(data / "out.bin"), "runs": args.runs,
                                                 "results": str(results)})
        server, bridge = bench.serve(site, data, tmp / "logs")
        proc = bench.browser(server.login_url(server.url), tmp / "profile")
        try:
            bench.wait_for(results, proc, 900)
            time.sleep(0.2)
            page = json.loads(results.read_text())
        finally:
            bench.stop(proc)
            server.shutdown()
            bridge.close()
    report(page, HOST, args.mb, args.parts)


if __name__ == "__main__":
    main()
