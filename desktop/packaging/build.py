"""`build APP_DIR`: a folder of pages into a branded one-folder app and its installers.

Steps: read desktop.toml, scan the pages for packages, resolve them against the
runtime (lock, wheelhouse, then PyPI's pure-Python wheels), assemble the app on
a frozen base, then archive it (.tar.gz; .deb where dpkg-deb exists). Everything
is made in a temporary folder inside the output folder and moved into place only
when every step succeeded, so a failed build leaves the output folder as it was.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__, console
from ..errors import ConfigError, PackageNotFoundError
from ..runtime.bundle import RuntimeBundle
from ..server.pageinfo import invalid_package, package_name
from ..settings import STATIC_DIR, Settings, app_root
from ..tools import DpkgDeb
from .appconfig import AppConfig, load_app_config
from .assemble import assemble, executable_name, internal_dir
from .jslibs import copy_libraries, select_libraries
from .pyinstaller import APP_FOLDER, PackagingError, freeze
from .runtime import add_release_components, select_packages
from .scan import scan_app

__all__ = ["BuildRequest", "BuildResult", "build_app", "base_app", "BUILD_MARKER", "ENGINES"]

#: What the app's window runs on: its own Qt WebEngine (portable), or the system's web engine (small, Linux only).
ENGINES = ("bundled", "system")

#: A file in every app folder build makes, naming what it made: build replaces a folder only when
#: it carries this (a person's own `out/<name>/` is never deleted) and overwrites only the
#: installers the marker lists.
BUILD_MARKER = ".pyscript-desktop-build.json"


@dataclass(frozen=True)
class BuildRequest:
    app_dir: Path
    out: Path
    name: str | None = None
    icon: Path | None = None
    kiosk: bool = False
    base: Path | None = None  # a one-folder PyScript Desktop build; None = this app or a cached freeze
    installers: bool = True  # .tar.gz (and .deb on Linux) next to the app folder
    engine: str = "bundled"  # "bundled": the frozen app with Qt WebEngine; "system": the system's Python and WebKitGTK (.deb)
    fast: bool = False  # installers stored, not compressed (quickest): for installers made to be tested


@dataclass
class BuildResult:
    config: AppConfig
    app: Path  # the one-folder app
    executable: Path
    packages: list[str] = field(default_factory=list)
    artifacts: list[Path] = field(default_factory=list)


def _source_key() -> str:
    """What a cached base freeze depends on: the app's code, the spec and the frozen libraries' versions."""
    root = app_root()
    digest = hashlib.sha256()
    files = [root / "main.py", *sorted((root / "build_spec").glob("*.spec")), *sorted((root / "desktop").rglob("*.py")),
             *sorted(STATIC_DIR.rglob("*"))]
    for path in files:
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    for dist in ("pyinstaller", "pywebview", "PyQt6", "PyQt6-WebEngine", "bottle", "rich", "watchfiles"):
        try:
            digest.update(f"{dist}={importlib.metadata.version(dist)}".encode())
        except importlib.metadata.PackageNotFoundError:
            pass
    digest.update(sys.version.encode())
    return digest.hexdigest()[:16]


def base_app(requested: Path | None, settings: Settings) -> Path:
    """The frozen app to build on: --base, else this installed app, else a freeze of this checkout (cached)."""
    if requested is not None:
        return requested.expanduser().resolve()
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent
    cache = settings.cache_dir / "build-base" / _source_key()
    if not (cache / APP_FOLDER / executable_name(APP_FOLDER)).is_file():
        console.info(f"Freezing PyScript Desktop {__version__} once for this checkout (PyInstaller, a few minutes)...")
        freeze(cache)
    return cache / APP_FOLDER


def _package_error(exc: PackageNotFoundError, wanted: dict[str, list[str]]) -> PackageNotFoundError:
    named = [n for n in wanted if n in exc.message.lower()]
    where = "; ".join(f"{n} is named by {', '.join(wanted[n])}" for n in named)
    return PackageNotFoundError(
        f"The app cannot be built: a package cannot be bundled. {exc.message}" + (f" ({where})" if where else ""),
        (exc.hint + " " if exc.hint else "") + "Nothing was written to the output folder.",
    )


def build_app(request: BuildRequest, settings: Settings) -> BuildResult:
    """Build the app; returns where everything is. Raises a DesktopError before anything is moved into place."""
    if request.engine not in ENGINES:
        raise ConfigError(f"Unknown engine {request.engine!r}.", f"Use one of: {', '.join(ENGINES)}.")
    if request.engine == "system" and not sys.platform.startswith("linux"):
        raise ConfigError("--engine system makes a Debian package for Linux; this is not Linux.",
                          "Build without --engine (the app carries its own engine) on this system.")
    config = load_app_config(request.app_dir, name=request.name, icon=request.icon, kiosk=request.kiosk)
    scan = scan_app(config.folder)
    if scan.problems:
        raise ConfigError("Some page configs cannot be read, so their packages are unknown:\n  " + "\n  ".join(scan.problems),
                          "Fix those configs (the page would fail the same way) and build again; nothing was built.")
    wanted = dict(scan.packages)
    for spec in config.packages:
        if invalid_package(spec):
            raise ConfigError(f"{config.source or 'desktop.toml'}: packages: {spec[:80]!r} is not a valid package name.",
                              "Use PEP 508 names (letters, digits, '.', '-' and '_'); nothing was built.")
        name = package_name(spec)
        if name:
            wanted.setdefault(name, []).append("desktop.toml")
    bundle = RuntimeBundle(settings.runtime_dir)
    bundle.require(None)
    out = request.out.expanduser().resolve()
    _previous_build(out / config.slug)  # refuse before the long work, not only at the end
    made_out = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    console.info(f"Building {config.name} {config.version} from {config.folder} ({len(scan.pages)} pages)")
    try:
        return _build_into(out, request, settings, config, bundle, wanted, scan.pages, scan.library_refs())
    except BaseException:
        if made_out and out.is_dir() and not any(out.iterdir()):
            out.rmdir()  # a failed build leaves no trace, not even the output folder it made
        raise


def _build_into(out: Path, request: BuildRequest, settings: Settings, config: AppConfig, bundle: RuntimeBundle,
                wanted: dict[str, list[str]], scan_pages: list[Path], library_refs: list | None = None) -> BuildResult:
    """The build proper, in a temporary folder inside `out`; moves the results into place last."""
    pair = bundle.require(None)
    with tempfile.TemporaryDirectory(prefix=f".build-{config.slug}-", dir=out) as tmp:
        work = Path(tmp)
        try:
            selection = select_packages(bundle, pair, sorted(wanted), staging=work / "wheels",
                                        cache_dir=settings.cache_dir / "downloads", mirror=settings.mirror)
        except PackageNotFoundError as exc:
            raise _package_error(exc, wanted) from None
        console.info(f"  packages: {', '.join(selection.names) or 'none'} (Pyodide {pair.pyodide})")
        releases = add_release_components(bundle, selection, scan_pages)
        if releases:
            console.info(f"  PyScript release cores the pages load: {', '.join(releases)}")
        libraries = select_libraries(library_refs, settings) if library_refs else {}
        if libraries:
            console.info(f"  JavaScript libraries: {', '.join(sorted(libraries))}")
        if request.engine == "system":
            from .systemapp import assemble_system

            app = assemble_system(config, bundle, selection, work / "app" / config.slug)
        else:
            base = base_app(request.base, settings)  # after the packages: a missing one fails before a long freeze
            app = assemble(base, config, bundle, selection, work / "app" / config.slug)
        copy_libraries(libraries, internal_dir(app) / "bundled_runtime")
        artifacts: list[Path] = []
        if request.installers:
            artifacts = _installers(app, config, work / "installers", engine=request.engine, fast=request.fast)
        # Everything is made: move it into place, replacing only what an earlier build made.
        final = out / config.slug
        previous = _previous_build(final)
        for artifact in artifacts:
            target = out / artifact.name
            if (target.exists() or target.is_symlink()) and artifact.name not in previous:
                raise ConfigError(f"{target} exists and was not made by build; nothing was changed.",
                                  "Move that file away, or give --out another folder.")
        (app / BUILD_MARKER).write_text(json.dumps({"made_by": "pyscript-desktop build", "app": config.slug,
                                                    "installers": [a.name for a in artifacts]}), encoding="utf-8")
        if final.exists():
            os.replace(final, work / "previous")  # removed with the temporary folder
        os.replace(app, final)
        moved = []
        for artifact in artifacts:
            os.replace(artifact, out / artifact.name)
            moved.append(out / artifact.name)
    return BuildResult(config, final, final / executable_name(config.slug), selection.names, moved)


def _previous_build(final: Path) -> list[str]:
    """The installers an earlier build at `final` made (none when `final` does not exist), or a
    ConfigError when `final` is something build did not make: it never deletes a person's files."""
    if not final.exists() and not final.is_symlink():
        return []
    marker = final / BUILD_MARKER
    try:
        if final.is_symlink() or not final.is_dir() or marker.is_symlink():
            raise ValueError
        record = json.loads(marker.read_text(encoding="utf-8"))
        if record.get("made_by") != "pyscript-desktop build":
            raise ValueError
        return [str(n) for n in record.get("installers", [])]
    except (OSError, ValueError, AttributeError):
        raise ConfigError(
            f"{final} exists and was not made by build (it has no {BUILD_MARKER}); nothing was changed.",
            f"Move or rename {final} (build would replace it), or give --out another folder.",
        ) from None


def _installers(app: Path, config: AppConfig, folder: Path, *, engine: str = "bundled", fast: bool = False) -> list[Path]:
    """The .tar.gz (a bundled engine only: the system-engine folder runs only where its Depends are) and the .deb.

    `fast`: stored, not compressed, for both, as release.py's --fast (xz -6 on the system-engine .deb of an app with
    numpy and matplotlib is most of its build time, and a test reads the content, not the ratio)."""
    from .tarball import FAST_LEVEL, build_tarball

    platform_tag = {"linux": "linux", "win32": "windows", "darwin": "macos"}.get(sys.platform, sys.platform)
    made = [build_tarball(app, folder, f"{config.slug}-{config.version}-{platform_tag}", level=FAST_LEVEL if fast else 6)] \
        if engine == "bundled" else []
    if sys.platform.startswith("linux") and DpkgDeb.find().available():
        from .deb import DEPENDS, FAST_COMPRESSION, DebInfo, build_deb
        from .systemapp import system_depends

        icons = (config.icon,) if config.icon and config.icon.suffix.lower() == ".png" else _default_icons(app)
        info = DebInfo(package=config.slug, name=config.name, version=config.version,
                       executable=executable_name(config.slug), summary=f"{config.name} (PyScript pages as an app)",
                       icons=icons, depends=system_depends() if engine == "system" else DEPENDS)
        made.append(build_deb(app, info, folder, compression=FAST_COMPRESSION) if fast else build_deb(app, info, folder))
    elif engine == "system":
        raise PackagingError("dpkg-deb is not installed; --engine system makes a .deb and needs it.",
                             "Install it with: sudo apt-get install dpkg-dev, or add --no-installers for the app folder only.")
    elif sys.platform.startswith("linux"):
        console.warn("dpkg-deb is not installed: made the .tar.gz only (sudo apt-get install dpkg-dev for a .deb).")
    return made


def _default_icons(app: Path) -> tuple[Path, ...]:
    from .assemble import internal_dir

    return tuple(sorted(internal_dir(app).glob("icons/pyscript-desktop-*.png")))
