"""`export` of pages that load libraries from CDNs: the vendored files they name go with the site
(a stylesheet's fonts and images too), and the page runs from a plain static host, offline."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time

import pytest

from conftest import ROOT
from desktop.export import export_site

CORPUS = ROOT / "tests" / "corpus" / "jslibs"


@pytest.mark.e2e
def test_exported_library_pages_run_from_a_static_host(tmp_path, bundle, js_libraries, browser_page):
    source = tmp_path / "pages"
    source.mkdir()
    for name in ("jquery.html", "leaflet.html", "bootstrap-cdnjs.html"):
        shutil.copy(CORPUS / name, source / name)
    result = export_site(source, tmp_path / "site", bundle)
    files = {f.path for f in result.files}
    assert "_lib/jquery@3.7.1/dist/jquery.min.js" in files
    assert "_lib/leaflet@1.9.3/dist/images/marker-icon.png" in files  # named by leaflet.css
    assert any(f.startswith("_lib/@fortawesome/fontawesome-free@6.2.0/webfonts/fa-solid-900") for f in files)
    assert 'src="./_lib/jquery@3.7.1/dist/jquery.min.js"' in (result.out / "jquery.html").read_text()

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    host = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(result.out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        browser_page(f"http://127.0.0.1:{port}/jquery.html").wait_for_text("jQuery 3.7.1 made 3 items", timeout=30)
        browser_page(f"http://127.0.0.1:{port}/leaflet.html").wait_for_text("Leaflet 1.9.3: 1 vector, 1 marker", timeout=30)
        browser_page(f"http://127.0.0.1:{port}/bootstrap-cdnjs.html").wait_for_text("icon font loaded", timeout=30)
    finally:
        host.terminate()
        host.wait(5)
