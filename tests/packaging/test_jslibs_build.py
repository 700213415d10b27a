"""`build` vendors the CDN libraries its pages load: the scan finds them, the selection picks exactly
those package versions (with what their ES modules import), and a server on the copied libraries
alone answers the pages' URLs. No freeze: the copy is what `build` writes into the app's runtime."""

from __future__ import annotations

import httpx
import pytest

from desktop.packaging.jslibs import copy_libraries, select_libraries
from desktop.packaging.scan import scan_app
from desktop.runtime.jslibs import LIBRARY_FOLDER
from desktop.server.libmap import FontsRef, LibRef
from desktop.settings import Settings

PAGE = """<!doctype html><html><head>
<script src="https://cdn.bokeh.org/bokeh/release/bokeh-3.6.0.min.js"></script>
<link rel="stylesheet" href="https://fonts.googleapis.com/css2?family=Roboto:wght@700&amp;display=swap">
<script src="https://pyscript.net/releases/2024.11.1/core.js" type="module"></script>
</head><body><a href="https://d3js.org/">d3's site</a>
<script type="module" src="app.js"></script></body></html>
"""
SCRIPT = 'import * as d3 from "https://esm.run/d3@7";\nd3.select("body").append("p").text("hi");\n'


@pytest.mark.network  # only when the library cache lacks the defaults: js_libraries vendors them with npm
def test_build_vendors_what_the_pages_load(tmp_path, bundle, js_libraries, serve):
    app = tmp_path / "app"
    app.mkdir()
    (app / "index.html").write_text(PAGE, encoding="utf-8")
    (app / "app.js").write_text(SCRIPT, encoding="utf-8")

    scan = scan_app(app)
    refs = scan.library_refs()
    assert LibRef("@bokeh/bokehjs", "3.6.0", "build/js/bokeh.min.js") in refs
    assert any(isinstance(r, LibRef) and r.package == "d3" and r.esm for r in refs)
    assert any(isinstance(r, FontsRef) and r.packages == ["@fontsource/roboto"] for r in refs)
    assert len(refs) == 3  # the PyScript core and the link to d3's site are not libraries

    settings = Settings(runtime_dir=bundle.root, cache_dir=tmp_path / "cache")
    chosen = select_libraries(refs, settings)
    names = {key.rsplit("@", 1)[0] for key in chosen}
    assert {"@bokeh/bokehjs", "d3", "d3-array", "d3-selection", "internmap", "@fontsource/roboto"} <= names
    assert "vega" not in names and "three" not in names  # only what the pages use

    runtime = tmp_path / "built-runtime"
    copy_libraries(chosen, runtime)
    server = serve(app, libraries=(runtime / LIBRARY_FOLDER,))
    with httpx.Client(base_url=server.origin, headers=server.auth_headers()) as client:
        page = client.get("/index.html").text
        assert "/_lib/@bokeh/bokehjs@3.6.0/build/js/bokeh.min.js" in page
        assert "/_fonts/css2?family=Roboto" in page
        assert "not in the offline library cache" not in page and '"missingLibraries": []' in page
        module = client.get("/app.js").text
        d3_url = module.split('"')[1]
        assert "/_esm/d3@" in d3_url
        d3 = client.get(d3_url)
        assert d3.status_code == 200 and "/_esm/d3-array@" in d3.text
        for line in d3.text.splitlines():
            if line.startswith("export * from '/_esm/"):
                assert client.head(line.split("'")[1]).status_code == 200, line
        css = client.get("/_fonts/css2?family=Roboto:wght@700&display=swap").text
        font = css.split("url(", 1)[1].split(")", 1)[0]
        assert "roboto-latin-700-normal" in css and client.head(font).status_code == 200
