"""CDN library pages in the app's real window (Qt WebEngine under Xvfb): the same library cache,
the run-time shim and the notices as in Chromium (tests/server/test_jslibs_pages.py)."""

from __future__ import annotations

import pytest
from conftest import ROOT
from window.harness import app_env, image_stats, run_app  # noqa: F401

pytestmark = pytest.mark.gui

CORPUS = ROOT / "tests" / "corpus" / "jslibs"


@pytest.mark.parametrize("page, expected", [
    ("vega-embed.html", "drew 3 bars"),
    ("iframe-srcdoc.html", "map in iframe: Leaflet 1.9.3"),
    ("blocked.html", "runtime add --js nosuch-chart-lib-xyz@2"),
])
def test_library_pages_in_the_window(page, expected, js_libraries, app_env, output_dir):
    out = output_dir / f"window-jslibs-{page.removesuffix('.html')}.png"
    result = run_app(app_env, "screenshot", str(CORPUS / page), str(out), "--wait-for", expected, "--timeout", "120")
    assert result.returncode == 0, result.stderr[-2000:]
    colours, ink = image_stats(out)
    assert colours > 5 and ink > 0.002, f"{out} looks blank ({colours} colours, {ink:.1%} ink)"
