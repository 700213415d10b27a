"""pages/big-data.html: time from a CSV's change on disk to the page's chart redrawn with the new data.

    .venv/bin/python benchmarks/redraw.py [--rows 300000] [--samples 7]

The real page (pages/big-data.html), a real PageServer with a Bridge on 127.0.0.1, the real runtime,
Debian's Chromium through Playwright (headless). The page loads a CSV; then, --samples times, this
script replaces the CSV with one of a different row count (written to a temporary name and renamed over
it, as editors and most tools save) and notes the time the rename returned. The page stamps #chart's
data-* attributes with its own clock (Date.now(), the same wall clock as this script's time.time()):

- changed-at: the watch event reached the page's worker (watch debounce, then the long poll's answer);
- started-at: the load began; read-at: the CSV was read through desktop.files.open + pandas in chunks;
- drawn-at: the new chart's <img> was in the page (matplotlib render, PNG, data URL);
- rows / draws: what was drawn, so a sample counts only once the page shows the new file's row count.

Prints, per phase, the median and range (min-max) over the samples, in ms.
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

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
ATTRS = ("changed-at", "started-at", "read-at", "drawn-at", "rows", "draws")


def csv_text(rows: int, scale: float) -> str:
    return "t,signal,label\n" + "".join(f"{i},{(i % 1000) * scale:.1f},row{i}\n" for i in range(rows))


def replace(path: Path, text: str) -> float:
    """Write `text` to a temporary name in the same folder, fsync, rename over `path`; the time it is done."""
    temp = path.with_name(path.name + ".saving")
    with open(temp, "w") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(temp, path)
    return time.time() * 1000


def chart_state(page) -> dict[str, float]:  # page: a Playwright page
    got = page.evaluate("(names) => names.map((n) => document.getElementById('chart').getAttribute('data-' + n))",
                        list(ATTRS))
    return {name: float(value) if value is not None else -1.0 for name, value in zip(ATTRS, got)}


def wait_for_rows(page, rows: int, draws: float, timeout: float) -> dict[str, float]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = chart_state(page)
        if state["rows"] == rows and state["draws"] > draws:
            return state
        time.sleep(0.02)
    raise SystemExit(f"the page never drew {rows:,} rows within {timeout:.0f} s: "
                     f"{page.inner_text('#status')!r}, {chart_state(page)}")


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300_000, help="rows of the first CSV (about 23 bytes each)")
    parser.add_argument("--samples", type=int, default=7)
    parser.add_argument("--pause", type=float, default=1.0, help="seconds between a redraw and the next change")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        csv = data / "measurements.csv"
        replace(csv, csv_text(args.rows, 1.0))
        # a different row count each time, so a redraw is known to show that change's data
        texts = [(args.rows - 1000 * (k + 1), csv_text(args.rows - 1000 * (k + 1), 1.0 + k)) for k in range(args.samples)]
        bridge = Bridge(GrantSet([Grant.of(data)]), log_dir=Path(tmp) / "logs")
        server = PageServer(ServerOptions(root=ROOT / "pages", bundle=RuntimeBundle(default_runtime_dir()),
                                          injections=[bridge.injection], mounts=bridge.mounts)).start()
        samples: list[dict[str, float]] = []
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1000, "height": 750})
                page.goto(server.login_url(f"/big-data.html?csv={csv}"))
                state = wait_for_rows(page, args.rows, 0, 300)
                for rows, text in texts:
                    time.sleep(args.pause)
                    written = replace(csv, text)
                    state = wait_for_rows(page, rows, state["draws"], 60)
                    samples.append({
                        "watch event (change -> event in page)": state["changed-at"] - written,
                        "event -> load starts": state["started-at"] - state["changed-at"],
                        "re-read (stat, files.open, pandas chunks)": state["read-at"] - state["started-at"],
                        "summary + chart (matplotlib, PNG, <img>)": state["drawn-at"] - state["read-at"],
                        "change -> chart redrawn (total)": state["drawn-at"] - written,
                    })
                    print(f"  {rows:,} rows: redrawn {samples[-1]['change -> chart redrawn (total)']:.0f} ms after the change",
                          file=sys.stderr)
                browser.close()
        finally:
            server.shutdown()
            bridge.close()
    size = len(texts[0][1]) / 1e6
    print(f"\npages/big-data.html, CSV of {texts[0][0]:,} rows ({size:.1f} MB), {len(samples)} changes, "
          "headless Chromium, Pyodide worker; ms")
    print(f"{'phase':<44} {'median':>8} {'min':>8} {'max':>8}")
    for name in samples[0]:
        values = [s[name] for s in samples]
        print(f"{name:<44} {statistics.median(values):>8.0f} {min(values):>8.0f} {max(values):>8.0f}")


if __name__ == "__main__":
    main()
