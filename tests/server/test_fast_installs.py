"""Wheel installs through the start module's unpacker (static/start/unpack.mjs), in Chromium with
the real runtime: the same files as Pyodide's own installer, the same shared libraries to load,
and anything it does not handle left to Pyodide's installer."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from conftest import require

CORE = "https://cdn.jsdelivr.net/npm/@pyscript/core@0.6.66/dist/core.js"
INDEX = "_cdn/cdn.jsdelivr.net/pyodide/v0.27.7/full/"

#: For each wheel: unpack it with the start module's unpacker (through Pyodide's API object, as
#: loadPackage does) and with Pyodide's own unpack_buffer into another folder, then compare.
COMPARE = """<!doctype html><html><head><meta charset="utf-8"><title>fast installs</title>
<script type="module" src="{core}"></script></head>
<body><div id="out"></div><script type="py" async>
import hashlib, json, os
import js, pyodide_js
from pyodide.ffi import to_js
from pyodide._package_loader import unpack_buffer
from pyscript import display

def tree(root):
    found = {{}}
    for folder, dirs, files in os.walk(root):
        for name in dirs:
            found[os.path.relpath(os.path.join(folder, name), root) + "/"] = ""
        for name in files:
            with open(os.path.join(folder, name), "rb") as fh:
                found[os.path.relpath(os.path.join(folder, name), root)] = hashlib.sha256(fh.read()).hexdigest()
    return found

# From JavaScript, as Pyodide's installer calls it (from Python the proxy would be unwrapped).
unpack_as_pyodide_does = js.Function.new("api", "kwargs", "return api.package_loader.unpack_buffer.callKwargs(kwargs)")
report = {{}}
for url in {urls}:
    name = url.rsplit("/", 1)[-1]
    buffer = js.Uint8Array.new(await (await js.fetch(url)).arrayBuffer())
    fast, own = f"/tmp/fast/{{name}}", f"/tmp/own/{{name}}"
    kwargs = dict(buffer=buffer, filename=name, calculate_dynlibs=True, installer="pyodide.loadPackage", source="pyodide")
    fast_libraries = unpack_as_pyodide_does(
        pyodide_js._api, to_js({{**kwargs, "extract_dir": fast}}, dict_converter=js.Object.fromEntries)).to_py()
    own_libraries = unpack_buffer(**kwargs, extract_dir=own).to_py()
    fast_tree, own_tree = tree(fast), tree(own)
    report[name] = {{
        "files": len(fast_tree),
        "same_files": fast_tree == own_tree,
        "differ": sorted(set(fast_tree.items()) ^ set(own_tree.items()))[:5],
        "libraries": [path.removeprefix(fast) for path in fast_libraries],
        "own_libraries": [path.removeprefix(own) for path in own_libraries],
        "installer": open(f"{{fast}}/{{[d for d in os.listdir(fast) if d.endswith('.dist-info')][0]}}/INSTALLER").read(),
    }}
report["installs"] = js.JSON.stringify(js.__pyscriptDesktopStart.loads[0].installs)
display("REPORT " + json.dumps(report), target="out")
</script></body></html>"""


def crafted_wheel(member: str) -> bytes:
    """A small pure-Python wheel with one extra member named `member`."""
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as wheel:
        wheel.writestr("crafted/__init__.py", "VALUE = 1\n")
        wheel.writestr(member, "outside\n")
        wheel.writestr("crafted-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: crafted\nVersion: 1.0\n")
        wheel.writestr("crafted-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        wheel.writestr("crafted-1.0.dist-info/RECORD", "")
    return data.getvalue()


def official_wheel(bundle, prefix: str) -> str:
    folder = bundle.component_dir("pyodide", bundle.manifest.pair().pyodide)
    found = sorted(path.name for path in folder.glob(prefix + "-*.whl"))
    require(bool(found), f"{prefix} is not in the runtime bundle: python main.py runtime fetch --all")
    return found[0]


def report_of(run) -> dict:
    run.wait_for_text("REPORT ", timeout=180)
    text = run.page.inner_text("#out")
    return json.loads(text[text.index("REPORT ") + len("REPORT "):])


@pytest.mark.e2e
def test_the_unpacker_writes_what_pyodides_installer_writes(serve, bundle, tmp_path, browser_page):
    """Real wheels: one with shared libraries (kiwisolver), one with data files (fonttools), and one
    the unpacker leaves to Pyodide (a member named with '..', which Pyodide's installer skips)."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "crafted-1.0-py3-none-any.whl").write_bytes(crafted_wheel("crafted/../outside.txt"))
    server = serve(site)
    urls = [server.url + INDEX + official_wheel(bundle, name) for name in ("kiwisolver", "fonttools")]
    urls.append(server.url + "crafted-1.0-py3-none-any.whl")
    (site / "compare.html").write_text(COMPARE.format(core=CORE, urls=json.dumps(urls)))

    run = browser_page(server.url + "compare.html")
    report = report_of(run)
    installs = json.loads(report.pop("installs"))
    kiwi, fonts, crafted = (report[url.rsplit("/", 1)[-1]] for url in urls)
    for wheel in (kiwi, fonts, crafted):
        assert wheel["same_files"], wheel["differ"]
        assert wheel["libraries"] == wheel["own_libraries"]
        assert wheel["installer"] == "pyodide.loadPackage"
    assert kiwi["libraries"] and all(path.endswith(".so") for path in kiwi["libraries"]), kiwi
    assert fonts["files"] > 300
    # the first two went the fast way; the crafted one was left to Pyodide, with the reason
    assert installs["fast"] == [url.rsplit("/", 1)[-1] for url in urls[:2]], installs
    assert installs["pyodide"] == ["crafted-1.0-py3-none-any.whl: not a wheel this unpacks"], installs
    assert not [text for kind, text in run.console if kind == "error"], run.console_text()


@pytest.mark.e2e
def test_fonttools_data_files_land_where_pyodide_puts_them(serve, bundle, tmp_path, browser_page):
    """fonttools carries a manual page as wheel data: installed under sys.prefix, as unpack_buffer does."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "fonts.html").write_text(f"""<!doctype html><html><head><meta charset="utf-8">
<script type="module" src="{CORE}"></script><py-config>packages = ["fonttools"]</py-config></head>
<body><div id="out"></div><script type="py">
import os, sys, js
from pyscript import display
import fontTools
page = os.path.join(sys.prefix, "share", "man", "man1", "ttx.1")
display(f"fontTools {{fontTools.version}} man page: {{os.path.exists(page)}}; " + js.JSON.stringify(js.__pyscriptDesktopStart.loads[0].installs), target="out")
</script></body></html>""")
    server = serve(site)
    run = browser_page(server.url + "fonts.html")
    run.wait_for_text("man page: True", timeout=180)
    text = run.page.inner_text("#out")
    installs = json.loads(text[text.index("{"):])
    # PyScript installs the page's packages with micropip, which Pyodide installs first
    assert "fonttools" in [name.split("-")[0] for name in installs["fast"]] and installs["pyodide"] == [], installs


#: Unpacks a crafted wheel through the start module's unpacker, then reads its files: a file is
#: inflated only when read, stat gives its size before that, and a member larger than the free
#: memory makes the interpreter's memory grow while Python reads it (read into a buffer Python
#: has just allocated, as `read()` does).
LAZY = """<!doctype html><html><head><meta charset="utf-8"><title>lazy files</title>
<script type="module" src="{core}"></script></head>
<body><div id="out"></div><script type="py" async>
import hashlib, io, json, os, zipfile
import js, pyodide_js
from pyodide.ffi import to_js
from pyscript import display

big = bytes(range(256)) * ({big} // 256)
data = io.BytesIO()
with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as wheel:
    wheel.writestr("lazy/__init__.py", "VALUE = 41 + 1\\n")
    wheel.writestr("lazy/unread.txt", "never read\\n" * 1000)
    wheel.writestr("lazy/big.bin", big)
    wheel.writestr("lazy-1.0.dist-info/METADATA", "Metadata-Version: 2.1\\nName: lazy\\nVersion: 1.0\\n")
    wheel.writestr("lazy-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n")
    wheel.writestr("lazy-1.0.dist-info/RECORD", "")
unpack = js.Function.new("api", "kwargs", "return api.package_loader.unpack_buffer.callKwargs(kwargs)")
installs = js.__pyscriptDesktopStart.loads[0].installs
counts = lambda: json.loads(js.JSON.stringify(installs))
kwargs = dict(buffer=to_js(data.getvalue()), filename="lazy-1.0-py3-none-any.whl", calculate_dynlibs=True,
              installer="pyodide.loadPackage", source="pyodide", extract_dir="/tmp/lazy")
unpack(pyodide_js._api, to_js(kwargs, dict_converter=js.Object.fromEntries))
report = {{"after_install": counts(), "stat_size": os.stat("/tmp/lazy/lazy/big.bin").st_size}}
import sys
sys.path.insert(0, "/tmp/lazy")
import lazy
report["value"] = lazy.VALUE
memory = pyodide_js._module.HEAPU8.length
with open("/tmp/lazy/lazy/big.bin", "rb") as fh:
    read = fh.read()
report["memory_grew"] = pyodide_js._module.HEAPU8.length > memory
report["big_same"] = hashlib.sha256(read).hexdigest() == hashlib.sha256(big).hexdigest()
report["after_reads"] = counts()
display("REPORT " + json.dumps(report), target="out")
</script></body></html>"""


@pytest.mark.e2e
def test_files_are_inflated_when_first_read(serve, tmp_path, browser_page):
    big = 48 * 2**20
    site = tmp_path / "site"
    site.mkdir()
    (site / "lazy.html").write_text(LAZY.format(core=CORE, big=big))
    server = serve(site)
    run = browser_page(server.url + "lazy.html")
    report = report_of(run)
    assert report["after_install"]["fast"] == ["lazy-1.0-py3-none-any.whl"], report
    later, inflated = report["after_install"]["later"], report["after_install"]["inflated"]
    # every file but the empty RECORD is left packed: nothing inflated by installing
    assert later["files"] == 5 and inflated["files"] == 0, report
    assert report["stat_size"] == big
    assert report["value"] == 42
    assert report["big_same"] and report["memory_grew"], report
    # read: __init__.py and big.bin (and nothing else: unread.txt and the dist-info stay packed)
    assert report["after_reads"]["inflated"]["files"] == 2, report
    assert report["after_reads"]["inflated"]["bytes"] == big + len("VALUE = 41 + 1\n"), report
    assert not [text for kind, text in run.console if kind == "error"], run.console_text()
