"""Fast Pyodide start: the snapshot store, its HTTP API, the start module and, in Chromium,
a snapshot made on first start, used on the next, and a bad one falling back to a normal start."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import httpx
import pytest

import struct

from conftest import require
from desktop.server.snapshots import MAGIC, PAGE, SnapshotStore, build_id, folder_store, image_problem, runtime_key

HELLO = """<!doctype html><html><head><meta charset="utf-8"><title>snap hello</title>
<script type="module" src="https://cdn.jsdelivr.net/npm/@pyscript/core@0.6.66/dist/core.js"></script></head>
<body><div id="out"></div><script type="py">
import sys
from pyscript import display
display(f"hello from Python {sys.version_info.major}.{sys.version_info.minor}", target="out")
</script></body></html>"""

CHART = """<!doctype html><html><head><meta charset="utf-8"><title>snap chart</title>
<script type="module" src="https://cdn.jsdelivr.net/npm/@pyscript/core@0.6.66/dist/core.js"></script>
<py-config>packages = ["numpy", "matplotlib"]</py-config></head>
<body><div id="chart"></div><div id="out"></div><script type="py">
import matplotlib
matplotlib.use("agg")
import matplotlib.pyplot as plt
import numpy as np
from pyscript import display
fig, ax = plt.subplots(figsize=(5, 3))
ax.plot(np.arange(10), np.arange(10) ** 2)
display(fig, target="chart")
display(f"chart with numpy {np.__version__}", target="out")
</script></body></html>"""

START = "JSON.stringify(globalThis.__pyscriptDesktopStart || null)"


BUILD = "ab" * 32


def fake_image(pages: int = 2, build: str = BUILD, text: bytes = b'{"hiwireKeys": [], "immortalKeys": []}') -> bytes:
    """Laid out like a Pyodide snapshot: header, JSON, then the heap (whole 64 KiB pages)."""
    offset = -(-(48 + len(text)) // 16) * 16
    head = MAGIC + struct.pack("<3I", offset, len(text), 0) + struct.pack("<8I", *(int(build[i:i + 8], 16) for i in range(0, 64, 8)))
    return (head + text).ljust(offset, b"\0") + bytes(range(256)) * (pages * PAGE // 256)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "hello.html").write_text(HELLO)
    (folder / "chart.html").write_text(CHART)
    return folder


# -- the store --------------------------------------------------------------------------------------


def test_runtime_key_follows_the_exact_files(bundle, tmp_path):
    real = bundle.component_dir("pyodide", bundle.manifest.pair().pyodide)
    copy = tmp_path / "pyodide"
    copy.mkdir()
    for name in ("pyodide.asm.wasm", "pyodide.asm.js", "python_stdlib.zip", "pyodide.mjs"):
        shutil.copy(real / name, copy / name)
    assert runtime_key(copy) == runtime_key(real)
    with open(copy / "python_stdlib.zip", "ab") as fh:
        fh.write(b"\0")
    assert runtime_key(copy) != runtime_key(real)
    # a file served in place of the folder's own (the standard library with bytecode) is what counts
    assert runtime_key(real, {"python_stdlib.zip": copy / "python_stdlib.zip"}) == runtime_key(copy)


def test_the_key_is_of_the_standard_library_the_server_serves(serve, site, tmp_path, bundle):
    with_bytecode = serve(site, snapshots=tmp_path / "a")
    official = serve(site, snapshots=tmp_path / "b", precompiled=False)
    assert official.snapshot_key == runtime_key(bundle.component_dir("pyodide", official.pair.pyodide))
    assert serve(site).snapshot_key is None  # no snapshots asked for
    require(with_bytecode.snapshot_key != official.snapshot_key, "no precompiled standard library: run python main.py runtime fetch (with Node.js)")


def test_image_checks(bundle):
    assert image_problem(fake_image()[:48], len(fake_image()), BUILD) is None
    assert image_problem(b"<html>" + bytes(60), 5000, None) == "not a Pyodide memory snapshot"
    assert image_problem(fake_image()[:48], len(fake_image()) - 1, BUILD) == "snapshot layout is damaged"
    assert image_problem(fake_image()[:48], len(fake_image()), "cd" * 32) == "snapshot of another Pyodide build"
    assert len(build_id(bundle.component_dir("pyodide", bundle.manifest.pair().pyodide))) == 64


def test_store_keeps_one_intact_image_per_folder(tmp_path):
    store = SnapshotStore(tmp_path / "snaps", BUILD)
    assert store.path("abc") is None
    store.put("abc", fake_image())
    assert store.path("abc").read_bytes() == fake_image()
    store.put("def", fake_image(3))  # a new runtime build: the old image goes
    assert store.path("abc") is None and store.path("def") is not None
    assert sorted(p.name for p in store.folder.iterdir()) == ["def.json", "def.snapshot"]


def test_store_refuses_what_is_not_a_snapshot_and_drops_damaged_images(tmp_path):
    store = SnapshotStore(tmp_path / "snaps", BUILD)
    with pytest.raises(ValueError):
        store.put("abc", b"<html>not an image</html>")
    with pytest.raises(ValueError):
        store.put("abc", fake_image(build="cd" * 32))
    with pytest.raises(ValueError):
        store.put("../x", fake_image())
    store.put("abc", fake_image())
    image = store.path("abc")
    data = bytearray(image.read_bytes())
    data[100] ^= 0xFF
    image.write_bytes(bytes(data))
    assert store.path("abc") is None
    assert not image.exists()


def test_folders_get_their_own_store(tmp_path):
    assert folder_store(tmp_path, tmp_path / "a").folder != folder_store(tmp_path, tmp_path / "b").folder


# -- over HTTP --------------------------------------------------------------------------------------


def test_snapshot_api(serve, site, tmp_path, bundle):
    server = serve(site, snapshots=tmp_path / "cache")
    pyodide_dir = bundle.component_dir("pyodide", server.pair.pyodide)
    key, image = server.snapshot_key, fake_image(build=build_id(pyodide_dir))
    url = f"/_desktop/api/snapshot/{key}"
    good = {"Content-Type": "application/octet-stream", "X-Desktop-Snapshot": "1"}
    with httpx.Client(base_url=server.origin, headers=server.auth_headers()) as client:
        assert client.get(url).status_code == 204  # none yet: routine, not an error
        assert client.get("/_desktop/api/snapshot/0123abc").status_code == 404  # another build
        assert client.put(url, content=image, headers={"Content-Type": "application/octet-stream"}).status_code == 403
        assert client.put(url, content=image, headers={**good, "Sec-Fetch-Site": "cross-site"}).status_code == 403
        assert client.put(url, content=image, headers={**good, "Content-Type": "text/plain"}).status_code == 415
        assert client.put(url, content=b"x" * 100, headers=good).status_code == 400
        assert client.put(url, content=fake_image(), headers=good).status_code == 400  # another build's image
        assert client.put(url, content=image, headers=good).status_code == 204
        got = client.get(url)
        assert got.status_code == 200 and got.content == image
        assert got.headers["cache-control"] == "no-store"
        digest = hashlib.sha256(image).hexdigest()
        versioned = client.get(f"{url}?v={digest}")  # named by its digest: the engine may keep it
        assert versioned.content == image and versioned.headers["cache-control"] == "private, max-age=31536000, immutable"
        assert client.get(f"{url}?v={'0' * 64}").status_code == 404  # never other bytes under a digest
        start = client.get(f"/_runtime/pyodide/{server.pair.pyodide}/pyodide.mjs").text
        assert f'"snapshot": "{url}?v={digest}"' in start
        assert client.delete(url).status_code == 403
        assert client.delete(url, headers={"X-Desktop-Snapshot": "1"}).status_code == 204
        assert client.get(url).status_code == 204


def test_start_module_is_served_for_pyodide_mjs(serve, site, tmp_path, bundle):
    server = serve(site, snapshots=tmp_path / "cache")
    version = server.pair.pyodide
    key = server.snapshot_key
    with httpx.Client(base_url=server.origin, headers=server.auth_headers()) as client:
        start = client.get(f"/_runtime/pyodide/{version}/pyodide.mjs")
        assert start.headers["content-type"].startswith("text/javascript")
        assert 'from "./pyodide.mjs?desktop=original"' in start.text
        assert f'"snapshot": "/_desktop/api/snapshot/{key}"' in start.text
        original = client.get(f"/_runtime/pyodide/{version}/pyodide.mjs?desktop=original")
        assert original.content == (bundle.component_dir("pyodide", version) / "pyodide.mjs").read_bytes()
        assert "immutable" in original.headers["cache-control"]
        assert client.get(f"/_runtime/pyodide/{version}/pyodide.asm.wasm").headers["content-type"] == "application/wasm"
    plain = serve(site)  # no snapshot folder: packages still load during start, no snapshot
    with httpx.Client(base_url=plain.origin, headers=plain.auth_headers()) as client:
        assert '"snapshot": null' in client.get(f"/_runtime/pyodide/{version}/pyodide.mjs").text


def test_pages_name_their_packages_for_the_start_module(serve, site):
    (site / "odd.html").write_text(CHART.replace('"matplotlib"', '"matplotlib", "not-a-bundled-thing"'))
    server = serve(site)
    with httpx.Client(base_url=server.origin, headers=server.auth_headers()) as client:
        assert 'preloadPackages:["numpy", "matplotlib"]' in client.get("/chart.html").text
        assert 'preloadPackages:["numpy", "matplotlib"]' in client.get("/odd.html").text  # missing ones are reported, not preloaded
        assert "preloadPackages" not in client.get("/hello.html").text


# -- in Chromium ------------------------------------------------------------------------------------


def start_record(run) -> dict:
    state = json.loads(run.page.evaluate(START))
    assert state and state["loads"], f"the start module did not run: {state}"
    return state


@pytest.mark.e2e
def test_snapshot_is_made_then_used(serve, site, tmp_path, bundle, browser_page, output_dir):
    cache = tmp_path / "cache"
    server = serve(site, snapshots=cache)
    store = folder_store(cache, site)
    key = server.snapshot_key

    first = browser_page(server.url + "hello.html")
    first.wait_for_text("hello from Python 3.12")
    assert start_record(first)["loads"][0]["snapshot"] == "none"
    first.page.wait_for_function("globalThis.__pyscriptDesktopStart.made", timeout=180_000)
    made = json.loads(first.page.evaluate("JSON.stringify(globalThis.__pyscriptDesktopStart.made)"))
    assert made["ok"], made
    image = store.path(key)
    assert image is not None and image.stat().st_size == made["bytes"]

    second = browser_page(server.url + "hello.html")
    second.wait_for_text("hello from Python 3.12")
    assert start_record(second)["loads"][0]["snapshot"] == "used"
    second.page.screenshot(path=str(output_dir / "snapshot-hello-used.png"))

    chart = browser_page(server.url + "chart.html")  # compiled packages load on top of a restored interpreter
    chart.wait_for_text("chart with numpy 2.0.2", timeout=180)
    record = start_record(chart)["loads"][0]
    assert record["snapshot"] == "used" and record["packages"] == ["numpy", "matplotlib"]
    chart.page.wait_for_function("document.querySelector('#chart img') && document.querySelector('#chart img').naturalWidth > 0")
    chart.page.screenshot(path=str(output_dir / "snapshot-chart-used.png"))
    for run in (first, second, chart):
        assert not [t for kind, t in run.console if kind == "error"], run.console_text()


BYTECODE = """<!doctype html><html><head><meta charset="utf-8"><title>snap bytecode</title>
<script type="module" src="https://cdn.jsdelivr.net/npm/@pyscript/core@0.6.66/dist/core.js"></script></head>
<body><div id="out"></div><script type="py">
import importlib.util, os, sys
from pyscript import display
module = sys.modules["pyscript.display"]  # the package's `display` attribute is the function
pyc = importlib.util.cache_from_source(module.__file__)
if os.path.exists(pyc):
    with open(pyc, "rb") as fh:
        head = fh.read(16)
    with open(module.__file__, "rb") as fh:
        fits = head[8:16] == importlib.util.source_hash(fh.read())
    said = f"checked-hash bytecode: {int.from_bytes(head[4:8], 'little') == 3}, fits its source: {fits}"
else:
    said = "no bytecode"
display(f"pyscript.display: {said}; writes bytecode itself: {not sys.dont_write_bytecode}", target="out")
</script></body></html>"""


@pytest.mark.e2e
def test_pyscripts_own_package_starts_from_bytecode_kept_in_the_image(serve, site, tmp_path, browser_page):
    """PyScript writes its package's sources into the interpreter at every start, and Pyodide never
    writes bytecode, so each start compiled them; an image keeps their bytecode (see snapshots.py)."""
    (site / "bytecode.html").write_text(BYTECODE)
    server = serve(site, snapshots=tmp_path / "cache")
    first = browser_page(server.url + "bytecode.html")
    first.wait_for_text("pyscript.display: no bytecode; writes bytecode itself: False")
    first.page.wait_for_function("globalThis.__pyscriptDesktopStart.made", timeout=180_000)
    assert json.loads(first.page.evaluate("JSON.stringify(globalThis.__pyscriptDesktopStart.made)"))["ok"]

    second = browser_page(server.url + "bytecode.html")
    second.wait_for_text("pyscript.display: checked-hash bytecode: True, fits its source: True; writes bytecode itself: False")
    assert start_record(second)["loads"][0]["snapshot"] == "used"
    assert second.page.evaluate("Boolean(globalThis.pyodide) === false")  # nothing leaked onto the page


ZIPS = """<!doctype html><html><head><meta charset="utf-8"><title>snap zips</title>
<script type="module" src="https://cdn.jsdelivr.net/npm/@pyscript/core@0.6.66/dist/core.js"></script></head>
<body><div id="out"></div><script type="py">
import importlib, sys, zipfile, zipimport
from pyscript import display
stdlib = f"/lib/python{sys.version_info[0]}{sys.version_info[1]}.zip"
reads = []
read_directory = zipimport._read_directory
def counted(archive):
    reads.append(archive)
    return read_directory(archive)
zipimport._read_directory = counted
folders = sum(1 for path, finder in sys.path_importer_cache.items() if path.startswith(stdlib) and finder is not None)
importlib.invalidate_caches()
first, reads[:] = reads.count(stdlib), []
importlib.invalidate_caches()
second = reads.count(stdlib)
with zipfile.ZipFile("/tmp/own.zip", "w") as own:  # a zip of the page's own, changed after an import from it
    own.writestr("own_a.py", "V = 1\\n")
sys.path.insert(0, "/tmp/own.zip")
import own_a
with zipfile.ZipFile("/tmp/own.zip", "w") as own:
    own.writestr("own_a.py", "V = 1\\n")
    own.writestr("own_b.py", "V = 2\\n")
importlib.invalidate_caches()
import own_b
fresh = "fractions" not in sys.modules
import fractions  # the standard library still imports
display(f"stdlib folders: {folders > 1}; directory reads: {first}, then {second}; own zip read again: {'/tmp/own.zip' in reads}, "
        f"own_b {own_b.V}; new stdlib module: {fresh and fractions.Fraction(1, 3) * 3 == 1}", target="out")
</script></body></html>"""


@pytest.mark.e2e
def test_an_image_reads_the_standard_library_zip_again_only_when_it_changed(serve, site, tmp_path, browser_page):
    """`importlib.invalidate_caches()` (after every package install) read the standard library zip's
    directory once per imported package folder; an image's interpreter reads it only when the file
    changed, and any other zip as before (ZIP_DIRECTORY in snapshots.py)."""
    (site / "zips.html").write_text(ZIPS)
    server = serve(site, snapshots=tmp_path / "cache")
    first = browser_page(server.url + "zips.html")  # a normal start, as Python does it
    first.wait_for_text("own_b 2; new stdlib module: True", timeout=120)
    said = first.page.inner_text("#out")
    assert "stdlib folders: True;" in said and "own zip read again: True" in said, said
    reads = [int(n) for n in said.split("directory reads: ")[1].split(";")[0].split(", then ")]
    assert min(reads) > 1, said  # about one reading per package folder, each time
    first.page.wait_for_function("globalThis.__pyscriptDesktopStart.made", timeout=180_000)
    assert json.loads(first.page.evaluate("JSON.stringify(globalThis.__pyscriptDesktopStart.made)"))["ok"]

    second = browser_page(server.url + "zips.html")
    second.wait_for_text("own_b 2; new stdlib module: True", timeout=120)
    assert start_record(second)["loads"][0]["snapshot"] == "used"
    said = second.page.inner_text("#out")
    assert "stdlib folders: True; directory reads: 1, then 0; own zip read again: True" in said, said
    for run in (first, second):
        assert not [t for kind, t in run.console if kind == "error"], run.console_text()


@pytest.mark.e2e
def test_damaged_snapshot_is_dropped_and_the_page_starts_normally(serve, site, tmp_path, bundle, browser_page):
    cache = tmp_path / "cache"
    server = serve(site, snapshots=cache)
    pyodide_dir = bundle.component_dir("pyodide", server.pair.pyodide)
    store = folder_store(cache, site, build_id(pyodide_dir))
    key = server.snapshot_key
    store.put(key, fake_image(pages=320, build=build_id(pyodide_dir)))
    image = store.path(key)
    data = bytearray(image.read_bytes())
    data[5000:5100] = b"\xee" * 100  # damaged on disk: its digest no longer matches
    image.write_bytes(bytes(data))

    run = browser_page(server.url + "hello.html")
    run.wait_for_text("hello from Python 3.12")
    assert start_record(run)["loads"][0]["snapshot"] == "none"  # the server never offered it
    assert not image.exists() or image.read_bytes() != bytes(data)


@pytest.mark.e2e
def test_snapshot_that_fails_to_restore_falls_back_unnoticed(serve, site, tmp_path, bundle, browser_page, output_dir):
    cache = tmp_path / "cache"
    server = serve(site, snapshots=cache)
    pyodide_dir = bundle.component_dir("pyodide", server.pair.pyodide)
    store = folder_store(cache, site, build_id(pyodide_dir))
    key = server.snapshot_key
    # intact on disk and laid out right for this build, but its contents are garbage
    bogus = fake_image(pages=320, build=build_id(pyodide_dir), text=b"{not json")
    store.put(key, bogus)

    run = browser_page(server.url + "hello.html")
    run.wait_for_text("hello from Python 3.12")
    record = start_record(run)["loads"][0]
    assert record["snapshot"] == "failed", record
    assert "json" in record["error"].lower(), record  # Pyodide's own restore rejected it
    assert not run.page.query_selector(".py-error"), "the page showed an error box"
    assert not [t for kind, t in run.console if kind == "error"], run.console_text()
    run.page.screenshot(path=str(output_dir / "snapshot-fallback.png"))
    # the bad image is dropped, and a good one is made in its place once the page is idle
    run.page.wait_for_function("globalThis.__pyscriptDesktopStart.made", timeout=180_000)
    image = store.path(key)
    assert image is not None and hashlib.sha256(image.read_bytes()).digest() != hashlib.sha256(bogus).digest()
