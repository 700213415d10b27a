"""Pages that load JavaScript/CSS libraries from public CDNs run offline, in Chromium.

The pages (tests/corpus/jslibs/) name their CDN URLs as published pages do; the server answers
them from the library cache (`runtime fetch --js-defaults` fills it, as scripts/setup.sh does),
and `browser_page` fails the test if any request tries to leave the machine.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import ROOT

CORPUS = ROOT / "tests" / "corpus" / "jslibs"


@pytest.fixture
def corpus_server(serve, js_libraries, tmp_path):
    folder = tmp_path / "pages"
    shutil.copytree(CORPUS, folder)
    return serve(folder)


CASES = [
    ("d3-jsdelivr.html", "drew 6 bars", "svg rect"),
    ("d3-v7.html", "d3js.org circles: 5", "svg circle"),
    ("d3-esm-run.html", "esm d3 line with 8 points, scale ok: 5", "svg path"),
    ("three-unpkg.html", "three r160: 1 mesh, OrbitControls ok", None),
    ("jquery.html", "jQuery 3.7.1 made 3 items", "#list li"),
    ("bootstrap-cdnjs.html", "button rgb(13, 110, 253), bootstrap js function, icon font loaded", ".alert"),
    ("google-fonts.html", "Roboto faces loaded: 2 weights", None),
    ("bokehjs.html", "Bokeh 3.6.0 plotted", ".bk-Figure, .bk-root, [class*=bk-]"),
    ("plotly.html", "plotly 2.35.2 drew 1 trace", "#plot svg.main-svg"),
    ("vega-embed.html", "drew 3 bars", "#vis svg"),
    ("leaflet.html", "Leaflet 1.9.3: 1 vector, 1 marker", ".leaflet-container"),
    ("dynamic-loader.html", "2 points", "#vis svg"),
    ("chartjs.html", ": 3 bars", "canvas"),
    ("tailwind-jqueryui.html", "tailwind bold 700, size 30px; jQuery UI 1.13.3 tabs: true", ".ui-tabs-nav"),
    ("jquery-esm.html", "jQuery 3.7.1 imported as a module", None),
    ("iframe-srcdoc.html", "map in iframe: Leaflet 1.9.3, jQuery 3.7.1, 1 circle", "iframe"),
]


#: LTK's cdnjs URLs -> (vendored package, its file, MIME type). cdnjs' codemirror 6.65.7 is CodeMirror 5
#: under a wrong major; its flat names (codemirror.min.css, python.min.js) are lib/ and unminified files on npm.
LTK_URLS = [
    ("cdnjs.cloudflare.com/ajax/libs/codemirror/5.35.0/codemirror.js", "codemirror@5", "lib/codemirror.js", "text/javascript"),
    ("cdnjs.cloudflare.com/ajax/libs/codemirror/6.65.7/mode/python/python.min.js", "codemirror@5", "mode/python/python.js",
     "text/javascript"),
    ("cdnjs.cloudflare.com/ajax/libs/codemirror/6.65.7/codemirror.min.css", "codemirror@5", "lib/codemirror.css", "text/css"),
    ("cdnjs.cloudflare.com/ajax/libs/highlight.js/11.9.0/styles/default.min.css", "@highlightjs/cdn-assets@11",
     "styles/default.min.css", "text/css"),
    ("cdnjs.cloudflare.com/ajax/libs/highlight.js/11.9.0/highlight.min.js", "@highlightjs/cdn-assets@11", "highlight.min.js",
     "text/javascript"),
    ("cdnjs.cloudflare.com/ajax/libs/highlight.js/11.9.0/languages/python.min.js", "@highlightjs/cdn-assets@11",
     "languages/python.min.js", "text/javascript"),
    ("cdnjs.cloudflare.com/ajax/libs/leader-line/1.0.3/leader-line.min.js", "leader-line@1", "leader-line.min.js", "text/javascript"),
]


@pytest.mark.parametrize("url, spec, file, mime", LTK_URLS, ids=[u[0].split("/libs/")[1] for u in LTK_URLS])
def test_ltk_cdnjs_urls_are_the_vendored_files(serve, js_libraries, tmp_path, url, spec, file, mime):
    """The URL as a page (or LTK's inject_css/inject_script) names it answers with the bytes of the
    vendored file and a MIME type the browser accepts (a stylesheet served as HTML is refused)."""
    import httpx

    package, rng = spec.rsplit("@", 1)
    version = js_libraries.best(package, rng)
    assert version, f"{spec} is not vendored"
    folder = js_libraries.folder(package, version)
    assert folder is not None
    server = serve(tmp_path)
    with httpx.Client(base_url=server.origin, headers=server.auth_headers()) as client:
        redirect = client.get(f"/_cdn/{url}")
        assert redirect.status_code == 302, redirect.text[:300]
        assert redirect.headers["location"] == f"{server.origin}/_lib/{package}@{version}/{file}"
        answer = client.get(redirect.headers["location"])  # by hand: httpx drops a Cookie header on redirects
    assert answer.status_code == 200, answer.text[:300]
    assert answer.headers["content-type"].startswith(mime)
    assert answer.content == (folder / file).read_bytes()


@pytest.mark.e2e
@pytest.mark.parametrize("page, expected, selector", CASES, ids=[c[0] for c in CASES])
def test_cdn_library_pages_run_offline(corpus_server, browser_page, output_dir, page, expected, selector):
    run = browser_page(corpus_server.url + page)
    run.wait_for_text(expected, timeout=60)
    if selector:
        assert run.page.locator(selector).count() > 0
    assert run.page.locator(".pyscript-desktop-problem").count() == 0, run.page.inner_text("body")
    assert not run.errors, run.errors
    run.page.screenshot(path=str(output_dir / f"jslibs-{Path(page).stem}.png"))


@pytest.mark.e2e
def test_three_addons_share_the_import_maps_three(corpus_server, browser_page):
    """OrbitControls imports "three" by name: the page's import map must give it the same module
    (one URL), or `instanceof` checks between the two copies fail."""
    run = browser_page(corpus_server.url + "three-unpkg.html")
    run.wait_for_text("OrbitControls ok", timeout=60)
    three = [u for u in run.requests if "/three@" in u and u.endswith(".js") and "/build/" in u]
    assert three and all("/_lib/three@0.160.0/build/three.module.js" in u for u in three), three


@pytest.mark.e2e
def test_js_modules_in_py_config(corpus_server, browser_page, output_dir):
    run = browser_page(corpus_server.url + "js-modules.html")
    run.wait_for_text("Python drew 5 rects with d3", timeout=120)
    assert run.page.locator("#chart svg rect").count() == 5
    assert any("/_esm/d3@" in u for u in run.requests)
    run.page.screenshot(path=str(output_dir / "jslibs-js-modules.png"))


@pytest.mark.e2e
def test_modules_named_in_a_config_file_and_in_python_code(corpus_server, browser_page):
    run = browser_page(corpus_server.url + "py-files.html")
    run.wait_for_text("three r160 length 5, d3 sum 10", timeout=120)
    assert run.page.locator(".pyscript-desktop-problem").count() == 0


@pytest.mark.e2e
def test_integrity_hashes_hold_for_the_same_file_and_are_left_out_for_a_stand_in(corpus_server, browser_page):
    """Bootstrap's quick start pins 5.3.3 with its hash; 5.2.2 stands in, so its hash cannot hold and
    is left out (the vendored file was checked against npm's integrity). jQuery's file is the very
    same, so its hash stays and the engine checks it."""
    import httpx

    page = httpx.get(corpus_server.url + "integrity.html", headers=corpus_server.auth_headers()).text
    assert 'jquery.min.js" integrity="sha256-/JqT3SQfawRcv/BIHPThkBvs0OEvtFFmqPF/lYI/Cxo="' in page
    assert "sha384-QWTKZyjp" not in page and "does not match the vendored file" in page
    run = browser_page(corpus_server.url + "integrity.html")
    run.wait_for_text("button rgb(25, 135, 84), jQuery 3.7.1", timeout=30)


@pytest.mark.e2e
def test_missing_and_unknown_libraries_are_named_in_the_page(corpus_server, browser_page, egress, output_dir):
    run = browser_page(corpus_server.url + "blocked.html")
    run.wait_for_text("runtime add --js nosuch-chart-lib-xyz@2", timeout=30)
    run.wait_for_text("https://example.com/widgets.js", timeout=30)
    text = run.page.inner_text("body")
    assert "not in the offline library cache" in text
    assert "no network requests" in text and "no offline copy" in text
    assert "the page itself still works" in text
    run.page.screenshot(path=str(output_dir / "jslibs-blocked.png"))
    # Playwright reports the unknown host's script as a request the page made; the policy stopped it
    # in the engine, and the egress proxy (which every off-machine request would reach) saw nothing.
    assert egress.page_traffic() == []
    assert run.external_requests() == ["https://example.com/widgets.js"]
    run.requests.remove("https://example.com/widgets.js")


@pytest.mark.e2e
def test_data_fetched_from_a_cdn_at_run_time_comes_from_the_library_cache(corpus_server, browser_page, egress, output_dir):
    """fetch(), XMLHttpRequest and Pyodide's pyfetch of a CDN URL computed at run time (vega-embed loading an
    altair chart's vega_datasets file, d3 maps loading TopoJSON) are answered from the library cache; a file
    it lacks is named in the page's box."""
    run = browser_page(corpus_server.url + "fetch-data.html")
    run.wait_for_text("fetch: world-atlas has 177 countries", timeout=60)
    run.wait_for_text("XMLHttpRequest: 406 cars", timeout=60)
    run.wait_for_text("pyfetch: us-atlas has 56 states", timeout=120)
    run.wait_for_text("missing: HTTP 404", timeout=30)
    run.wait_for_text("https://cdn.jsdelivr.net/npm/not-vendored-atlas@1/data.json", timeout=30)  # in the box
    assert egress.page_traffic() == []
    run.page.screenshot(path=str(output_dir / "jslibs-fetch-data.png"))
