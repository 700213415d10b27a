"""Who may talk to a page server: another local user gets 403 for everything; a browser only
through a one-time login URL; start images only with this user's MAC.

Another local user is played by a real process running as `nobody` (setpriv), with only the
standard library, talking to the real server on loopback.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from conftest import require

from desktop.bridge import Bridge, Grant, GrantSet
from desktop.kiosk.config import Chord
from desktop.kiosk.health import KioskStatus, kiosk_app
from desktop.kiosk.lockdown import Lockdown
from desktop.kiosk.watchdog import Watchdog
from desktop.server.access import COOKIE_PREFIX, FORBIDDEN_BODY
from desktop.server.snapshots import KEY_NAME, SnapshotStore, build_id, folder_store

CORE = "https://cdn.jsdelivr.net/npm/@pyscript/core@0.6.66/dist/core.js"
HEALTH_TOKEN = "health-token-for-monitors-0123"


@pytest.fixture
def world(tmp_path: Path, serve, bundle):
    """A served folder with the bridge (a 0700 read grant, a write grant), the kiosk API and start images."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<!doctype html><title>app</title><p>the app's page</p>", encoding="utf-8")
    secret = tmp_path / "secret"
    secret.mkdir(mode=0o700)
    (secret / "key.txt").write_text("granted secret")
    out = tmp_path / "out"
    out.mkdir()
    bridge = Bridge(GrantSet([Grant.of(secret), Grant.of(out, write=True)]), log_dir=tmp_path / "logs")
    status = KioskStatus(Watchdog(30))
    events: list[str] = []
    kiosk = kiosk_app(status, health_token=HEALTH_TOKEN, exit_pin=None,
                      on_heartbeat=lambda url, idle: events.append("heartbeat"),
                      on_shown=lambda url, title: events.append("shown"), on_exit=lambda: events.append("exit"))
    lockdown = Lockdown(Chord.parse("Ctrl+Alt+Shift+Q"), False, None, status.page_token)
    access_log: list[str] = []
    server = serve(site, injections=[bridge.injection, lockdown], mounts={**bridge.mounts, "kiosk": kiosk},
                   snapshots=tmp_path / "cache", secrets_dir=tmp_path / "data", log=access_log.append)
    yield {"log": access_log, "server": server, "site": site, "secret": secret, "out": out, "bridge": bridge, "status": status,
           "events": events, "cache": tmp_path / "cache", "bundle": bundle}
    bridge.close()


# What another user's process tries: every kind of URL, and every write, with the tokens it would
# need (as if they had leaked): the session cookie is what it lacks.
ATTACKER = r"""
import http.client, json, sys
plan = json.loads(sys.argv[1])
results = []
for method, path, headers, body in plan["requests"]:
    conn = http.client.HTTPConnection("127.0.0.1", plan["port"], timeout=30)
    conn.request(method, path, body=body.encode() if body is not None else None, headers=headers)
    answer = conn.getresponse()
    results.append([method, path, answer.status, answer.read().decode("latin-1")])
    conn.close()
print(json.dumps(results))
"""


def _as_nobody(script: str, *args: str) -> subprocess.CompletedProcess:
    require(shutil.which("setpriv") is not None, "setpriv (util-linux) is not installed")
    require(hasattr(os, "geteuid") and os.geteuid() == 0, "playing another user (setpriv) needs root")
    # a Python another user can run: the system's (a virtualenv or pyenv under /root is out of reach)
    python = next((p for p in ("/usr/bin/python3", "/usr/local/bin/python3") if os.path.exists(p)), os.path.realpath(sys.executable))
    return subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", python, "-c", script, *args],
                          capture_output=True, text=True, timeout=120, cwd="/")


def test_another_local_user_gets_403_and_nothing_else(world):
    server, status = world["server"], world["status"]
    port, origin = server.port, server.origin
    page_token = status.page_token
    bridge_token = world["bridge"].session_for(origin, world["site"]).token
    snapshot = f"/_desktop/api/snapshot/{server.snapshot_key}"
    used_login = server.login_url("/index.html").removeprefix(origin)
    assert httpx.get(origin + used_login, headers={"Host": f"127.0.0.1:{port}"}).status_code == 303  # the person's use
    forged = {"Host": f"127.0.0.1:{port}", "Origin": origin, "Sec-Fetch-Site": "same-origin"}
    bridge = {**forged, "Content-Type": "application/json", "X-Desktop-Token": bridge_token}
    kiosk = {**forged, "Content-Type": "application/json"}
    image = {**forged, "Content-Type": "application/octet-stream", "X-Desktop-Snapshot": "1"}
    requests = [
        ["GET", "/", forged, None],
        ["GET", "/index.html", forged, None],
        ["HEAD", "/index.html", forged, None],
        ["GET", f"/_runtime/pyodide/{server.pair.pyodide}/pyodide-lock.json", forged, None],
        ["GET", "/_desktop/page.js", forged, None],
        ["GET", "/_desktop/api/gallery/pages", forged, None],
        ["POST", "/_desktop/api/files/read", bridge, json.dumps({"path": str(world["secret"] / "key.txt")})],
        ["POST", "/_desktop/api/files/listdir", bridge, json.dumps({"path": str(world["secret"])})],
        ["POST", "/_desktop/api/files/write", bridge, json.dumps({"path": str(world["out"] / "planted.txt"), "data": "eA=="})],
        ["GET", snapshot, forged, None],
        ["PUT", snapshot, image, "MZ" * 100],
        ["DELETE", snapshot, image, None],
        ["POST", "/_desktop/api/kiosk/exit", kiosk, json.dumps({"token": page_token})],
        ["POST", "/_desktop/api/kiosk/shown", kiosk, json.dumps({"token": page_token, "url": "x", "title": "faked"})],
        ["POST", "/_desktop/api/kiosk/heartbeat", kiosk, json.dumps({"token": page_token, "url": "x"})],
        ["GET", used_login, forged, None],  # a login URL that was used already
        ["GET", "/_desktop/login/made-up-token?next=/index.html", forged, None],
        ["GET", "/index.html", {**forged, "Cookie": f"{COOKIE_PREFIX}{port}=guessed"}, None],
    ]
    result = _as_nobody(ATTACKER, json.dumps({"port": port, "requests": requests}))
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout)
    assert len(answers) == len(requests)
    for method, path, code, body in answers:
        assert code == 403, (method, path, code, body[:300])
        if method != "HEAD":
            assert body == FORBIDDEN_BODY.decode(), (method, path, body[:300])  # the same bytes, whatever was asked
    assert world["events"] == [], "the kiosk was told something"
    assert not (world["out"] / "planted.txt").exists()
    entries = world["bridge"].audit.entries()
    assert entries == [], "the bridge saw a request"


def test_kiosk_health_stays_open_to_monitors_with_its_token(world):
    server = world["server"]
    url = server.origin + "/_desktop/api/kiosk/health"
    assert httpx.get(url).status_code == 401  # no session needed, but the Bearer token is
    assert httpx.get(url, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert httpx.get(url, headers={"Authorization": f"Bearer {HEALTH_TOKEN}"}).json()["uptime_s"] >= 0
    # only that one path: the rest of the kiosk API is not public
    assert httpx.post(server.origin + "/_desktop/api/kiosk/exit", json={"token": world["status"].page_token}).status_code == 403


def test_a_login_url_works_once_and_sets_a_strict_http_only_cookie(world):
    server = world["server"]
    login = server.login_url(server.origin + "/index.html")
    first = httpx.get(login)
    assert first.status_code == 303 and first.headers["location"] == "/index.html"
    cookie = first.headers["set-cookie"]
    name, value = cookie.split(";", 1)[0].split("=", 1)
    assert name == f"{COOKIE_PREFIX}{server.port}"
    attributes = {a.strip().lower() for a in cookie.split(";")[1:]}
    assert {"httponly", "samesite=strict", "path=/"} <= attributes
    assert httpx.get(server.url, cookies={name: value}).status_code == 200
    again = httpx.get(login)
    assert again.status_code == 403 and "set-cookie" not in again.headers
    assert again.content == FORBIDDEN_BODY


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"])
def test_a_login_lands_only_on_this_server(world, target):
    server = world["server"]
    token = server.login_url("/").split("/_desktop/login/", 1)[1].split("?", 1)[0]
    answer = httpx.get(f"{server.origin}/_desktop/login/{token}", params={"next": target})
    assert answer.status_code == 303 and answer.headers["location"] == "/"


def test_one_servers_session_opens_nothing_on_another(world, serve, tmp_path):
    other = serve(world["site"])
    name, value = world["server"].auth_cookie()
    assert httpx.get(other.url, cookies={name: value}).status_code == 403
    assert httpx.get(other.url, cookies={f"{COOKIE_PREFIX}{other.port}": value}).status_code == 403


# -- start images carry this user's MAC -------------------------------------------------------------
def _fake_image(build: str) -> bytes:
    from server.test_snapshots import fake_image

    return fake_image(pages=4, build=build)


def test_a_planted_or_altered_image_is_never_served(world):
    server, bundle = world["server"], world["bundle"]
    pyodide_dir = bundle.component_dir("pyodide", server.pair.pyodide)
    store = folder_store(world["cache"], world["site"], build_id(pyodide_dir), world["cache"].parent / "data")
    key = server.snapshot_key
    body = _fake_image(build_id(pyodide_dir))
    url = server.origin + f"/_desktop/api/snapshot/{key}"
    headers = server.auth_headers()

    # planted: the image and a record with the right SHA-256, but no MAC (another user cannot make one)
    store.folder.mkdir(parents=True, exist_ok=True)
    (store.folder / f"{key}.snapshot").write_bytes(body)
    (store.folder / f"{key}.json").write_text(json.dumps({"sha256": hashlib.sha256(body).hexdigest()}))
    assert httpx.get(url, headers=headers).status_code == 204  # as if there were none
    assert not (store.folder / f"{key}.snapshot").exists()

    # signed with another key
    SnapshotStore(store.folder, store.build, b"k" * 32).put(key, body)
    assert httpx.get(url, headers=headers).status_code == 204

    # the app's own image is served; the same bytes altered after signing are not
    store.put(key, body)
    assert httpx.get(url, headers=headers).content == body
    record = json.loads((store.folder / f"{key}.json").read_text())
    altered = bytearray(body)
    altered[-10:] = b"\x01" * 10
    (store.folder / f"{key}.snapshot").write_bytes(bytes(altered))
    record["sha256"] = hashlib.sha256(bytes(altered)).hexdigest()
    (store.folder / f"{key}.json").write_text(json.dumps(record))
    assert httpx.get(url, headers=headers).status_code == 204


def test_the_signing_key_is_private_and_replaced_if_others_could_touch_it(tmp_path):
    from desktop.server.snapshots import signing_key

    key = signing_key(tmp_path)
    path = tmp_path / KEY_NAME
    assert path.stat().st_mode & 0o777 == 0o600 and signing_key(tmp_path) == key
    path.chmod(0o644)  # readable by others: no longer a secret
    fresh = signing_key(tmp_path)
    assert fresh != key and path.stat().st_mode & 0o777 == 0o600


# -- a real browser -------------------------------------------------------------------------------------
WORKERS = f"""<!doctype html><html><head><meta charset="utf-8"><title>workers</title>
<script type="module" src="{CORE}"></script></head>
<body><div id="out"></div><div id="js"></div>
<script type="py" worker config='{{"packages": ["six"]}}'>
import six
from pyscript import display
display(f"worker with six {{six.__version__}}", target="out")
</script>
<script type="py">
from pyscript import display
display("main thread ran", target="out")
</script>
<script type="module">
const worker = new Worker("job.mjs", {{type: "module"}});
worker.onmessage = (e) => {{ document.getElementById("js").textContent = "module worker: " + e.data; }};
</script>
</body></html>"""
JOB = """import { answer } from "./helper.mjs";
const text = await (await fetch("data.txt")).text();
postMessage(answer + " " + text.trim());
"""


@pytest.mark.e2e
def test_a_browser_gets_in_only_through_a_one_time_url_and_then_everything_loads(world, browser_page, output_dir):
    server, site = world["server"], world["site"]
    (site / "workers.html").write_text(WORKERS, encoding="utf-8")
    (site / "job.mjs").write_text(JOB, encoding="utf-8")
    (site / "helper.mjs").write_text("export const answer = 'imported';\n", encoding="utf-8")
    (site / "data.txt").write_text("fetched\n", encoding="utf-8")

    def refused() -> list[str]:
        # (the favicon a browser asks for by itself, while it shows a 403, is left out)
        return [line for line in world["log"] if '" 403 ' in line and "/favicon.ico" not in line]

    stranger = browser_page(server.url + "workers.html", login=False)
    assert "403 Forbidden" in stranger.page.content() and "worker" not in stranger.page.title()
    assert len(refused()) == 1
    world["log"].clear()

    login = server.login_url("/workers.html")
    first = browser_page(login, login=False)  # only what the server's own cookie gives it
    first.wait_for_text("worker with six 1.16.0", timeout=180)
    first.wait_for_text("main thread ran")
    first.wait_for_text("module worker: imported fetched")
    assert first.page.url == server.origin + "/workers.html"  # the clean URL, no token in it
    assert first.page.evaluate("document.cookie") == ""  # HttpOnly: page code never sees the session
    first.page.wait_for_function("globalThis.__pyscriptDesktopStart && globalThis.__pyscriptDesktopStart.made",
                                 timeout=180_000)  # the image maker's worker uploaded a start image
    made = json.loads(first.page.evaluate("JSON.stringify(globalThis.__pyscriptDesktopStart.made)"))
    assert made["ok"], made
    first.page.screenshot(path=str(output_dir / "access-workers.png"))

    second = browser_page(server.login_url("/workers.html"), login=False)
    second.wait_for_text("worker with six 1.16.0", timeout=180)
    loads = json.loads(second.page.evaluate("JSON.stringify(globalThis.__pyscriptDesktopStart.loads)"))
    assert loads[0]["snapshot"] == "used", loads  # the start image came back with the cookie
    assert refused() == []  # workers, module imports, fetches, packages, the image upload and download

    reused = browser_page(login, login=False)  # the first URL, in a browser that has no cookie
    assert "403 Forbidden" in reused.page.content()
