"""Bridge throughput from page code: read_bytes / write_bytes of 1, 16 and 64 MiB in Chromium.

    .venv/bin/python benchmarks/bridge.py [--sizes 1,16,64] [--runs 3]

A real PageServer with a Bridge on 127.0.0.1, the real runtime, Debian's Chromium
through Playwright; the page's Python times `await desktop.files.write_bytes(...)`
and `read_bytes(...)` (base64 JSON in 8 MiB chunks, atomic write with fsync) and
prints median MiB/s. For comparison, the same bytes through Python's own file
API on the host (write + fsync, read).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from desktop.bridge import Bridge, Grant, GrantSet  # noqa: E402
from desktop.runtime.bundle import RuntimeBundle  # noqa: E402
from desktop.server import PageServer, ServerOptions  # noqa: E402
from desktop.settings import default_runtime_dir  # noqa: E402

CORE = "https://cdn.jsdelivr.net/npm/@pyscript/core@0.6.66/dist/core.js"
PAGE = """<!doctype html><html><head><title>bench</title><script type="module" src="%s"></script></head><body>
<script type="py">
import time, json, desktop
from pyscript import document
async def main():
    results = []
    for size in %s:
        blob = bytes(range(256)) * (size * 4096)
        for run in range(%d):
            start = time.perf_counter()
            await desktop.files.write_bytes(%r + f"/bench-{size}.bin", blob)
            wrote = time.perf_counter() - start
            start = time.perf_counter()
            back = await desktop.files.read_bytes(%r + f"/bench-{size}.bin")
            read = time.perf_counter() - start
            assert back == blob
            results.append({"size": size, "write": wrote, "read": read})
    document.body.append("RESULTS " + json.dumps(results))
await main()
</script></body></html>"""


def host_baseline(folder: Path, size: int) -> tuple[float, float]:
    blob = bytes(range(256)) * (size * 4096)
    path = folder / "host.bin"
    start = time.perf_counter()
    with open(path, "wb") as fh:
        fh.write(blob)
        fh.flush()
        os.fsync(fh.fileno())
    wrote = time.perf_counter() - start
    start = time.perf_counter()
    path.read_bytes()
    return wrote, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,16,64")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        site, data = tmp_path / "site", tmp_path / "data"
        site.mkdir(), data.mkdir()
        (site / "index.html").write_text(PAGE % (CORE, sizes, args.runs, str(data), str(data)))
        bridge = Bridge(GrantSet([Grant.of(data, write=True)]), log_dir=tmp_path / "logs")
        server = PageServer(ServerOptions(root=site, bundle=RuntimeBundle(default_runtime_dir()),
                                          injections=[bridge.injection], mounts=bridge.mounts)).start()
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
                page = browser.new_page()
                page.goto(server.login_url(server.url))  # as the app's window: a one-time login URL
                page.wait_for_function("document.body.innerText.includes('RESULTS')", timeout=600_000)
                import json

                results = json.loads(page.inner_text("body").split("RESULTS ", 1)[1])
                browser.close()
        finally:
            server.shutdown()
            bridge.close()
        print(f"{'size':>6} {'page write MiB/s':>17} {'page read MiB/s':>16} {'host write MiB/s':>17} {'host read MiB/s':>16}")
        for size in sizes:
            rows = [r for r in results if r["size"] == size]
            write = statistics.median(size / r["write"] for r in rows)
            read = statistics.median(size / r["read"] for r in rows)
            host = [host_baseline(data, size) for _ in range(args.runs)]
            host_w = statistics.median(size / w for w, _ in host)
            host_r = statistics.median(size / r for _, r in host)
            print(f"{size:>4}Mi {write:>17.1f} {read:>16.1f} {host_w:>17.1f} {host_r:>16.1f}")


if __name__ == "__main__":
    main()
