"""A release's own Pyodide (npm: no package files) borrows the pair's pure-Python packages of the same Python
(server/borrowed.py). A page that needs it is the corpus row own/ltk/index.html (a worker's micropip)."""

from __future__ import annotations

import hashlib
import json

import httpx


def _lock(client: httpx.Client, version: str) -> dict:
    return json.loads(client.get(f"/_runtime/pyodide/{version}/pyodide-lock.json").content)


def test_pyodide_0_27_3_gets_the_pair_s_micropip_and_keeps_its_compiled_packages(serve, tmp_path, bundle):
    pair = bundle.manifest.pairs["default"].pyodide
    server = serve(tmp_path)
    with httpx.Client(base_url=server.origin, headers=server.auth_headers()) as client:
        release, ours = _lock(client, "0.27.3"), _lock(client, pair)
        micropip = release["packages"]["micropip"]
        official = json.loads((bundle.component_dir("pyodide", pair) / "pyodide-lock.json").read_text(encoding="utf-8"))
        assert micropip == official["packages"]["micropip"]  # the pair's official entry whole: file, version, sha256
        wheel = client.get(f"/_runtime/pyodide/0.27.3/{micropip['file_name']}")
        assert wheel.status_code == 200 and hashlib.sha256(wheel.content).hexdigest() == micropip["sha256"]
        # compiled packages are one Pyodide build's: not lent, and their files are still not there
        numpy = release["packages"]["numpy"]
        assert numpy["file_name"] != ours["packages"]["numpy"]["file_name"] or numpy["sha256"] != ours["packages"]["numpy"]["sha256"]
        assert client.get(f"/_runtime/pyodide/0.27.3/{numpy['file_name']}").status_code == 404
        # a file the pair has but 0.27.3's lock does not point at is not served under 0.27.3
        assert client.get(f"/_runtime/pyodide/0.27.3/{ours['packages']['numpy']['file_name']}").status_code == 404
        # another Python (Pyodide 0.24.1 is 3.11): nothing lent
        old = _lock(client, "0.24.1")
        assert old["packages"]["micropip"]["file_name"] == "micropip-0.5.0-py3-none-any.whl"
        assert old["info"]["python"].startswith("3.11")
