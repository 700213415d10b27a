"""Library CDN URLs map to npm packages and files: the rules as a table, no network."""

from __future__ import annotations

import pytest

from desktop.runtime.semver import max_satisfying, satisfies
from desktop.server.libmap import FontsRef, LibRef, Unmapped, add_command, js_specs, map_url


def ref(url: str):
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return map_url(parts.hostname, parts.path or "/", parts.query)


@pytest.mark.parametrize(
    "url, package, rng, file, esm",
    [
        # jsDelivr /npm/: package, range, file; no file = the package's default; +esm = ES module
        ("https://cdn.jsdelivr.net/npm/d3@7", "d3", "7", None, False),
        ("https://cdn.jsdelivr.net/npm/d3@7/dist/d3.min.js", "d3", "7", "dist/d3.min.js", False),
        ("https://cdn.jsdelivr.net/npm/d3@7/+esm", "d3", "7", None, True),
        ("https://cdn.jsdelivr.net/npm/vega@5?noext", "vega", "5", None, False),
        ("https://cdn.jsdelivr.net/npm/vega-lite@5.20.1", "vega-lite", "5.20.1", None, False),
        ("https://cdn.jsdelivr.net/npm/vega-datasets@v1.29.0/data/movies.json", "vega-datasets", "1.29.0", "data/movies.json", False),  # vega_datasets' form
        ("https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css",
         "@fortawesome/fontawesome-free", "6.2.0", "css/all.min.css", False),
        ("https://fastly.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js", "leaflet", "1.9.3", "dist/leaflet.js", False),
        ("https://cdn.jsdelivr.net/npm/leaflet", "leaflet", "latest", None, False),
        ("https://cdn.jsdelivr.net/npm/three@0.160.0/examples/jsm/controls/OrbitControls.js/+esm",
         "three", "0.160.0", "examples/jsm/controls/OrbitControls.js", True),
        # jsDelivr /gh/ for repositories published on npm
        ("https://cdn.jsdelivr.net/gh/twbs/bootstrap@5.3.0/dist/css/bootstrap.min.css",
         "bootstrap", "5.3.0", "dist/css/bootstrap.min.css", False),
        ("https://cdn.jsdelivr.net/gh/mrdoob/three.js@r128/build/three.min.js", "three", "0.128.0", "build/three.min.js", False),
        # unpkg
        ("https://unpkg.com/three@0.160.0/build/three.module.js", "three", "0.160.0", "build/three.module.js", False),
        ("https://unpkg.com/three@0.160.0/examples/jsm/", "three", "0.160.0", "examples/jsm/", False),  # import map prefix
        ("https://unpkg.com/react@18/umd/react.production.min.js", "react", "18", "umd/react.production.min.js", False),
        ("https://unpkg.com/lodash-es@4?module", "lodash-es", "4", None, True),
        ("https://unpkg.com/@bokeh/bokehjs@3.6.0/build/js/bokeh.min.js", "@bokeh/bokehjs", "3.6.0", "build/js/bokeh.min.js", False),
        # ES module CDNs
        ("https://esm.run/d3@7", "d3", "7", None, True),
        ("https://esm.run/canvas-confetti@1.6.0", "canvas-confetti", "1.6.0", None, True),
        ("https://esm.sh/three@0.160.0", "three", "0.160.0", None, True),
        ("https://esm.sh/v135/d3-array@3.2.4", "d3-array", "3.2.4", None, True),
        ("https://esm.sh/preact@10/hooks", "preact", "10", "hooks", True),
        ("https://cdn.skypack.dev/canvas-confetti", "canvas-confetti", "latest", None, True),
        ("https://cdn.skypack.dev/pin/d3@v7.6.1-1Q0NZ0WZnbYeSjDusJT3/mode=imports,min/optimized/d3.js", "d3", "7.6.1", None, True),
        ("https://cdn.skypack.dev/-/d3-array@v3.2.0-3LzDzhEpBe9VDQjFKvk9/dist=es2019,mode=imports/optimized/d3-array.js",
         "d3-array", "3.2.0", None, True),
        # cdnjs through the table
        ("https://cdnjs.cloudflare.com/ajax/libs/twitter-bootstrap/5.3.0/css/bootstrap.min.css",
         "bootstrap", "5.3.0", "css/bootstrap.min.css", False),
        ("https://cdnjs.cloudflare.com/ajax/libs/jquery/3.6.0/jquery.min.js", "jquery", "3.6.0", "jquery.min.js", False),
        ("https://cdnjs.cloudflare.com/ajax/libs/three.js/r128/three.min.js", "three", "0.128.0", "three.min.js", False),
        ("https://cdnjs.cloudflare.com/ajax/libs/three.js/89/three.min.js", "three", "0.89.0", "three.min.js", False),  # classic raycaster
        ("https://cdnjs.cloudflare.com/ajax/libs/three.js/0.147.0/three.min.js", "three", "0.147.0", "three.min.js", False),
        ("https://cdnjs.cloudflare.com/ajax/libs/ace/1.32.7/mode-python.js", "ace-builds", "1.32.7", "mode-python.js", False),
        ("https://cdnjs.cloudflare.com/ajax/libs/font-awesome/4.7.0/css/font-awesome.min.css",
         "font-awesome", "4.7.0", "css/font-awesome.min.css", False),
        ("https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.4.0/css/all.min.css",
         "@fortawesome/fontawesome-free", "6.4.0", "css/all.min.css", False),
        ("https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js",
         "drmonty-leaflet-awesome-markers", "2.0.2", "leaflet.awesome-markers.js", False),
        # LTK's: cdnjs' codemirror 6.65.7 is CodeMirror 5.65.7 under a wrong major (npm's real 6.x is CodeMirror 6)
        ("https://cdnjs.cloudflare.com/ajax/libs/codemirror/5.35.0/codemirror.js", "codemirror", "5.35.0", "codemirror.js", False),
        ("https://cdnjs.cloudflare.com/ajax/libs/codemirror/6.65.7/mode/python/python.min.js",
         "codemirror", "5.65.7", "mode/python/python.min.js", False),
        ("https://cdnjs.cloudflare.com/ajax/libs/codemirror/6.65.7/codemirror.min.css", "codemirror", "5.65.7", "codemirror.min.css", False),
        ("https://cdn.jsdelivr.net/npm/codemirror@6.65.7/lib/codemirror.js", "codemirror", "5.65.7", "lib/codemirror.js", False),
        ("https://unpkg.com/codemirror@6.0.1/dist/index.js", "codemirror", "6.0.1", "dist/index.js", False),  # the real CodeMirror 6
        ("https://cdn.jsdelivr.net/npm/codemirror@6", "codemirror", "6", None, False),
        ("https://cdnjs.cloudflare.com/ajax/libs/highlight.js/11.9.0/styles/default.min.css",
         "@highlightjs/cdn-assets", "11.9.0", "styles/default.min.css", False),
        ("https://cdnjs.cloudflare.com/ajax/libs/highlight.js/11.9.0/languages/python.min.js",
         "@highlightjs/cdn-assets", "11.9.0", "languages/python.min.js", False),
        ("https://cdnjs.cloudflare.com/ajax/libs/leader-line/1.0.3/leader-line.min.js", "leader-line", "1.0.3", "leader-line.min.js", False),
        # vendor CDNs by table
        ("https://cdn.bokeh.org/bokeh/release/bokeh-3.6.0.min.js", "@bokeh/bokehjs", "3.6.0", "build/js/bokeh.min.js", False),
        ("https://cdn.bokeh.org/bokeh/release/bokeh-widgets-3.6.0.min.js", "@bokeh/bokehjs", "3.6.0", "build/js/bokeh-widgets.min.js", False),
        ("https://cdn.bokeh.org/bokeh/release/bokeh-tables-3.6.0.min.js", "@bokeh/bokehjs", "3.6.0", "build/js/bokeh-tables.min.js", False),
        ("https://cdn.bokeh.org/bokeh/release/bokeh-gl-3.6.0.min.js", "@bokeh/bokehjs", "3.6.0", "build/js/bokeh-gl.min.js", False),
        ("https://cdn.bokeh.org/bokeh/release/bokeh-api-3.6.0.min.js", "@bokeh/bokehjs", "3.6.0", "build/js/bokeh-api.min.js", False),
        ("https://cdn.bokeh.org/bokeh/release/bokeh-mathjax-3.6.0.min.js", "@bokeh/bokehjs", "3.6.0", "build/js/bokeh-mathjax.min.js", False),
        ("https://cdn.bokeh.org/bokeh/release/bokeh-3.6.0.js", "@bokeh/bokehjs", "3.6.0", "build/js/bokeh.js", False),
        ("https://cdn.bokeh.org/bokeh/dev/bokeh-3.7.0.dev1.min.js", "@bokeh/bokehjs", "3.7.0-dev.1", "build/js/bokeh.min.js", False),
        ("https://cdn.holoviz.org/panel/1.4.5/dist/panel.min.js", "@holoviz/panel", "1.4.5", "dist/panel.min.js", False),
        ("https://d3js.org/d3.v7.min.js", "d3", "7", "dist/d3.min.js", False),
        ("https://d3js.org/d3.v5.js", "d3", "5", "dist/d3.js", False),
        ("https://d3js.org/d3-array.v2.min.js", "d3-array", "2", "dist/d3-array.min.js", False),
        ("https://d3js.org/topojson.v1.min.js", "topojson", "1", "dist/topojson.min.js", False),
        ("https://cdn.plot.ly/plotly-2.35.2.min.js", "plotly.js-dist-min", "2.35.2", "plotly.min.js", False),
        ("https://cdn.plot.ly/plotly-latest.min.js", "plotly.js-dist-min", "1.58.5", "plotly.min.js", False),
        ("https://cdn.plot.ly/plotly-basic-2.35.2.min.js", "plotly.js-basic-dist-min", "2.35.2", "plotly.min.js", False),
        ("https://code.jquery.com/jquery-3.7.1.min.js", "jquery", "3.7.1", "jquery.min.js", False),
        ("https://code.jquery.com/jquery-3.6.0.slim.min.js", "jquery", "3.6.0", "jquery.slim.min.js", False),
        ("https://code.jquery.com/jquery-1.12.4.js", "jquery", "1.12.4", "jquery.js", False),
        ("https://code.jquery.com/ui/1.13.2/jquery-ui.min.js", "jquery-ui-dist", "1.13.2", "jquery-ui.min.js", False),
        ("https://cdn.tailwindcss.com", "@tailwindcss/browser", "4", "dist/index.global.js", False),
        ("https://cdn.jsdelivr.net/npm/jquery-ui@1.13.2/dist/jquery-ui.min.js", "jquery-ui-dist", "1.13.2", "jquery-ui.min.js", False),
        ("https://ajax.googleapis.com/ajax/libs/jqueryui/1.13.2/themes/base/jquery-ui.css", "jquery-ui-dist", "1.13.2", "jquery-ui.css", False),
        ("https://cdn.tailwindcss.com/3.4.16?plugins=forms", "@tailwindcss/browser", "4", "dist/index.global.js", False),
        ("https://ajax.googleapis.com/ajax/libs/jquery/3.5.1/jquery.min.js", "jquery", "3.5.1", "jquery.min.js", False),
        ("https://stackpath.bootstrapcdn.com/bootstrap/4.5.2/css/bootstrap.min.css", "bootstrap", "4.5.2", "css/bootstrap.min.css", False),
        ("https://maxcdn.bootstrapcdn.com/font-awesome/4.7.0/css/font-awesome.min.css", "font-awesome", "4.7.0", "css/font-awesome.min.css", False),
        ("https://use.fontawesome.com/releases/v5.15.4/css/all.css", "@fortawesome/fontawesome-free", "5.15.4", "css/all.css", False),
    ],
)
def test_library_urls_map_to_npm_files(url, package, rng, file, esm):
    mapped = ref(url)
    assert isinstance(mapped, LibRef), mapped
    assert (mapped.package, mapped.range, mapped.file, mapped.esm) == (package, rng, file, esm)


def test_cdnjs_files_are_looked_up_in_the_package_folders_the_table_names():
    mapped = ref("https://cdnjs.cloudflare.com/ajax/libs/jquery/3.6.0/jquery.min.js")
    assert mapped.prefixes == ("dist/",)
    assert ref("https://cdn.jsdelivr.net/npm/d3@7").default_fields[0] == "jsdelivr"
    assert ref("https://unpkg.com/d3@7").default_fields[0] == "unpkg"


@pytest.mark.parametrize(
    "url, families",
    [
        ("https://fonts.googleapis.com/css2?family=Roboto", (("Roboto", (("normal", 400),)),)),
        ("https://fonts.googleapis.com/css2?family=Roboto:wght@400;700&display=swap",
         (("Roboto", (("normal", 400), ("normal", 700))),)),
        ("https://fonts.googleapis.com/css2?family=Open+Sans:ital,wght@0,400;1,700&family=Lato",
         (("Open Sans", (("normal", 400), ("italic", 700))), ("Lato", (("normal", 400),)))),
        ("https://fonts.googleapis.com/css2?family=Inter:wght@300..500", (("Inter", (("normal", 300), ("normal", 400), ("normal", 500))),)),
        ("https://fonts.googleapis.com/css?family=Roboto:400,700italic|Lato", (
            ("Roboto", (("normal", 400), ("italic", 700))), ("Lato", (("normal", 400),)))),
    ],
)
def test_google_fonts_map_to_fontsource(url, families):
    mapped = ref(url)
    assert isinstance(mapped, FontsRef)
    assert mapped.families == families
    assert mapped.packages[0] == "@fontsource/" + families[0][0].lower().replace(" ", "-")


@pytest.mark.parametrize(
    "url",
    [
        "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/leaflet.awesome.rotate.min.css",
        "https://cdn.jsdelivr.net/combine/npm/a@1,npm/b@2",
        "https://cdnjs.cloudflare.com/ajax/libs/some-unknown-lib/1.0.0/x.js",
        "https://fonts.gstatic.com/s/roboto/v30/KFOmCnqEu92Fr1Mu4mxK.woff2",
        "https://code.jquery.com/qunit/qunit-2.19.4.js",
        "https://d3js.org/",
        "https://cdn.plot.ly/un/world_110m.json",
        "https://esm.sh/gh/user/repo",
        "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css",  # folium's
    ],
)
def test_urls_without_an_npm_counterpart_say_why(url):
    mapped = ref(url)
    assert isinstance(mapped, Unmapped) and mapped.reason


def test_other_hosts_are_not_library_urls():
    assert map_url("example.com", "/lib.js") is None
    assert map_url("pyscript.net", "/releases/2024.1.1/core.js") is None


def test_add_commands_and_specs():
    assert add_command(ref("https://d3js.org/d3.v7.min.js")) == "python main.py runtime add --js d3@7"
    assert add_command(ref("https://esm.run/d3@7")) == "python main.py runtime add --js d3@7 --esm"
    assert add_command(ref("https://fonts.googleapis.com/css2?family=Open+Sans")) == "python main.py runtime add --js @fontsource/open-sans"
    assert js_specs("d3@7") == ([("d3", "7")], False)
    assert js_specs("@bokeh/bokehjs@3.6.0") == ([("@bokeh/bokehjs", "3.6.0")], False)
    assert js_specs("leaflet") == ([("leaflet", "latest")], False)
    assert js_specs("https://esm.run/d3@7") == ([("d3", "7")], True)
    assert js_specs("https://cdn.bokeh.org/bokeh/release/bokeh-3.6.0.min.js") == ([("@bokeh/bokehjs", "3.6.0")], False)
    for bad in ("https://example.com/x.js", "https://cdnjs.cloudflare.com/ajax/libs/nope/1/x.js", "d3@7/dist/d3.js"):
        with pytest.raises(ValueError):
            js_specs(bad)


@pytest.mark.parametrize(
    "version, rng, ok",
    [
        ("7.9.0", "7", True), ("8.0.0", "7", False), ("7.9.0", "^7.2", True), ("7.1.0", "^7.2", False),
        ("0.160.1", "^0.160.0", True), ("0.161.0", "^0.160.0", False), ("0.0.4", "^0.0.3", False),
        ("1.2.9", "~1.2.3", True), ("1.3.0", "~1.2.3", False), ("2.5.0", ">=2 <3", True), ("3.0.0", ">=2 <3", False),
        ("3.0.0", "1.x || >=3", True), ("2.0.0", "1.x || >=3", False), ("1.5.0", "1.2.0 - 1.6", True),
        ("1.7.0", "1.2.0 - 1.6", False), ("5.20.1", "5.20.1", True), ("5.20.2", "5.20.1", False),
        ("4.0.0-beta.1", "4", False), ("4.0.0-beta.2", ">=4.0.0-beta.1", True), ("1.0.0", "*", True),
        ("1.0.0", "latest", True), ("1.0.0-rc.1", "latest", False), ("2.10.0", "2.10.0 - 3", True),
        ("3.2.4", "2.10.0 - 3", True), ("4.0.0", "2.10.0 - 3", False), ("1.0.0", "<1.0.0", False), ("0.9.0", "<=0.9", True),
    ],
)
def test_npm_ranges(version, rng, ok):
    assert satisfies(version, rng) is ok


def test_highest_satisfying_version():
    versions = ["3.6.0", "3.7.1", "3.7.0", "4.0.0-rc.1", "2.2.4"]
    assert max_satisfying(versions, "3") == "3.7.1"
    assert max_satisfying(versions, "^3.6") == "3.7.1"
    assert max_satisfying(versions, "~3.6.0") == "3.6.0"
    assert max_satisfying(versions, "4") is None
    assert max_satisfying(versions, "latest") == "3.7.1"
