"""Precompiled twins of package wheels and of the standard library zip: made by the bundle's own
Pyodide under Node.js, checked, served in place of the official files, and used by a page in Chromium.

The twins are made for real (Node.js, Pyodide 0.27.7) in a throwaway bundle whose components link to
the fetched ones, so the real bundle is never touched here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import httpx
import pytest

from desktop.errors import FetchError
from desktop.runtime.bundle import RuntimeBundle
from desktop.runtime.integrity import sha256_file
from desktop.runtime.precompile import INDEX, STDLIB, Precompiled, bundle_sources, twin_name
from desktop.tools import Node
from desktop.runtime.verify import verify_bundle
from desktop.runtime.wheelhouse import read_lock
from desktop.settings import Settings, app_root

from conftest import require

SMALL = "pyparsing"  # a pure-Python package of the official lock: 11 modules, compiled in a few seconds
PYC_UNCHECKED_HASH = 0b01  # PEP 552 flags: hash-based, source not checked


def test_twin_names_keep_the_part_pyodide_reads_as_the_package_name():
    assert twin_name("numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl") == "numpy-2.0.2-0pyc-cp312-cp312-pyodide_2024_0_wasm32.whl"
    assert twin_name("six-1.16.0-py2.py3-none-any.whl") == "six-1.16.0-0pyc-py2.py3-none-any.whl"
    assert twin_name("foo-1.0-2-py3-none-any.whl") == "foo-1.0-2pyc-py3-none-any.whl"  # an existing build tag
    with pytest.raises(ValueError):
        twin_name("openblas-0.3.26.zip.whl")
    assert twin_name(STDLIB) == "python_stdlib-0pyc.zip"


@pytest.fixture(scope="module")
def node() -> Node:
    found = Node.find()
    require(found.available(), "Node.js is not installed (setup.sh installs it with npm)")
    return found


@pytest.fixture
def scratch(bundle: RuntimeBundle, tmp_path: Path) -> RuntimeBundle:
    """A bundle of its own (so twins land in tmp_path) whose components are the fetched ones."""
    root = tmp_path / "runtime"
    root.mkdir()
    shutil.copy(bundle.root / "manifest.toml", root / "manifest.toml")
    for kind, version in bundle.manifest.pair().versions().items():
        (root / kind).mkdir()
        os.symlink(bundle.component_dir(kind, version), root / kind / version)
    return RuntimeBundle(root)


def _source(bundle: RuntimeBundle, name: str) -> dict[str, tuple[Path, str]]:
    version = bundle.manifest.pair().pyodide
    entry = read_lock(bundle.component_dir("pyodide", version))["packages"][name]
    return {entry["file_name"]: (bundle.component_dir("pyodide", version) / entry["file_name"], entry["sha256"])}


@pytest.mark.e2e  # boots the bundle's Pyodide under Node.js to compile: not for the quick tier
def test_a_twin_is_the_official_wheel_plus_unchecked_hash_bytecode_for_every_module(scratch, node):
    version = scratch.manifest.pair().pyodide
    sources = _source(scratch, SMALL)
    (file_name, (source_path, source_sha)), = sources.items()
    precompiled = Precompiled(scratch, version)

    made = precompiled.make(sources, node)

    assert made == [twin_name(file_name)]
    twin = precompiled.folder / made[0]
    with zipfile.ZipFile(source_path) as official, zipfile.ZipFile(twin) as made_zip:
        names = set(made_zip.namelist())
        for info in official.infolist():  # everything official is there, byte for byte (RECORD gains lines)
            if not info.filename.endswith("RECORD"):
                assert made_zip.read(info.filename) == official.read(info), info.filename
        modules = [n for n in official.namelist() if n.endswith(".py")]
        assert modules
        for module in modules:
            folder, stem = module.rsplit("/", 1)
            pyc = f"{folder}/__pycache__/{stem[:-3]}.cpython-312.pyc"
            assert pyc in names, pyc
            header = made_zip.read(pyc)[:16]
            assert int.from_bytes(header[4:8], "little") == PYC_UNCHECKED_HASH, pyc
        record = made_zip.read(next(n for n in names if n.endswith(".dist-info/RECORD"))).decode()
        assert all(f"{m.rsplit('/', 1)[0]}/__pycache__/" in record for m in modules)

    index = json.loads((precompiled.folder / INDEX).read_text())
    entry = index["files"][file_name]
    assert entry["source_sha256"] == source_sha
    assert entry["sha256"] == sha256_file(twin) and entry["size"] == twin.stat().st_size
    assert entry["modules"] == len(modules)
    assert precompiled.pending(sources) == {}  # made once
    assert precompiled.make(sources, node) == []
    assert verify_bundle(scratch).problems == []


@pytest.mark.e2e  # boots the bundle's Pyodide under Node.js to compile: not for the quick tier
def test_the_served_lock_names_a_twin_only_while_it_is_intact_and_of_that_exact_source(scratch, node, serve, tmp_path):
    version = scratch.manifest.pair().pyodide
    sources = _source(scratch, SMALL)
    (file_name, (_, source_sha)), = sources.items()
    precompiled = Precompiled(scratch, version)
    precompiled.make(sources, node)
    twin = precompiled.folder / twin_name(file_name)
    site = tmp_path / "site"
    site.mkdir()

    server = serve(site, bundle=scratch)
    lock_url = f"{server.url}_cdn/cdn.jsdelivr.net/pyodide/v{version}/full/pyodide-lock.json"
    entry = httpx.get(lock_url, headers=server.auth_headers()).json()["packages"][SMALL]
    assert (entry["file_name"], entry["sha256"]) == (twin.name, sha256_file(twin))
    served = httpx.get(headers=server.auth_headers(), url=f"{server.url}_cdn/cdn.jsdelivr.net/pyodide/v{version}/full/{twin.name}")
    assert served.status_code == 200 and served.content == twin.read_bytes()
    others = httpx.get(lock_url, headers=server.auth_headers()).json()["packages"]["numpy"]
    assert "0pyc" not in others["file_name"]  # no twin made for it here: the official wheel

    official = serve(site, bundle=scratch, precompiled=False)
    entry = httpx.get(headers=official.auth_headers(), url=f"{official.url}_runtime/pyodide/{version}/pyodide-lock.json").json()["packages"][SMALL]
    assert (entry["file_name"], entry["sha256"]) == (file_name, source_sha)

    with twin.open("ab") as fh:  # damaged (or half-copied): the page must not be sent a file its lock contradicts
        fh.write(b"x")
    entry = httpx.get(lock_url, headers=server.auth_headers()).json()["packages"][SMALL]
    assert entry["file_name"] == file_name
    assert any("content changed" in p for p in verify_bundle(scratch).problems)

    index = precompiled.folder / INDEX  # a record of another source (the official wheel was replaced)
    data = json.loads(index.read_text())
    data["files"][file_name]["source_sha256"] = "0" * 64
    data["files"][file_name]["size"] = twin.stat().st_size
    index.write_text(json.dumps(data))
    entry = httpx.get(lock_url, headers=server.auth_headers()).json()["packages"][SMALL]
    assert (entry["file_name"], entry["sha256"]) == (file_name, source_sha)


def _page_site(tmp_path: Path, package: str, code: str) -> Path:
    """A folder with one PyScript page that loads `package` and runs `code`."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(
        """<!doctype html><html><head>
<script type="module" src="https://cdn.jsdelivr.net/npm/@pyscript/core@0.6.66/dist/core.js"></script>
"""
        f'<py-config>packages = ["{package}"]</py-config></head><body>\n<script type="py">\n{code}</script></body></html>'
    )
    return site


def _stdlib_source(bundle: RuntimeBundle) -> dict[str, tuple[Path, str]]:
    sources = bundle_sources(bundle, bundle.manifest.pair().pyodide)
    assert STDLIB in sources, "the verified Pyodide's standard library zip is a source to precompile"
    return {STDLIB: sources[STDLIB]}


@pytest.mark.e2e  # boots the bundle's Pyodide under Node.js to compile: not for the quick tier
def test_the_standard_library_twin_has_unchecked_bytecode_beside_each_source_and_is_served_in_its_place(scratch, node, serve, tmp_path):
    version = scratch.manifest.pair().pyodide
    sources = _stdlib_source(scratch)
    official_path, official_sha = sources[STDLIB]
    precompiled = Precompiled(scratch, version)

    assert precompiled.make(sources, node) == ["python_stdlib-0pyc.zip"]

    twin = precompiled.folder / "python_stdlib-0pyc.zip"
    with zipfile.ZipFile(official_path) as official, zipfile.ZipFile(twin) as made:
        names = set(made.namelist())
        modules = [n for n in official.namelist() if n.endswith(".py")]
        assert len(modules) > 400
        for module in modules:  # zipimport looks for <module>.pyc beside the source, never in __pycache__
            assert made.read(module) == official.read(module), module
            assert module + "c" in names, module
            assert int.from_bytes(made.read(module + "c")[4:8], "little") == PYC_UNCHECKED_HASH, module
    assert verify_bundle(scratch).problems == []

    site = tmp_path / "site"
    site.mkdir()
    url = f"_cdn/cdn.jsdelivr.net/pyodide/v{version}/full/{STDLIB}"
    fast, plain = serve(site, bundle=scratch, snapshots=tmp_path / "snap"), serve(site, bundle=scratch, precompiled=False, snapshots=tmp_path / "snap")
    assert httpx.get(fast.url + url, headers=fast.auth_headers()).content == twin.read_bytes()
    assert httpx.get(plain.url + url, headers=plain.auth_headers()).content == official_path.read_bytes()
    # a start image holds what the served library compiled to: each variant has its own
    start = f"_cdn/cdn.jsdelivr.net/pyodide/v{version}/full/pyodide.mjs"
    key = lambda server: json.loads(httpx.get(server.url + start, headers=server.auth_headers()).text.split("const CONFIG = ", 1)[1].split(";\n", 1)[0])["snapshot"]  # noqa: E731
    assert key(fast) != key(plain)

    with twin.open("ab") as fh:  # damaged or half-copied: the official zip, never a file of unknown content
        fh.write(b"x")
    other = serve(site, bundle=scratch)
    assert httpx.get(other.url + url, headers=other.auth_headers()).content == official_path.read_bytes()


def test_a_source_that_is_not_the_pinned_file_is_refused_and_nothing_is_written(scratch, node, tmp_path):
    version = scratch.manifest.pair().pyodide
    (file_name, (path, _)), = _source(scratch, SMALL).items()
    tampered = tmp_path / file_name
    shutil.copy(path, tampered)
    with tampered.open("ab") as fh:
        fh.write(b"tampered")
    precompiled = Precompiled(scratch, version)
    with pytest.raises(FetchError, match="sha256 mismatch"):
        precompiled.make({file_name: (tampered, sha256_file(path))}, node)
    assert not (precompiled.folder / INDEX).exists()
    assert not list(precompiled.folder.glob("*.whl")) if precompiled.folder.exists() else True


def test_without_node_runtime_fetch_still_succeeds_and_says_what_it_skipped(scratch, tmp_path):
    bin_dir = tmp_path / "bin"  # a PATH with Python but no node
    bin_dir.mkdir()
    os.symlink(sys.executable, bin_dir / "python")
    env = {k: v for k, v in os.environ.items() if k != "PYSCRIPT_DESKTOP_MIRROR"}
    env.update(PATH=str(bin_dir), PYSCRIPT_DESKTOP_RUNTIME=str(scratch.root), PYSCRIPT_DESKTOP_HOME=str(tmp_path / "home"), COLUMNS="300")
    # The scratch bundle's wheelhouse is staged again: from the download cache `runtime fetch` filled (each file is
    # checked against its pin as it is used), not from pip for a hundred wheels (40-90 s that prove nothing more here).
    downloads = Settings().cache_dir / "downloads"
    if downloads.is_dir():
        (tmp_path / "home" / "cache").mkdir(parents=True)
        os.symlink(downloads, tmp_path / "home" / "cache" / "downloads")
    result = subprocess.run([sys.executable, str(app_root() / "main.py"), "runtime", "fetch"], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Node.js is not installed" in result.stderr and "start slower" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (scratch.root / "precompiled").exists()


@pytest.mark.e2e
def test_a_page_imports_its_packages_from_the_twins_bytecode(bundle, pages_server, browser_page, tmp_path, serve):
    """The real bundle, as `runtime fetch` left it: the page's pyparsing comes with bytecode Python used as is."""
    version = bundle.manifest.pair().pyodide
    records = Precompiled(bundle, version).records()
    require(any(name.startswith(f"{SMALL}-") for name in records), "no precompiled twins: run python main.py runtime fetch (with Node.js)")
    assert set(records) == set(bundle_sources(bundle, version))  # every wheel of the bundle has its twin
    site = _page_site(tmp_path, "pyparsing", """import pyparsing
from pyscript import display
cached = pyparsing.__cached__
with open(cached, "rb") as fh:
    header = fh.read(16)
flags = int.from_bytes(header[4:8], "little")
kind = "unchecked-hash" if flags == 1 else ("checked-hash" if flags == 3 else "timestamp")
source = open(pyparsing.__file__).read()
display(f"pyparsing {pyparsing.__version__} bytecode: {kind}; source kept: {len(source) > 1000}")
import csv, traceback
try:  # the standard library, imported from its bytecode, still shows its source in a traceback
    csv.DictWriter(None, fieldnames=["a"], extrasaction="neither")
except ValueError:
    shown = traceback.format_exc()
display(f"csv from {csv.__file__.rsplit('.', 1)[1]}; its line shown: {'raise ValueError' in shown}")
""")
    server = serve(site)
    run = browser_page(server.url + "index.html")
    run.wait_for_text("bytecode: unchecked-hash; source kept: True", timeout=120)
    run.wait_for_text("csv from pyc; its line shown: True", timeout=30)
    assert any(twin_name(name) in url for url in run.requests for name in records if name.startswith(f"{SMALL}-"))


@pytest.mark.e2e
def test_matplotlib_from_its_twin_starts_with_what_the_official_wheel_builds_at_import(bundle, tmp_path, serve, browser_page):
    """One page, run from the twin and from the official wheel (two boots, not four: each check alone took two).

    The font list: the official wheel's is stamped for another font manager, so matplotlib rebuilds it at
    every start (about a second); the twin carries the one this matplotlib builds for itself.

    The Artist set() signatures and docstrings, and the property lists (kwdoc) other docstrings quote: the
    twin's come from its record (matplotlib_set.py) and are exactly what the official wheel builds at
    import, for every Artist class of matplotlib and mpl_toolkits, every docstring of their methods and of
    pyplot's functions."""
    version = bundle.manifest.pair().pyodide
    require(any(n.startswith("matplotlib-") for n in Precompiled(bundle, version).records()), "no precompiled twins: run python main.py runtime fetch (with Node.js)")
    site = _page_site(tmp_path, "matplotlib", """import logging
from pyscript import display
said = []
class Heard(logging.Handler):
    def emit(self, record):
        said.append(record.getMessage())
log = logging.getLogger("matplotlib.font_manager")
log.setLevel(logging.INFO)
log.addHandler(Heard())
import matplotlib
matplotlib.use("agg")
from matplotlib import font_manager
rebuilt = any("generated new fontManager" in m for m in said)
display(f"font list rebuilt: {rebuilt}; fonts: {len(font_manager.fontManager.ttflist) > 30}")
import hashlib, importlib, pkgutil
import matplotlib.pyplot
from matplotlib import _api, artist
for top in ("matplotlib", "mpl_toolkits"):
    for module in pkgutil.walk_packages(importlib.import_module(top).__path__, top + "."):
        if not any(part in module.name for part in (".tests", ".backends", ".sphinxext", ".testing")):
            try:
                importlib.import_module(module.name)
            except ImportError:
                pass
classes = [artist.Artist] + sorted(_api.recursive_subclasses(artist.Artist), key=lambda c: (c.__module__, c.__qualname__))
built = "".join(f"{c.__module__}.{c.__qualname__}|{c.set.__signature__}|{c.set.__doc__}" for c in classes)
docs = "".join(f"{c.__qualname__}.{name}|{f.__doc__}" for c in classes for name, f in sorted(vars(c).items()) if callable(f))
docs += "".join(f"{name}|{f.__doc__}" for name, f in sorted(vars(matplotlib.pyplot).items()) if callable(f))
built += docs
display(f"classes: {len(classes)}; kwdoc in docs: {docs.count('Properties:')}; digest: {hashlib.sha256(built.encode()).hexdigest()[:16]}; "
        f"from the record: {getattr(artist, '_DESKTOP_USED', {}).get('kwdoc', 0)} {getattr(artist, '_DESKTOP_USED', {}).get('set', 0)}.")
""")

    def shown(run, fonts: str) -> tuple[str, list[int]]:
        run.wait_for_text(fonts, timeout=180)
        run.wait_for_text("from the record:", timeout=240)
        text = run.page.inner_text("body")
        said = text[text.index("classes:"):].split(".", 1)[0]
        return said.rsplit(";", 1)[0], [int(n) for n in said.rsplit(":", 1)[1].split()]

    twin_docs, recorded = shown(browser_page(serve(site).url + "index.html"), "font list rebuilt: False; fonts: True")
    # the official wheel rebuilds its font list: why the twin carries its own
    official_docs, built = shown(browser_page(serve(site, precompiled=False).url + "index.html"), "font list rebuilt: True; fonts: True")
    assert twin_docs == official_docs
    classes, lists = (int(part.split(":")[1]) for part in official_docs.split(";")[:2])
    assert classes > 100 and lists > 20  # property lists quoted in docstrings (plot, Figure, ...)
    assert built == [0, 0]
    assert recorded[0] >= 12 and recorded[1] > 100  # kwdoc lists, set() docs
