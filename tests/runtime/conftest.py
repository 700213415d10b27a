"""Local stand-ins for the network, on 127.0.0.1: a server that plays the Pyodide CDN and a PyPI-style
simple index for pip, plus small synthetic runtimes whose pins are real digests of generated files.

The code under test is never mocked: the real fetcher, downloader, pip and npm run against these.
"""

from __future__ import annotations

import hashlib
import html
import http.server
import io
import json
import socket
import tarfile
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from desktop.runtime.cache import DownloadCache
from desktop.runtime.integrity import sri_of
from desktop.runtime.pip import Pip

VERSION = "9.9.9"


@dataclass
class FakeCdn:
    """Serves {path: bytes}. Can corrupt a file, cut the first transfer of a file short, ignore Range.

    Every request is recorded as (path, Range header) so tests can assert what was asked for.
    """

    files: dict[str, bytes] = field(default_factory=dict)
    corrupt: set[str] = field(default_factory=set)
    cut_once: dict[str, int] = field(default_factory=dict)  # path -> bytes sent before dropping the connection
    ignore_range: bool = False
    requests: list[tuple[str, str | None]] = field(default_factory=list)
    server: http.server.ThreadingHTTPServer | None = None

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def base(self) -> str:
        """What --mirror gets: the CDN's Pyodide base ({base}/v{version}/full/{file})."""
        return self.origin + "/pyodide"

    def add_package_file(self, version: str, name: str, data: bytes) -> str:
        path = f"/pyodide/v{version}/full/{name}"
        self.files[path] = data
        return path

    def start(self) -> "FakeCdn":
        cdn = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                cdn.requests.append((path, self.headers.get("Range")))
                body = cdn.files.get(path)
                if body is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if path in cdn.corrupt:
                    body = bytes([body[0] ^ 0xFF]) + body[1:]
                start = 0
                range_header = self.headers.get("Range")
                if range_header and range_header.startswith("bytes=") and not cdn.ignore_range:
                    start = int(range_header[6:].split("-", 1)[0])
                    if start >= len(body):
                        self.send_response(416)
                        self.send_header("Content-Range", f"bytes */{len(body)}")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                else:
                    self.send_response(200)
                content_type = "text/html" if path.endswith("/") else "application/octet-stream"
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body) - start))
                self.end_headers()
                if path in cdn.cut_once:
                    self.wfile.write(body[start : cdn.cut_once.pop(path)])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(body[start:])

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_cdn():
    cdn = FakeCdn().start()
    yield cdn
    cdn.stop()


@pytest.fixture
def dead_url() -> str:
    """A loopback base URL on which nothing listens: a mirror that is down."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/pyodide"


# -- a PyPI-style simple index (PEP 503) on the same kind of server ---------------------------------


def make_wheel(name: str, version: str, *, requires: list[str] = (), tag: str = "py3-none-any", module: str | None = None) -> tuple[str, bytes]:
    """A small but valid wheel: (file name, bytes)."""
    dist = name.replace("-", "_")
    module = module or dist
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"{module}/__init__.py", f"__version__ = {version!r}\n")
        meta = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
        meta += [f"Requires-Dist: {r}" for r in requires]
        archive.writestr(f"{dist}-{version}.dist-info/METADATA", "\n".join(meta) + "\n")
        archive.writestr(f"{dist}-{version}.dist-info/WHEEL", f"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: {tag}\n")
        archive.writestr(f"{dist}-{version}.dist-info/top_level.txt", module + "\n")
        archive.writestr(f"{dist}-{version}.dist-info/RECORD", "")
    return f"{dist}-{version}-{tag}.whl", buffer.getvalue()


@dataclass
class FakeIndex:
    """A package index pip can use (`--index-url`), served by a FakeCdn."""

    cdn: FakeCdn
    projects: dict[str, list[str]] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.cdn.origin + "/simple/"

    def publish(self, project: str, file_name: str, data: bytes) -> str:
        """Add a file to a project; returns its sha256."""
        digest = hashlib.sha256(data).hexdigest()
        self.cdn.files[f"/files/{file_name}"] = data
        links = self.projects.setdefault(project, [])
        links.append(f'<a href="/files/{html.escape(file_name)}#sha256={digest}">{html.escape(file_name)}</a>')
        self.cdn.files[f"/simple/{project}/"] = ("<!DOCTYPE html><html><body>" + "<br>".join(links) + "</body></html>").encode()
        return digest

    def pip(self) -> Pip:
        """pip pointed at this index only, ignoring the machine's pip configuration."""
        return Pip(index_url=self.url, isolated=True)


@pytest.fixture
def fake_index(fake_cdn) -> FakeIndex:
    return FakeIndex(fake_cdn)


# -- synthetic runtimes ------------------------------------------------------------------------------


def make_npm_tarball(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@dataclass
class SyntheticRuntime:
    """A tiny runtime fetched through the real code: npm tarballs pre-seeded in the cache, package files on the fake CDN."""

    root: Path  # bundle root (holds manifest.toml)
    cache: Path
    wheels: dict[str, bytes]  # package file name -> bytes (served by the fake CDN)
    lock: dict
    version: str = VERSION

    def cdn_path(self, file_name: str) -> str:
        return f"/pyodide/v{self.version}/full/{file_name}"


def synthetic_lock(wheels: dict[str, bytes], python: str = "3.12.7") -> dict:
    packages = {}
    for file_name, data in wheels.items():
        name, version = file_name.split("-")[:2]
        packages[name] = {
            "name": name, "version": version, "file_name": file_name,
            "sha256": hashlib.sha256(data).hexdigest(), "depends": [], "imports": [name],
            "install_dir": "site", "package_type": "package", "unvendored_tests": False,
        }
    return {"info": {"python": python, "version": VERSION, "arch": "wasm32"}, "packages": packages}


def write_synthetic(tmp_path: Path, wheels: dict[str, bytes], lock: dict, *, pair_extra: str = "", tables: str = "") -> tuple[Path, Path]:
    """A bundle root with a manifest pinning three synthetic npm packages (seeded into a cache) and the lock's files."""
    tarballs = {
        "pyodide": make_npm_tarball({"pyodide.mjs": b"export const v = 1;\n", "pyodide-lock.json": json.dumps(lock).encode()}),
        "pyscript-core": make_npm_tarball({"dist/core.js": b"export {};\n", "package.json": b"{}"}),
        "micropython": make_npm_tarball({"micropython.mjs": b"export {};\n"}),
    }
    cache = tmp_path / "cache"
    root = tmp_path / "runtime"
    root.mkdir()
    npm_entries = []
    for kind, data in tarballs.items():
        path = tmp_path / f"{kind}.tgz"
        path.write_bytes(data)
        integrity = sri_of(path)
        npm_entries.append(f'[npm."{kind}@{VERSION}"]\npackage = "{kind}"\nversion = "{VERSION}"\nintegrity = "{integrity}"\n')
        DownloadCache(cache).put(integrity, f"{kind}-{VERSION}.tgz", path)  # as a previous fetch left it
    pins = [
        f'"{name}" = {{ version = "{e["version"]}", file = "{e["file_name"]}", sha256 = "{e["sha256"]}" }}'
        for name, e in lock["packages"].items() if e["file_name"] in wheels
    ]
    names = ", ".join(f'"{n}"' for n, e in lock["packages"].items() if e["file_name"] in wheels)
    (root / "manifest.toml").write_text(
        f"""schema = 1
default_pair = "default"

[pairs.default]
pyscript = "{VERSION}"
pyodide = "{VERSION}"
micropython = "{VERSION}"
packages = [{names}]
{pair_extra}
{chr(10).join(npm_entries)}
[pyodide_packages."{VERSION}"]
{chr(10).join(pins)}
{tables}
"""
    )
    return root, cache


@pytest.fixture
def synthetic(tmp_path: Path, fake_cdn: FakeCdn) -> SyntheticRuntime:
    wheels = {
        "alpha-1.0-py3-none-any.whl": b"alpha wheel " * 5000,
        "beta-2.0-py3-none-any.whl": b"beta wheel " * 7000,
    }
    lock = synthetic_lock(wheels)
    root, cache = write_synthetic(tmp_path, wheels, lock)
    for name, data in wheels.items():
        fake_cdn.add_package_file(VERSION, name, data)
    return SyntheticRuntime(root, cache, wheels, lock)


def tree_digest(root: Path) -> dict[str, str]:
    """sha256 of every file under root (dot-files like the fetch lock excluded): "byte-for-byte the same"."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file() and p.name != ".fetch.lock"
    }
