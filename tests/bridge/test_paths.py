"""The path resolver and grants: refusals before disk access, and (Hypothesis) nothing outside the grants."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.bridge.errors import BridgeError
from desktop.bridge.grants import Grant, GrantSet
from desktop.bridge.paths import check_spelling, resolve


@pytest.mark.parametrize("spelling", ["data.csv", "./data.csv", "sub/data.csv", "~/Documents/q3.csv", "/home/u/x.csv",
                                      "a..b.csv", "...hidden", ".bashrc", "con2.txt", "console.log", "nul_file",
                                      "résumé.txt", "数据.csv", "with space.txt", "a.b.c"])
def test_ordinary_spellings_pass(spelling):
    assert check_spelling(spelling) == spelling


def test_resolve_expands_home_and_page_relative(tmp_path):
    home, page = tmp_path / "home", tmp_path / "page"
    home.mkdir(), page.mkdir()
    assert resolve("~/x.csv", base=page, home=home) == home / "x.csv"
    assert resolve("~", base=page, home=home) == home
    assert resolve("sub/./x.csv", base=page, home=home) == page / "sub" / "x.csv"
    assert resolve(str(tmp_path / "abs.txt"), base=page, home=home) == tmp_path / "abs.txt"


def test_refusals_happen_before_any_disk_access(tmp_path, monkeypatch):
    touched = []
    for name in ("stat", "lstat", "listdir", "scandir", "open"):
        real = getattr(os, name)
        monkeypatch.setattr(os, name, lambda *a, _real=real, _n=name, **k: (touched.append(_n), _real(*a, **k))[1])
    for bad in ("../x", "C:/x", "x::$DATA", "CON", "x.", "a\x00b", "\\\\srv\\s"):
        with pytest.raises(BridgeError):
            resolve(bad, base=tmp_path)
    assert touched == []


def test_grants_cover_their_folder_only(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data2").mkdir()
    grants = GrantSet([Grant.of(tmp_path / "data")])
    assert grants.allows(tmp_path / "data" / "x") and grants.allows(tmp_path / "data")
    assert not grants.allows(tmp_path / "data2" / "x"), "a name prefix is not containment"
    assert not grants.allows(tmp_path / "data" / "x", write=True)
    with pytest.raises(BridgeError) as refused:
        grants.check(tmp_path / "data" / "x", write=True)
    assert "may be read but not written" in refused.value.message and "--allow-write" in refused.value.message


# -- property: whatever the spelling, an accepted path lies inside a grant -------------------------------
_WORDS = ["..", ".", "", "~", "data", "Data", "secret", "out", "loop", "link", "x.csv", "CON", "a:b", "x.", " x",
          "\\", "C:", "//", "\x00", "\u2025", "%2e%2e", "ok.txt", "sub", "up"]
_spellings = st.one_of(
    st.lists(st.sampled_from(_WORDS), min_size=1, max_size=8).map("/".join),
    st.lists(st.sampled_from(_WORDS), min_size=1, max_size=8).map(lambda p: "/" + "/".join(p)),
    st.tuples(st.sampled_from(["", "~/", "/", "./"]), st.text(min_size=0, max_size=40)).map("".join),
)


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    """home/data (granted, with escaping symlinks), home/secret and the page folder."""
    root = tmp_path_factory.mktemp("tree")
    home, page = root / "home", root / "page"
    data, secret = home / "data", home / "secret"
    for folder in (data / "sub", secret, page):
        folder.mkdir(parents=True)
    (data / "ok.txt").write_text("ok")
    (secret / "x.csv").write_text("secret")
    (data / "out").symlink_to(secret, target_is_directory=True)
    (data / "link").symlink_to(secret / "x.csv")
    (data / "up").symlink_to(home, target_is_directory=True)
    (data / "loop").symlink_to(data / "loop")
    (page / "data").symlink_to(data, target_is_directory=True)
    grants = GrantSet([Grant.of(data, write=True), Grant.of(page)])
    return home, page, grants, [data.resolve(), page.resolve()]


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spelling=_spellings, write=st.booleans())
def test_resolver_never_returns_a_path_outside_the_grants(tree, spelling, write):
    home, page, grants, roots = tree
    try:
        real = grants.check(resolve(spelling, base=page, home=home), write=write)
    except BridgeError:
        return
    again = Path(os.path.realpath(real))
    assert again == real, "the accepted path is already fully resolved"
    inside = [r for r in roots if os.path.commonpath([str(r), str(again)]) == str(r)]
    assert inside, f"{spelling!r} reached {again}, outside {roots}"
    if write:
        assert roots[0] in inside, "writes only under the write grant"
