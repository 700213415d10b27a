"""`export`: the example pages, written for a plain static host, run in Chromium with no
special headers, from the host's root and from a sub-path, with 0 external requests."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest

from desktop.errors import UsageError
from desktop.export import export_site
from desktop.export.rewrite import rewrite_runtime_js

from conftest import PAGES

#: page -> what its Python shows (as tests/pages/test_examples.py expects in the app)
EXPECTED = {
    "hello.html": "Hello from Python 3.12",
    "worker.html": "crossOriginIsolated: True",
    "micropython.html": "Hello from micropython",
    "classic-hello.html": "Hello, World!",
    "chart.html": "Chart drawn with numpy 2.0.2 and matplotlib 3.8.4",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StaticHost:
    """`python -m http.server` over a folder: no COOP/COEP, nothing but files."""

    def __init__(self, folder: Path) -> None:
        self.port = _free_port()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(self.port), "--bind", "127.0.0.1", "--directory", str(folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        self.url = f"http://127.0.0.1:{self.port}/"

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(5)


@pytest.fixture(scope="module")
def exported(bundle, tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("site")
    export_site(PAGES, site / "root", bundle)
    return site / "root"


@pytest.fixture(scope="module", params=["root", "sub-path"])
def host(request, exported: Path, tmp_path_factory) -> Iterator[str]:
    if request.param == "root":
        server = StaticHost(exported)
        yield server.url
    else:
        outer = tmp_path_factory.mktemp("outer")
        (outer / "some" / "folder").mkdir(parents=True)
        (outer / "some" / "folder" / "site").symlink_to(exported, target_is_directory=True)
        server = StaticHost(outer)
        yield server.url + "some/folder/site/"
    server.close()


@pytest.mark.e2e
@pytest.mark.parametrize("page", list(EXPECTED))
def test_exported_page_runs_on_a_plain_static_host(page, host, browser_page, output_dir):
    run = browser_page(host + page)
    run.wait_for_text(EXPECTED[page], timeout=120)
    assert run.page.evaluate("crossOriginIsolated") is True
    assert run.page.evaluate("navigator.serviceWorker.controller !== null")
    where = "root" if host.count("/") == 3 else "subpath"
    run.page.screenshot(path=str(output_dir / f"export-{where}-{page.removesuffix('.html')}.png"))
    assert run.errors == []


@pytest.mark.e2e
def test_exported_page_that_imports_desktop_says_why(bundle, tmp_path, browser_page):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "files.html").write_text(
        '<!doctype html><html><head><script type="module" '
        'src="https://pyscript.net/releases/2024.11.1/core.js"></script></head><body>'
        '<script type="py">\ntry:\n    import desktop\n    desktop.files\nexcept ImportError as exc:\n'
        '    from pyscript import display\n    display(f"refused: {exc}")\n</script></body></html>'
    )
    export_site(pages, tmp_path / "out", bundle)
    server = StaticHost(tmp_path / "out")
    try:
        run = browser_page(server.url + "files.html")
        run.wait_for_text("refused: The desktop module (local files, dialogs) exists only in the PyScript Desktop app")
    finally:
        server.close()


def test_manifest_lists_every_file_with_its_content_type(exported: Path):
    manifest = (exported / "MANIFEST.txt").read_text()
    rows = {line.split()[-1]: line.split()[1] for line in manifest.splitlines() if line and not line.startswith("#")}
    on_disk = {p.relative_to(exported).as_posix() for p in exported.rglob("*") if p.is_file()} - {"MANIFEST.txt"}
    assert set(rows) == on_disk
    assert rows["_runtime/pyodide/0.27.7/pyodide.asm.wasm"] == "application/wasm"
    assert rows["_runtime/pyodide/0.27.7/pyodide.mjs"] == "text/javascript;"
    # exactly what the pages need: the chart's packages, not the whole bundle
    wheels = {r.split("/")[-1].split("-")[0] for r in rows if r.endswith(".whl")}
    assert {"numpy", "matplotlib", "micropip"} <= wheels
    assert "scipy" not in wheels and "scikit_learn" not in wheels


def test_runtime_urls_become_same_origin_virtual_urls():
    text = 'a=(e="0.27.7")=>`https://cdn.jsdelivr.net/pyodide/v${e}/full/pyodide.mjs`;b="https://unpkg.com/x/y.js";c="see https://pyscript.net/ docs"'
    out = rewrite_runtime_js(text)
    assert "`${globalThis.location.origin}/__pyscript-export__/cdn.jsdelivr.net/pyodide/v${e}/full/pyodide.mjs`" in out
    assert 'b=""+globalThis.location.origin+"/__pyscript-export__/unpkg.com/x/y.js"' in out
    assert 'c="see https://pyscript.net/ docs"' in out  # inside a longer string: left alone


def test_refuses_a_folder_it_did_not_make(bundle, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("precious")
    with pytest.raises(UsageError, match="did not make"):
        export_site(PAGES, out, bundle)
    assert (out / "notes.txt").read_text() == "precious"


def test_command_writes_s3_metadata(tmp_path):
    meta = tmp_path / "meta.json"
    done = subprocess.run(
        [sys.executable, "main.py", "export", str(PAGES), str(tmp_path / "out"), "--s3-metadata", str(meta)],
        cwd=PAGES.parent, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    rows = {row["key"]: row for row in json.loads(meta.read_text())}
    assert rows["_runtime/pyodide/0.27.7/pyodide.asm.wasm"]["content_type"] == "application/wasm"
    assert rows["hello.html"]["cache_control"] == "no-cache"
    assert "Exported" in done.stdout
