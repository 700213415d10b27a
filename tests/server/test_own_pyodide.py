"""A page's own Pyodide copy without its heavy files (Git LFS pointers, .gitignore, a mirror's size limit)
is answered from the bundled Pyodide; complete copies and a page's own scripts stay the page's own."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import server_client

from desktop.server.ownpyodide import incomplete_copy, is_stand_in, stand_in_version

LFS = "version https://git-lfs.github.com/spec/v1\noid sha256:{}\nsize 9000000\n".format("0" * 64)


def _lfs_copy(folder: Path, version: str = "0.27.7") -> Path:
    folder.mkdir(parents=True)
    (folder / "package.json").write_text(json.dumps({"name": "pyodide", "version": version}))
    for name in ("pyodide.asm.wasm", "pyodide.asm.js", "python_stdlib.zip"):
        (folder / name).write_text(LFS)
    (folder / "comlink.js").write_text("// the page's own library beside the copy\n")
    return folder


def test_the_copy_is_told_apart_from_complete_copies_and_page_scripts(tmp_path):
    lfs = _lfs_copy(tmp_path / "lfs", "0.28.0")
    assert incomplete_copy(lfs) and stand_in_version(lfs) == "0.28.0"
    assert is_stand_in(lfs, "pyodide.asm.wasm") and is_stand_in(lfs, "pyodide-lock.json")
    assert is_stand_in(lfs, "six-1.16.0-py2.py3-none-any.whl")
    assert not is_stand_in(lfs, "comlink.js") and not is_stand_in(lfs, "index.html")

    complete = tmp_path / "complete"
    complete.mkdir()
    for name in ("pyodide.js", "pyodide.asm.js"):
        (complete / name).write_text("// js\n")
    (complete / "pyodide.asm.wasm").write_bytes(b"\0asm" + b"\0" * 2000)
    assert not incomplete_copy(complete) and not is_stand_in(complete, "pyodide.asm.wasm")

    own_script = tmp_path / "js"  # the page's own loader helper that happens to be called pyodide.js
    own_script.mkdir()
    (own_script / "pyodide.js").write_text("window.start = () => loadPyodide();\n")
    assert not is_stand_in(own_script, "pyodide.js") and is_stand_in(own_script, "pyodide.asm.wasm")

    (lfs / "pyodide-lock.json").write_text(json.dumps({"info": {"version": "0.27.2.dev0"}}))
    assert stand_in_version(lfs) == "0.27.2"  # the lock names the copy's exact build


def test_the_server_answers_the_missing_files_from_the_bundle(serve, bundle, tmp_path):
    root = tmp_path / "site"
    pair = bundle.manifest.pair().pyodide
    _lfs_copy(root / "vendor", pair)
    (root / "js").mkdir()
    (root / "js" / "pyodide.js").write_text("window.start = () => loadPyodide();\n")
    bundled = bundle.component_dir("pyodide", pair)
    server = serve(root)
    with server_client(server) as client:
        wasm = client.get("/vendor/pyodide.asm.wasm")
        assert wasm.status_code == 200 and wasm.content == (bundled / "pyodide.asm.wasm").read_bytes()
        assert wasm.headers["cache-control"] == "no-cache"  # the folder may get its own copy later
        asm = client.get("/vendor/pyodide.asm.js")
        assert asm.content == (bundled / "pyodide.asm.js").read_bytes()
        lock = client.get("/vendor/pyodide-lock.json").json()
        assert lock["info"]["version"] == pair
        wheel = lock["packages"]["six"]["file_name"]
        assert client.get(f"/vendor/{wheel}").status_code == 200
        # the page's own files stay its own, and what neither has is still a readable 404
        assert client.get("/vendor/comlink.js").text.startswith("// the page's own library")
        assert client.get("/js/pyodide.js").text.startswith("window.start")
        assert client.get("/vendor/nothing-1.0-py3-none-any.whl").status_code == 404
        # a folder the copy was to be put in (left out by .gitignore): the default pair's runtime
        gone = client.get("/pyodide/pyodide.asm.wasm")
        assert gone.status_code == 200 and len(gone.content) == (bundled / "pyodide.asm.wasm").stat().st_size


def test_a_complete_copy_is_served_as_it_is(serve, tmp_path):
    root = tmp_path / "site"
    (root / "vendor").mkdir(parents=True)
    for name in ("pyodide.js", "pyodide.asm.js"):
        (root / "vendor" / name).write_text(f"// the author's own {name}\n")
    (root / "vendor" / "pyodide.asm.wasm").write_bytes(b"\0asm" + b"\1" * 4000)
    with server_client(serve(root)) as client:
        assert client.get("/vendor/pyodide.asm.wasm").content == b"\0asm" + b"\1" * 4000
        assert client.get("/vendor/pyodide.asm.js").text == "// the author's own pyodide.asm.js\n"
