"""`export DIR OUT`: the pages and exactly the runtime they need, for any static web host."""

from __future__ import annotations

import argparse
from pathlib import Path

from .. import console
from ..errors import UsageError
from ..runtime.bundle import RuntimeBundle
from ..settings import Settings

__all__ = ["ExportCommand"]


class ExportCommand:
    name = "export"
    help = "write a folder of pages plus the runtime they use, for any static web host"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("dir", type=Path, help="folder of pages to export")
        parser.add_argument("out", type=Path, help="new folder to write (an earlier export there is replaced)")
        parser.add_argument(
            "--runtime", default=None, metavar="PAIR",
            help="runtime pair: 'default' (PyScript 0.6.66 + Pyodide 0.27.7) or 'latest'",
        )
        parser.add_argument("--s3-metadata", type=Path, default=None, metavar="FILE",
                            help="also write each file's content type and cache policy as JSON, for bucket uploads")

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        from ..export import export_site, s3_metadata

        source = args.dir.expanduser()
        if not source.is_dir():
            raise UsageError(f"{source} is not a folder of pages.", "Give the folder that holds your .html pages.")
        result = export_site(source, args.out, RuntimeBundle(settings.runtime_dir), args.runtime)
        for notice in result.notices:
            console.warn(notice)
        if args.s3_metadata:
            s3_metadata(result.files, args.s3_metadata)
        runtime = sum(f.size for f in result.files if f.path.startswith(("_runtime/", "_desktop/")))
        console.info(
            f"Exported {len(result.files)} files ({result.total_size / 1e6:.1f} MB, of which the runtime "
            f"{runtime / 1e6:.1f} MB) to {result.out}"
        )
        console.info(f"Each file's content type is listed in {result.out / 'MANIFEST.txt'}.")
        console.info(f"Try it: python -m http.server -d {result.out} 8000, then open http://localhost:8000/")
        return 0
