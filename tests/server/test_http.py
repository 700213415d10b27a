"""The page server over real HTTP on loopback: types, headers, ranges, ETags, Host check, traversal."""

from __future__ import annotations

import hashlib
import os
import socket
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from conftest import PAGES

from desktop.errors import PortInUseError
from desktop.server import PageServer, ServerOptions

WASM = "/_runtime/pyodide/0.27.7/pyodide.asm.wasm"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "index.html").write_text("<!doctype html><html><head><title>t</title></head><body>hi</body></html>")
    (tmp_path / "app.js").write_text("export const x = 1;\n")
    (tmp_path / "mod.mjs").write_text("export const y = 2;\n")
    (tmp_path / "data.csv").write_text("a,b\n1,2\n")
    (tmp_path / "code.py").write_text("print('x')\n")
    (tmp_path / "conf.toml").write_text('packages = ["numpy"]\n')
    (tmp_path / "conf.json").write_text('{"packages": []}\n')
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "page.html").write_text("<html><head></head><body>sub</body></html>")
    (tmp_path / "noindex").mkdir()
    (tmp_path / "noindex" / "a.txt").write_text("a")
    return tmp_path


@pytest.fixture
def client(site, serve):
    server = serve(site)
    with httpx.Client(base_url=server.origin, timeout=30, headers=server.auth_headers()) as client:
        client.server = server
        yield client


@pytest.mark.parametrize(
    "path, content_type",
    [
        ("/index.html", "text/html; charset=utf-8"),
        ("/app.js", "text/javascript; charset=utf-8"),
        ("/mod.mjs", "text/javascript; charset=utf-8"),
        ("/data.csv", "text/csv; charset=utf-8"),
        ("/code.py", "text/x-python; charset=utf-8"),
        ("/conf.toml", "application/toml"),
        ("/conf.json", "application/json"),
        (WASM, "application/wasm"),
        ("/_runtime/pyodide/0.27.7/numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl", "application/zip"),
        ("/_runtime/pyodide/0.27.7/openblas-0.3.26.zip", "application/zip"),
        ("/_runtime/pyodide/0.27.7/python_stdlib.zip", "application/zip"),
        ("/_runtime/pyodide/0.27.7/pyodide-lock.json", "application/json"),
        ("/_runtime/pyscript-core/0.6.66/dist/core.js", "text/javascript; charset=utf-8"),
        ("/_runtime/pyscript-core/0.6.66/dist/core.css", "text/css; charset=utf-8"),
        ("/_runtime/micropython/1.26.0-preview-293/micropython.mjs", "text/javascript; charset=utf-8"),
    ],
)
def test_content_types_are_pinned(client, path, content_type):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == content_type


@pytest.mark.parametrize("path", ["/index.html", WASM, "/_runtime/pyscript-core/0.6.66/dist/core.js", "/missing", "/_desktop/page.js"])
def test_isolation_and_hardening_headers_on_every_answer(client, path):
    headers = client.get(path).headers
    assert headers["cross-origin-opener-policy"] == "same-origin"
    assert headers["cross-origin-embedder-policy"] == "require-corp"
    assert headers["cross-origin-resource-policy"] == "same-origin"
    assert headers["x-content-type-options"] == "nosniff"
    assert "connect-src 'self'" in headers["content-security-policy"]
    assert "access-control-allow-origin" not in headers


def test_runtime_files_are_immutable_and_pages_revalidate(client):
    assert client.get(WASM).headers["cache-control"] == "public, max-age=31536000, immutable"
    assert client.get("/index.html").headers["cache-control"] == "no-cache"
    assert client.get("/data.csv").headers["cache-control"] == "no-cache"


@pytest.mark.parametrize("path", [WASM, "/data.csv", "/index.html", "/_runtime/pyscript-core/0.6.66/dist/core.js"])
def test_etag_gives_304(client, path):
    first = client.get(path)
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"')
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""


def test_answers_are_http_1_1_one_per_connection(client):
    """Chromium-based engines send If-None-Match only for a response that came over HTTP/1.1."""
    for path in ("/index.html", WASM, "/missing"):
        response = client.get(path)
        assert response.http_version == "HTTP/1.1"
        assert response.headers["connection"] == "close"


@pytest.mark.e2e
def test_a_reload_revalidates_the_page_and_its_app_files_instead_of_fetching_them_again(serve, browser_page):
    """In Chromium: the page, PyScript's start module and the lock file come back as 304s, headers only."""
    run = browser_page(serve(PAGES).url + "hello.html")
    run.wait_for_text("Hello from Python")
    run.page.reload()
    run.wait_for_text("Hello from Python")
    entries = run.page.evaluate(
        """() => [performance.getEntriesByType('navigation')[0], ...performance.getEntriesByType('resource')]
             .map(e => [new URL(e.name).pathname + new URL(e.name).search, e.transferSize])"""
    )
    pyodide = "/_cdn/cdn.jsdelivr.net/pyodide/v0.27.7/full/"
    sent = {path: size for path, size in entries if path in ("/hello.html", pyodide + "pyodide.mjs", pyodide + "pyodide-lock.json")}
    assert len(sent) == 3, entries
    for path, size in sent.items():  # each body is over 3 KB: under 1000 bytes is headers only
        assert 0 < size < 1000, f"{path} came whole again: {size} bytes"


def test_changed_page_gets_a_new_etag(client, site):
    etag = client.get("/data.csv").headers["etag"]
    (site / "data.csv").write_text("a,b\n1,2\n3,4\n")
    response = client.get("/data.csv", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response.text.endswith("3,4\n")


def test_range_requests(client, bundle):
    full = (bundle.component_dir("pyodide", "0.27.7") / "pyodide.asm.wasm").read_bytes()
    response = client.get(WASM, headers={"Range": "bytes=100-199"})
    assert response.status_code == 206
    assert response.headers["content-range"] == f"bytes 100-199/{len(full)}"
    assert response.content == full[100:200]
    tail = client.get(WASM, headers={"Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.content == full[-10:]
    unsatisfiable = client.get(WASM, headers={"Range": f"bytes={len(full) + 10}-"})
    assert unsatisfiable.status_code == 416


def test_head_sends_headers_only(client):
    response = client.head(WASM)
    assert response.status_code == 200
    assert int(response.headers["content-length"]) > 10_000_000
    assert response.content == b""


def test_hundred_concurrent_range_requests_get_correct_bytes(client, bundle):
    full = (bundle.component_dir("pyodide", "0.27.7") / "pyodide.asm.wasm").read_bytes()
    size = len(full)
    chunk = size // 100

    def fetch(i: int) -> bool:
        start = i * chunk
        end = size - 1 if i == 99 else start + chunk - 1
        with httpx.Client(timeout=60, headers=client.server.auth_headers()) as c:
            r = c.get(client.server.origin + WASM, headers={"Range": f"bytes={start}-{end}"})
        return r.status_code == 206 and r.content == full[start : end + 1]

    with ThreadPoolExecutor(max_workers=100) as pool:
        results = list(pool.map(fetch, range(100)))
    assert all(results), f"{results.count(False)} of 100 range requests failed"

    def whole(_: int) -> str:
        with httpx.Client(timeout=60, headers=client.server.auth_headers()) as c:
            return hashlib.sha256(c.get(client.server.origin + WASM).content).hexdigest()

    with ThreadPoolExecutor(max_workers=20) as pool:
        digests = set(pool.map(whole, range(20)))
    assert digests == {hashlib.sha256(full).hexdigest()}


@pytest.mark.parametrize("host", ["evil.example:80", "localhost", "127.0.0.1", "127.0.0.1:1", "0.0.0.0", "[::1]", ""])
def test_foreign_host_header_is_refused(client, host):
    port = client.server.port
    with socket.create_connection(("127.0.0.1", port)) as sock:
        header = f"Host: {host}\r\n" if host else ""
        cookie = client.server.auth_headers()["Cookie"]  # logged in: only the Host is wrong
        sock.sendall(f"GET /index.html HTTP/1.1\r\n{header}Cookie: {cookie}\r\nConnection: close\r\n\r\n".encode())
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    status = answer.split(b"\r\n", 1)[0]
    assert b" 403 " in status, status
    assert b"DNS rebinding" in answer


def test_listens_on_loopback_only(client):
    assert client.server._server.server_address[0] == "127.0.0.1"


@pytest.mark.parametrize(
    "raw_path",
    [
        "/../etc/passwd",
        "/sub/../../etc/passwd",
        "/%2e%2e/etc/passwd",
        "/%2E%2E/%2E%2E/etc/passwd",
        "/sub/%2e%2e/%2e%2e/etc/passwd",
        "/..%2fetc%2fpasswd",
        "/..%5c..%5cetc%5cpasswd",
        "/sub\\..\\..\\etc\\passwd",
        "/C:/Windows/win.ini",
        "/c:%5cwindows%5cwin.ini",
        "//etc/passwd",
        "/%00index.html",
        "/index.html%00.txt",
        "/data.csv::$DATA",
        "/_runtime/pyodide/0.27.7/../../../../etc/passwd",
        "/_runtime/pyodide/0.27.7/%2e%2e/%2e%2e/manifest.toml",
        "/_runtime/../bundled_runtime/manifest.toml",
        "/_desktop/../server/app.py",
        "/_desktop/%2e%2e/server/app.py",
    ],
)
def test_traversal_is_refused_in_every_spelling(client, raw_path):
    port = client.server.port
    with socket.create_connection(("127.0.0.1", port)) as sock:
        cookie = client.server.auth_headers()["Cookie"]
        sock.sendall(f"GET {raw_path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n".encode())
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    status_line = answer.split(b"\r\n", 1)[0]
    code = int(status_line.split()[1])
    assert code in (400, 403, 404), status_line
    assert b"root:" not in answer and b"[fonts]" not in answer and b"schema = 1" not in answer
    assert b"def _build_app" not in answer


def test_symlink_leading_outside_is_refused(client, site, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    (outside / "secret.txt").write_text("secret")
    os.symlink(outside / "secret.txt", site / "link.txt")
    os.symlink(outside, site / "linkdir")
    assert client.get("/link.txt").status_code == 403
    assert client.get("/linkdir/secret.txt").status_code == 403
    inside = site / "inside-link.csv"
    os.symlink(site / "data.csv", inside)
    assert client.get("/inside-link.csv").status_code == 200


def test_folders_are_not_listed_and_404_is_readable(client):
    assert client.get("/noindex/").status_code == 404
    assert "no index.html" in client.get("/noindex/").text
    missing = client.get("/nope.html")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")
    assert "does not exist in the served folder" in missing.text
    assert client.get("/_runtime/pyodide/0.27.7/").status_code == 404


def test_folder_without_slash_redirects_and_index_is_served(client):
    response = client.get("/sub", follow_redirects=False)
    assert response.status_code == 301 and response.headers["location"] == client.server.origin + "/sub/"
    assert client.get("/").text.count("<body>hi</body>") == 1


def test_busy_port_is_a_clear_error(site, bundle):
    with PageServer(ServerOptions(root=site, bundle=bundle)) as first, pytest.raises(PortInUseError) as raised:
        PageServer(ServerOptions(root=site, bundle=bundle, port=first.port)).start()
    assert str(first.port) in raised.value.message and "--port" in raised.value.hint


def test_the_problem_reporter_is_loaded_only_by_a_page_with_a_problem(client, site):
    """page.js blocks the parser; a page with nothing to report must not wait for it."""
    assert "/_desktop/page.js" not in client.get("/index.html").text
    (site / "broken.html").write_text('<html><head><py-config>packages = ["numpy"</py-config></head><body></body></html>')
    broken = client.get("/broken.html").text
    assert "/_desktop/page.js" in broken and "configErrors" in broken
