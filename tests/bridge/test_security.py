"""The bridge's security suite: every way in is refused (real requests to a real PageServer on loopback).

Path spellings, symlink escapes, forged Host and Origin, missing or wrong
tokens, cross-site requests, methods and operation names off the list,
oversized payloads; and in Chromium, pages of another origin and a page that
navigated away.
"""

from __future__ import annotations

import base64
import os
import socket
from pathlib import Path

import httpx
import pytest

from desktop.bridge import Limits

SECRET = "TOP-SECRET-CONTENT"


@pytest.fixture(scope="module")
def arena(tmp_path_factory):
    """The module's write grant (`data`) next to a secret folder nobody granted."""
    root = tmp_path_factory.mktemp("arena")
    data, secret = root / "data", root / "secret"
    data.mkdir()
    secret.mkdir()
    (secret / "key.txt").write_text(SECRET)
    return data, secret


@pytest.fixture(scope="module")
def site(module_bridge_site, arena):
    """One server for the module (requests only; each test works in its own folder inside the grant)."""
    return module_bridge_site(write=[arena[0]], limits=Limits(max_read=1024, max_write=2048, chunk=512))


@pytest.fixture
def world(arena):
    """A fresh folder inside the write grant for this test, and the secret folder outside it."""
    grant, secret = arena
    data = grant / f"t{len(list(grant.iterdir()))}"
    data.mkdir()
    (data / "ok.txt").write_text("fine")
    (data / "Sub").mkdir()
    return data, secret


def refused(response: httpx.Response, *statuses: int) -> None:
    assert response.status_code in (statuses or (400, 403, 404, 405, 411, 413, 415)), (response.status_code, response.text)
    assert SECRET not in response.text
    assert not any(h.lower().startswith("access-control-") for h in response.headers), "no CORS headers, ever"


# -- path spellings ---------------------------------------------------------------------------------
BAD_SPELLINGS = [
    "../secret/key.txt",
    "{data}/../secret/key.txt",
    "{data}/Sub/../../secret/key.txt",
    "..",
    "./../secret/key.txt",
    "{data}/..",
    "..\\secret\\key.txt",
    "{data}\\..\\secret\\key.txt",
    "C:/Windows/win.ini",
    "c:secret",
    "C:\\Users",
    "\\\\server\\share\\key.txt",
    "//server/share/key.txt",
    "\\\\?\\C:\\key.txt",
    "\\\\.\\PhysicalDrive0",
    "{data}/ok.txt::$DATA",
    "{data}/ok.txt:stream",
    "{data}/CON",
    "{data}/nul.txt",
    "{data}/COM1",
    "{data}/lpt9.log",
    "{data}/aux",
    "{data}/con .txt",
    "{data}/ok.txt.",
    "{data}/ok.txt ",
    "{data}/ sub",
    "{data}/ok\x00.txt",
    "{data}/ok\n.txt",
    "{data}/" + "a" * 256,
    "{data}/" + "a/" * 2100,
    "~root/.bashrc",
    "~other",
    "{secret}/key.txt",
    "/etc/passwd",
    "/",
    "~",
    "{data}/../../../../../../etc/passwd",
]


@pytest.mark.parametrize("spelling", BAD_SPELLINGS, ids=lambda s: repr(s[:40]))
def test_path_spelling_refused(site, world, spelling):
    data, secret = world
    path = spelling.replace("{data}", str(data)).replace("{secret}", str(secret))
    for op, args in (("read", {"path": path}), ("write", {"path": path, "data": "eA=="})):
        response = site.call(op, **args)
        refused(response, 400, 403)
        assert response.json()["error"]["errno"] in ("EACCES", "EINVAL")
    assert (secret / "key.txt").read_text() == SECRET


@pytest.mark.parametrize("value", [123, None, ["a"], {"p": 1}, ""])
def test_path_that_is_not_a_string_is_refused(site, value):
    response = site.call("read", path=value)
    refused(response, 400)
    assert response.json()["error"]["errno"] == "EINVAL"


def _case_insensitive(folder: Path) -> bool:
    probe = folder / "CaseProbe"
    probe.write_text("x")
    try:
        return (folder / "caseprobe").exists()
    finally:
        probe.unlink()


@pytest.mark.parametrize("spelling", ["SUB", "sub", "sUB"])
def test_case_variant_never_reaches_the_folder_under_another_name(site, world, spelling):
    """Here (case-sensitive disk) a variant is another, missing name; on a case-insensitive disk it is refused."""
    data, _ = world
    (data / "Sub" / "in.txt").write_text("inside Sub")
    response = site.call("read", path=str(data / spelling / "in.txt"))
    refused(response, 403, 404)
    if _case_insensitive(data):
        assert "spelled 'Sub' on disk" in response.json()["error"]["message"]
    else:
        assert response.json()["error"]["errno"] == "ENOENT"


def test_percent_encoding_is_not_decoded_into_a_traversal(site, world):
    data, _ = world
    response = site.call("read", path=f"{data}/%2e%2e/secret/key.txt")
    refused(response, 404)


# -- symlink escapes --------------------------------------------------------------------------------
def test_symlink_to_a_file_outside_is_refused(site, world):
    data, secret = world
    (data / "link.txt").symlink_to(secret / "key.txt")
    refused(site.call("read", path=str(data / "link.txt")), 403)


def test_symlinked_folder_outside_is_refused(site, world):
    data, secret = world
    (data / "door").symlink_to(secret, target_is_directory=True)
    refused(site.call("read", path=str(data / "door" / "key.txt")), 403)
    refused(site.call("listdir", path=str(data / "door")), 403)


def test_symlink_chain_leading_outside_is_refused(site, world):
    data, secret = world
    (data / "b").symlink_to(secret / "key.txt")
    (data / "a").symlink_to(data / "b")
    refused(site.call("read", path=str(data / "a")), 403)


def test_symlink_to_root_is_refused(site, world):
    data, _ = world
    (data / "root").symlink_to("/")
    refused(site.call("read", path=str(data / "root" / "etc" / "passwd")), 403)


def test_write_through_a_symlink_outside_is_refused(site, world):
    data, secret = world
    (data / "out.txt").symlink_to(secret / "key.txt")
    refused(site.call("write", path=str(data / "out.txt"), data=base64.b64encode(b"pwned").decode()), 403)
    assert (secret / "key.txt").read_text() == SECRET


def test_symlink_loop_is_refused_without_hanging(site, world):
    data, _ = world
    (data / "loop1").symlink_to(data / "loop2")
    (data / "loop2").symlink_to(data / "loop1")
    refused(site.call("read", path=str(data / "loop1")))


def test_rename_into_a_folder_outside_is_refused(site, world):
    data, secret = world
    (data / "door").symlink_to(secret, target_is_directory=True)
    refused(site.call("rename", src=str(data / "ok.txt"), dst=str(data / "door" / "stolen.txt")), 403)
    assert (data / "ok.txt").exists() and not (secret / "stolen.txt").exists()


def test_mkdir_and_remove_outside_are_refused(site, world):
    _, secret = world
    refused(site.call("mkdir", path=str(secret / "new")), 403)
    refused(site.call("remove", path=str(secret / "key.txt")), 403)
    assert (secret / "key.txt").exists() and not (secret / "new").exists()


def test_page_folder_is_read_only(site):
    refused(site.call("write", path="index.html", data="eA=="), 403)
    assert site.call("read", path="index.html").status_code == 200


def test_granted_root_itself_cannot_be_removed_or_moved(site, arena):
    data, _ = arena
    refused(site.call("remove", path=str(data)), 403)
    refused(site.call("rename", src=str(data), dst=str(data / "inner")), 403)
    assert data.is_dir()


# -- every operation: paths outside, symlinks out of the grant, refusal messages -----------------------
def _snapshot(folder: Path) -> dict:
    out = {}
    for path in sorted(folder.rglob("*")):
        st = path.lstat()
        out[str(path)] = (st.st_mode, st.st_size, st.st_mtime_ns,
                          path.read_bytes() if path.is_file() and not path.is_symlink() else b"")
    return out


#: Every bridge operation that takes a path, with its arguments for a path `p` (`d` is the test's own folder).
PATH_OPS = {
    "read": lambda p, d: ("read", {"path": p}),
    "write": lambda p, d: ("write", {"path": p, "data": "cHduZWQ="}),
    "write_begin": lambda p, d: ("write_begin", {"path": p}),
    "write_exclusive": lambda p, d: ("write", {"path": p, "data": "cHduZWQ=", "exclusive": True}),
    "stat": lambda p, d: ("stat", {"path": p}),
    "exists": lambda p, d: ("exists", {"path": p}),
    "access": lambda p, d: ("access", {"path": p}),
    "access_write": lambda p, d: ("access", {"path": p, "write": True}),
    "listdir": lambda p, d: ("listdir", {"path": p}),
    "walk": lambda p, d: ("walk", {"path": p}),
    "watch": lambda p, d: ("watch", {"path": p, "client": "attacker0client"}),
    "mkdir": lambda p, d: ("mkdir", {"path": p}),
    "mkdir_parents": lambda p, d: ("mkdir", {"path": p, "parents": True, "exist_ok": True}),
    "remove": lambda p, d: ("remove", {"path": p}),
    "rename_from": lambda p, d: ("rename", {"src": p, "dst": str(d / "moved.txt")}),
    "rename_to": lambda p, d: ("rename", {"src": str(d / "ok.txt"), "dst": p, "overwrite": True}),
}
ACTS_ON_THE_LINK = {"remove", "rename_from", "rename_to"}  # these act on a symlink itself, which is in the grant


@pytest.fixture(scope="module")
def outside(arena):
    """Next to the grant: a file, a folder, a missing name, links to each, a missing parent; all with the same leaf name."""
    data, secret = arena
    root = data.parent / "outside"
    if not root.exists():
        for kind in ("file", "folder", "missing", "linkfile", "linkfolder", "dangling"):
            (root / kind).mkdir(parents=True)
        (root / "file" / "thing").write_text(SECRET)
        (root / "folder" / "thing").mkdir()
        (root / "folder" / "thing" / "inner").write_text(SECRET)
        (root / "linkfile" / "thing").symlink_to(secret / "key.txt")
        (root / "linkfolder" / "thing").symlink_to(secret, target_is_directory=True)
        (root / "dangling" / "thing").symlink_to(root / "nowhere")
    return root


OUTSIDE_KINDS = ["file", "folder", "missing", "linkfile", "linkfolder", "dangling", "noparent"]


@pytest.mark.parametrize("op", sorted(PATH_OPS))
def test_every_operation_refuses_outside_paths_with_identical_messages(site, world, outside, op):
    """Existing or not, file or folder or symlink: outside the grants the answer is the same, and says only that."""
    data, secret = world
    before = _snapshot(outside.parent / "secret"), _snapshot(outside)
    answers = {}
    for kind in OUTSIDE_KINDS:
        name, args = PATH_OPS[op](str(outside / kind / "thing"), data)
        response = site.call(name, **args)
        refused(response, 403)
        body = response.json()["error"]
        answers[kind] = (response.status_code, body["errno"], body["message"].replace(str(outside / kind), "<X>"))
    assert len(set(answers.values())) == 1, answers
    status, errno_name, message = answers["file"]
    assert errno_name == "EACCES" and "Not granted" in message and ("--allow-read" in message or "--allow-write" in message)
    assert str(secret) not in message and SECRET not in message
    assert (_snapshot(outside.parent / "secret"), _snapshot(outside)) == before


@pytest.mark.parametrize("op", sorted(PATH_OPS))
def test_every_operation_refuses_a_symlink_out_of_the_grant_without_saying_where_it_points(site, world, outside, op):
    """Links inside the grant to an outside file, folder, missing name: the same refusal, no target named."""
    data, secret = world
    targets = {kind: outside / kind / "thing" for kind in ("file", "folder", "missing", "linkfolder", "dangling")}
    targets["noparent"] = outside / "noparent" / "thing"
    for kind, target in targets.items():
        (data / f"l-{kind}").symlink_to(target)
    before = _snapshot(outside.parent / "secret"), _snapshot(outside)
    answers = {}
    for kind in targets:
        for spelling in (f"l-{kind}", f"l-{kind}/inner") if op not in ACTS_ON_THE_LINK else (f"l-{kind}/inner",):
            name, args = PATH_OPS[op](str(data / spelling), data)
            response = site.call(name, **args)
            refused(response, 403)
            body = response.json()["error"]
            assert str(outside) not in body["message"] and str(secret) not in body["message"], body
            answers[kind, spelling.count("/")] = (response.status_code, body["errno"],
                                                  body["message"].replace(f"l-{kind}", "<L>"))
    by_depth = {depth: {a for (k, d), a in answers.items() if d == depth} for depth in (0, 1)}
    assert all(len(found) <= 1 for found in by_depth.values()), by_depth
    assert (_snapshot(outside.parent / "secret"), _snapshot(outside)) == before
    assert (data / "ok.txt").read_text() == "fine"


def test_remove_of_a_symlink_removes_the_link_not_its_target(site, world, outside):
    data, secret = world
    (data / "to-file").symlink_to(secret / "key.txt")
    (data / "to-folder").symlink_to(secret, target_is_directory=True)
    (data / "Sub" / "real.txt").write_text("inside")
    (data / "to-inside").symlink_to(data / "Sub" / "real.txt")
    for name in ("to-file", "to-folder", "to-inside"):
        response = site.call("remove", path=str(data / name))
        assert response.status_code == 200, response.text
        assert not os.path.lexists(data / name)
    assert (secret / "key.txt").read_text() == SECRET and secret.is_dir()
    assert (data / "Sub" / "real.txt").read_text() == "inside"


def test_rename_of_a_symlink_moves_the_link_not_its_target(site, world):
    data, secret = world
    (data / "door").symlink_to(secret / "key.txt")
    response = site.call("rename", src=str(data / "door"), dst=str(data / "Sub" / "door2"))
    assert response.status_code == 200, response.text
    assert not os.path.lexists(data / "door")
    assert os.readlink(data / "Sub" / "door2") == str(secret / "key.txt")
    assert (secret / "key.txt").read_text() == SECRET and sorted(p.name for p in secret.iterdir()) == ["key.txt"]
    (data / "over").symlink_to(secret / "key.txt")  # replacing a link replaces the link, never writes through it
    response = site.call("rename", src=str(data / "ok.txt"), dst=str(data / "over"), overwrite=True)
    assert response.status_code == 200, response.text
    assert not (data / "over").is_symlink() and (data / "over").read_text() == "fine"
    assert (secret / "key.txt").read_text() == SECRET


def test_a_grant_replaced_by_a_symlink_after_it_was_given_is_refused(bridge_site, tmp_path):
    granted, secret = tmp_path / "granted", tmp_path / "elsewhere"
    granted.mkdir()
    secret.mkdir()
    (secret / "key.txt").write_text(SECRET)
    (granted / "mine.txt").write_text("mine")
    site = bridge_site(write=[granted])
    assert site.call("read", path=str(granted / "mine.txt")).status_code == 200
    granted.rename(tmp_path / "parked")
    granted.symlink_to(secret, target_is_directory=True)
    before = _snapshot(secret)
    for op in sorted(PATH_OPS):
        name, args = PATH_OPS[op](str(granted / "key.txt"), granted)
        response = site.call(name, **args)
        refused(response, 403)
        assert str(secret) not in response.text
    assert _snapshot(secret) == before


def test_walk_lists_a_symlink_as_a_link_and_never_enters_it(site, world):
    data, secret = world
    (data / "Sub" / "in.txt").write_text("x")
    (data / "door").symlink_to(secret, target_is_directory=True)
    entries = site.call("walk", path=str(data)).json()["result"]["entries"]
    assert {"path": "door", "kind": "link"} in entries
    assert {"path": "Sub/in.txt", "kind": "file"} in entries and {"path": "Sub", "kind": "dir"} in entries
    assert not any(e["path"].startswith("door/") for e in entries)


def test_reading_a_fifo_inside_the_grant_is_refused_without_hanging(site, world):
    data, _ = world
    os.mkfifo(data / "pipe")
    response = site.call("read", path=str(data / "pipe"))
    assert response.status_code == 400 and "Not a regular file" in response.json()["error"]["message"]


# -- transport: Host, Origin, token, Sec-Fetch-Site ---------------------------------------------------
def _raw(site, op: str, headers: dict, body: bytes = b'{"path": "ok.txt"}', method: str = "POST") -> httpx.Response:
    return httpx.request(method, site.api + op, headers=headers, content=body, timeout=30)


@pytest.mark.parametrize("host", ["evil.example", "localhost:{port}", "127.0.0.1", "127.0.0.1:1", "[::1]:{port}"])
def test_forged_host_is_refused(site, host):
    headers = site.headers(Host=host.format(port=site.server.port))
    refused(_raw(site, "read", headers), 403)


@pytest.mark.parametrize("origin", [None, "http://evil.example", "null", "http://localhost:{port}",
                                    "http://127.0.0.1:1", "https://127.0.0.1:{port}", "http://127.0.0.1:{port}.evil"])
def test_forged_origin_is_refused(site, origin):
    headers = site.headers()
    if origin is None:
        del headers["Origin"]
    else:
        headers["Origin"] = origin.format(port=site.server.port)
    refused(_raw(site, "read", headers), 403)


@pytest.mark.parametrize("token", [None, "", "wrong", "TRUNCATE", "UPPER", "x" * 5000])
def test_missing_or_wrong_token_is_refused(site, token):
    real = site.token()
    headers = site.headers(real)
    if token is None:
        del headers["X-Desktop-Token"]
    else:
        headers["X-Desktop-Token"] = {"TRUNCATE": real[:-1], "UPPER": real.upper()}.get(token, token)
    refused(_raw(site, "read", headers), 403)


def test_token_of_another_app_page_is_refused(bridge_site, world):
    data, _ = world
    one, two = bridge_site(read=[data]), bridge_site(read=[data])
    response = httpx.post(one.api + "read", headers=one.headers(two.token()), json={"path": "index.html"})
    refused(response, 403)


def test_token_is_bound_to_its_origin(site, bridge_site, world):
    other = bridge_site()
    token = site.token()
    response = httpx.post(other.api + "read", headers=other.headers(token), json={"path": "index.html"})
    refused(response, 403)


@pytest.mark.parametrize("fetch_site", ["cross-site", "same-site", "none"])
def test_cross_site_fetch_is_refused(site, fetch_site):
    refused(_raw(site, "read", site.headers(**{"Sec-Fetch-Site": fetch_site})), 403)


def test_same_origin_request_is_accepted(site):
    response = _raw(site, "read", site.headers(**{"Sec-Fetch-Site": "same-origin"}), b'{"path": "index.html"}')
    assert response.status_code == 200 and "data" in response.json()["result"]


# -- methods and operation names ----------------------------------------------------------------------
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"])
def test_only_post_is_accepted(site, method):
    headers = site.headers(**{"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x-desktop-token"})
    response = _raw(site, "read", headers, method=method)
    refused(response, 405)
    assert response.headers["Allow"] == "POST"


@pytest.mark.parametrize("op", ["__init__", "_read", "__class__", "__dict__", "OPS", "bridge", "handle", "build_app",
                                "READ", "Read", "read.__globals__", "os.system", "eval", "session_for", "find_session",
                                "audit"])
def test_private_or_unknown_operation_is_refused(site, op):
    response = _raw(site, op, site.headers())
    refused(response, 404)
    assert "not a bridge operation" in response.json()["error"]["message"]


def _socket_post(site, target: str, body: bytes, extra: str = "") -> bytes:
    """A request sent byte for byte (HTTP clients normalise paths and add framing)."""
    port = site.server.port
    request = (
        f"POST {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nX-Desktop-Token: {site.token()}\r\n"
        f"Cookie: {site.server.auth_headers()['Cookie']}\r\n{extra}Connection: close\r\n\r\n"
    ).encode() + body
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


@pytest.mark.parametrize("target", ["read/../write", "read%2F..%2Fwrite", "read/", "", "read?op=write"])
def test_operation_name_with_slashes_or_tricks_is_refused(site, world, target):
    data, _ = world
    body = ('{"path": "%s", "data": "eA=="}' % (data / "ok.txt")).encode()
    answer = _socket_post(site, "/_desktop/api/files/" + target, body, f"Content-Length: {len(body)}\r\n")
    status = answer.split(b" ", 2)[1]
    if target == "read?op=write":
        assert status == b"200" and b'"data"' in answer  # the query is ignored: it is a read
    else:
        assert status in (b"404", b"405"), answer[:300]  # no route: the page server answers for its own paths
    assert (data / "ok.txt").read_text() == "fine"


# -- bodies and sizes ---------------------------------------------------------------------------------
def test_oversized_request_is_refused_before_reading_it(site):
    body = b'{"path": "x", "data": "' + b"A" * (site.bridge.limits.max_request + 10) + b'"}'
    refused(_raw(site, "write", site.headers(), body), 413)


def test_write_over_the_cap_in_chunks_is_refused_and_leaves_nothing(site, world):
    data, _ = world
    target = data / "big.bin"
    upload = site.call("write_begin", path=str(target)).json()["result"]["upload"]
    chunk = base64.b64encode(b"x" * 512).decode()
    statuses = [site.call("write_chunk", upload=upload, data=chunk).status_code for _ in range(5)]
    assert statuses[:4] == [200, 200, 200, 200] and statuses[4] == 413
    refused(site.call("write_commit", upload=upload), 400)
    assert not target.exists()
    assert [p.name for p in data.iterdir() if "desktop-tmp" in p.name] == []


def test_read_over_the_cap_is_refused(site, world):
    data, _ = world
    (data / "big.txt").write_bytes(b"y" * 2000)
    response = site.call("read", path=str(data / "big.txt"))
    refused(response, 413)
    assert response.json()["error"]["errno"] == "EFBIG"


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", None])
def test_non_json_body_is_refused(site, content_type):
    headers = site.headers()
    if content_type is None:
        del headers["Content-Type"]
    else:
        headers["Content-Type"] = content_type
    refused(_raw(site, "read", headers), 415)


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'"path"', b"\xff\xfe"])
def test_malformed_json_is_refused(site, body):
    refused(_raw(site, "read", site.headers(), body), 400)


def test_request_without_content_length_is_refused(site):
    """A chunked body has no length to check against the cap before reading."""
    answer = _socket_post(site, "/_desktop/api/files/read", b'11\r\n{"path": "ok.txt"}\r\n0\r\n\r\n',
                          "Transfer-Encoding: chunked\r\n")
    assert answer.split(b" ", 2)[1] == b"411", answer[:200]


def test_bad_base64_is_refused(site, world):
    data, _ = world
    refused(site.call("write", path=str(data / "x.txt"), data="not base64!!"), 400)
    assert not (data / "x.txt").exists()


def test_no_host_traceback_reaches_the_page(site, world, monkeypatch):
    data, _ = world
    from desktop.bridge import files

    def explode(*_a, **_k):
        raise RuntimeError("internal detail /host/secret/path")

    monkeypatch.setattr(files.FileOps, "listdir", explode)
    response = site.call("listdir", path=str(data))
    assert response.status_code == 500
    assert "internal detail" not in response.text and "Traceback" not in response.text
    assert "internal error" in response.json()["error"]["message"]


def test_every_call_is_audited(site, world):
    """Each call of this test, allowed or refused, is one JSON line in the file under the log folder the
    bridge was given (read from disk here, not through the log's own reader)."""
    import json

    from desktop.bridge.audit import AUDIT_NAME

    data, _ = world
    log = site.site.parent / "logs" / AUDIT_NAME  # the fixture's log_dir (tests/bridge/conftest.py)
    before = log.read_text(encoding="utf-8").count("\n") if log.exists() else 0
    site.call("read", path=str(data / "ok.txt"))
    site.call("read", path="/etc/passwd")
    _raw(site, "read", site.headers(Origin="http://evil.example"))
    assert site.bridge.audit.path == log
    entries = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()[before:]]
    mine = [(e["op"], e["outcome"], e["path"], e["origin"]) for e in entries]
    assert mine == [
        ("read", "ok", str(data / "ok.txt"), site.server.origin),
        ("read", "EACCES", "/etc/passwd", site.server.origin),
        ("read", "refused", "", "http://evil.example"),
    ], entries
    assert entries[0]["bytes"] == len("fine"), entries


# -- in Chromium: other origins, frames, a page that navigated away -----------------------------------
ATTACK = """async ([api, token, path]) => {
    const out = {};
    try {
        const r = await fetch(api + "write", {method: "POST", body: JSON.stringify({path, data: "cHduZWQ="}),
            headers: {"Content-Type": "application/json", "X-Desktop-Token": token}});
        out.cors = "status " + r.status;
    } catch (e) { out.cors = "blocked: " + e.name; }
    try {
        // credentials: a page on another loopback port is same-site, so the session cookie goes along
        await fetch(api + "write", {method: "POST", mode: "no-cors", credentials: "include", body: JSON.stringify({path, data: "cHduZWQ="}),
            headers: {"Content-Type": "text/plain"}});
        out.simple = "sent";
    } catch (e) { out.simple = "blocked: " + e.name; }
    out.desktop = typeof window.desktop;
    return out;
}"""


@pytest.fixture
def foreign_site(tmp_path):
    """Another origin on loopback that is not this app: a plain server, no CSP, like any web page in a tab."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    folder = tmp_path / "foreign"
    folder.mkdir()
    (folder / "index.html").write_text("<!doctype html><title>foreign</title><p>a web page</p>")
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *a: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.mark.e2e
def test_another_origin_tab_gets_nothing_even_with_the_token(bridge_site, browser_page, world, foreign_site):
    data, _ = world
    target = data / "victim.txt"
    target.write_text("original")
    victim = bridge_site(write=[data])
    run = browser_page(foreign_site)
    result = run.page.evaluate(ATTACK, [victim.api, victim.token(), str(target)])
    assert result["cors"].startswith("blocked"), result  # the preflight gets a 405 without CORS headers
    assert result["desktop"] == "undefined"
    assert target.read_text() == "original"
    details = [e.get("detail", "") for e in victim.bridge.audit.entries() if e["outcome"] == "refused"]
    # (the preflight carries no cookie, so the server refuses it before the bridge sees it)
    assert any("Sec-Fetch-Site: same-site" in d for d in details), details  # the no-cors POST reached the bridge


@pytest.mark.e2e
def test_page_that_navigated_away_gets_nothing(bridge_site, browser_page, world, foreign_site):
    data, _ = world
    target = data / "victim.txt"
    target.write_text("original")
    victim = bridge_site(write=[data], pages={"index.html": "<!doctype html><title>app</title><p>app page</p>"})
    run = browser_page(victim.server.url)
    assert run.page.evaluate("typeof window.desktop") == "object"
    leaked = victim.token()  # suppose the page's token leaked before it navigated
    run.page.evaluate(f"location.href = {foreign_site!r}")
    run.page.wait_for_url(foreign_site)
    result = run.page.evaluate(ATTACK, [victim.api, leaked, str(target)])
    assert result["desktop"] == "undefined"
    assert result["cors"].startswith("blocked"), result
    assert target.read_text() == "original"


@pytest.mark.e2e
def test_iframe_from_another_origin_gets_nothing(bridge_site, browser_page, world, foreign_site):
    """The app's CSP keeps other origins out of frames; the frame neither loads nor reaches the bridge."""
    data, _ = world
    target = data / "victim.txt"
    target.write_text("original")
    host_page = f"<!doctype html><title>host</title><iframe id='f' src='{foreign_site}'></iframe>"
    victim = bridge_site(write=[data], pages={"index.html": host_page})
    run = browser_page(victim.server.url)
    run.page.wait_for_load_state("load")
    child = run.page.frames[1]
    assert not child.url.startswith(foreign_site)  # blocked: Chromium shows its error page instead
    assert "blocked" in child.evaluate("document.body.innerText")
    parent = child.evaluate("() => { try { return typeof parent.desktop.files; } catch (e) { return e.name; } }")
    assert parent == "SecurityError"
    assert target.read_text() == "original"
