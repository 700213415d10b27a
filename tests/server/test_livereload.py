"""`serve --reload`: an open page reloads itself when a file in its folder changes."""

from __future__ import annotations

import time

import pytest

from desktop.server.livereload import LiveReload

pytestmark = pytest.mark.e2e


def test_page_reloads_when_a_file_changes(tmp_path, serve, browser_page):
    (tmp_path / "index.html").write_text("<html><head><title>v1</title></head><body><p id='v'>version 1</p></body></html>")
    reload = LiveReload(tmp_path).start()
    try:
        server = serve(tmp_path, injections=[reload.injection], mounts={"reload": reload.app()})
        run = browser_page(server.url)
        run.wait_for_text("version 1")
        time.sleep(0.5)  # the watcher is up
        (tmp_path / "index.html").write_text("<html><head><title>v2</title></head><body><p id='v'>version 2</p></body></html>")
        run.wait_for_text("version 2", timeout=30)
    finally:
        reload.stop()
