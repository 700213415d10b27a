"""A local server that plays the Pyodide CDN, and small synthetic runtimes to fetch from it."""

from __future__ import annotations

import hashlib
import http.server
import io
import json
import tarfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from desktop.runtime.integrity import sri_of


@dataclass
class FakeCdn:
    """Serves {path: bytes}; can corrupt a file, or cut the first transfer of a file short."""

    files: dict[str, bytes] = field(default_factory=dict)
    corrupt: set[str] = field(default_factory=set)
    cut_once: dict[str, int] = field(default_factory=dict)  # path -> bytes sent before dropping
    requests: list[tuple[str, str | None]] = field(default_factory=list)  # (path, Range header)
    server: http.server.ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/pyodide"

    def start(self) -> "FakeCdn":
        cdn = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path
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
                if range_header and range_header.startswith("bytes="):
                    start = int(range_header[6:].split("-", 1)[0])
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                else:
                    self.send_response(200)
                self.send_header("Content-Length", str(len(body) - start))
                self.end_headers()
                if path in cdn.cut_once:
                    self.wfile.write(body[start : cdn.cut_once.pop(path)])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(body[start:])

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_cdn():
    cdn = FakeCdn().start()
    yield cdn
    cdn.stop()


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
    """A tiny runtime whose pins are real digests of generated files, fetched through the real code."""

    root: Path  # bundle root (holds manifest.toml)
    cache: Path
    wheels: dict[str, bytes]  # package file name -> bytes (served by the fake CDN)
    version: str = "9.9.9"


@pytest.fixture
def synthetic(tmp_path: Path, fake_cdn: FakeCdn) -> SyntheticRuntime:
    version = "9.9.9"
    wheels = {
        "alpha-1.0-py3-none-any.whl": b"alpha wheel " * 5000,
        "beta-2.0-py3-none-any.whl": b"beta wheel " * 7000,
    }
    lock = {
        "info": {"python": "3.12.7", "version": version},
        "packages": {
            name.split("-")[0]: {
                "name": name.split("-")[0],
                "version": name.split("-")[1],
                "file_name": name,
                "sha256": hashlib.sha256(data).hexdigest(),
                "depends": [],
                "imports": [name.split("-")[0]],
                "install_dir": "site",
                "package_type": "package",
            }
            for name, data in wheels.items()
        },
    }
    tarballs = {
        "pyodide": make_npm_tarball({"pyodide.mjs": b"export const v = 1;\n", "pyodide-lock.json": json.dumps(lock).encode()}),
        "pyscript-core": make_npm_tarball({"dist/core.js": b"export {};\n", "package.json": b"{}"}),
        "micropython": make_npm_tarball({"micropython.mjs": b"export {};\n"}),
    }
    cache = tmp_path / "cache"
    root = tmp_path / "runtime"
    root.mkdir()
    npm_entries, pins = [], []
    for kind, data in tarballs.items():
        path = tmp_path / f"{kind}.tgz"
        path.write_bytes(data)
        integrity = sri_of(path)
        npm_entries.append(
            f'[npm."{kind}@{version}"]\npackage = "{kind}"\nversion = "{version}"\nintegrity = "{integrity}"\n'
        )
        # seed the download cache as a previous fetch would have left it
        from desktop.runtime.cache import DownloadCache

        DownloadCache(cache).put(integrity, f"{kind}-{version}.tgz", path)
    for name, entry in lock["packages"].items():
        pins.append(f'"{name}" = {{ version = "{entry["version"]}", file = "{entry["file_name"]}", sha256 = "{entry["sha256"]}" }}')
    (root / "manifest.toml").write_text(
        f"""schema = 1
default_pair = "default"

[pairs.default]
pyscript = "{version}"
pyodide = "{version}"
micropython = "{version}"
packages = ["alpha", "beta"]

{chr(10).join(npm_entries)}
[pyodide_packages."{version}"]
{chr(10).join(pins)}
"""
    )
    for name, data in wheels.items():
        fake_cdn.files[f"/pyodide/v{version}/full/{name}"] = data
    return SyntheticRuntime(root, cache, wheels, version)
