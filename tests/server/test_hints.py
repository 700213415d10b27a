"""Preload hints: what a served page names up front, read from the real bundled cores, and in
Chromium every hinted file fetched once and used (no second download, no unused-preload warning)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from desktop.server.hints import core_layout

CORE = "https://cdn.jsdelivr.net/npm/@pyscript/core@0.6.66/dist/core.js"
MPY = f"""<!doctype html><html><head><meta charset="utf-8"><title>hinted</title>
<script type="module" src="{CORE}"></script></head><body><div id="out"></div>
<script type="mpy">
from pyscript import display
display("hello from MicroPython", target="out")
</script></body></html>"""
OWN_INTERPRETER = MPY.replace("</head>", '<mpy-config>interpreter = "/my/micropython.mjs"</mpy-config></head>')
WORKER_ONLY = MPY.replace('<script type="mpy">', '<script type="mpy" worker>')


def path(url: str) -> str:
    return url.split("?")[0]


def links(html: str) -> list[tuple[str, str]]:
    return [(m[1], m[2]) for m in re.finditer(r'<link rel="(modulepreload|preload)"[^>]*? href="([^"]+)">', html)]


@pytest.fixture
def site(tmp_path: Path) -> Path:
    folder = tmp_path / "site"
    folder.mkdir()
    for name, text in {"mpy.html": MPY, "own.html": OWN_INTERPRETER, "worker.html": WORKER_ONLY}.items():
        (folder / name).write_text(text)
    (folder / "hello.html").write_text(MPY.replace('type="mpy"', 'type="py"').replace("MicroPython", "Python"))
    return folder


def test_the_layout_of_each_bundled_core_is_read_from_its_files(bundle):
    for version in bundle.installed_versions("pyscript-core"):
        dist = bundle.component_dir("pyscript-core", version) / "dist"
        layout = core_layout(dist)
        assert layout.chunks and layout.chunks[0].startswith("core-"), version
        assert all((dist / chunk).is_file() for chunk in layout.chunks)
        assert any(c.startswith("py-terminal-") for c in layout.chunks)  # the start-up plugins
        assert not any(c.startswith(("codemirror", "xterm", "zip-")) for c in layout.chunks)  # loaded on demand only
        assert layout.interpreters["pyodide"].endswith("/pyodide.mjs")
        assert layout.interpreters["micropython"].endswith("/micropython.mjs")
    assert core_layout(Path("/nonexistent")).chunks == ()


def test_pages_name_what_their_interpreter_will_fetch(serve, site, tmp_path):
    server = serve(site, snapshots=tmp_path / "cache")
    mpy = links(httpx.get(server.url + "mpy.html", headers=server.auth_headers()).text)
    assert ("modulepreload", f"{server.origin}/_runtime/pyscript-core/0.6.66/dist/core.js") not in mpy  # the page's own script says it
    assert any(href.endswith("/micropython.mjs") and kind == "modulepreload" for kind, href in mpy)
    assert any(href.endswith("/micropython.wasm") and kind == "preload" for kind, href in mpy)
    assert not any("pyodide" in href for _, href in mpy)

    py = links(httpx.get(server.url + "hello.html", headers=server.auth_headers()).text)
    # the start module stands in for pyodide.mjs: the real one and the app's unpacker it imports are named too
    wanted = ("pyodide.mjs", "pyodide.mjs?desktop=original", "unpack.mjs", "pyodide.asm.js", "pyodide-lock.json")
    assert all(any(href.endswith("/" + name) for _, href in py) for name in wanted)
    # large files are left to the runtime: fetched up front they slowed a warm start (see hints.py)
    assert not any(href.endswith((".wasm", ".zip", ".whl")) or "/snapshot/" in href for _, href in py)

    for page in ("own.html", "worker.html"):  # their interpreter is not the default one on this thread
        named = links(httpx.get(server.url + page, headers=server.auth_headers()).text)
        assert named and all("/pyscript-core/" in href for _, href in named), page


@pytest.mark.e2e
@pytest.mark.parametrize(("page", "text"), [("mpy.html", "hello from MicroPython"), ("hello.html", "hello from Python")])
def test_in_chromium_each_hinted_file_is_fetched_once_and_used(serve, site, browser_page, page, text):
    server = serve(site)
    hinted = [href for _, href in links(httpx.get(server.url + page, headers=server.auth_headers()).text)]
    run = browser_page(server.url + page)
    run.wait_for_text(text)
    run.page.wait_for_timeout(3500)  # Chromium warns of a preload left unused after about 3 s
    for href in hinted:  # each fetched once, and not again under another query (a hint the runtime does not match)
        same_file = sorted(r for r in run.requests if path(r) == path(href))
        assert same_file == sorted(h for h in hinted if path(h) == path(href)), (href, same_file)
    assert "preload" not in run.console_text().lower(), run.console_text()
