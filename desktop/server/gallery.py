"""The list of pages in a served folder, for the launcher (`pages/index.html`).

Only HTML pages directly in the folder, with the title and description they
declare; the launcher itself (index.html) is not listed. This is a catalogue
of pages, not a directory listing: nothing else in the folder is revealed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import bottle

from .htmlscan import SCAN_LIMIT
from .pageinfo import scan_page

__all__ = ["gallery_app", "list_pages", "thumbnail_name"]


def thumbnail_name(page: Path) -> str:
    """The cache file name of a page's thumbnail, stable across runs."""
    return hashlib.sha256(str(page.resolve()).encode()).hexdigest()[:24] + ".png"


def list_pages(root: Path, thumbnails: Path | None = None) -> list[dict]:
    pages = []
    for page in sorted(root.glob("*.htm*"), key=lambda p: p.name.lower()):
        if page.name.lower() in ("index.html", "index.htm") or not page.is_file():
            continue
        try:
            with page.open(encoding="utf-8", errors="replace") as f:
                info = scan_page(f.read(SCAN_LIMIT))  # a huge page's tail holds no title
        except OSError:
            continue
        thumb = thumbnails / thumbnail_name(page) if thumbnails else None
        pages.append(
            {
                "href": page.name,
                "title": info.title or page.stem.replace("-", " ").title(),
                "description": info.description,
                "thumbnail": f"/_desktop/api/gallery/thumbnail/{thumb.name}" if thumb and thumb.is_file() else None,
                "group": "Classic PyScript" if page.name.startswith("classic-") else "Examples",
            }
        )
    return pages


def gallery_app(root: Path, thumbnails: Path | None) -> bottle.Bottle:
    app = bottle.Bottle()

    @app.get("/pages")
    def pages():
        bottle.response.content_type = "application/json"
        bottle.response.set_header("Cache-Control", "no-store")
        return json.dumps(list_pages(root, thumbnails))

    @app.get("/thumbnail/<name:re:[0-9a-f]{24}\\.png>")
    def thumbnail(name: str):
        if thumbnails is None or not (thumbnails / name).is_file():
            return bottle.HTTPError(404, "No thumbnail yet.")
        return bottle.static_file(name, root=str(thumbnails), mimetype="image/png")

    return app
