"""The interactive chart pages in pages/ (bokeh, altair, plotly, folium) draw their charts in Chromium,
offline: the Python packages from the bundle, the JavaScript libraries they use from the library
cache. `browser_page` fails the test if any request tries to leave the machine.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

#: A drawn chart: how many marks of what kind, counted in the page (or the map's frame).
_MARKS = """(selector) => {
  const frame = selector.frame ? document.querySelector(selector.frame) : null;
  const root = (frame ? frame.contentDocument : document)?.querySelector(selector.scope);
  // BokehJS draws inside shadow roots: look through them too.
  const nodes = [];
  const walk = (scope) => {
    if (!scope) return;
    nodes.push(...scope.querySelectorAll(selector.css));
    for (const element of scope.querySelectorAll("*")) if (element.shadowRoot) walk(element.shadowRoot);
  };
  walk(root);
  let painted = 0;
  for (const node of nodes) {
    if (node instanceof HTMLCanvasElement && node.width && node.height) {
      const data = node.getContext("2d").getImageData(0, 0, node.width, node.height).data;
      for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) painted++;
    }
  }
  return { count: nodes.length, painted };
}"""

# page, what its Python writes when the chart is drawn, the chart's marks, at least how many
CHARTS = [
    ("bokeh.html", "Drawn by bokeh 3.6.0 and BokehJS 3.6.0.", {"scope": "#myplot", "css": "canvas"}, 1),
    ("altair.html", "Drawn by altair 5.4.1 with vega-embed.", {"scope": "#vis", "css": "canvas"}, 1),
    ("plotly.html", "Drawn by plotly 5.24.1 and plotly.js 2.35.2.",
     {"scope": "#chart", "css": "svg.main-svg .scatterlayer path.point"}, 100),
    ("folium.html", "Map made by folium 0.19.4.", {"frame": "#map iframe", "scope": "body", "css": ".leaflet-overlay-pane svg path"}, 6),
]


@pytest.fixture(scope="module")
def chart_server(js_libraries, pages_server):
    return pages_server


@pytest.mark.parametrize("page, expected, marks, least", CHARTS, ids=[c[0] for c in CHARTS])
def test_chart_page_draws_offline(chart_server, browser_page, output_dir, page, expected, marks, least):
    run = browser_page(chart_server.url + page, viewport=(1000, 800))
    run.wait_for_text(expected, timeout=180)
    run.page.wait_for_function(f"([selector, least]) => ({_MARKS})(selector).count >= least", arg=[marks, least],
                               timeout=30_000)
    found = run.page.evaluate(_MARKS, marks)
    assert found["count"] >= least, found
    if marks["css"] == "canvas":
        assert found["painted"] > 5_000, found  # the plot's pixels, not an empty canvas
    assert run.page.locator(".pyscript-desktop-problem").count() == 0, run.page.inner_text("body")
    assert run.errors == [], run.errors
    run.page.screenshot(path=str(output_dir / f"chart-{page.removesuffix('.html')}.png"), full_page=True)
