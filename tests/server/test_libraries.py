"""Library URLs against a library cache on disk: which version and file answers, ES module imports,
version stand-ins, folders for import maps, Google Fonts stylesheets, and what is missing."""

from __future__ import annotations

import json

import pytest

from desktop.runtime.jslibs import JsLibraries
from desktop.server.cdn import CdnResolver
from desktop.server.libraries import LibraryResolver, LocalLibrary, MissingLibrary

PACKAGES = {
    "d3@7.9.0": ({"jsdelivr": "dist/d3.min.js", "main": "dist/d3.node.js", "module": "src/index.js",
                  "dependencies": {"d3-array": "3", "d3-format": "1 - 3"}},
                 ["dist/d3.js", "dist/d3.min.js", "src/index.js"]),
    "d3-array@3.2.4": ({"exports": {".": {"umd": "./dist/d3-array.min.js", "default": "./src/index.js"}},
                        "dependencies": {"internmap": "1 - 2"}}, ["src/index.js", "dist/d3-array.min.js"]),
    "d3-array@2.12.1": ({"module": "src/index.js"}, ["src/index.js"]),
    "d3-format@3.1.0": ({"module": "src/index.js"}, ["src/index.js"]),
    "internmap@2.0.3": ({"module": "src/index.js"}, ["src/index.js"]),
    "three@0.160.0": ({"main": "build/three.cjs", "module": "build/three.module.js",
                       "exports": {".": {"import": "./build/three.module.js", "require": "./build/three.cjs"},
                                   "./addons/*": "./examples/jsm/*", "./examples/jsm/*": "./examples/jsm/*"}},
                      ["build/three.module.js", "build/three.cjs", "examples/jsm/controls/OrbitControls.js"]),
    "jquery@3.7.1": ({"main": "dist/jquery.js"}, ["dist/jquery.js", "dist/jquery.min.js", "dist/jquery.slim.min.js"]),
    "bootstrap@5.2.2": ({"main": "dist/js/bootstrap.js"}, ["dist/css/bootstrap.min.css", "dist/js/bootstrap.bundle.min.js"]),
    "@bokeh/bokehjs@3.6.0": ({"main": "build/js/lib/bokeh.js"}, ["build/js/bokeh.min.js", "build/js/bokeh-widgets.min.js"]),
    "react@18.3.1": ({"main": "index.js"}, ["index.js", "cjs/react.production.min.js"]),
    "@fontsource/roboto@5.0.8": ({"main": "index.css"}, ["index.css", "700.css", "700-italic.css", "files/roboto-latin-700-normal.woff2"]),
}

D3_SOURCE = 'export * from "d3-array";\nexport {format} from "d3-format";\nimport "./local.js";\nimport("d3-array/src/x.js");\nexport {default as fs} from "fs";\n'


@pytest.fixture
def cache(tmp_path) -> JsLibraries:
    root = tmp_path / "js"
    for name, (meta, files) in PACKAGES.items():
        folder = root / name
        folder.mkdir(parents=True)
        (folder / "package.json").write_text(json.dumps({"name": name.rsplit("@", 1)[0], **meta}))
        for file in files:
            (folder / file).parent.mkdir(parents=True, exist_ok=True)
            (folder / file).write_text(f"/* {name}/{file} */\n")
    (root / "d3@7.9.0" / "src" / "index.js").write_text(D3_SOURCE)
    (root / "react@18.3.1" / "index.js").write_text("'use strict';\nmodule.exports = require('./cjs/react.production.min.js');\n")
    (root / "@fontsource/roboto@5.0.8" / "700.css").write_text(
        "@font-face{font-family:'Roboto';font-weight:700;src:url(./files/roboto-latin-700-normal.woff2) format('woff2')}\n")
    return JsLibraries((root,))


@pytest.mark.parametrize(
    "url, local",
    [
        ("https://cdn.jsdelivr.net/npm/d3@7", "/_lib/d3@7.9.0/dist/d3.min.js"),
        ("https://cdn.jsdelivr.net/npm/d3@7/dist/d3.js", "/_lib/d3@7.9.0/dist/d3.js"),
        ("https://cdn.jsdelivr.net/npm/d3@7/dist/d3.min.js", "/_lib/d3@7.9.0/dist/d3.min.js"),
        ("https://d3js.org/d3.v7.min.js", "/_lib/d3@7.9.0/dist/d3.min.js"),
        ("https://unpkg.com/d3@7.9.0/dist/d3.js", "/_lib/d3@7.9.0/dist/d3.js"),
        ("https://esm.run/d3@7", "/_esm/d3@7.9.0/src/index.js"),
        ("https://cdn.jsdelivr.net/npm/d3@7/+esm", "/_esm/d3@7.9.0/src/index.js"),
        ("https://esm.sh/d3-array@3", "/_esm/d3-array@3.2.4/src/index.js"),
        ("https://esm.sh/d3-array@2", "/_esm/d3-array@2.12.1/src/index.js"),
        ("https://esm.sh/three@0.160.0", "/_esm/three@0.160.0/build/three.module.js"),
        ("https://esm.sh/three@0.160.0/addons/controls/OrbitControls.js", "/_esm/three@0.160.0/examples/jsm/controls/OrbitControls.js"),
        ("https://unpkg.com/three@0.160.0/build/three.module.js", "/_lib/three@0.160.0/build/three.module.js"),
        ("https://unpkg.com/three@0.160.0/examples/jsm/", "/_lib/three@0.160.0/examples/jsm/"),
        ("https://code.jquery.com/jquery-3.7.1.min.js", "/_lib/jquery@3.7.1/dist/jquery.min.js"),
        ("https://code.jquery.com/jquery-3.7.1.js", "/_lib/jquery@3.7.1/dist/jquery.js"),
        ("https://unpkg.com/jquery@3.7.1/dist/jquery", "/_lib/jquery@3.7.1/dist/jquery.js"),
        ("https://cdnjs.cloudflare.com/ajax/libs/twitter-bootstrap/5.2.2/css/bootstrap.min.css", "/_lib/bootstrap@5.2.2/dist/css/bootstrap.min.css"),
        ("https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/css/bootstrap.css", "/_lib/bootstrap@5.2.2/dist/css/bootstrap.min.css"),
        ("https://cdn.bokeh.org/bokeh/release/bokeh-widgets-3.6.0.min.js", "/_lib/@bokeh/bokehjs@3.6.0/build/js/bokeh-widgets.min.js"),
        ("https://fonts.googleapis.com/css2?family=Roboto:wght@700", "/_fonts/css2?family=Roboto:wght@700"),
    ],
)
def test_urls_resolve_to_cached_files(cache, url, local):
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    found = LibraryResolver(cache).resolve(parts.hostname, parts.path, parts.query)
    assert found == LocalLibrary(local)


def test_a_pinned_version_not_vendored_gets_the_same_major_with_a_notice(cache):
    found = LibraryResolver(cache).resolve("code.jquery.com", "/jquery-3.6.0.min.js")
    assert found.path == "/_lib/jquery@3.7.1/dist/jquery.min.js"
    assert "jquery@3.6.0 is not in the offline library cache; serving jquery@3.7.1 instead" in found.notice
    other_major = LibraryResolver(cache).resolve("code.jquery.com", "/jquery-2.2.4.min.js")
    assert isinstance(other_major, MissingLibrary) and other_major.command == "python main.py runtime add --js jquery@2.2.4"


def test_bokehjs_of_any_major_is_the_vendored_one_because_it_must_match_the_bundled_python_bokeh(cache):
    # A 2022 page loads BokehJS 2.4.2 and names `bokeh`; its Python gets the bundle's bokeh, whose output
    # only the same BokehJS renders: the vendored one answers every part of the page's BokehJS.
    resolver = LibraryResolver(cache)
    for part in ("", "-widgets"):
        found = resolver.resolve("cdn.bokeh.org", f"/bokeh/release/bokeh{part}-2.4.2.min.js")
        assert found.path == f"/_lib/@bokeh/bokehjs@3.6.0/build/js/bokeh{part}.min.js"
        assert "serving @bokeh/bokehjs@3.6.0, the version of the Python bokeh the page gets offline" in found.notice


def test_missing_libraries_name_the_command_or_say_why_not(cache):
    resolver = LibraryResolver(cache)
    missing = resolver.resolve("cdn.plot.ly", "/plotly-2.35.2.min.js")
    assert missing == MissingLibrary("https://cdn.plot.ly/plotly-2.35.2.min.js",
                                     "python main.py runtime add --js plotly.js-dist-min@2.35.2",
                                     "the library is not in the library cache")
    esm = resolver.resolve("esm.run", "/canvas-confetti@1")
    assert esm.command == "python main.py runtime add --js canvas-confetti@1 --esm"
    no_file = resolver.resolve("cdn.jsdelivr.net", "/npm/d3@7/dist/nope.js")
    assert isinstance(no_file, MissingLibrary) and no_file.command is None and no_file.reason == "d3@7.9.0 has no file dist/nope.js"
    commonjs = resolver.resolve("esm.sh", "/react@18")
    assert isinstance(commonjs, MissingLibrary) and commonjs.command is None and "CommonJS only" in commonjs.reason
    assert resolver.resolve("unpkg.com", "/react@18/index.js") == LocalLibrary("/_lib/react@18.3.1/index.js")  # a plain file: as is
    umd = "(function(g,f){typeof module==='object'?module.exports=f(g):g.lib=f(g)})(this,function(){return 42});"
    wrapped = resolver.module_text("jquery@3.7.1/dist/jquery.js", umd)  # a UMD file as an ES module: its default export
    assert wrapped.startswith("const module = { exports: {} };") and wrapped.endswith("export default module.exports;\n")
    fonts = resolver.resolve("fonts.googleapis.com", "/css2", "family=Lato")
    assert fonts.command == "python main.py runtime add --js @fontsource/lato" and fonts.cosmetic
    assert resolver.resolve("d3js.org", "/") is None  # a link to the library's site stays a link


def test_es_module_bare_imports_point_at_the_vendored_dependency_versions(cache):
    resolver = LibraryResolver(cache)
    text = resolver.module_text("d3@7.9.0/src/index.js", D3_SOURCE)
    assert text.splitlines() == [
        'export * from "/_esm/d3-array@3.2.4/src/index.js";',  # d3 asks for d3-array 3, not the 2.x also vendored
        'export {format} from "/_esm/d3-format@3.1.0/src/index.js";',
        'import "./local.js";',
        'import("/_esm/d3-array@3.2.4/src/x.js");',  # not in the package: the server's 404 will name it
        'export {default as fs} from "fs";',  # a Node built-in: left for the browser to refuse
    ]
    minified = resolver.module_text("d3-array@3.2.4/src/index.js", 'import{InternMap as t}from"internmap";import"nosuch-dep"')
    assert minified == 'import{InternMap as t}from"/_esm/internmap@2.0.3/src/index.js";import"/_esm/nosuch-dep@latest/"'


def test_google_fonts_stylesheet_points_at_the_fontsource_files(cache):
    css = LibraryResolver(cache).fonts_css("/css2", "family=Roboto:ital,wght@0,700&display=swap")
    assert "url(/_lib/@fontsource/roboto@5.0.8/files/roboto-latin-700-normal.woff2)" in css
    assert "font-weight:700" in css


def test_page_rewrite_collects_missing_libraries_and_notices(cache):
    resolver = CdnResolver(installed=lambda kind: [], preferred=lambda kind: "", libraries=LibraryResolver(cache))
    missing: list[MissingLibrary] = []
    page = ('<script src="https://d3js.org/d3.v7.min.js"></script><script src="https://code.jquery.com/jquery-3.6.0.min.js">'
            '</script><script src="https://cdn.plot.ly/plotly-2.35.2.min.js"></script><a href="https://d3js.org/">d3</a>')
    text, notices = resolver.rewrite(page, "http://127.0.0.1:9", missing)
    assert text == (
        '<script src="http://127.0.0.1:9/_lib/d3@7.9.0/dist/d3.min.js"></script>'
        '<script src="http://127.0.0.1:9/_lib/jquery@3.7.1/dist/jquery.min.js"></script>'
        '<script src="http://127.0.0.1:9/_cdn/cdn.plot.ly/plotly-2.35.2.min.js"></script><a href="https://d3js.org/">d3</a>'
    )
    assert [m.url for m in missing] == ["https://cdn.plot.ly/plotly-2.35.2.min.js"]
    assert len(notices) == 1 and "serving jquery@3.7.1" in notices[0]


def test_library_routes_over_http(cache, serve, tmp_path):
    """The routes themselves: files as the package has them (immutable), stylesheets and modules with
    their URLs made local, readable 404s naming the command, and no way out of a package folder."""
    import httpx

    root = cache.roots[0]
    (root / "bootstrap@5.2.2" / "dist" / "css" / "theme.css").write_text(
        '@import url("https://fonts.googleapis.com/css2?family=Roboto:wght@700&display=swap");\n'
        ".icon{background:url(../img/x.png)}\n")
    (tmp_path / "secret.txt").write_text("TOP-SECRET-CONTENT")
    pages = tmp_path / "pages"
    pages.mkdir()
    server = serve(pages, libraries=(root,))
    with httpx.Client(base_url=server.origin, headers=server.auth_headers()) as client:
        plain = client.get("/_lib/jquery@3.7.1/dist/jquery.min.js")
        assert plain.status_code == 200 and plain.text == "/* jquery@3.7.1/dist/jquery.min.js */\n"
        assert plain.headers["content-type"].startswith("text/javascript") and "immutable" in plain.headers["cache-control"]
        css = client.get("/_lib/bootstrap@5.2.2/dist/css/theme.css").text
        assert f'@import url("{server.origin}/_fonts/css2?family=Roboto:wght@700&display=swap")' in css
        assert "url(../img/x.png)" in css  # relative: resolves inside the vendored package
        fonts = client.get("/_fonts/css2?family=Roboto:wght@700&display=swap")
        assert fonts.headers["content-type"].startswith("text/css") and "/_lib/@fontsource/roboto@5.0.8/files/" in fonts.text
        module = client.get("/_esm/d3@7.9.0/src/index.js").text
        assert 'export * from "/_esm/d3-array@3.2.4/src/index.js";' in module
        missing = client.get("/_esm/nosuch-dep@latest/")
        assert missing.status_code == 404 and "runtime add --js nosuch-dep@latest --esm" in missing.text
        absent = client.get("/_lib/d3@7.9.0/dist/nope.js")
        assert absent.status_code == 404 and "has no file dist/nope.js" in absent.text
        for sneaky in ("/_lib/d3@7.9.0/..%2f..%2f..%2fsecret.txt", "/_lib/d3@7.9.0/%2e%2e/%2e%2e/%2e%2e/secret.txt",
                       "/_lib/d3@7.9.0/../../../secret.txt"):
            answer = client.get(sneaky)
            assert answer.status_code in (400, 403, 404) and "TOP-SECRET-CONTENT" not in answer.text, sneaky
        redirect = client.get("/_cdn/cdn.jsdelivr.net/npm/d3@7?noext", follow_redirects=False)
        assert redirect.status_code == 302 and redirect.headers["location"].endswith("/_lib/d3@7.9.0/dist/d3.min.js?noext")


def test_libraries_named_in_config_files_are_named_in_the_page(cache, serve, tmp_path):
    """`js_modules` in a config FILE (a script's `config=`, an editor's `config=`) is not in the page's
    text: a library it names without an offline copy must still reach the page's box with its command
    (before, the page stayed blank: the import failed in PyScript, or silently in an editor's worker)."""
    import httpx

    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "escaper.toml").write_text('[js_modules.main]\n"https://cdn.jsdelivr.net/npm/html-escaper@3.0.3/+esm" = "esc"\n')
    (pages / "editor.toml").write_text('[js_modules.worker]\n"https://esm.run/canvas-confetti@1" = "confetti"\n'
                                       '"https://cdn.jsdelivr.net/npm/d3@7/+esm" = "d3"\n')
    core = '<script type="module" src="https://pyscript.net/releases/2024.5.2/core.js"></script>'
    (pages / "script.html").write_text(f'{core}<script type="py" config="./escaper.toml">import js</script>')
    (pages / "editor.html").write_text(f'{core}<script type="mpy-editor" config="editor.toml" setup>x = 1</script>')
    (pages / "none.html").write_text(f'{core}<script type="py">print(1)</script>')
    server = serve(pages, libraries=(cache.roots[0],))
    with httpx.Client(base_url=server.origin, headers=server.auth_headers()) as client:
        script = client.get("/script.html").text
        editor = client.get("/editor.html").text
        plain = client.get("/none.html").text
    assert "https://cdn.jsdelivr.net/npm/html-escaper@3.0.3/+esm" in script
    assert "python main.py runtime add --js html-escaper@3.0.3 --esm" in script
    assert "python main.py runtime add --js canvas-confetti@1 --esm" in editor
    assert "runtime add --js d3" not in editor  # vendored: no box for it
    assert '"missingLibraries": []' in plain
