"""`build` never deletes what it did not make and copies nothing from outside APP_DIR.

The real command line in a child process, on a stand-in base of the shape of a one-folder
build (the freeze itself is in test_installers.py), the real runtime bundle, no installers.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from desktop.errors import ConfigError
from desktop.packaging.appconfig import load_app_config
from desktop.packaging.build import BUILD_MARKER


def run_build(app: Path, out: Path, home: Path, *extra: str) -> subprocess.CompletedProcess:
    base = home / "base"
    if not base.exists():
        for folder in ("_internal/bundled_runtime", "_internal/pages", "_internal/desktop/static", "_internal/icons"):
            (base / folder).mkdir(parents=True)
        (base / "pyscript-desktop").write_text("#!/bin/sh\n")
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "build", str(app), "--out", str(out), "--base", str(base),
                           "--no-installers", *extra], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYSCRIPT_DESKTOP_HOME": str(home / "home")})


@pytest.fixture
def app(tmp_path: Path) -> Path:
    app = tmp_path / "Notes"
    app.mkdir()
    (app / "index.html").write_text("<!doctype html><title>notes</title>")
    return app


def test_build_replaces_only_its_own_folder(tmp_path, app, bundle):
    out = tmp_path / "out"
    (out / "notes").mkdir(parents=True)
    (out / "notes" / "thesis.txt").write_text("years of work")
    result = run_build(app, out, tmp_path)
    assert result.returncode == 2, result.stderr
    assert "was not made by build" in result.stderr and "Traceback" not in result.stderr
    assert str(out / "notes") in result.stderr and "--out" in result.stderr  # names the folder and the way out
    assert (out / "notes" / "thesis.txt").read_text() == "years of work"
    assert sorted(p.name for p in out.iterdir()) == ["notes"]

    # A folder build made is replaced by the next build.
    (out / "notes" / "thesis.txt").rename(tmp_path / "thesis.txt")
    (out / "notes").rmdir()
    first = run_build(app, out, tmp_path)
    assert first.returncode == 0, first.stderr
    marker = json.loads((out / "notes" / BUILD_MARKER).read_text())
    assert marker["made_by"] == "pyscript-desktop build"
    (out / "notes" / "leftover-from-first").write_text("x")
    second = run_build(app, out, tmp_path)
    assert second.returncode == 0, second.stderr
    assert not (out / "notes" / "leftover-from-first").exists() and (out / "notes" / "notes").is_file()
    assert [p.name for p in out.iterdir()] == ["notes"]  # no temporary folder left behind


def test_a_symlink_named_like_the_app_is_not_replaced(tmp_path, app, bundle):
    out = tmp_path / "out"
    out.mkdir()
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / BUILD_MARKER).write_text('{"made_by": "pyscript-desktop build"}')  # even a planted marker
    (out / "notes").symlink_to(precious)
    result = run_build(app, out, tmp_path)
    assert result.returncode == 2 and "was not made by build" in result.stderr
    assert (out / "notes").is_symlink() and (precious / BUILD_MARKER).exists()


def test_icon_outside_the_app_folder_is_refused(tmp_path, app):
    (tmp_path / "secret.png").write_bytes(b"\x89PNG secret")
    for icon in ("../secret.png", str(tmp_path / "secret.png")):
        (app / "desktop.toml").write_text(f"icon = {json.dumps(icon)}\n")
        with pytest.raises(ConfigError, match="outside the app folder") as caught:
            load_app_config(app)
        assert "desktop.toml" in caught.value.message and "--icon" in caught.value.hint
    (app / "link.png").symlink_to(tmp_path / "secret.png")
    (app / "desktop.toml").write_text('icon = "link.png"\n')
    with pytest.raises(ConfigError, match="outside the app folder"):
        load_app_config(app)
    (app / "link.png").unlink()
    (app / "icon.png").write_bytes(b"\x89PNG inside")
    (app / "desktop.toml").write_text('icon = "icon.png"\n')
    assert load_app_config(app).icon == (app / "icon.png").resolve()
    assert load_app_config(app, icon=tmp_path / "secret.png").icon == (tmp_path / "secret.png").resolve()  # the person's own --icon


@pytest.mark.parametrize("kind", ["file", "folder"])
def test_symlinks_out_of_the_app_folder_are_refused(tmp_path, app, kind, bundle):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "id_rsa").write_text("PRIVATE KEY")
    (app / "data").symlink_to(outside / "id_rsa" if kind == "file" else outside)
    with pytest.raises(ConfigError, match="symlink leading outside the app folder"):
        load_app_config(app)
    result = run_build(app, tmp_path / "out", tmp_path)
    assert result.returncode == 2 and "data in" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_links_inside_the_folder_are_fine_but_loops_and_fifos_are_not(tmp_path, app):
    (app / "pages").mkdir()
    (app / "pages" / "a.html").write_text("<title>a</title>")
    (app / "alias.html").symlink_to(app / "pages" / "a.html")
    assert load_app_config(app).name == "Notes"
    (app / "pages" / "loop").symlink_to(app)
    with pytest.raises(ConfigError, match="endless copy"):
        load_app_config(app)
    (app / "pages" / "loop").unlink()
    os.mkfifo(app / "pipe")
    with pytest.raises(ConfigError, match="not a regular file or folder"):
        load_app_config(app)


def test_an_invalid_package_name_in_desktop_toml_stops_the_build(tmp_path, app, bundle):
    (app / "desktop.toml").write_text('packages = ["ok-name", "$(touch pwned)"]\n')
    result = run_build(app, tmp_path / "out", tmp_path)
    assert result.returncode == 2 and "is not a valid package name" in result.stderr and "Traceback" not in result.stderr
