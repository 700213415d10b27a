"""Content types, pinned in code.

The platform's `mimetypes` registry differs between machines (Windows reads it
from the registry, where `.js` is sometimes `text/plain`), and a wrong type
breaks module scripts and streaming WebAssembly compilation. So the app never
asks it for anything the runtime depends on.
"""

from __future__ import annotations

from pathlib import PurePath

__all__ = ["content_type", "TYPES", "is_text", "REWRITABLE", "DEFAULT"]

TYPES: dict[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".cjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".wasm": "application/wasm",
    ".whl": "application/zip",
    ".zip": "application/zip",
    ".tar": "application/x-tar",
    ".gz": "application/gzip",
    ".tgz": "application/gzip",
    ".py": "text/x-python; charset=utf-8",
    ".pyi": "text/x-python; charset=utf-8",
    ".toml": "application/toml",
    ".yaml": "application/yaml",
    ".yml": "application/yaml",
    ".csv": "text/csv; charset=utf-8",
    ".tsv": "text/tab-separated-values; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".xml": "application/xml",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".bmp": "image/bmp",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".mp3": "audio/mpeg",
    ".ogg": "audio/ogg",
    ".wav": "audio/wav",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".pdf": "application/pdf",
    ".parquet": "application/vnd.apache.parquet",
    ".arrow": "application/vnd.apache.arrow.file",
    ".feather": "application/vnd.apache.arrow.file",
    ".data": "application/octet-stream",
    ".so": "application/octet-stream",
}

DEFAULT = "application/octet-stream"

#: Text formats in which the server rewrites public CDN URLs to the local runtime and library cache
#: (`.py`: page code that imports a JavaScript module by its CDN URL).
REWRITABLE = frozenset({".html", ".htm", ".js", ".mjs", ".css", ".json", ".toml", ".py"})


def content_type(path: str | PurePath) -> str:
    """The pinned Content-Type for a file name; unknown types are sent as opaque bytes."""
    suffix = PurePath(str(path)).suffix.lower()
    return TYPES.get(suffix, DEFAULT)


def is_text(path: str | PurePath) -> bool:
    kind = content_type(path)
    return kind.startswith("text/") or kind in {"application/json", "application/toml"}
