"""The raw transport (application/octet-stream bodies, Range reads) keeps every rule of the JSON one:
grants, path checks, token, Origin, caps (real requests to a real PageServer on loopback)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from desktop.bridge import Limits

SECRET = "TOP-SECRET-CONTENT"
RAW = "application/octet-stream"


@pytest.fixture
def world(tmp_path: Path):
    data, secret = tmp_path / "data", tmp_path / "secret"
    data.mkdir(), secret.mkdir()
    (secret / "key.txt").write_text(SECRET)
    (data / "ten.bin").write_bytes(bytes(range(10)) * 100)  # 1000 bytes
    return data, secret


@pytest.fixture
def site(bridge_site, world):
    data, _ = world
    return bridge_site(write=[data], limits=Limits(max_read=2000, max_write=3000, chunk=512))


def read(site, path: str, *, byte_range: str | None = None, **headers: str) -> httpx.Response:
    extra = {"Accept": RAW, **({"Range": byte_range} if byte_range else {}), **headers}
    return httpx.post(site.api + "read", headers=site.headers(**extra), json={"path": path}, timeout=30)


def write(site, args: dict, body: bytes, op: str = "write", **headers: str) -> httpx.Response:
    extra = {"Content-Type": RAW, "X-Desktop-Args": json.dumps(args), **headers}
    return httpx.post(site.api + op, headers=site.headers(**extra), content=body, timeout=30)


def test_raw_read_whole_and_range(site, world):
    data, _ = world
    whole = read(site, str(data / "ten.bin"))
    assert whole.status_code == 200 and whole.headers["content-type"] == RAW
    assert whole.content == (data / "ten.bin").read_bytes() and whole.headers["x-desktop-size"] == "1000"
    part = read(site, str(data / "ten.bin"), byte_range="bytes=5-14")
    assert part.status_code == 206 and part.content == (data / "ten.bin").read_bytes()[5:15]
    assert part.headers["content-range"] == "bytes 5-14/1000"
    assert read(site, str(data / "ten.bin"), byte_range="bytes=2000-2999").content == b""


def test_raw_read_keeps_the_grants_and_the_cap(site, world):
    data, secret = world
    for path in (str(secret / "key.txt"), f"{data}/../secret/key.txt", "../secret/key.txt"):
        refused = read(site, path)
        assert refused.status_code in (400, 403, 404) and SECRET not in refused.text, (path, refused.text)
    (data / "big.bin").write_bytes(b"x" * 2500)
    capped = read(site, str(data / "big.bin"))
    assert capped.status_code == 413 and "desktop.files.open" in capped.json()["error"]["message"]
    assert read(site, str(data / "big.bin"), byte_range="bytes=2000-2499").content == b"x" * 500  # parts are fine
    assert read(site, str(data / "ten.bin"), byte_range="bytes=9-3").status_code == 400
    assert read(site, str(data / "ten.bin"), byte_range="bytes=0-1,5-6").status_code == 400


def test_raw_write_is_atomic_checked_and_capped(site, world):
    data, secret = world
    ok = write(site, {"path": str(data / "new.bin")}, b"\x00\xff" * 1000)
    assert ok.status_code == 200 and (data / "new.bin").read_bytes() == b"\x00\xff" * 1000
    assert write(site, {"path": str(secret / "key.txt")}, b"pwned").status_code == 403
    assert (secret / "key.txt").read_text() == SECRET
    too_big = write(site, {"path": str(data / "huge.bin")}, b"y" * 3001)
    assert too_big.status_code == 413 and not (data / "huge.bin").exists()
    assert write(site, {"path": str(data / "x.bin")}, b"1", **{"X-Desktop-Args": "{not json"}).status_code == 400
    # octet-stream bodies only for the operations that take bytes
    assert write(site, {"path": str(data / "x")}, b"1", op="mkdir").status_code == 415
    assert write(site, {"path": str(data / "x.bin")}, b"1", Origin="http://127.0.0.1:1").status_code == 403
    assert write(site, {"path": str(data / "x.bin")}, b"1", **{"X-Desktop-Token": "wrong"}).status_code == 403
    assert not (data / "x.bin").exists() and not (data / "x").exists()
    assert not [p for p in data.iterdir() if p.name.startswith(".")]  # no temporaries left


def test_streamed_upload_is_not_capped_but_a_plain_one_is(site, world):
    data, _ = world
    plain = site.call("write_begin", path=str(data / "plain.bin")).json()["result"]["upload"]
    assert write(site, {"upload": plain}, b"a" * 2000, op="write_chunk").status_code == 200
    assert write(site, {"upload": plain}, b"a" * 2000, op="write_chunk").status_code == 413  # 4000 > max_write
    streamed = site.call("write_begin", path=str(data / "stream.bin"), stream=True).json()["result"]["upload"]
    for _ in range(3):
        assert write(site, {"upload": streamed}, b"b" * 2000, op="write_chunk").status_code == 200
    assert site.call("write_commit", upload=streamed).status_code == 200
    assert (data / "stream.bin").stat().st_size == 6000 and not (data / "plain.bin").exists()


def test_parts_at_offsets_land_in_place_in_any_order_and_in_parallel(site, world):
    """write_bytes sends a large file's parts in parallel requests, each at its offset."""
    from concurrent.futures import ThreadPoolExecutor

    data, _ = world
    (data / "target.bin").write_bytes(b"old")
    blob = bytes(range(256)) * 11 + b"tail"  # 2820 bytes, parts of 300
    upload = site.call("write_begin", path=str(data / "target.bin"), size=len(blob)).json()["result"]["upload"]
    offsets = list(range(0, len(blob), 300))[::-1]  # last part first
    with ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(lambda o: write(site, {"upload": upload, "offset": o}, blob[o:o + 300],
                                                 op="write_chunk").status_code, offsets))
    assert statuses == [200] * len(offsets)
    assert (data / "target.bin").read_bytes() == b"old"  # nothing visible before the commit
    committed = site.call("write_commit", upload=upload)
    assert committed.status_code == 200 and committed.json()["result"]["size"] == len(blob)
    assert (data / "target.bin").read_bytes() == blob
    assert not [p for p in data.iterdir() if p.name.startswith(".")]



def test_parts_that_carry_begin_start_their_upload_once_with_no_write_begin(site, world):
    """write_bytes sends no write_begin: each part carries `begin` and an id the page made, and the first
    part to arrive, whichever it is, starts the upload (all in parallel, the last part first). The
    path rules and caps are write_begin's, and a late part of an upload that ended starts nothing."""
    import secrets
    from concurrent.futures import ThreadPoolExecutor

    data, secret = world
    blob = bytes(range(256)) * 11 + b"tail"  # 2820 bytes, parts of 300
    offsets = list(range(0, len(blob), 300))[::-1]
    for attempt in range(5):
        target = data / f"begun{attempt}.bin"
        target.write_bytes(b"old")
        upload = secrets.token_hex(12)
        begin = {"path": str(target), "exclusive": False, "size": len(blob)}

        def send(offset: int, upload: str = upload, begin: dict = begin) -> httpx.Response:
            return write(site, {"upload": upload, "begin": begin, "offset": offset, "commit": len(blob)},
                         blob[offset:offset + 300], op="write_chunk")

        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(send, offsets))
        assert [a.status_code for a in answers] == [200] * len(offsets), [a.text for a in answers]
        assert [a.json()["result"].get("committed") for a in answers if "committed" in a.json()["result"]] == [
            {"size": len(blob), "path": str(target)}]
        assert target.read_bytes() == blob
        late = send(0)  # a part of the ended upload (a retry, a replay) starts nothing again
        assert late.status_code == 400 and "has ended" in late.json()["error"]["message"], late.text
        assert target.read_bytes() == blob
    ops = [e["op"] for e in site.bridge.audit.entries() if e["outcome"] == "ok"]
    assert "write_begin" not in ops and ops.count("write_commit") == 5
    # write_begin's rules, in the part that begins: grants, caps, the id's form
    refused = write(site, {"upload": secrets.token_hex(12), "begin": {"path": str(secret / "stolen.bin")}, "offset": 0},
                    b"x", op="write_chunk")
    assert refused.status_code == 403 and not (secret / "stolen.bin").exists(), refused.text
    logged = [e for e in site.bridge.audit.entries() if e["op"] == "write_chunk" and e["outcome"] != "ok"][-1]
    assert logged["path"] == str(secret / "stolen.bin")  # the audit log names the path the part asked for
    too_big = write(site, {"upload": secrets.token_hex(12), "begin": {"path": str(data / "big.bin"), "size": 3001},
                           "offset": 0}, b"x", op="write_chunk")
    assert too_big.status_code == 413 and too_big.json()["error"]["errno"] == "EFBIG", too_big.text
    for bad in ({"upload": "../../x", "begin": {"path": str(data / "b.bin")}, "offset": 0},
                {"upload": secrets.token_hex(12), "begin": "b.bin", "offset": 0},
                {"upload": secrets.token_hex(12), "begin": {"path": str(data / "b.bin")}}):  # (no offset: not a part)
        answer = write(site, bad, b"x", op="write_chunk")
        assert answer.status_code == 400 and answer.json()["error"]["errno"] == "EINVAL", (bad, answer.text)
    assert not (data / "b.bin").exists() and not (data / "big.bin").exists()
    assert not [p for p in data.iterdir() if p.name.startswith(".")]


def test_the_part_that_makes_the_file_whole_commits_it_once(site, world):
    """Parts that carry the file's size (`commit`, as write_bytes sends them): the one that completes
    the file commits it, exactly once even when parts finish together, and says so in its answer;
    until then nothing is visible, and a file with a part missing is never committed."""
    from concurrent.futures import ThreadPoolExecutor

    data, _ = world
    blob = bytes(range(256)) * 11 + b"tail"  # 2820 bytes, parts of 300
    offsets = list(range(0, len(blob), 300))
    for attempt in range(5):
        target = data / f"whole{attempt}.bin"
        target.write_bytes(b"old")
        upload = site.call("write_begin", path=str(target), size=len(blob)).json()["result"]["upload"]

        def send(offset: int, upload: str = upload) -> dict:
            answer = write(site, {"upload": upload, "offset": offset, "commit": len(blob)}, blob[offset:offset + 300],
                           op="write_chunk")
            assert answer.status_code == 200, answer.text
            return answer.json()["result"]

        first = send(offsets[-1])  # the last part first: its end is the file's, yet the file has holes
        assert "committed" not in first and target.read_bytes() == b"old"
        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(send, offsets[:-1][::-1]))
        committed = [r["committed"] for r in results if "committed" in r]
        assert committed == [{"size": len(blob), "path": str(target)}], results
        assert target.read_bytes() == blob
        gone = site.call("write_commit", upload=upload)  # the upload is finished: nothing left to commit
        assert gone.status_code == 400 and "No such upload" in gone.json()["error"]["message"]
    # a part missing: never committed, however many parts said `commit`
    target = data / "holey.bin"
    target.write_bytes(b"old")
    upload = site.call("write_begin", path=str(target), size=len(blob)).json()["result"]["upload"]
    for offset in offsets[1:]:
        answer = write(site, {"upload": upload, "offset": offset, "commit": len(blob)}, blob[offset:offset + 300],
                       op="write_chunk")
        assert answer.status_code == 200 and "committed" not in answer.json()["result"]
    assert target.read_bytes() == b"old"
    # a wrong size (shorter than what was sent) commits nothing either
    answer = write(site, {"upload": upload, "offset": 0, "commit": 100}, blob[:300], op="write_chunk")
    assert answer.status_code == 200 and "committed" not in answer.json()["result"]
    assert site.call("write_commit", upload=upload).json()["result"]["size"] == len(blob)
    assert target.read_bytes() == blob
    assert not [p for p in data.iterdir() if p.name.startswith(".")]
    commits = [e for e in site.bridge.audit.entries() if e["op"] == "write_commit" and e["outcome"] == "ok"]
    assert len(commits) == 6 and {str(data / f"whole{i}.bin") for i in range(5)} <= {e["path"] for e in commits}


def test_a_hole_or_an_overlap_is_refused_and_the_old_file_kept(site, world):
    data, _ = world
    (data / "keep.bin").write_bytes(b"original")
    hole = site.call("write_begin", path=str(data / "keep.bin")).json()["result"]["upload"]
    assert write(site, {"upload": hole, "offset": 0}, b"a" * 100, op="write_chunk").status_code == 200
    assert write(site, {"upload": hole, "offset": 200}, b"c" * 100, op="write_chunk").status_code == 200
    refused = site.call("write_commit", upload=hole)
    assert refused.status_code == 400 and "200 of its 300 bytes" in refused.json()["error"]["message"]
    overlap = site.call("write_begin", path=str(data / "keep.bin")).json()["result"]["upload"]
    assert write(site, {"upload": overlap, "offset": 0}, b"a" * 100, op="write_chunk").status_code == 200
    clash = write(site, {"upload": overlap, "offset": 50}, b"b" * 100, op="write_chunk")
    assert clash.status_code == 400 and "overlap" in clash.json()["error"]["message"]
    assert site.call("write_commit", upload=overlap).status_code == 400  # the upload is gone with the error
    for bad in (-1, "10", 1.5, True):
        upload = site.call("write_begin", path=str(data / "keep.bin")).json()["result"]["upload"]
        assert write(site, {"upload": upload, "offset": bad}, b"x", op="write_chunk").status_code == 400, bad
    assert (data / "keep.bin").read_bytes() == b"original"
    assert not [p for p in data.iterdir() if p.name.startswith(".")]


def test_parts_keep_the_write_cap_and_the_refusal_names_the_streaming_api(site, world):
    data, _ = world
    announced = site.call("write_begin", path=str(data / "huge.bin"), size=3001)
    assert announced.status_code == 413 and "desktop.files.open(path, 'wb')" in announced.json()["error"]["message"]
    upload = site.call("write_begin", path=str(data / "huge.bin")).json()["result"]["upload"]
    past = write(site, {"upload": upload, "offset": 2900}, b"z" * 200, op="write_chunk")  # ends at 3100 > 3000
    assert past.status_code == 413 and "desktop.files.open(path, 'wb')" in past.json()["error"]["message"]
    streamed = site.call("write_begin", path=str(data / "huge.bin"), stream=True, size=3001)
    assert streamed.status_code == 200  # a streamed write has no whole-file cap
    upload = streamed.json()["result"]["upload"]
    assert write(site, {"upload": upload, "offset": 3000}, b"z", op="write_chunk").status_code == 200
    assert write(site, {"upload": upload, "offset": 0}, b"y" * 3000, op="write_chunk").status_code == 200
    assert site.call("write_commit", upload=upload).status_code == 200
    assert (data / "huge.bin").read_bytes() == b"y" * 3000 + b"z"


def _trickle(body: bytes, piece: int):
    """A request body that arrives in small pieces (the host fills its reused buffer over many reads)."""
    for start in range(0, len(body), piece):
        yield body[start:start + piece]


def test_parts_larger_than_the_hosts_buffer_land_byte_exact(bridge_site, world):
    """The host takes a body into one reused 1 MiB buffer: a part of several buffers' worth, sent in
    odd-sized pieces and out of order with others, still lands byte for byte."""
    import os

    data, _ = world
    site = bridge_site(write=[data], limits=Limits(max_write=8 << 20))
    (data / "big.bin").write_bytes(b"old")
    blob = os.urandom((5 << 20) + 12345)
    part = (2 << 20) + 777  # not a multiple of the buffer
    upload = site.call("write_begin", path=str(data / "big.bin"), size=len(blob)).json()["result"]["upload"]
    for offset in sorted(range(0, len(blob), part), reverse=True):
        chunk = blob[offset:offset + part]
        answer = httpx.post(site.api + "write_chunk", timeout=60, content=_trickle(chunk, 70001),
                            headers=site.headers(**{"Content-Type": RAW, "Content-Length": str(len(chunk)),
                                                    "X-Desktop-Args": json.dumps({"upload": upload, "offset": offset})}))
        assert answer.status_code == 200, answer.text
    assert (data / "big.bin").read_bytes() == b"old"
    assert site.call("write_commit", upload=upload).json()["result"]["size"] == len(blob)
    assert (data / "big.bin").read_bytes() == blob
    whole = os.urandom((3 << 20) + 5)  # a plain write (one request) through the same buffer
    assert write(site, {"path": str(data / "one.bin")}, whole).status_code == 200
    assert (data / "one.bin").read_bytes() == whole
    assert not [p for p in data.iterdir() if p.name.startswith(".")]


def test_a_part_cut_short_fails_the_upload_and_keeps_the_old_file(bridge_site, world):
    """A part whose request ends before its Content-Length (the page closed, the network failed):
    the upload is aborted, the old file stays as it was, no temporary file stays behind, and the
    commit says what is missing."""
    import socket
    import time
    from urllib.parse import urlsplit

    data, _ = world
    site = bridge_site(write=[data], limits=Limits(max_write=8 << 20))
    (data / "keep.bin").write_bytes(b"original")
    upload = site.call("write_begin", path=str(data / "keep.bin"), size=4 << 20).json()["result"]["upload"]
    assert write(site, {"upload": upload, "offset": 0}, b"a" * (2 << 20), op="write_chunk").status_code == 200
    url = urlsplit(site.api + "write_chunk")
    headers = site.headers(**{"Content-Type": RAW, "Content-Length": str(2 << 20),
                              "X-Desktop-Args": json.dumps({"upload": upload, "offset": 2 << 20})})
    head = f"POST {url.path} HTTP/1.1\r\nHost: {url.netloc}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    with socket.create_connection((url.hostname, url.port), timeout=30) as conn:
        conn.sendall(head.encode() + b"\r\n" + b"b" * ((1 << 20) + 3))  # half of the part, then the end
        conn.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    # EIO (500): the bridge says the body ended early, with the counts
    assert b" 500 " in answer.split(b"\r\n", 1)[0] and b"The request ended after 1048579 of its 2097152" in answer, answer
    for _ in range(100):  # the abort closes the temporary file in the request's thread
        if not [p for p in data.iterdir() if p.name.startswith(".")]:
            break
        time.sleep(0.05)
    assert not [p for p in data.iterdir() if p.name.startswith(".")]
    refused = site.call("write_commit", upload=upload)
    assert refused.status_code >= 400 and refused.json()["error"]["message"]
    assert (data / "keep.bin").read_bytes() == b"original"
