"""Kiosk soak: a data page through many scheduled reloads, memory per cycle, and the slope.

    .venv/bin/python benchmarks/kiosk_soak.py [--cycles 30] [--interval 12] [--page pages/table.html]

Runs the real `python main.py kiosk` (supervisor + app process + Qt WebEngine) on a
kiosk.toml whose `reload_interval` drives the cycles, under the current DISPLAY or a
private Xvfb. Near the end of each cycle (the page loaded, its Python done) it reads the
PSS of the app process and everything below it (renderer, GPU, zygotes) from
/proc/*/smaps_rollup. Prints one row per cycle and a least-squares slope in MiB per
cycle over the cycles after the warm-up: a leak shows as a slope that stays positive
however many cycles run; a healthy kiosk's slope is near zero.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # virtual_display, shared with the tests

from desktop.kiosk.log import read_events  # noqa: E402
from desktop.kiosk.memory import tree_pss_kib  # noqa: E402


def slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of ys over xs."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den if den else 0.0


def start_display() -> tuple[str, subprocess.Popen | None]:
    """DISPLAY when set; else a private Xvfb on a display it picks itself, checked to be up (tests/virtual_display.py)."""
    if os.environ.get("DISPLAY"):
        return os.environ["DISPLAY"], None
    from virtual_display import DisplayError, start_xvfb

    try:
        return start_xvfb()
    except DisplayError as error:
        sys.exit(f"No DISPLAY, and no virtual screen: {error}")


def app_pid(supervisor: int) -> int | None:
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == supervisor and " kiosk --child " in cmd:
            return int(entry.name)
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cycles", type=int, default=30)
    parser.add_argument("--interval", type=float, default=12.0, help="seconds between scheduled reloads")
    parser.add_argument("--page", type=Path, default=ROOT / "pages" / "table.html")
    parser.add_argument("--warmup", type=int, default=5, help="cycles left out of the slope (caches and JIT fill up first)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="kiosk-soak-"))
    toml = work / "kiosk.toml"
    toml.write_text(f'home = "{args.page.resolve()}"\nreload_interval = {args.interval}\nwatchdog_timeout = 60\n'
                    "keep_awake = false\n", encoding="utf-8")
    log = work / "kiosk.log"
    display, xvfb = start_display()
    env = {**os.environ, "DISPLAY": display, "PYSCRIPT_DESKTOP_HOME": str(work / "home")}
    kiosk = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "kiosk", str(toml), "--log", str(log)], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rows: list[tuple[int, float, int]] = []
    try:
        print(f"page {args.page.name}, reload every {args.interval:g} s, {args.cycles} cycles")
        print(f"{'cycle':>5} {'PSS MiB':>9} {'procs':>5}")
        for cycle in range(1, args.cycles + 1):
            deadline = time.monotonic() + args.interval * 3 + 120
            while len([r for r in read_events(log) if r["event"] == "page_shown"]) < cycle:
                if time.monotonic() > deadline or kiosk.poll() is not None:
                    sys.exit(f"the kiosk did not show the page for cycle {cycle}; log: {log}")
                time.sleep(0.2)
            time.sleep(args.interval * 0.75)  # the page's Python has run; the next reload is still to come
            pid = app_pid(kiosk.pid)
            if pid is None:
                sys.exit("the kiosk's app process is gone")
            sizes = tree_pss_kib(pid)
            rows.append((cycle, sum(sizes.values()) / 1024, len(sizes)))
            print(f"{cycle:>5} {rows[-1][1]:>9.1f} {rows[-1][2]:>5}", flush=True)
    finally:
        kiosk.terminate()
        kiosk.wait(30)
        if xvfb is not None:
            xvfb.terminate()
    events = read_events(log)
    restarts = sum(1 for r in events if r["event"] in ("app_restart", "renderer_crash", "watchdog_reload"))
    steady = rows[args.warmup:] if len(rows) > args.warmup + 1 else rows
    per_cycle = slope([float(c) for c, _, _ in steady], [m for _, m, _ in steady])
    print(f"first {rows[0][1]:.1f} MiB, last {rows[-1][1]:.1f} MiB, min {min(m for _, m, _ in rows):.1f}, "
          f"max {max(m for _, m, _ in rows):.1f}")
    print(f"slope over cycles {steady[0][0]}-{steady[-1][0]}: {per_cycle:+.2f} MiB/cycle")
    print(f"scheduled reloads logged: {sum(1 for r in events if r['event'] == 'scheduled_reload')}, "
          f"crash/watchdog/restart events: {restarts}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
