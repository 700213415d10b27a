"""The .deb's own files, without freezing or root: its menu entries validate, its launcher points into /opt.

The frozen app's .deb is installed for real in test_installers.py (root, `packaging`); what
`build_deb` writes is checked here on a tiny app folder, so it runs in every quick run too.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from PIL import Image

from conftest import require

from desktop.packaging.deb import DebInfo, build_deb


def validate_desktop_entry(path: Path) -> None:
    """freedesktop.org's own validator (desktop-file-utils): errors and warnings both fail."""
    require(shutil.which("desktop-file-validate") is not None, "desktop-file-validate is not installed (desktop-file-utils)")
    check = subprocess.run(["desktop-file-validate", str(path)], capture_output=True, text=True, timeout=60)
    assert check.returncode == 0 and not check.stdout.strip(), f"{path.name}: {check.stdout}{check.stderr}"


def test_deb_menu_entries_validate_and_its_launcher_runs_the_app(tmp_path):
    require(shutil.which("dpkg-deb") is not None, "dpkg-deb is not installed (dpkg-dev)")
    app = tmp_path / "app"
    app.mkdir()
    (app / "inventory").write_text("#!/bin/sh\necho inventory\n")
    (app / "inventory").chmod(0o755)
    icon = tmp_path / "icon-256.png"
    Image.new("RGB", (256, 256), (40, 90, 160)).save(icon)
    info = DebInfo(package="inventory-viewer", name="Inventory Viewer", version="1.2.3", executable="inventory",
                   summary="Shows the inventory", icons=(icon,), open_with_html=True)
    deb = build_deb(app, info, tmp_path / "out", compression="gzip")
    tree = tmp_path / "tree"
    subprocess.run(["dpkg-deb", "-x", str(deb), str(tree)], check=True, timeout=60)
    apps = tree / "usr/share/applications"
    assert sorted(p.name for p in apps.iterdir()) == ["inventory-viewer-open.desktop", "inventory-viewer.desktop"]
    for entry in apps.iterdir():
        validate_desktop_entry(entry)
    assert "Exec=/usr/bin/inventory-viewer open %f" in (apps / "inventory-viewer-open.desktop").read_text()
    assert (tree / "usr/share/icons/hicolor/256x256/apps/inventory-viewer.png").is_file()
    launcher = (tree / "usr/bin/inventory-viewer").read_text()
    assert 'exec /opt/inventory-viewer/inventory "$@"' in launcher
