"""The JavaScript/CSS libraries `runtime fetch --js-defaults` vendors into `bundled_runtime/js/`.

The libraries that published PyScript and Pyodide pages load from CDNs most,
and the ones the chart packages emit (bokeh, altair, plotly, folium): with
these bundled, such pages run offline without a `runtime add --js` first.
Each entry is (npm spec, whether ES module imports need its dependencies too).
A page that pins another version of the same major gets the bundled one and a
console notice (see server/libraries.py); another major needs `runtime add --js`.
"""

from __future__ import annotations

__all__ = ["DEFAULT_LIBRARIES"]

DEFAULT_LIBRARIES: tuple[tuple[str, bool], ...] = (
    ("d3@7", True),  # d3.v7.min.js, /npm/d3@7, and esm.run/d3 (its 30 modules import each other by name)
    ("three@0.160.0", False),  # ES modules only since r160-r170; examples/jsm imports "three" through the page's import map
    # three.js before r160 is another API per release (0.x: every minor is a major): the builds the official
    # PyScript examples load, webgl/raycaster of every classic release (cdnjs three.js/89, then 0.147.0)
    ("three@0.89.0", False),
    ("three@0.147.0", False),
    ("jquery@3.7.1", False),  # folium pins 3.7.1
    ("bootstrap@5.2.2", False),  # folium pins 5.2.2; pages on other 5.x get it with a notice
    ("bootstrap@4", False),  # 2020-2022 pages and templates (toga/freedom.html of every classic release: 4.6.2)
    ("@bokeh/bokehjs@3.6.0", False),  # must equal the Python bokeh version (bokeh 3.6.0 in Pyodide 0.27's lock)
    ("vega@5", False),  # altair 5.4: /npm/vega@5, vega-lite@5.20.1, vega-embed@6
    ("vega-lite@5.20.1", False),
    ("vega-embed@6", False),
    ("plotly.js-dist-min@2.35.2", False),  # plotly 5.24 (Pyodide 0.27's lock) embeds plotly.js 2.35.2
    ("leaflet@1.9.3", False),  # folium pins 1.9.3
    ("@fortawesome/fontawesome-free@6.2.0", False),  # folium's marker icons
    ("drmonty-leaflet-awesome-markers@2.0.2", False),  # folium: cdnjs Leaflet.awesome-markers 2.0.2
    ("@fontsource/roboto@5", False),  # Google Fonts' most linked family
    ("chart.js@4", False),  # the most loaded charting library after d3 (chart.umd.js)
    ("@tailwindcss/browser@4", False),  # cdn.tailwindcss.com, the Play CDN of many a page made since 2023
    ("bulma@0.9", False),  # the CSS framework of classic pages (simple_bioinformatics_tool of every classic release: 0.9.3)
    ("bulma@1", False),
    ("jquery-ui-dist@1", False),  # jQuery UI 1.13 (code.jquery.com/ui, Google's jqueryui, /npm/jquery-ui/dist/: LTK)
    # LTK (the PyScript team's widget toolkit) and the pages made with it load these from cdnjs:
    ("codemirror@5", False),  # its editor: codemirror/5.35.0/codemirror.js, /6.65.7/mode/python/python.min.js (CodeMirror 5)
    ("@highlightjs/cdn-assets@11", False),  # ltk.Code: highlight.js/11.9.0/highlight.min.js, styles/, languages/
    ("leader-line@1", False),  # the LTK tutorial's arrows: leader-line/1.0.3/leader-line.min.js
    # Data pages fetch from jsDelivr at run time: altair's vega_datasets names its files there (`data.movies.url`
    # is .../vega-datasets@v1.29.0/data/movies.json: the altair example of every PyScript release), and d3 maps
    # load TopoJSON from us-atlas and world-atlas (35, 2 and 8 MB unpacked)
    ("vega-datasets@1.29.0", False),
    ("us-atlas@3", False),
    ("world-atlas@2", False),
)
