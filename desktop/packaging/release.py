"""The app's own installers, from a one-folder build: `python -m desktop.packaging.release`.

    python -m desktop.packaging.release [--app dist/pyscript-desktop] [--out dist] [--freeze] [--no-deb]
    python -m desktop.packaging.release --engine system [--out dist] [--fast]

Makes dist/pyscript-desktop-<version>-<platform>.tar.gz and, on Linux with dpkg-deb,
dist/pyscript-desktop_<version>_<arch>.deb (with the "Open with" entry for .html).
With `--engine system`: no freeze, only dist/pyscript-desktop_<version>+system_<arch>.deb, the app
on the system's Python and WebKitGTK (desktop/packaging/systemapp.py); the same package name,
so it replaces the bundled-engine package and the other way round.
build_spec/linux/build-deb.sh calls this; Windows and macOS use their own scripts.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .. import APP_NAME, __version__, console
from ..settings import app_root
from ..tools import DpkgDeb
from .assemble import executable_name, internal_dir
from .pyinstaller import APP_FOLDER, freeze

__all__ = ["release", "release_system", "main"]


def release(app: Path, out: Path, *, deb: bool = True, fast: bool = False) -> list[Path]:
    """The installers for the one-folder build `app`; returns their paths.

    `fast`: stored, not compressed (the quickest) instead of the smallest, for installers made
    only to be tested."""
    from .tarball import FAST_LEVEL, build_tarball

    internal_dir(app)  # a clear error for a folder that is not the build
    platform_tag = {"linux": "linux", "win32": "windows", "darwin": "macos"}.get(sys.platform, sys.platform)
    made = [build_tarball(app, out, f"{APP_FOLDER}-{__version__}-{platform_tag}", level=FAST_LEVEL if fast else 6)]
    if deb and sys.platform.startswith("linux"):
        from .deb import FAST_COMPRESSION, DebInfo, build_deb

        icons = tuple(sorted((app_root() / "build_spec" / "icons").glob("pyscript-desktop-*.png")))
        info = DebInfo(package=APP_FOLDER, name=APP_NAME, version=__version__, executable=executable_name(APP_FOLDER),
                       summary="Run PyScript pages offline in a native window", icons=icons, open_with_html=True)
        made.append(build_deb(app, info, out, compression=FAST_COMPRESSION) if fast else build_deb(app, info, out))
    return made


def release_system(out: Path, *, fast: bool = False) -> Path:
    """PyScript Desktop's own .deb on the system engine, from this checkout (its pages and whole runtime)."""
    import tempfile

    from ..settings import default_runtime_dir
    from .deb import FAST_COMPRESSION, DebInfo, build_deb
    from .systemapp import system_depends, system_release_app

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".system-app-", dir=out) as tmp:
        app = system_release_app(Path(tmp) / APP_FOLDER, default_runtime_dir(), app_root() / "pages", APP_FOLDER)
        icons = tuple(sorted((app_root() / "build_spec" / "icons").glob("pyscript-desktop-*.png")))
        info = DebInfo(package=APP_FOLDER, name=APP_NAME, version=f"{__version__}+system", executable=APP_FOLDER,
                       summary="Run PyScript pages offline in a native window", icons=icons, open_with_html=True,
                       depends=system_depends())
        return build_deb(app, info, out, compression=FAST_COMPRESSION) if fast else build_deb(app, info, out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m desktop.packaging.release", description=__doc__.splitlines()[0])
    parser.add_argument("--app", type=Path, default=None, help="the one-folder build (default: OUT/pyscript-desktop)")
    parser.add_argument("--out", type=Path, default=app_root() / "dist", help="output folder (default: dist/)")
    parser.add_argument("--freeze", action="store_true", help="run PyInstaller first, even if the build exists")
    parser.add_argument("--no-deb", dest="deb", action="store_false", help="the .tar.gz only")
    parser.add_argument("--engine", choices=("bundled", "system"), default="bundled",
                        help="system: a .deb on the system's Python and WebKitGTK instead of the frozen app")
    parser.add_argument("--fast", action="store_true",
                        help="stored, not compressed (the quickest) instead of the smallest: for installers made to be tested")
    args = parser.parse_args(argv)
    return console.funnel(lambda: _make(args))


def _make(args: argparse.Namespace) -> int:
    out = args.out.resolve()
    if args.engine == "system":
        DpkgDeb.find().verify()  # --engine system makes a .deb; console.funnel reports a missing dpkg-deb
        console.info(f"made {release_system(out, fast=args.fast)}")
        return 0
    app = (args.app or out / APP_FOLDER).resolve()
    if args.freeze or not app.is_dir():
        console.info(f"Freezing {APP_NAME} {__version__} into {out} (PyInstaller)...")
        app = freeze(out)
    for path in release(app, out, deb=args.deb and DpkgDeb.find().available(), fast=args.fast):
        console.info(f"made {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
