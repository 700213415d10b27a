"""Races: another local process swaps folders inside a write grant for symlinks while the bridge works there.

The swapper is a real subprocess (another program of the same user, or any
user with write access to the granted folder) that renames a prepared symlink
to an outside folder over a subfolder of the grant, and the real folder back,
in a tight loop. Meanwhile the bridge writes, creates folders, renames and
removes many files there. Nothing at all may appear or change outside.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from desktop.bridge.errors import BridgeError
from desktop.bridge.files import FileOps
from desktop.bridge.grants import Grant, GrantSet

SWAPPER = r"""
import os, sys, time
sub, outside, seconds, limit = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
parked, link = sub + ".parked", sub + ".link"
print("ready", flush=True)
deadline, n = time.monotonic() + seconds, 0
while time.monotonic() < deadline and n < limit:
    n += 1
    try:
        if os.path.lexists(link):
            os.unlink(link)
        os.symlink(outside, link)
        os.rename(sub, parked)          # the real folder steps aside...
        os.rename(link, sub)            # ...and a symlink to the outside folder takes its name
        time.sleep(0)
        os.rename(sub, link)            # and back
        os.rename(parked, sub)
    except OSError:
        pass
print(n, flush=True)
"""


def snapshot(folder: Path) -> dict[str, tuple]:
    """Every entry under `folder` (not following symlinks): kind, size, mtime, content digest."""
    seen: dict[str, tuple] = {}
    for dirpath, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(dirpath) / name
            st = path.lstat()
            digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() and not path.is_symlink() else ""
            seen[str(path.relative_to(folder))] = (st.st_mode, st.st_size, st.st_mtime_ns, digest)
    return seen


@pytest.fixture
def arena(tmp_path: Path):
    """data/ (write grant) with data/sub/, and outside/ holding files with the names the bridge will use."""
    data, outside = tmp_path / "data", tmp_path / "outside"
    (data / "sub").mkdir(parents=True)
    outside.mkdir()
    for n in range(0, 400, 7):
        (outside / f"f{n}.txt").write_text(f"outside file {n}")
        (outside / f"g{n}.txt").write_text(f"outside file g{n}")
    (outside / "d3").mkdir()
    ops = FileOps(GrantSet([Grant.of(data, write=True)]), data)
    return data, outside, ops


def _hammer(ops: FileOps, sub: Path, stop: threading.Event, counts: dict[str, int], worker: int) -> None:
    n = worker
    while not stop.is_set():
        n += 2
        steps = (
            lambda: ops.commit(_write(ops, sub / f"f{n % 400}.txt", b"bridge wrote this %d" % n)),
            lambda: ops.mkdir(str(sub / f"d{n % 400}"), exist_ok=True),
            lambda: ops.rename(str(sub / f"f{n % 400}.txt"), str(sub / f"g{n % 400}.txt"), overwrite=True),
            lambda: ops.remove(str(sub / f"g{n % 400}.txt")),
            lambda: ops.remove(str(sub / f"d{n % 400}")),
            lambda: ops.read(str(sub / f"f{n % 400}.txt")),
            lambda: ops.listdir(str(sub)),
        )
        for step in steps:
            try:
                step()
                counts["ok"] += 1
            except BridgeError:
                counts["refused"] += 1
            except OSError:
                counts["oserror"] += 1


def _write(ops: FileOps, path: Path, data: bytes):
    writer = ops.writer(str(path))
    ops.write_chunk(writer, data)
    return writer


def test_swapping_a_subfolder_for_a_symlink_during_writes_lands_nothing_outside(arena):
    data, outside, ops = arena
    before = snapshot(outside)
    swapper = subprocess.Popen([sys.executable, "-c", SWAPPER, str(data / "sub"), str(outside), "4", "200000"],
                               stdout=subprocess.PIPE, text=True)
    assert swapper.stdout.readline().strip() == "ready"
    stop = threading.Event()
    counts = {"ok": 0, "refused": 0, "oserror": 0}
    workers = [threading.Thread(target=_hammer, args=(ops, data / "sub", stop, counts, k)) for k in range(2)]
    for w in workers:
        w.start()
    swaps = int(swapper.stdout.readline())
    swapper.wait(timeout=30)
    stop.set()
    for w in workers:
        w.join()
    after = snapshot(outside)
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    assert swaps > 100 and counts["ok"] > 100, (swaps, counts)  # the race really ran, both sides busy
    assert changed == [], f"{len(changed)} entries appeared or changed outside the grant: {changed[:10]}"
