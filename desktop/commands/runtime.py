"""`runtime fetch|verify|list|add`: the vendored runtime bundle."""

from __future__ import annotations

import argparse
import time

from rich.table import Table

from .. import console
from ..errors import IntegrityError, UsageError
from ..runtime.bundle import RuntimeBundle
from ..runtime.fetch import Fetcher
from ..runtime.verify import verify_bundle
from ..runtime.wheelhouse import Wheelhouse
from ..settings import Settings

__all__ = ["RuntimeCommand"]


class RuntimeCommand:
    name = "runtime"
    help = "fetch, verify, list or extend the offline runtime bundle"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        fetch = sub.add_parser("fetch", help="download and verify the runtime into bundled_runtime/")
        group = fetch.add_mutually_exclusive_group()
        group.add_argument("--pair", help="the runtime pair to fetch (default: the manifest's default)")
        group.add_argument("--all", action="store_true", help="fetch every pair")
        fetch.add_argument("--mirror", help="base URL that plays the Pyodide CDN ({base}/v{version}/full/{file})")
        fetch.add_argument("--force", action="store_true", help="fetch again even when complete")
        sub.add_parser("verify", help="re-check every runtime file against its pinned digest")
        sub.add_parser("list", help="show pairs, versions, packages and sizes")
        add = sub.add_parser("add", help="add packages (from the Pyodide lock, or pure-Python wheels from PyPI)")
        add.add_argument("names", nargs="+", metavar="NAME")
        add.add_argument("--pair", help="the runtime pair to add them to (default: the manifest's default)")
        add.add_argument("--mirror", help="base URL that plays the Pyodide CDN")

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        bundle = RuntimeBundle(settings.runtime_dir)
        return getattr(self, f"_{args.action}")(args, bundle, settings)

    def _fetch(self, args: argparse.Namespace, bundle: RuntimeBundle, settings: Settings) -> int:
        manifest = bundle.manifest
        pairs = list(manifest.pairs.values()) if args.all else [manifest.pair(args.pair)]
        fetcher = Fetcher(bundle, settings.cache_dir / "downloads", mirror=args.mirror or settings.mirror)
        started = time.monotonic()
        for pair in pairs:
            fetched = fetcher.fetch(pair, force=args.force)
            extra = self._pair_wheels(pair, bundle, settings, args.mirror or settings.mirror)
            if fetched or extra:
                console.info(f"Runtime pair {pair.name!r} ready: fetched {', '.join(fetched + extra)}.")
            else:
                console.info(f"Runtime pair {pair.name!r} is complete (PyScript {pair.pyscript}, Pyodide {pair.pyodide}).")
        console.info(f"Done in {time.monotonic() - started:.1f} s.")
        return 0

    @staticmethod
    def _pair_wheels(pair, bundle: RuntimeBundle, settings: Settings, mirror: str | None) -> list[str]:
        """Pair packages without pinned official files (e.g. micropip for Pyodide 314) go to the wheelhouse."""
        pinned = bundle.manifest.packages_for(pair.pyodide)
        loose = [name for name in pair.packages if name not in pinned]
        if not loose:
            return []
        return Wheelhouse(bundle, pair.pyodide).add(loose, settings.cache_dir / "downloads", mirror)

    def _verify(self, args: argparse.Namespace, bundle: RuntimeBundle, settings: Settings) -> int:
        report = verify_bundle(bundle)
        problems = list(report.problems)
        for version in bundle.installed_versions("pyodide"):
            problems += Wheelhouse(bundle, version).verify()
        if not report.checked:
            raise UsageError("No runtime is installed.", "Fetch it with: python main.py runtime fetch")
        if problems:
            for problem in problems:
                console.error(problem)
            raise IntegrityError(
                f"{len(problems)} runtime file(s) failed verification.",
                "Run `python main.py runtime fetch --force` to replace them with verified copies.",
            )
        console.info(f"All {report.checked} runtime files match their pinned digests.")
        return 0

    def _list(self, args: argparse.Namespace, bundle: RuntimeBundle, settings: Settings) -> int:
        manifest = bundle.manifest
        pairs = Table(title=f"Runtime pairs ({bundle.root})")
        for column in ("pair", "PyScript", "Pyodide", "MicroPython", "installed", "size"):
            pairs.add_column(column)
        for pair in manifest.pairs.values():
            size = sum(_folder_size(bundle.component_dir(k, v)) for k, v in pair.versions().items())
            pairs.add_row(
                pair.name + (" (default)" if pair.name == manifest.default_pair else ""),
                pair.pyscript, pair.pyodide, pair.micropython,
                "yes" if bundle.is_installed(pair) else "no",
                _human(size) if size else "-",
            )
        console.console.print(pairs)
        for version in bundle.installed_versions("pyodide"):
            table = Table(title=f"Packages for Pyodide {version}")
            for column in ("package", "version", "file", "source", "size"):
                table.add_column(column)
            folder = bundle.component_dir("pyodide", version)
            for entry in manifest.packages_for(version).values():
                path = folder / entry.file
                table.add_row(entry.name, entry.version, entry.file, "bundle", _human(path.stat().st_size) if path.is_file() else "missing")
            wheelhouse = Wheelhouse(bundle, version)
            for name, entry in sorted(wheelhouse.entries().items()):
                path = wheelhouse.folder / entry["file_name"]
                table.add_row(name, entry["version"], entry["file_name"], "added", _human(path.stat().st_size) if path.is_file() else "missing")
            console.console.print(table)
        return 0

    def _add(self, args: argparse.Namespace, bundle: RuntimeBundle, settings: Settings) -> int:
        pair = bundle.require(args.pair)
        added = Wheelhouse(bundle, pair.pyodide).add(args.names, settings.cache_dir / "downloads", args.mirror or settings.mirror)
        if added:
            console.info(f"Added to the offline runtime (Pyodide {pair.pyodide}): {', '.join(added)}.")
        else:
            console.info("Nothing to add: already available offline.")
        return 0


def _folder_size(folder) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else 0


def _human(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return str(size)


