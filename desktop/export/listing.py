"""What a host must know about an exported site: every file, its size and its content type.

Static hosts guess content types from file names, and some guess wrong for what a PyScript
page needs (`.mjs` as `application/octet-stream` stops a module from loading; `.wasm` other
than `application/wasm` stops streaming compilation). The MANIFEST says what each must be;
`--s3-metadata` writes the same as JSON for bucket uploads.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Protocol

__all__ = ["manifest_text", "s3_metadata", "HEADER"]

HEADER = """\
# Exported by PyScript Desktop (`pyscript-desktop export`). Serve this folder with any web server,
# from its root or a sub-path. The server must send each file with the content type below;
# no other headers are needed (pyscript-sw.js, the site's service worker, adds the rest).
# Opening the pages as file:// does not work: browsers give such pages no service worker.
# A folder holding this file may be replaced by the next export into it.
#
# size_bytes  content_type  path
"""


class _File(Protocol):
    @property
    def path(self) -> str: ...
    @property
    def size(self) -> int: ...
    @property
    def content_type(self) -> str: ...


def manifest_text(files: Iterable[_File]) -> str:
    """The MANIFEST.txt body: one `size  type  path` line per file, sorted by path."""
    rows = sorted(files, key=lambda f: f.path)
    return HEADER + "".join(f"{f.size:>12}  {f.content_type:<40}  {f.path}\n" for f in rows)


def s3_metadata(files: Iterable[_File], target: Path) -> None:
    """A JSON list of {key, content_type, cache_control} for an upload script to apply."""
    rows = [
        {
            "key": f.path,
            "content_type": f.content_type,
            # runtime files are versioned by path; pages and the service worker must revalidate
            "cache_control": "public, max-age=31536000, immutable" if f.path.startswith("_runtime/") else "no-cache",
        }
        for f in sorted(files, key=lambda f: f.path)
    ]
    target.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
