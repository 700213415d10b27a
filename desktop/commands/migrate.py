"""`migrate PAGE.html [--write OUT.html]`: what a classic page uses, and a modern copy of it."""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from .. import console
from ..classic.migrate import migrate
from ..errors import UsageError
from ..settings import Settings

__all__ = ["MigrateCommand"]


class MigrateCommand:
    name = "migrate"
    help = "report a classic (2022-2023) PyScript page's constructs and write a modern copy"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("page", type=Path, metavar="PAGE.html")
        parser.add_argument("--write", type=Path, metavar="OUT.html", help="write a modernised copy here")

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        page = args.page.expanduser()
        try:
            source = page.read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"Cannot read {page}: {exc.strerror}.", "Give the path of an .html page.") from None
        result = migrate(source)
        if not result.is_classic:
            console.info(f"{page}: no classic PyScript constructs found; nothing to migrate.")
        for finding in result.findings:
            console.info(f"{page}:{finding.line}: {finding.construct} -> {finding.modern}")
        if args.write:
            out = args.write.expanduser()
            if out.resolve() == page.resolve():
                raise UsageError("--write would overwrite the original page.", "Write the modern copy to another file.")
            if not out.parent.is_dir():
                raise UsageError(f"The folder {out.parent} does not exist.", "Create it or choose another OUT.html.")
            fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=".migrate-", suffix=".html")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(result.html)
            os.replace(tmp, out)
            console.info(f"Wrote {out} ({len(result.findings)} change(s)).")
        return 0
