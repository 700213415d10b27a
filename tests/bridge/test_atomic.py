"""Atomic writes: a killed writer, a full disk or an I/O error never leave a torn file or lose the original."""

from __future__ import annotations

import base64
import errno
import hashlib
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from desktop.bridge.atomic import AtomicWriter, is_temp_name, sweep, write_atomic

WRITER = r"""
import hashlib, sys
from pathlib import Path
from desktop.bridge.atomic import write_atomic
target, round_ = Path(sys.argv[1]), int(sys.argv[2])
print("ready", flush=True)
n = 0
while True:
    n += 1
    payload = (f"round {round_} write {n} ".encode() * 40000)[: 1_000_000 + n]
    header = f"{len(payload)} {hashlib.sha256(payload).hexdigest()}\n".encode()
    write_atomic(target, header + payload)
"""


def _complete(data: bytes) -> bool:
    header, _, payload = data.partition(b"\n")
    try:
        length, digest = header.decode().split()
    except ValueError:
        return False
    return len(payload) == int(length) and hashlib.sha256(payload).hexdigest() == digest


def test_killing_the_writer_during_30_writes_leaves_no_torn_file(tmp_path):
    target = tmp_path / "data.bin"
    first = b"original"
    target.write_bytes(b"%d %s\n" % (len(first), hashlib.sha256(first).hexdigest().encode()) + first)
    rng = random.Random(5)
    torn, versions = 0, set()
    for round_ in range(30):
        child = subprocess.Popen([sys.executable, "-c", WRITER, str(target), str(round_)], stdout=subprocess.PIPE,
                                 cwd=Path(__file__).resolve().parents[2])
        assert child.stdout.readline().strip() == b"ready"
        time.sleep(rng.uniform(0.005, 0.15))  # mid-write: each write takes a few milliseconds
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
        data = target.read_bytes()
        torn += not _complete(data)
        versions.add(data[:60])
    assert torn == 0
    assert len(versions) > 10, "the writers were killed before they wrote anything"
    leftovers = [p for p in tmp_path.iterdir() if is_temp_name(p.name)]
    assert leftovers, "a SIGKILL mid-write leaves its temporary file (swept at the next start)"
    assert sorted(sweep(tmp_path, older_than=0)) == sorted(leftovers)
    assert [p.name for p in tmp_path.iterdir()] == ["data.bin"]


@pytest.mark.parametrize("failing, code", [("write", errno.ENOSPC), ("write", errno.EIO), ("fsync", errno.EIO),
                                           ("fsync", errno.ENOSPC), ("rename", errno.EIO)])
def test_injected_disk_errors_leave_the_original_byte_identical(tmp_path, monkeypatch, failing, code):
    target = tmp_path / "report.csv"
    original = os.urandom(50_000)
    target.write_bytes(original)
    real = {"write": os.write, "fsync": os.fsync, "rename": os.rename}[failing]
    calls = {"n": 0}

    def faulty(*args, **_kwargs):
        calls["n"] += 1
        if failing == "write" and calls["n"] == 1:
            return real(args[0], bytes(args[1])[:1000])  # a short write first, as a filling disk does
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, failing, faulty)
    with pytest.raises(OSError) as raised:
        write_atomic(target, b"new contents " * 10_000)
    monkeypatch.undo()
    assert raised.value.errno == code
    assert target.read_bytes() == original
    assert [p.name for p in tmp_path.iterdir()] == ["report.csv"], "the temporary file is cleaned up"


def test_disk_full_through_the_api_reaches_the_page_as_an_error_and_keeps_the_original(bridge_site, tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    (data / "keep.txt").write_bytes(b"original bytes")
    site = bridge_site(write=[data])
    token = site.token()

    def full(*_args):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    response = site.call("write", token, path=str(data / "keep.txt"), data=base64.b64encode(b"new" * 1000).decode())
    monkeypatch.undo()
    assert response.status_code == 507
    assert response.json()["error"] == {"errno": "ENOSPC", "message": f"No space left on device: {data / 'keep.txt'}"}
    assert (data / "keep.txt").read_bytes() == b"original bytes"
    assert sorted(p.name for p in data.iterdir()) == ["keep.txt"]


def test_concurrent_writers_never_produce_a_torn_file(tmp_path):
    target = tmp_path / "shared.bin"
    write_atomic(target, b"0 " + hashlib.sha256(b"").hexdigest().encode() + b"\n")
    stop = threading.Event()
    bad: list[bytes] = []

    def reader() -> None:
        while not stop.is_set():
            data = target.read_bytes()
            if not _complete(data):
                bad.append(data[:80])

    def writer(k: int) -> None:
        for n in range(15):
            payload = bytes([65 + k]) * (200_000 + 1000 * n)
            write_atomic(target, b"%d %s\n" % (len(payload), hashlib.sha256(payload).hexdigest().encode()) + payload)

    watcher = threading.Thread(target=reader)
    watcher.start()
    writers = [threading.Thread(target=writer, args=(k,)) for k in range(6)]
    for t in writers:
        t.start()
    for t in writers:
        t.join()
    stop.set()
    watcher.join()
    assert bad == []
    assert _complete(target.read_bytes())
    assert [p.name for p in tmp_path.iterdir()] == ["shared.bin"]


def test_replacing_keeps_the_file_mode(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("old")
    os.chmod(real, 0o640)
    write_atomic(real, b"new")
    assert real.read_text() == "new" and (real.stat().st_mode & 0o777) == 0o640



def _descriptors_of_deleted(folder: Path) -> list[str]:
    """This process's open descriptors on files in `folder` that no longer have a name."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            where = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if where.startswith(str(folder)) and where.endswith(" (deleted)"):
            found.append(where)
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/fd")
def test_a_replaced_large_file_is_held_through_the_rename_and_then_closed(tmp_path):
    """Renaming over a large file frees its blocks inside the rename (20-25 ms for 100 MB, at the end of
    every large write): the commit holds it open across the rename and closes it on a thread of its own.
    The rule: only a regular file of 1 MiB or more, never through a symlink; and no descriptor is left."""
    target = tmp_path / "data.bin"
    target.write_bytes(b"o" * (2 << 20))
    old_inode = target.stat().st_ino

    writer = AtomicWriter(target)
    held = writer._hold_replaced()
    assert held is not None and os.fstat(held).st_ino == old_inode
    os.close(held)
    writer.abort()

    small = tmp_path / "small.bin"
    small.write_bytes(b"s" * 1000)
    link = tmp_path / "link.bin"
    link.symlink_to(target)
    for name in ("small.bin", "link.bin", "missing.bin"):
        writer = AtomicWriter(tmp_path / name)
        assert writer._hold_replaced() is None, name
        writer.abort()

    for round_ in range(20):
        write_atomic(target, bytes([round_]) * (2 << 20))
        assert target.read_bytes() == bytes([round_]) * (2 << 20)
    deadline = time.monotonic() + 10
    while _descriptors_of_deleted(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _descriptors_of_deleted(tmp_path) == []
    assert link.is_symlink() and small.read_bytes() == b"s" * 1000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.bin", "link.bin", "small.bin"]

def test_abort_leaves_nothing(tmp_path):
    writer = AtomicWriter(tmp_path / "x.txt")
    writer.write(b"partial")
    writer.abort()
    assert list(tmp_path.iterdir()) == []


def test_a_write_after_abort_is_a_clear_error(tmp_path):
    """The bridge's timer may drop an idle upload while a late chunk arrives: an OSError, not an internal error."""
    writer = AtomicWriter(tmp_path / "x.txt")
    writer.abort()
    with pytest.raises(OSError) as raised:
        writer.write(b"late")
    assert raised.value.errno == errno.EBADF and "idle too long" in raised.value.strerror
    assert list(tmp_path.iterdir()) == []


def test_exclusive_commit_never_replaces_a_file_made_meanwhile(tmp_path):
    writer = AtomicWriter(tmp_path / "new.txt")
    writer.write(b"mine")
    (tmp_path / "new.txt").write_text("theirs")
    with pytest.raises(FileExistsError):
        writer.commit(exclusive=True)
    assert (tmp_path / "new.txt").read_text() == "theirs" and [p.name for p in tmp_path.iterdir()] == ["new.txt"]


def test_sweep_keeps_young_temporaries_and_other_files(tmp_path):
    young = tmp_path / ".a.csv.desktop-tmp-0123456789ab"
    old = tmp_path / ".b.csv.desktop-tmp-ba9876543210"
    normal = tmp_path / "notes.desktop-tmp-not-hidden"
    for p in (young, old, normal):
        p.write_text("x")
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    assert sweep(tmp_path, older_than=60) == [old]
    assert young.exists() and normal.exists() and not old.exists()


def test_bridge_start_sweeps_writable_grants(tmp_path):
    from desktop.bridge import Bridge, Grant, GrantSet

    stale = tmp_path / ".q3.csv.desktop-tmp-00aa00aa00aa"
    stale.write_text("half a file")
    os.utime(stale, (time.time() - 3600, time.time() - 3600))
    bridge = Bridge(GrantSet([Grant.of(tmp_path, write=True)]), log_dir=tmp_path / "logs")
    assert bridge.swept == [stale] and not stale.exists()


def test_writing_through_a_symlink_inside_the_grant_replaces_the_real_file_and_keeps_the_link(bridge_site, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "real.txt").write_text("old")
    (data / "link.txt").symlink_to(data / "real.txt")
    site = bridge_site(write=[data])
    response = site.call("write", path=str(data / "link.txt"), data=base64.b64encode(b"new").decode())
    assert response.json()["result"]["path"] == str(data / "real.txt")
    assert (data / "link.txt").is_symlink() and (data / "real.txt").read_text() == "new"
