"""window.desktop.files.writeBytes (the page's JavaScript) sends a large file in parallel parts, like
Python's write_bytes: a real page in Chromium, the real server and bridge, real files in a temp dir."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

MIB = 1 << 20
PAGE = "<!doctype html><html><head><title>js writes</title></head><body></body></html>"

# 64 MiB of random bytes made in the page, written with writeBytes; the page's own SHA-256 of them.
WRITE_64 = """async (path) => {
    const bytes = new Uint8Array(64 << 20);
    for (let i = 0; i < bytes.length; i += 65536) crypto.getRandomValues(bytes.subarray(i, i + 65536));
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    const size = await desktop.files.writeBytes(path, bytes);
    return {size, sha: Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("")};
}"""

REFUSALS = """async ([outside, readonly, existing]) => {
    const bytes = new Uint8Array(9 << 20).fill(7);  // above one part: the parallel path
    const out = {};
    for (const [name, path, options] of [["outside", outside, {}], ["readonly", readonly, {}],
                                         ["exclusive", existing, {exclusive: true}]]) {
        try { await desktop.files.writeBytes(path, bytes, options); out[name] = "written"; }
        catch (e) { out[name] = e.name + ": " + e.message; }
    }
    return out;
}"""


class Reader(threading.Thread):
    """Reads the target again and again while the page writes it: what another program would see."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path, self.seen, self.stop = path, [], threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            data = self.path.read_bytes()
            self.seen.append((len(data), hashlib.sha256(data).hexdigest()))


def test_write_bytes_from_javascript_goes_in_parallel_parts_and_appears_whole(bridge_site, browser_page, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    target = data / "big.bin"
    old = b"the old file\n" * 1000
    target.write_bytes(old)
    site = bridge_site(write=[data], pages={"index.html": PAGE})
    run = browser_page(site.server.url)
    in_flight, most = [0], [0]

    def started(request) -> None:  # request: Playwright's Request
        if request.url.endswith("/write_chunk"):
            in_flight[0] += 1
            most[0] = max(most[0], in_flight[0])

    def ended(request) -> None:
        if request.url.endswith("/write_chunk"):
            in_flight[0] -= 1

    run.page.on("request", started)
    run.page.on("requestfinished", ended)
    run.page.on("requestfailed", ended)
    reader = Reader(target)
    reader.start()
    try:
        result = run.page.evaluate(WRITE_64, str(target))
    finally:
        reader.stop.set()
        reader.join()

    assert result["size"] == 64 * MIB
    assert target.stat().st_size == 64 * MIB and hashlib.sha256(target.read_bytes()).hexdigest() == result["sha"]
    # atomic: whatever another program read was the old file or the whole new one, never a part
    old_seen = (len(old), hashlib.sha256(old).hexdigest())
    assert reader.seen and set(reader.seen) <= {old_seen, (64 * MIB, result["sha"])}, set(reader.seen)
    assert reader.seen[0] == old_seen
    ops = [e["op"] for e in site.bridge.audit.entries() if e["outcome"] == "ok"]  # (this page's calls only)
    assert ops.count("write_chunk") == 4 and ops.count("write_commit") == 1, ops
    assert "write" not in ops and "write_begin" not in ops  # not one long request; the first part began it
    assert most[0] >= 2, f"the parts went one at a time (at most {most[0]} in flight)"
    assert not [p.name for p in data.iterdir() if p.name.startswith(".")]  # no temporaries left
    assert run.errors == []


def test_write_bytes_from_javascript_refusals_are_clear_and_leave_nothing(bridge_site, browser_page, tmp_path):
    data, readonly, outside = tmp_path / "data", tmp_path / "readonly", tmp_path / "outside"
    for folder in (data, readonly, outside):
        folder.mkdir()
    (data / "exists.bin").write_bytes(b"keep me")
    site = bridge_site(read=[readonly], write=[data], pages={"index.html": PAGE})
    run = browser_page(site.server.url)
    out = run.page.evaluate(REFUSALS, [str(outside / "x.bin"), str(readonly / "x.bin"), str(data / "exists.bin")])
    assert out["outside"].startswith(f"PermissionError: Not granted: {outside / 'x.bin'} is outside the folders"), out
    assert "--allow-write" in out["outside"]
    assert out["readonly"].startswith(f"PermissionError: Not granted: {readonly / 'x.bin'} may be read but not written"), out
    assert out["exclusive"].startswith("FileExistsError:"), out
    assert (data / "exists.bin").read_bytes() == b"keep me"
    assert [p.name for p in outside.iterdir()] == [] and [p.name for p in readonly.iterdir()] == []
    assert sorted(p.name for p in data.iterdir()) == ["exists.bin"]
    # refused in the first parts, which start the upload (no write_begin): none was taken
    assert not [e for e in site.bridge.audit.entries() if e["op"] == "write_chunk" and e["outcome"] == "ok"]
    assert run.errors == []
