"""Unfinished uploads and leftover temporaries: a page cannot exhaust descriptors, and nothing stale stays behind."""

from __future__ import annotations

import base64
import os
import time
from pathlib import Path

import httpx

from desktop.bridge import Bridge, Grant, GrantSet
from desktop.bridge.atomic import is_sweepable, sweep
from desktop.bridge.bridge import MAX_UPLOADS


def _open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_a_page_cannot_open_a_thousand_uploads(bridge_site, tmp_path):
    """One page opened 1,019 uploads and the process ran out of descriptors: now the 17th is refused, clearly."""
    data = tmp_path / "data"
    data.mkdir()
    site = bridge_site(write=[data])
    site.token()
    before = _open_descriptors()
    with httpx.Client(headers=site.headers(), timeout=30) as client:
        answers = [client.post(site.api + "write_begin", json={"path": str(data / f"f{n}.bin")}) for n in range(1019)]
    opened = [a.json()["result"]["upload"] for a in answers if a.status_code == 200]
    refused = [a for a in answers if a.status_code != 200]
    assert len(opened) == MAX_UPLOADS and len(refused) == 1019 - MAX_UPLOADS
    error = refused[0].json()["error"]
    assert refused[0].status_code == 429 and error["errno"] == "EMFILE"
    assert "unfinished uploads" in error["message"] and "write_abort" in error["message"]
    assert _open_descriptors() - before <= 2 * MAX_UPLOADS + 8  # a temporary file and its folder per upload
    site.call("write_abort", upload=opened[0])
    again = site.call("write_begin", path=str(data / "later.bin"))
    assert again.status_code == 200, "finishing one makes room for the next"
    for upload in opened[1:] + [again.json()["result"]["upload"]]:
        assert site.call("write_abort", upload=upload).status_code == 200
    assert list(data.iterdir()) == [] and _open_descriptors() - before <= 8


def test_an_idle_upload_is_dropped_by_the_timer(bridge_site, tmp_path):
    """Without any further call from the page (it crashed or closed), an idle upload's temporary is removed."""
    data = tmp_path / "data"
    data.mkdir()
    site = bridge_site(write=[data], upload_idle=0.3)
    upload = site.call("write_begin", path=str(data / "big.bin")).json()["result"]["upload"]
    assert site.call("write_chunk", upload=upload, data=base64.b64encode(b"x" * 100).decode()).status_code == 200
    assert [p for p in data.iterdir() if p.name.startswith(".big.bin")], "the temporary exists while the upload runs"
    deadline = time.monotonic() + 10
    while any(data.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert list(data.iterdir()) == []
    late = site.call("write_chunk", upload=upload, data="eA==")
    assert late.status_code == 400 and "idle too long" in late.json()["error"]["message"]


def test_a_page_has_a_bounded_number_of_watches(bridge_site, tmp_path):
    data = tmp_path / "data"
    for n in range(5):
        (data / f"d{n}").mkdir(parents=True)
    site = bridge_site(read=[data], max_watches=3)
    answers = [site.call("watch", path=str(data / f"d{n}"), client=f"client{n % 2}xyz") for n in range(5)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]  # per page, whatever the client id
    assert "watches" in answers[3].json()["error"]["message"]
    first = answers[0].json()["result"]["watch"]
    assert site.call("unwatch", watch=first, client="client0xyz").json()["result"] is True
    assert site.call("watch", path=str(data / "d4"), client="client1xyz").status_code == 200


def test_a_busy_upload_is_not_dropped(bridge_site, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    site = bridge_site(write=[data], upload_idle=1.0)
    upload = site.call("write_begin", path=str(data / "slow.bin")).json()["result"]["upload"]
    for _ in range(8):  # 2.4 s in all, never 1 s idle
        assert site.call("write_chunk", upload=upload, data="eHh4").status_code == 200
        time.sleep(0.3)
    assert site.call("write_commit", upload=upload).json()["result"]["size"] == 24
    assert (data / "slow.bin").read_bytes() == b"xxx" * 8


def _old(path: Path) -> Path:
    os.utime(path, (time.time() - 3600, time.time() - 3600), follow_symlinks=False)
    return path


def _stale(path: Path, text: str = "half a file") -> Path:
    path.write_text(text)
    return _old(path)


def test_the_start_sweeps_temporaries_in_subfolders_and_nothing_else(tmp_path):
    data, outside = tmp_path / "data", tmp_path / "outside"
    (data / "a" / "b" / "c").mkdir(parents=True)
    outside.mkdir()
    stale = [_stale(data / ".top.csv.desktop-tmp-00aa00aa00aa"),
             _stale(data / "a" / "b" / "c" / ".deep.csv.desktop-tmp-0123456789ab")]
    young = data / "a" / ".young.csv.desktop-tmp-abcdefabcdef"
    young.write_text("being written")
    kept = [young] + [_stale(data / "a" / name, "mine") for name in (
        ".x.desktop-tmp-XYZ", "notes.desktop-tmp-0123456789ab", ".x.desktop-tmp-0123456789abc")]
    (data / "a" / ".dir.desktop-tmp-0123456789ab").mkdir()  # a folder with the pattern: not a temporary file
    kept.append(_old(data / "a" / ".dir.desktop-tmp-0123456789ab"))
    outside_temp = _stale(outside / ".o.csv.desktop-tmp-0123456789ab", "outside")
    (data / "a" / "door").symlink_to(outside, target_is_directory=True)  # never followed
    bridge = Bridge(GrantSet([Grant.of(data, write=True)]), log_dir=tmp_path / "logs")
    bridge.close()
    assert sorted(bridge.swept) == sorted(stale)
    assert not any(p.exists() for p in stale)
    assert all(p.exists() for p in kept) and outside_temp.exists()


class PersonWhoPicks:
    """Stands in for the person at the dialog (the window's pickers are tested in test_dialogs_gui.py)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def choose_folder(self, origin: str) -> Path:
        return self.folder


def test_a_folder_granted_by_the_dialog_is_swept_too(bridge_site, tmp_path):
    picked = tmp_path / "picked"
    (picked / "sub").mkdir(parents=True)
    stale = _stale(picked / "sub" / ".r.csv.desktop-tmp-0123456789ab")
    site = bridge_site(dialogs=PersonWhoPicks(picked))
    assert site.call("choose_folder").json()["result"] == str(picked)
    assert not stale.exists() and stale in site.bridge.swept


def test_the_sweep_is_bounded(tmp_path):
    deep = tmp_path.joinpath(*[f"d{n}" for n in range(40)])
    deep.mkdir(parents=True)
    temp = _stale(deep / ".f.desktop-tmp-0123456789ab")
    shallow = _stale(tmp_path / "d0" / ".g.desktop-tmp-0123456789ab")
    assert sweep(tmp_path, older_than=60, depth=32) == [shallow]  # 40 levels down is past the depth bound
    assert temp.exists()
    assert sweep(tmp_path, older_than=60, depth=64, max_entries=5) == []  # stops after 5 entries
    assert sweep(tmp_path, older_than=60, depth=64) == [temp]


def test_only_the_writers_own_names_are_sweepable():
    assert is_sweepable(".q3.csv.desktop-tmp-00aa00aa00aa")
    for name in ("q3.csv.desktop-tmp-00aa00aa00aa", ".q3.csv.desktop-tmp-00AA00AA00AA", ".desktop-tmp-00aa00aa00aa",
                 ".q3.csv.desktop-tmp-00aa00aa00a", ".q3.csv.desktop-tmp-00aa00aa00aa.bak", ".q3.csv"):
        assert not is_sweepable(name), name
