"""Run one reader of pages over pathological pages; run by test_hostile_pages.py in a child
process whose CPU time is capped, so a quadratic reader is killed instead of stalling the suite.

Usage: python hostile_work.py JOB FOLDER   (FOLDER holds the pages, written by the test)
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main(job: str, folder: Path) -> None:
    pages = sorted(folder.glob("*.html"))
    if job == "inject":
        from desktop.server.inject import inject

        for page in pages:
            text = page.read_text()
            assert inject(text, ["<x-injected>"]).count("<x-injected>") == 1, page.name
    elif job == "scan_page":
        from desktop.server.pageinfo import scan_page

        for page in pages:
            scan_page(page.read_text(), folder)
    elif job == "migrate":
        from desktop.classic.migrate import migrate

        for page in pages:
            migrate(page.read_text())
    elif job == "package_scan":
        from desktop.packaging.scan import scan_app

        scan_app(folder)
    elif job == "export_scan":
        from desktop.export import site
        from desktop.export.rewrite import local_refs
        from desktop.server.inject import inject

        for page in pages:
            text = page.read_text()
            local_refs(text)
            for pattern in (site._PYSCRIPT_PAGE, site._PYODIDE_PAGE, site._MICROPYTHON):
                pattern.search(text)
            inject(text, ["<x-injected>"])
    elif job == "gallery":
        from desktop.server.gallery import list_pages

        list_pages(folder)
    elif job == "serve":
        import httpx

        from desktop.runtime.bundle import RuntimeBundle
        from desktop.server import PageServer, ServerOptions
        from desktop.settings import default_runtime_dir

        server = PageServer(ServerOptions(root=folder, bundle=RuntimeBundle(default_runtime_dir()))).start()
        try:
            with httpx.Client(base_url=server.origin, timeout=600, headers=server.auth_headers()) as client:
                for page in pages:
                    response = client.get("/" + page.name)
                    assert response.status_code == 200, (page.name, response.status_code)
        finally:
            server.shutdown()
    else:
        raise SystemExit(f"unknown job {job}")
    print("done")


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
