"""A Debian package of a one-folder app, made with `dpkg-deb`.

    /opt/<package>/                      the one-folder app (or the system-engine app folder), untouched
    /usr/bin/<package>                   a launcher script (exec /opt/<package>/<executable> "$@")
    /usr/share/applications/<package>.desktop        the menu entry, with its icon
    /usr/share/applications/<package>-open.desktop   "Open with" for .html files (when asked for)
    /usr/share/icons/hicolor/<n>x<n>/apps/<package>.png  (or /usr/share/pixmaps/<package>.png)

postinst/postrm refresh the desktop and icon caches where those tools exist. Every
installed file belongs to the package, and the app writes nothing under /opt, so
`dpkg -r` leaves nothing behind.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..entryformat import control_field, xdg_exec, xdg_string
from ..errors import PackagingError
from ..tools import Dpkg, DpkgDeb

__all__ = ["DebInfo", "build_deb", "deb_architecture", "DEPENDS", "FAST_COMPRESSION"]

#: System libraries the frozen app uses but PyInstaller never bundles (GL, EGL, libxcb, fonts, D-Bus).
DEPENDS = "libc6, libgl1, libegl1, libxcb1, libfontconfig1, libdbus-1-3"

_POSTINST = """#!/bin/sh
set -e
if [ "$1" = configure ]; then
  command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q /usr/share/applications || true
  command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t /usr/share/icons/hicolor || true
fi
exit 0
"""

_POSTRM = """#!/bin/sh
set -e
if [ "$1" = remove ] || [ "$1" = purge ]; then
  command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q /usr/share/applications || true
  command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t /usr/share/icons/hicolor || true
fi
exit 0
"""


@dataclass(frozen=True)
class DebInfo:
    """What the package is called and how it presents itself."""

    package: str  # Debian package name, also the /opt folder, the /usr/bin command and the .desktop id
    name: str  # what menus show
    version: str
    executable: str  # the executable's file name inside the app folder
    summary: str
    icons: tuple[Path, ...] = ()  # PNGs named *-<n>.png for hicolor sizes, or one PNG of any size
    open_with_html: bool = False  # add the "Open with" entry for .html files
    maintainer: str = "PyScript Desktop builders <nobody@localhost>"
    categories: str = "Development;"  # one main category: with two, menus list the app twice (desktop-file-validate)
    depends: str = DEPENDS  # the system packages it runs on (the system-engine app: Python and WebKitGTK)


def deb_architecture() -> str:
    """dpkg's name for this machine's architecture."""
    dpkg = Dpkg.find()
    if dpkg.available():
        result = subprocess.run([dpkg.verify(), "--print-architecture"], capture_output=True, text=True)
        if result.returncode == 0 and result.stdout.strip():
            return result.stdout.strip()
    return {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "armhf"}.get(platform.machine(), platform.machine())


def _desktop_entry(info: DebInfo, *, open_with: bool) -> str:
    """The menu entry; every value escaped for the Desktop Entry format (a newline in a name was once an Exec= line)."""
    lines = [
        "[Desktop Entry]",
        "Type=Application",
        f"Name={xdg_string(info.name, 'The app name')}",
        f"Comment={xdg_string(info.summary, 'The app summary')}",
        f"Icon={xdg_string(info.package, 'The package name')}",
        "Terminal=false",
        f"Categories={xdg_string(info.categories, 'The categories')}",
    ]
    if open_with:
        # Only in "Open with": the menu shows the plain entry.
        lines += [f"Exec={xdg_exec([f'/usr/bin/{info.package}', 'open'])} %f", "MimeType=text/html;application/xhtml+xml;", "NoDisplay=true"]
    else:
        lines += [f"Exec={xdg_exec([f'/usr/bin/{info.package}'])}", "StartupNotify=true"]
    return "\n".join(lines) + "\n"


def _install_icons(info: DebInfo, root: Path) -> None:
    sized = [(int(m[1]), p) for p in info.icons if (m := re.search(r"-(\d+)\.png$", p.name))]
    if sized:
        for size, path in sized:
            folder = root / f"usr/share/icons/hicolor/{size}x{size}/apps"
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, folder / f"{info.package}.png")
    elif info.icons:
        folder = root / "usr/share/pixmaps"
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(info.icons[0], folder / f"{info.package}.png")


def _installed_kib(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink()) // 1024 + 1


#: dpkg-deb's -Z for a package made only to be tested (`--fast`): stored, as tarball.FAST_LEVEL.
FAST_COMPRESSION = "none"


def build_deb(app_dir: Path, info: DebInfo, out_dir: Path, *, compression: str = "xz", level: int | None = None) -> Path:
    """Package `app_dir` as `<out_dir>/<package>_<version>_<arch>.deb`; returns its path.

    `compression` and `level` are dpkg-deb's -Z and -z (releases: xz at its default; tests: FAST_COMPRESSION).

    The tree is staged in a temporary folder and the .deb is renamed into place at the end.
    """
    dpkg_deb = DpkgDeb.find().verify()
    if not re.fullmatch(r"[a-z0-9][a-z0-9+.-]+", info.package):
        raise PackagingError(f"{info.package!r} is not a valid Debian package name.",
                             "Use lower-case letters, digits, + - and . (build derives it from --name).")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._+-]*", info.executable):
        raise PackagingError(f"{info.executable!r} is not a plain executable name.", "build derives it from --name.")
    summary = control_field(info.summary, "The app summary")
    maintainer = control_field(info.maintainer, "The maintainer")
    arch = deb_architecture()
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{info.package}_{info.version}_{arch}.deb"
    with tempfile.TemporaryDirectory(prefix=".deb-", dir=out_dir) as tmp:
        root = Path(tmp) / "root"
        shutil.copytree(app_dir, root / "opt" / info.package, symlinks=True)
        launcher = root / "usr/bin" / info.package
        launcher.parent.mkdir(parents=True)
        launcher.write_text(f'#!/bin/sh\nexec /opt/{info.package}/{info.executable} "$@"\n', encoding="utf-8")
        launcher.chmod(0o755)
        apps = root / "usr/share/applications"
        apps.mkdir(parents=True)
        (apps / f"{info.package}.desktop").write_text(_desktop_entry(info, open_with=False), encoding="utf-8")
        if info.open_with_html:
            (apps / f"{info.package}-open.desktop").write_text(_desktop_entry(info, open_with=True), encoding="utf-8")
        _install_icons(info, root)
        for folder, _, files in os.walk(root):
            os.chmod(folder, 0o755)
            for name in files:
                path = Path(folder) / name
                if not path.is_symlink():
                    path.chmod(0o755 if path.stat().st_mode & 0o111 else 0o644)
        debian = root / "DEBIAN"
        debian.mkdir()
        control = {
            "Package": info.package,
            "Version": info.version,
            "Architecture": arch,
            "Maintainer": maintainer,
            "Installed-Size": str(_installed_kib(root)),
            "Depends": control_field(info.depends, "The dependencies"),
            "Section": "utils",
            "Priority": "optional",
            "Description": f"{summary}\n Runs PyScript pages offline in a native window (PyScript Desktop).",
        }
        (debian / "control").write_text("".join(f"{k}: {v}\n" for k, v in control.items()), encoding="utf-8")
        for name, text in (("postinst", _POSTINST), ("postrm", _POSTRM)):
            (debian / name).write_text(text, encoding="utf-8")
            (debian / name).chmod(0o755)
        partial = Path(tmp) / target.name
        args = [dpkg_deb, "--root-owner-group", f"-Z{compression}", *([f"-z{level}"] if level is not None else []),
                "--build", str(root), str(partial)]
        result = subprocess.run(args, capture_output=True, text=True)
        if result.returncode != 0:
            raise PackagingError(f"dpkg-deb failed: {(result.stderr or result.stdout).strip()[-800:]}")
        os.replace(partial, target)
    return target
