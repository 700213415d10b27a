"""The watcher (real watchfiles on a real folder) and the page's [desktop.mounts] table."""

from __future__ import annotations

import time

import pytest

from desktop.bridge.inject import page_mounts
from desktop.bridge.watch import Watcher


@pytest.fixture
def watcher():
    w = Watcher(debounce_ms=50)
    yield w
    w.stop()


def test_a_change_under_a_watched_folder_reaches_its_client_only(watcher, tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "elsewhere").mkdir()
    wid = watcher.add("page-a", tmp_path / "sub")
    watcher.add("page-b", tmp_path / "elsewhere")
    time.sleep(0.3)
    (tmp_path / "sub" / "new.csv").write_text("x")
    events = watcher.poll("page-a", timeout=10)
    assert {"watch": wid, "change": "added", "path": str(tmp_path / "sub" / "new.csv")} in events
    assert watcher.poll("page-b", timeout=0.5) == []


def test_a_file_watch_survives_atomic_replacement(watcher, tmp_path):
    from desktop.bridge.atomic import write_atomic

    target = tmp_path / "log.csv"
    target.write_text("a\n")
    wid = watcher.add("c1", target)
    time.sleep(0.3)
    for n in range(3):
        write_atomic(target, f"a\n{n}\n".encode())
        events = watcher.poll("c1", timeout=10)
        assert events and all(e["watch"] == wid and e["path"] == str(target) for e in events), events
        time.sleep(0.2)


def _arm(watcher: Watcher, folder, *clients: str) -> None:
    """Write a probe file until every client's watch has reported it: from then on the watch is running.

    A change made before the watcher thread has armed is lost, so a test that expects "no event"
    without this would pass for the wrong reason."""
    probe = folder / "probe"
    waiting = set(clients)
    deadline = time.monotonic() + 20
    n = 0
    while waiting:
        assert time.monotonic() < deadline, f"no event reached {sorted(waiting)} within 20 s"
        probe.write_text(str(n := n + 1))
        for client in sorted(waiting):
            if any(e["path"] == str(probe) for e in watcher.poll(client, timeout=0.1)):
                waiting.discard(client)


def _until(watcher: Watcher, client: str, path, timeout: float = 10) -> list[dict]:
    """All of `client`'s events up to and including the first one for `path`."""
    seen: list[dict] = []
    deadline = time.monotonic() + timeout
    while not any(e["path"] == str(path) for e in seen):
        assert time.monotonic() < deadline, f"no event for {path} within {timeout} s; got {seen}"
        seen += watcher.poll(client, timeout=0.2)
    return seen


def test_temporary_files_are_not_reported(watcher, tmp_path):
    watcher.add("c1", tmp_path)
    _arm(watcher, tmp_path, "c1")
    watcher.poll("c1", timeout=0)
    (tmp_path / ".x.csv.desktop-tmp-0123456789ab").write_text("half")
    (tmp_path / "x.csv").write_text("whole")  # reported after the temporary file's change would be
    events = _until(watcher, "c1", tmp_path / "x.csv")
    assert all("desktop-tmp" not in e["path"] for e in events), events


def test_removed_watch_stops_reporting(watcher, tmp_path):
    wid = watcher.add("c1", tmp_path)
    watcher.add("c2", tmp_path)  # the same folder for another page: shows the watcher still reports
    _arm(watcher, tmp_path, "c1", "c2")  # c1's watch reported a change before it was removed
    assert watcher.remove("other-client", wid) is False
    assert watcher.remove("c1", wid) is True
    watcher.poll("c1", timeout=0)  # (what arrived before the removal)
    (tmp_path / "f").write_text("x")
    _until(watcher, "c2", tmp_path / "f")  # dispatched to every watch at once: c1's would be queued by now
    assert watcher.poll("c1", timeout=0) == []


def test_a_symlink_in_a_watched_folder_never_reports_the_outside(watcher, tmp_path):
    """watchfiles follows a symlink it meets at start: changes behind it must not reach the page."""
    data, outside = tmp_path / "data", tmp_path / "outside"
    data.mkdir()
    outside.mkdir()
    (data / "door").symlink_to(outside, target_is_directory=True)
    wid = watcher.add("c1", data)
    time.sleep(0.3)
    (outside / "secret-name.txt").write_text("x")
    time.sleep(0.5)
    (data / "inside.txt").write_text("x")
    events = watcher.poll("c1", timeout=10)
    time.sleep(0.3)
    events += watcher.poll("c1", timeout=0.5)
    assert {"watch": wid, "change": "added", "path": str(data / "inside.txt")} in events
    assert not any("secret-name" in e["path"] for e in events), events
    (data / "door").unlink()  # the link replaced by a real folder: nothing from the outside one either
    (data / "door").mkdir()
    time.sleep(0.3)
    (outside / "secret-name.txt").unlink()
    (outside / "other-secret.txt").write_text("x")
    time.sleep(0.5)
    (data / "inside2.txt").write_text("x")
    events = watcher.poll("c1", timeout=10)
    time.sleep(0.3)
    events += watcher.poll("c1", timeout=0.5)
    assert {"watch": wid, "change": "added", "path": str(data / "inside2.txt")} in events
    assert not any("secret" in e["path"] for e in events), events


@pytest.mark.parametrize("point, target, error", [
    ("/data", "~/Documents/sales", None),
    ("/data/", "/srv/x", None),
    ("data", "~/x", "a mount point is an absolute path"),
    ("/", "~/x", "a mount point is an absolute path"),
    ("/lib", "~/x", "belongs to the Python runtime"),
    ("/home/pyodide/x", "~/x", "belongs to the Python runtime"),
    ("/home", "~/x", "belongs to the Python runtime"),
    ("/d/../lib", "~/x", "a mount point is an absolute path"),
    ("/data", "../secret", "'..' segments are not accepted"),
    ("/data", "C:/Users", "drive letters"),
    ("/data", 5, "A path must be a string"),
])
def test_page_mounts_are_checked(point, target, error):
    [mount] = page_mounts({"mounts": {point: target}})
    assert mount["point"] == point.rstrip("/")
    if error is None:
        assert mount["error"] is None
    else:
        assert error in mount["error"]


def test_no_mounts_table():
    assert page_mounts({}) == [] and page_mounts({"mounts": "x"}) == []
