"""`runtime fetch|verify|list|add|pin|releases`: the vendored runtime bundle in `bundled_runtime/`."""

from __future__ import annotations

import argparse
import difflib
import os
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from rich.table import Table

from .. import console
from ..errors import ConfigError, FetchError, IntegrityError, RuntimeMissingError, UsageError
from ..runtime.bundle import RuntimeBundle
from ..settings import ENV_RUNTIME, Settings

if TYPE_CHECKING:
    from ..runtime.fetch import Fetcher
    from ..runtime.manifest import Manifest

__all__ = ["RuntimeCommand", "WRITING_ACTIONS"]

#: The actions that write into the bundle folder.
WRITING_ACTIONS = frozenset({"fetch", "add", "pin", "releases"})


class RuntimeCommand:
    name = "runtime"
    help = "fetch, verify, list, extend or re-pin the offline runtime bundle"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        mirror_help = "base URL that plays the Pyodide CDN ({base}/v{version}/full/{file}); default: $PYSCRIPT_DESKTOP_MIRROR"

        fetch = sub.add_parser("fetch", help="download and verify a runtime pair into bundled_runtime/")
        group = fetch.add_mutually_exclusive_group()
        group.add_argument("--pair", help="the runtime pair to fetch (default: the manifest's default pair)")
        group.add_argument("--all", action="store_true", help="fetch every pair and every PyScript release's core and interpreters")
        group.add_argument("--releases", action="store_true", help="fetch the cores and interpreters of the PyScript releases (manifest [releases])")
        fetch.add_argument("--mirror", metavar="URL", help=mirror_help)
        fetch.add_argument("--force", action="store_true", help="fetch and verify again even when complete")

        sub.add_parser("verify", help="re-hash every installed runtime file; exit 4 naming each bad file")
        sub.add_parser("list", help="show pairs and PyScript releases (installed or not), versions, packages and sizes")

        add = sub.add_parser(
            "add", help="add packages: from the Pyodide lock, or pure-Python wheels from PyPI, with their dependencies"
        )
        add.add_argument("names", nargs="+", metavar="NAME", help="package names or requirements (e.g. tabulate, attrs>=23); "
                         "with --js: npm specs (d3@7, @bokeh/bokehjs@3.6.0) or CDN URLs")
        add.add_argument("--js", action="store_true",
                         help="the names are JavaScript/CSS libraries pages load from CDNs: vendor them with npm into "
                         "the library cache (the user cache folder), checked against the registry's integrity")
        add.add_argument("--esm", action="store_true",
                         help="with --js: also vendor the dependencies, which the ES module builds import by name")
        add.add_argument("--into", metavar="DIR", type=Path,
                         help="with --js: the library folder to vendor into (default: the user cache's js/)")
        add.add_argument("--pair", help="the runtime pair to add them to (default: the manifest's default pair)")
        add.add_argument("--mirror", metavar="URL", help=mirror_help)
        fetch.add_argument(
            "--js-defaults", action="store_true",
            help="also vendor the default JavaScript/CSS libraries (d3, three, jQuery, Bootstrap, BokehJS, vega, "
            "plotly.js, Leaflet...) into bundled_runtime/js/",
        )

        pin = sub.add_parser("pin", help="regenerate manifest.toml's pins from npm, the official Pyodide locks and PyPI")
        pin.add_argument("--check", action="store_true", help="only compare; exit 2 showing the difference if out of date")

        releases = sub.add_parser(
            "releases", help="rewrite manifest.toml's [releases] table (PyScript release -> core -> interpreters) from the release tags"
        )
        releases.add_argument("--pyscript-repo", type=Path, required=True, metavar="DIR", help="a git clone (bare is fine) of pyscript/pyscript")
        releases.add_argument("--polyscript-repo", type=Path, required=True, metavar="DIR", help="a git clone of pyscript/polyscript")
        releases.add_argument("--check", action="store_true", help="only compare; exit 2 showing the difference if out of date")

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        bundle = RuntimeBundle(settings.runtime_dir)
        if args.action == "add" and args.js:
            return self._add_js(args, bundle, settings)
        if args.action in WRITING_ACTIONS:
            _require_writable(bundle.root)
        status = getattr(self, f"_{args.action}")(args, bundle, settings)
        if args.action == "list":
            _list_js(settings)
        return status

    # -- fetch ------------------------------------------------------------------------------------
    def _fetch(self, args: argparse.Namespace, bundle: RuntimeBundle, settings: Settings) -> int:
        from ..runtime.fetch import Fetcher

        manifest = bundle.manifest
        pairs = list(manifest.pairs.values()) if args.all else [] if args.releases else [manifest.pair(args.pair)]
        fetcher = Fetcher(bundle, _download_cache(settings), mirror=args.mirror or settings.mirror)
        started = time.monotonic()
        if args.all or args.releases:
            _fetch_releases(fetcher, manifest, force=args.force)
        for pair in pairs:
            fetched = fetcher.fetch(pair, force=args.force)
            versions = f"PyScript {pair.pyscript}, Pyodide {pair.pyodide}, MicroPython {pair.micropython}"
            if fetched:
                console.info(f"Runtime pair {pair.name!r} ready ({versions}): fetched {', '.join(fetched)}.")
            else:
                console.info(f"Runtime pair {pair.name!r} is complete ({versions}).")
            _precompile(bundle, pair.pyodide)
        if args.js_defaults:
            from ..runtime.jsdefaults import DEFAULT_LIBRARIES

            target = settings.library_dirs()[0]
            added = _vendor_js(settings, target, [spec for spec, _ in DEFAULT_LIBRARIES], esm_specs={spec for spec, esm in DEFAULT_LIBRARIES if esm})
            size = _folder_size(target)
            console.info(f"Default JavaScript libraries in {target}: {'added ' + ', '.join(added) if added else 'complete'} ({_human(size)}).")
        console.info(f"Done in {time.monotonic() - started:.2f} s.")
        return 0

    # -- verify -----------------------------------------------------------------------------------
    def _verify(self, args: argparse.Namespace, bundle: RuntimeBundle, settings: Settings) -> int:
        from ..runtime.verify import verify_bundle

        started = time.monotonic()
        report = verify_bundle(bundle)
        if not report.checked and not report.problems:
            raise RuntimeMissingError(f"No runtime is installed in {bundle.root}.", "Fetch it with: python main.py runtime fetch")
        if report.problems:
            for problem in report.problems:
                console.error(problem)
            raise IntegrityError(
                f"{len(report.problems)} runtime file problem(s) in {bundle.root}.",
                "Run `python main.py runtime fetch --force --all` to replace the components with verified copies.",
            )
        console.info(f"All {report.checked} runtime files match their verified digests ({time.monotonic() - started:.2f} s).")
        return 0

    # -- list ---------------------------------------------------------------------------------------
    def _list(self, args: argparse.Namespace, bundle: RuntimeBundle, settings: Settings) -> int:
        from ..runtime.wheelhouse import Wheelhouse

        manifest = bundle.manifest
        pairs = Table(title=f"Runtime pairs in {bundle.root}")
        for column in ("pair", "PyScript", "Pyodide", "MicroPython", "packages", "installed", "size"):
            pairs.add_column(column)
        for pair in manifest.pairs.values():
            size = sum(_folder_size(bundle.component_dir(k, v)) for k, v in pair.versions().items())
            pairs.add_row(
                pair.name + (" (default)" if pair.name == manifest.default_pair else ""),
                pair.pyscript, pair.pyodide, pair.micropython,
                ", ".join(pair.packages) + ("" if pair.packages_from == "lock" else " (PyPI)"),
                "yes" if bundle.is_installed(pair) else "no",
                _human(size) if size else "-",
            )
        console.console.print(pairs)
        if manifest.releases:
            console.console.print(_releases_table(bundle))
        for version in bundle.installed_versions("pyodide"):
            table = Table(title=f"Packages available offline for Pyodide {version}")
            for column in ("package", "version", "file", "from", "size"):
                table.add_column(column)
            folder = bundle.component_dir("pyodide", version)
            for entry in manifest.packages_for(version).values():
                table.add_row(entry.name, entry.version, entry.file, "official lock", _file_size(folder / entry.file))
            wheelhouse = Wheelhouse(bundle, version)
            pinned = manifest.wheels_for(version)
            for name, row in sorted(wheelhouse.entries().items()):
                origin = "PyPI (pinned)" if name in pinned else "runtime add"
                table.add_row(name, row["version"], row["file_name"], origin, _file_size(wheelhouse.folder / row["file_name"]))
            if table.row_count:  # the releases' Pyodides bring no packages of their own
                console.console.print(table)
        return 0

    # -- add ------------------------------------------------------------------------------------------
    def _add_js(self, args: argparse.Namespace, bundle: RuntimeBundle, settings: Settings) -> int:
        target = (args.into or settings.library_dirs()[1]).expanduser().resolve()
        _require_writable(target)
        started = time.monotonic()
        added = _vendor_js(settings, target, args.names, esm_specs=set(args.names) if args.esm else set())
        if added:
            console.info(f"Vendored into {target}: {', '.join(added)} ({time.monotonic() - started:.1f} s).")
        else:
            console.info(f"Nothing to add: {', '.join(args.names)} already in the library cache.")
        return 0

    def _add(self, args: argparse.Namespace, bundle: RuntimeBundle, settings: Settings) -> int:
        from ..runtime.wheelhouse import Wheelhouse

        pair = bundle.require(args.pair)
        added = Wheelhouse(bundle, pair.pyodide).add(args.names, _download_cache(settings), args.mirror or settings.mirror)
        if added:
            console.info(f"Added to the offline runtime (Pyodide {pair.pyodide}): {', '.join(added)}.")
            _precompile(bundle, pair.pyodide)
        else:
            console.info(f"Nothing to add: {', '.join(args.names)} already available offline (Pyodide {pair.pyodide}).")
        return 0

    # -- releases -------------------------------------------------------------------------------------
    def _releases(self, args: argparse.Namespace, bundle: RuntimeBundle, settings: Settings) -> int:
        import dataclasses

        from ..runtime.npm import Npm
        from ..runtime.pin import render
        from ..runtime.releases import derive_releases, tarball_defaults

        npm = Npm.find()
        console.info("Reading the release tags, and the published @pyscript/core builds from npm...")
        published = npm.versions("@pyscript/core")
        with tempfile.TemporaryDirectory(prefix="pyscript-desktop-releases-") as work:
            rows = derive_releases(
                args.pyscript_repo, args.polyscript_repo, published,
                lambda version: tarball_defaults(npm.pack(f"@pyscript/core@{version}", Path(work) / version)),
            )
        manifest = dataclasses.replace(bundle.manifest, releases={r.name: r for r in rows})
        return _write_manifest(bundle, render(manifest), args.check, "the PyScript release tags",
                               "python main.py runtime releases --pyscript-repo DIR --polyscript-repo DIR",
                               "then `python main.py runtime pin` to pin the components it names")

    # -- pin ------------------------------------------------------------------------------------------
    def _pin(self, args: argparse.Namespace, bundle: RuntimeBundle, settings: Settings) -> int:
        from ..runtime.npm import Npm
        from ..runtime.pin import render, resolve_pins
        from ..runtime.pip import Pip

        console.info("Reading the pins from npm, the official Pyodide locks and PyPI...")
        text = render(resolve_pins(bundle.manifest, npm=Npm.find(), pip=Pip(), cache_dir=_download_cache(settings)))
        return _write_manifest(bundle, text, args.check, "the official metadata", "python main.py runtime pin",
                               "then `python main.py runtime fetch --all`")


def _releases_table(bundle: RuntimeBundle) -> Table:
    """Each PyScript release, the core it shipped, and what is served for it (with the reason when it differs)."""
    manifest = bundle.manifest
    pair_components = {(k, v) for p in manifest.pairs.values() for k, v in p.versions().items()}
    extra = {(k, v) for r in manifest.releases.values() for k, v in r.versions().items()} - pair_components
    size = sum(_folder_size(bundle.component_dir(k, v)) for k, v in extra)
    table = Table(title=f"PyScript releases ({len(manifest.releases)}; their components beyond the pairs: {_human(size)} on disk)")
    for column in ("release", "core shipped", "core served", "Pyodide", "MicroPython", "installed", "why it differs"):
        table.add_column(column)
    for release in manifest.releases.values():
        installed = all(bundle.component_dir(k, v).is_dir() for k, v in release.versions().items())
        table.add_row(
            release.name, release.core, release.serve_core, release.serve_pyodide, release.serve_micropython,
            "yes" if installed else "no", release.note or "-",
        )
    return table


def _write_manifest(bundle: RuntimeBundle, text: str, check: bool, source: str, command: str, next_step: str) -> int:
    """Write the regenerated manifest (or, with --check, show how it differs and exit 2)."""
    path = bundle.root / "manifest.toml"
    current = path.read_text(encoding="utf-8")
    if text == current:
        console.info(f"{path} is up to date with {source}.")
        return 0
    if check:
        diff = difflib.unified_diff(current.splitlines(), text.splitlines(), str(path), "derived now", lineterm="")
        console.info("\n".join(diff))
        raise ConfigError(f"{path} differs from {source}.", f"Regenerate it with: {command}")
    tmp = path.with_name(".manifest.toml.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    console.info(f"Rewrote {path}. Review it (git diff), {next_step}.")
    return 0


def _fetch_releases(fetcher: Fetcher, manifest: Manifest, *, force: bool) -> None:
    """The cores and interpreters the PyScript releases are served with (no packages, no precompiling:
    pages that name packages are served the pair's Pyodide, see server/cdn.py)."""
    fetched: list[str] = []
    pairs = manifest.release_pairs()
    if not force:
        fetcher.prefetch(pairs)
    for pair in pairs:
        fetched += fetcher.fetch(pair, force=force)
    fetched = list(dict.fromkeys(fetched))
    count = len(manifest.releases)
    console.info(f"PyScript releases ({count}): " + (f"fetched {', '.join(fetched)}." if fetched else "complete."))


def _precompile(bundle: RuntimeBundle, pyodide_version: str) -> None:
    """Give the bundle's package wheels their bytecode (see runtime/precompile.py). Only speed depends on
    it, so a machine without Node.js, or a failure, is a warning and pages load the official wheels."""
    from ..runtime.precompile import Precompiled, bundle_sources
    from ..tools import Node

    precompiled = Precompiled(bundle, pyodide_version)
    sources = bundle_sources(bundle, pyodide_version)
    if not precompiled.pending(sources):
        return
    node = Node.find()
    if not node.available():
        console.warn(
            f"Node.js is not installed, so the package files of Pyodide {pyodide_version} are not precompiled: "
            "pages that use packages start slower. Install Node.js and run `python main.py runtime fetch` again."
        )
        return
    try:
        precompiled.make(sources, node)
    except FetchError as exc:
        console.warn(f"{exc.message} {exc.hint or ''} Pages load the official package files instead.".replace("  ", " "))


def _list_js(settings: Settings) -> None:
    """The vendored JavaScript/CSS libraries, per library folder."""
    from ..runtime.jslibs import JsLibraries

    for root in settings.library_dirs():
        packages = JsLibraries((root,)).packages()
        if not packages:
            continue
        table = Table(title=f"JavaScript/CSS libraries in {root}")
        for column in ("package", "versions", "size"):
            table.add_column(column)
        for name, versions in sorted(packages.items()):
            size = sum(_folder_size(root / f"{name}@{v}") for v in versions)
            table.add_row(name, ", ".join(versions), _human(size))
        console.console.print(table)


def _vendor_js(settings: Settings, target: Path, names: list[str], *, esm_specs: set[str]) -> list[str]:
    """Vendor npm specs or CDN URLs into `target` (see runtime/jsvendor.py); returns what was added."""
    from ..runtime.jslibs import JsLibraries
    from ..runtime.jsvendor import JsVendor
    from ..server.libmap import js_specs

    roots = tuple(dict.fromkeys([target, *settings.library_dirs()]))
    vendor = JsVendor(target, JsLibraries(roots), _download_cache(settings))
    target.mkdir(parents=True, exist_ok=True)
    plain: list[tuple[str, str]] = []
    with_deps: list[tuple[str, str]] = []
    for name in names:
        try:
            specs, esm = js_specs(name)
        except ValueError as exc:
            raise UsageError(f"Cannot vendor {name}: {exc}.", "Name an npm package (d3@7) or a library URL from a CDN this app maps.") from None
        (with_deps if esm or name in esm_specs else plain).extend(specs)
    added = vendor.add(plain) if plain else []
    return added + (vendor.add(with_deps, deps=True) if with_deps else [])


def _require_writable(root: Path) -> None:
    """An installed app's runtime lies in a folder only an administrator may change: say so before any
    download, instead of failing half-way with a traceback."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=root, prefix=".write-probe-"):
            pass
    except OSError as exc:
        raise ConfigError(
            f"Cannot write to the runtime folder {root} ({exc.strerror or exc}).",
            "An installed app's runtime is read-only: run this as the user who owns that folder, or copy it "
            f"to a folder of yours and set {ENV_RUNTIME}=FOLDER for this command and for the app.",
        ) from exc


def _download_cache(settings: Settings) -> Path:
    return settings.cache_dir / "downloads"


def _folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else 0


def _file_size(path: Path) -> str:
    return _human(path.stat().st_size) if path.is_file() else "missing"


def _human(size: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"
