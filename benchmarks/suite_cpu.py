"""Where a test run's CPU goes: busy CPU-seconds by kind of process, against the 8-minute budget.

    .venv/bin/python benchmarks/suite_cpu.py [--save FILE] [--against FILE] [-- COMMAND...]

Runs COMMAND (default: `./run-tests`) and samples every process on the machine five times a
second from /proc, so the engines' renderers, the app's windows, the test workers and the tools
they start (PyInstaller, dpkg, npm) are told apart by their command lines. A process is counted
up to its last sample (from zero if it started after the command, else from the first sample):
what it used in its last 0.2 s and processes shorter than a sample are missed, so each kind's
figure is a lower bound; the machine's busy total (from /proc/stat) is exact, and the gap
between the two is printed.

The budget is the CPU the machine has in 8 minutes (#22's goal for the full suite): a run
cannot end sooner than its busy CPU-seconds divided by the cores. With --against, a saved run
is printed beside this one, with the ratio of each kind. Linux only.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TICK = os.sysconf("SC_CLK_TCK")
BUDGET_S = 8 * 60
INTERVAL_S = 0.2
#: Kinds that are a page running in an engine: its JavaScript, WebAssembly (Pyodide) and layout.
PAGE_KINDS = ("Chromium renderer", "Qt WebEngine renderer", "WebKitGTK web process")


def kind_of(argv: list[str], name: str) -> str:
    """What a process is, from its command line (`argv`, split on NULs and spaces) and its name."""
    if not argv:
        return "kernel and exited"
    exe = Path(argv[0]).name
    option = next((a.split("=", 1)[1] for a in argv if a.startswith("--type=")), "")
    if exe == "chromium":
        if option == "utility":
            sub = next((a.split("=", 1)[1] for a in argv if a.startswith("--utility-sub-type=")), "?")
            return f"Chromium utility ({sub.split('.')[0]})"
        return {"renderer": "Chromium renderer", "": "Chromium browser"}.get(option, f"Chromium {option}")
    if exe == "QtWebEngineProcess":
        # Renderers are forked by the zygote and keep its command line.
        return "Qt WebEngine renderer" if option in ("zygote", "renderer") else f"Qt WebEngine {option}"
    if exe.startswith("WebKitWebProces"):
        return "WebKitGTK web process"
    if exe.startswith("WebKitNetworkPr"):
        return "WebKitGTK network process"
    if exe.startswith("python") or exe == "pyscript-desktop":
        joined = " ".join(argv)
        if "main.py" in joined or exe == "pyscript-desktop" or " -m desktop" in joined:
            return "the app (Python, window UI)"
        if "exec(eval(sys.stdin.readline()))" in joined:
            return "test workers (tests, servers)"
        if " -m pytest" in joined:
            return "pytest"
        if "PyInstaller" in joined or "pyinstaller" in joined:
            return "PyInstaller"
        return "other Python"
    return exe or name


class Sampler:
    """CPU seconds per kind of process, sampled from /proc in a thread until stop()."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], list] = {}  # (pid, start time) -> [kind, first cpu, last cpu, name]
        self._since: int | None = None  # clock ticks since boot when start() was called
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
                name, fields = stat[stat.find("(") + 1:stat.rfind(")")], stat[stat.rfind(")") + 2:].split()
                key, cpu = (pid, fields[19]), (int(fields[11]) + int(fields[12])) / TICK
                entry = self._seen.get(key)
                # Named again when its name changes (a `#!/bin/sh` launcher that execs the app) or, for
                # a Chromium process, when it runs (a renderer forked by the zygote rewrites its command
                # line just after the fork).
                if entry is None or name != entry[3] or (cpu != entry[2] and entry[0] in ("Chromium browser", "kernel and exited")):
                    argv = Path(f"/proc/{pid}/cmdline").read_text(errors="replace").replace("\0", " ").split()
                    if argv and argv[0] == "/proc/self/exe":  # (a zygote started by re-running itself)
                        argv[0] = os.readlink(f"/proc/{pid}/exe")
                    if entry is None:  # counted from 0 if it started after the command did
                        first = 0.0 if self._since is not None and int(fields[19]) >= self._since else cpu
                        entry = self._seen[key] = [kind_of(argv, name), first, cpu, name]
                    elif argv:
                        entry[0], entry[3] = kind_of(argv, name), name
                entry[2] = cpu
            except (OSError, IndexError, ValueError):
                continue  # gone between listing and reading

    def _run(self) -> None:
        while not self._stop.wait(INTERVAL_S):
            self._sample()

    def start(self) -> None:
        self._sample()
        for entry in self._seen.values():  # what ran before the command is not its
            entry[1] = entry[2]
        self._since = int(float(Path("/proc/uptime").read_text().split()[0]) * TICK)
        self._thread.start()

    def stop(self) -> dict[str, dict[str, float]]:
        self._stop.set()
        self._thread.join()
        self._sample()
        cpu, count = Counter(), Counter()
        for kind, first, last, _name in self._seen.values():
            if last > first:
                cpu[kind] += last - first
                count[kind] += 1
        return {kind: {"cpu_s": round(seconds, 1), "processes": count[kind]} for kind, seconds in cpu.most_common()}


def busy_ticks() -> int:
    """The machine's busy CPU time so far (user, nice, system, irq, softirq), in clock ticks."""
    user, nice, system, _idle, _iowait, irq, softirq = (int(x) for x in Path("/proc/stat").read_text().split()[1:8])
    return user + nice + system + irq + softirq


def measure(command: list[str]) -> dict:
    sampler, started, busy0 = Sampler(), time.monotonic(), busy_ticks()
    sampler.start()
    returncode = subprocess.call(command, cwd=ROOT)
    kinds = sampler.stop()
    wall, busy = time.monotonic() - started, (busy_ticks() - busy0) / TICK
    cores = os.cpu_count() or 1
    return {"command": command, "returncode": returncode, "wall_s": round(wall, 1), "busy_cpu_s": round(busy, 1),
            "cores": cores, "sampler_cpu_s": round(sum(os.times()[:2]), 1), "kinds": kinds}


def report(run: dict, against: dict | None) -> None:
    budget = run["cores"] * BUDGET_S
    kinds = run["kinds"]
    names = list(kinds) + [k for k in (against or {}).get("kinds", {}) if k not in kinds]
    header = f"{'process kind':34} {'procs':>6} {'CPU-s':>8} {'share':>6}"
    if against:
        header += f" {'baseline CPU-s':>15} {'ratio':>6}"
    print(header)
    for name in names:
        mine = kinds.get(name, {"cpu_s": 0.0, "processes": 0})
        line = f"{name[:34]:34} {mine['processes']:6d} {mine['cpu_s']:8.1f} {mine['cpu_s'] / run['busy_cpu_s']:6.1%}"
        if against:
            base = against["kinds"].get(name, {}).get("cpu_s", 0.0)
            line += f" {base:15.1f} " + (f"{mine['cpu_s'] / base:6.2f}" if base else f"{'-':>6}")
        print(line)
    sampled = sum(k["cpu_s"] for k in kinds.values())
    pages = sum(kinds.get(k, {}).get("cpu_s", 0.0) for k in PAGE_KINDS)
    print(f"\nwall {run['wall_s']:.0f} s (exit {run['returncode']}); busy {run['busy_cpu_s']:.0f} CPU-s on {run['cores']} cores, "
          f"{sampled:.0f} of them sampled by kind (this sampler used {run['sampler_cpu_s']:.0f})")
    print(f"8-minute budget: {budget} CPU-s; this run's busy CPU is {run['busy_cpu_s'] / budget:.2f}x it, "
          f"the pages' engines' renderers alone {pages:.0f} CPU-s ({pages / budget:.2f}x)")
    if against:
        print(f"baseline: wall {against['wall_s']:.0f} s, busy {against['busy_cpu_s']:.0f} CPU-s; "
              f"ratio {run['busy_cpu_s'] / against['busy_cpu_s']:.2f} (busy), {run['wall_s'] / against['wall_s']:.2f} (wall)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--save", type=Path, help="write this run's figures here (JSON)")
    parser.add_argument("--against", type=Path, help="a run saved with --save, printed beside this one")
    parser.add_argument("command", nargs="*", default=["./run-tests"], help="what to run (after --)")
    args = parser.parse_args()
    if not Path("/proc/stat").exists():
        parser.error("this benchmark reads /proc: Linux only")
    against = json.loads(args.against.read_text()) if args.against else None
    run = measure(args.command)
    if args.save:
        args.save.write_text(json.dumps(run, indent=1) + "\n")
    report(run, against)
    return run["returncode"]


if __name__ == "__main__":
    sys.exit(main())
