"""matplotlib's recorded Artist set() docs and property lists (desktop/runtime/matplotlib_set.py): the patch fits the
bundled matplotlib and nothing else, and the fetched twin carries the record, listed in its RECORD.
That a page gets exactly what matplotlib builds is checked in Chromium (test_precompile.py)."""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile

import pytest

from desktop.runtime.matplotlib_set import MEMBER, RECORD_FILE, patch
from desktop.runtime.precompile import Precompiled
from desktop.runtime.wheelhouse import read_lock

from conftest import require


@pytest.fixture
def official_artist(bundle) -> str:
    version = bundle.manifest.pair().pyodide
    entry = read_lock(bundle.component_dir("pyodide", version))["packages"]["matplotlib"]
    with zipfile.ZipFile(bundle.component_dir("pyodide", version) / entry["file_name"]) as wheel:
        return wheel.read(MEMBER).decode("utf-8")


def test_the_patch_fits_the_bundled_matplotlib_and_only_swaps_how_set_docs_are_built(official_artist):
    patched = patch(official_artist)
    assert patched is not None, "the bundled matplotlib's artist.py is not the code matplotlib_set.py patches"
    compile(patched, MEMBER, "exec")
    assert patched.count("_desktop_recorded_set(cls)") == 2  # its definition and its one caller
    assert patched.count('_desktop_recorded("kwdoc", artist)') == 1  # kwdoc's one look at the record
    assert "ArtistInspector(cls).get_setters()" in patched  # what any other class still does
    kept = [line for line in official_artist.splitlines() if line not in patched.splitlines()]
    assert kept == [
        "               for prop in ArtistInspector(cls).get_setters()",
        "        cls.set.__doc__ = (",
    ]


def test_other_code_is_left_as_it_is(official_artist):
    assert patch(official_artist.replace("Supported properties are", "Properties")) is None
    assert patch(official_artist.replace("def kwdoc(artist):", "def kwdoc(artist, *, rest=False):")) is None
    assert patch(official_artist.replace("ai = ArtistInspector(artist)", "inspector = ArtistInspector(artist)")) is None
    assert patch("") is None


def test_the_fetched_twin_carries_the_record_and_lists_both_files_with_their_hashes(bundle):
    version = bundle.manifest.pair().pyodide
    precompiled = Precompiled(bundle, version)
    twin = next((precompiled.folder / r["file_name"] for n, r in precompiled.records().items() if n.startswith("matplotlib-")), None)
    require(twin is not None and twin.is_file(), "no matplotlib twin: run python main.py runtime fetch (with Node.js)")
    with zipfile.ZipFile(twin) as wheel:
        record = wheel.read(next(n for n in wheel.namelist() if n.endswith(".dist-info/RECORD"))).decode()
        for member in (MEMBER, RECORD_FILE):
            data = wheel.read(member)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            assert f"{member},sha256={digest},{len(data)}" in record.splitlines(), member
        recorded = json.loads(wheel.read(RECORD_FILE))
        assert "_desktop_recorded_set" in wheel.read(MEMBER).decode()
    line2d = recorded["set"]["matplotlib.lines.Line2D"]
    assert line2d["shape"][0][0] == "matplotlib.lines.Line2D" and line2d["shape"][-1] == ["builtins.object", line2d["shape"][-1][1]]
    assert "linewidth" in line2d["setters"] and line2d["doc"].startswith("Set multiple properties at once.")
    assert len(recorded["set"]) > 100
    listed = recorded["kwdoc"]["matplotlib.lines.Line2D"]  # what `%(Line2D:kwdoc)s` in Axes.plot's docstring becomes
    assert listed["doc"].startswith("Properties:\n") and "linewidth" in listed["doc"]
    assert {"matplotlib.figure.Figure", "matplotlib.text.Text", "matplotlib.patches.Patch"} <= set(recorded["kwdoc"])
