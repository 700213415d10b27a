"""CDN URLs resolve to the vendored runtime, in pages and in runtime JavaScript."""

from __future__ import annotations

import pytest

from desktop.server.cdn import CdnResolver, own_folder

INSTALLED = {
    "pyscript-core": ["0.6.66", "0.7.31"],
    "pyodide": ["0.27.7", "314.0.7"],
    "micropython": ["1.26.0-preview-293", "1.28.0-6"],
}
PREFERRED = {"pyscript-core": "0.6.66", "pyodide": "0.27.7", "micropython": "1.26.0-preview-293"}


@pytest.fixture
def resolver() -> CdnResolver:
    return CdnResolver(installed=lambda kind: INSTALLED[kind], preferred=lambda kind: PREFERRED[kind])


@pytest.mark.parametrize(
    "url, path, substituted",
    [
        # modern PyScript: calendar releases, snapshots, npm CDNs
        ("https://pyscript.net/releases/2024.1.1/core.js", "/_runtime/pyscript-core/0.6.66/dist/core.js", True),
        ("https://pyscript.net/releases/2025.8.1/core.css", "/_runtime/pyscript-core/0.6.66/dist/core.css", True),
        ("https://pyscript.net/snapshots/2024.9.2/core.js", "/_runtime/pyscript-core/0.6.66/dist/core.js", True),
        ("https://cdn.jsdelivr.net/npm/@pyscript/core@0.6.66/dist/core.js", "/_runtime/pyscript-core/0.6.66/dist/core.js", False),
        ("https://cdn.jsdelivr.net/npm/@pyscript/core@0.7.31/dist/core.js", "/_runtime/pyscript-core/0.7.31/dist/core.js", False),
        ("https://cdn.jsdelivr.net/npm/@pyscript/core@0.6.24/dist/core.js", "/_runtime/pyscript-core/0.6.66/dist/core.js", True),
        ("https://cdn.jsdelivr.net/npm/@pyscript/core@0.7/dist/core.js", "/_runtime/pyscript-core/0.7.31/dist/core.js", True),
        ("https://cdn.jsdelivr.net/npm/@pyscript/core", "/_runtime/pyscript-core/0.6.66/dist/core.js", False),
        ("https://unpkg.com/@pyscript/core@0.6.66/dist/core.js", "/_runtime/pyscript-core/0.6.66/dist/core.js", False),
        ("https://unpkg.com/@pyscript/core@latest/dist/core.js", "/_runtime/pyscript-core/0.6.66/dist/core.js", False),
        ("https://fastly.jsdelivr.net/npm/@pyscript/core@0.6.66/dist/core.js", "/_runtime/pyscript-core/0.6.66/dist/core.js", False),
        # Pyodide: the CDN layout and npm
        ("https://cdn.jsdelivr.net/pyodide/v0.27.7/full/pyodide.mjs", "/_runtime/pyodide/0.27.7/pyodide.mjs", False),
        ("https://cdn.jsdelivr.net/pyodide/v0.27.7/full/pyodide.js", "/_runtime/pyodide/0.27.7/pyodide.js", False),
        ("https://cdn.jsdelivr.net/pyodide/v0.26.4/full/pyodide.mjs", "/_runtime/pyodide/0.27.7/pyodide.mjs", True),
        ("https://cdn.jsdelivr.net/pyodide/v314.0.2/full/pyodide.mjs", "/_runtime/pyodide/314.0.7/pyodide.mjs", True),
        ("https://cdn.jsdelivr.net/pyodide/v0.27.7/full/numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl",
         "/_runtime/pyodide/0.27.7/numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl", False),
        ("https://cdn.jsdelivr.net/npm/pyodide@0.27.7/pyodide.mjs", "/_runtime/pyodide/0.27.7/pyodide.mjs", False),
        ("https://unpkg.com/pyodide@0.27.7/pyodide.js", "/_runtime/pyodide/0.27.7/pyodide.js", False),
        ("//cdn.jsdelivr.net/pyodide/v0.27.7/full/pyodide.js", "/_runtime/pyodide/0.27.7/pyodide.js", False),
        ("https://pyodide-cdn2.iodide.io/v0.20.0/full/pyodide.js", "/_runtime/pyodide/0.27.7/pyodide.js", True),
        # Pyodide on cdnjs: its files side by side, cdnjs's .min.js twin of the loader, an indexURL
        ("https://cdnjs.cloudflare.com/ajax/libs/pyodide/0.27.7/pyodide.js", "/_runtime/pyodide/0.27.7/pyodide.js", False),
        ("https://cdnjs.cloudflare.com/ajax/libs/pyodide/0.27.7/pyodide.min.js", "/_runtime/pyodide/0.27.7/pyodide.js", False),
        ("https://cdnjs.cloudflare.com/ajax/libs/pyodide/0.26.4/pyodide.mjs", "/_runtime/pyodide/0.27.7/pyodide.mjs", True),
        ("https://cdnjs.cloudflare.com/ajax/libs/pyodide/0.27.7/", "/_runtime/pyodide/0.27.7/", False),
        ("https://cdnjs.cloudflare.com/ajax/libs/pyodide/0.27.7/full/pyodide.js", "/_runtime/pyodide/0.27.7/pyodide.js", False),
        # MicroPython, as PyScript computes it
        ("https://cdn.jsdelivr.net/npm/@micropython/micropython-webassembly-pyscript@1.26.0-preview-293/micropython.mjs",
         "/_runtime/micropython/1.26.0-preview-293/micropython.mjs", False),
        ("https://cdn.jsdelivr.net/npm/@micropython/micropython-webassembly-pyscript@1.28.0-6/micropython.mjs",
         "/_runtime/micropython/1.28.0-6/micropython.mjs", False),
        # classic PyScript goes to the classic layer
        ("https://pyscript.net/alpha/pyscript.js", "/_desktop/classic/pyscript.js", False),
        ("https://pyscript.net/latest/pyscript.js", "/_desktop/classic/pyscript.js", False),
        ("https://pyscript.net/latest/pyscript.css", "/_desktop/classic/pyscript.css", False),
        ("https://pyscript.net/releases/2022.12.1/pyscript.js", "/_desktop/classic/pyscript.js", False),
        ("https://pyscript.net/releases/2023.05.1/pyscript.min.js", "/_desktop/classic/pyscript.js", False),
    ],
)
def test_known_cdn_urls_resolve_to_the_bundle(resolver, url, path, substituted):
    text, notices = resolver.rewrite(f'<script src="{url}"></script>', "http://127.0.0.1:1234")
    assert text == f'<script src="http://127.0.0.1:1234{path}"></script>'
    assert bool(notices) is substituted
    if substituted:
        assert "not bundled" in notices[0] and "instead" in notices[0]


def test_runtime_computed_urls_get_the_cdn_prefix(resolver):
    js = "module:(e=\"0.27.7\")=>`https://cdn.jsdelivr.net/pyodide/v${e}/full/pyodide.mjs`"
    text, notices = resolver.rewrite(js, "http://127.0.0.1:9")
    assert text == "module:(e=\"0.27.7\")=>`http://127.0.0.1:9/_cdn/cdn.jsdelivr.net/pyodide/v${e}/full/pyodide.mjs`"
    assert notices == []


def test_a_pages_own_computed_urls_get_the_page_prefix(resolver):
    js = "const INDEX_URL = `https://cdn.jsdelivr.net/pyodide/v${PYODIDE_VERSION}/full/`;"
    text, _ = resolver.rewrite(js, "http://127.0.0.1:9", page=True)
    assert text == "const INDEX_URL = `http://127.0.0.1:9/_cdn/page/cdn.jsdelivr.net/pyodide/v${PYODIDE_VERSION}/full/`;"


def test_a_pyodide_version_a_page_computes_gets_the_pair_with_packages():
    """`v${PYODIDE_VERSION}` in a page is the page's choice, as a written URL is: a pair's Pyodide, which has
    the bundled packages (a bare release Pyodide answered loadPackage with 404s under the lock's hashes);
    the same URL computed by a release core keeps the exact version that core was made for."""
    installed = {"pyodide": ["0.26.4", "0.27.7", "314.0.7"]}
    resolver = CdnResolver(installed=lambda kind: installed[kind], preferred=lambda kind: "0.27.7",
                           pair_pyodides=("0.27.7", "314.0.7"))
    url = "/pyodide/v0.26.4/full/pyodide-lock.json"
    assert resolver.resolve("cdn.jsdelivr.net", url, computed=False).path == "/_runtime/pyodide/0.27.7/pyodide-lock.json"
    assert resolver.resolve("cdn.jsdelivr.net", url, computed=True).path == "/_runtime/pyodide/0.26.4/pyodide-lock.json"


def test_the_page_cdn_route_answers_with_the_files_themselves(serve, bundle, tmp_path):
    import httpx

    pair = bundle.manifest.pair().pyodide
    server = serve(tmp_path)
    with httpx.Client(base_url=server.origin, headers=server.auth_headers()) as client:
        lock = client.get(f"/_cdn/page/cdn.jsdelivr.net/pyodide/v{pair}/full/pyodide-lock.json")
        assert lock.status_code == 200 and lock.json() == client.get(f"/_runtime/pyodide/{pair}/pyodide-lock.json").json()
        six = lock.json()["packages"]["six"]["file_name"]
        wheel = client.get(f"/_cdn/page/cdn.jsdelivr.net/pyodide/v{pair}/full/{six}")
        assert wheel.status_code == 200 and wheel.content == client.get(f"/_runtime/pyodide/{pair}/{six}").content
        missing = client.get("/_cdn/page/cdn.jsdelivr.net/npm/nosuch-library-xyz@4/lib.js")
        assert missing.status_code == 404 and "runtime add --js nosuch-library-xyz@4" in missing.text


def test_unknown_cdn_files_stay_local_and_unresolved(resolver):
    text, _ = resolver.rewrite("import x from 'https://cdn.jsdelivr.net/npm/lodash@4/lodash.js'", "http://127.0.0.1:9")
    assert text == "import x from 'http://127.0.0.1:9/_cdn/cdn.jsdelivr.net/npm/lodash@4/lodash.js'"
    assert resolver.resolve("cdn.jsdelivr.net", "/npm/lodash@4/lodash.js") is None


def test_query_and_fragment_survive(resolver):
    text, _ = resolver.rewrite("https://cdn.jsdelivr.net/pyodide/v0.27.7/full/pyodide.mjs?v=1#x", "http://h")
    assert text == "http://h/_runtime/pyodide/0.27.7/pyodide.mjs?v=1#x"


def test_other_hosts_are_untouched(resolver):
    source = "see https://example.org/pyscript.net/x and https://pyscript.com/"
    assert resolver.rewrite(source, "http://h")[0] == source


def test_the_authors_development_server_is_this_pages_own_folder():
    # PyScriptWidgets' pyscript.toml: "{BASE_URL}" = "http://127.0.0.1:8000", then "{BASE_URL}/widgets/x.py"
    source = ('"{BASE_URL}" = "http://127.0.0.1:8000"\nfetch("http://localhost:5000/data.csv")\n'
              "own http://127.0.0.1:4321/x.py\nnot http://127.0.0.10/ nor http://localhost.example.org/")
    text, notices = own_folder(source, "http://127.0.0.1:4321")
    assert text == ('"{BASE_URL}" = "http://127.0.0.1:4321"\nfetch("http://127.0.0.1:4321/data.csv")\n'
                    "own http://127.0.0.1:4321/x.py\nnot http://127.0.0.10/ nor http://localhost.example.org/")
    assert "http://127.0.0.1:8000 (the page author's development server) is read as this page's own folder." in notices
    assert len(notices) == 2  # one per development origin; our own origin is no notice


def test_a_pages_own_links_to_another_local_port_stay_as_written(resolver):
    # pages are not rewritten: navigating to another program on this machine stays the window policy's refusal
    page = '<a href="http://127.0.0.1:8888/lab">Jupyter</a><script>location.href = "http://localhost:5000/x"</script>'
    assert resolver.rewrite(page, "http://127.0.0.1:4321")[0] == page


def test_latest_pair_preference_changes_version_less_urls():
    resolver = CdnResolver(
        installed=lambda kind: INSTALLED[kind],
        preferred=lambda kind: {"pyscript-core": "0.7.31", "pyodide": "314.0.7", "micropython": "1.28.0-6"}[kind],
    )
    assert resolver.resolve("pyscript.net", "/releases/2025.11.1/core.js").path == "/_runtime/pyscript-core/0.7.31/dist/core.js"
    assert resolver.resolve("unpkg.com", "/@pyscript/core/dist/core.js").path == "/_runtime/pyscript-core/0.7.31/dist/core.js"


def test_cdn_route_answers_runtime_computed_urls(serve, tmp_path):
    import httpx

    server = serve(tmp_path)
    with httpx.Client(base_url=server.origin, headers=server.auth_headers()) as client:
        response = client.get("/_cdn/cdn.jsdelivr.net/pyodide/v0.27.7/full/pyodide.asm.wasm")
        assert response.status_code == 200  # the file itself, cacheable like the canonical URL
        assert response.content == client.get("/_runtime/pyodide/0.27.7/pyodide.asm.wasm").content
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        # pyodide.mjs itself is the app's start module (tests/server/test_snapshots.py), the same at both URLs
        start = client.get("/_cdn/cdn.jsdelivr.net/pyodide/v0.27.7/full/pyodide.mjs")
        assert start.status_code == 200 and start.content == client.get("/_runtime/pyodide/0.27.7/pyodide.mjs").content
        classic = client.get("/_cdn/pyscript.net/alpha/pyscript.js", follow_redirects=False)
        assert classic.status_code == 302 and classic.headers["location"].endswith("/_desktop/classic/pyscript.js")
        missing = client.get("/_cdn/cdn.jsdelivr.net/npm/nosuch-library-xyz@4/lib.js")
        assert missing.status_code == 404  # a library URL: the answer names the command that vendors it
        assert "not in the offline library cache" in missing.text and "runtime add --js nosuch-library-xyz@4" in missing.text
        cdnjs = client.get("/_cdn/cdnjs.cloudflare.com/ajax/libs/pyodide/0.27.7/pyodide.asm.wasm")
        assert cdnjs.status_code == 200 and cdnjs.content == response.content  # Pyodide's files as it computes them
        unknown = client.get("/_cdn/cdn.jsdelivr.net/combine/npm/a@1,npm/b@2")
        assert unknown.status_code == 404
        assert "not part of the offline runtime bundle" in unknown.text


def test_served_runtime_javascript_has_no_cdn_urls_left(serve, tmp_path, bundle):
    import re

    import httpx

    server = serve(tmp_path)
    dist = bundle.component_dir("pyscript-core", "0.6.66") / "dist"
    with httpx.Client(base_url=server.origin, headers=server.auth_headers()) as client:
        for js in sorted(dist.glob("*.js")):
            text = client.get(f"/_runtime/pyscript-core/0.6.66/dist/{js.name}").text
            left = re.findall(r"https?://(?:cdn\.jsdelivr\.net|pyscript\.net|unpkg\.com)/", text)
            assert left == [], f"{js.name} still points at a CDN"
    # the file on disk is untouched
    assert "https://cdn.jsdelivr.net/pyodide/v" in "".join(p.read_text() for p in dist.glob("core-*.js"))


# -- PyScript releases (manifest [releases]) ----------------------------------------------------------


@pytest.fixture
def release_resolver() -> CdnResolver:
    from desktop.runtime.manifest import Manifest
    from desktop.settings import app_root

    releases = Manifest.load(app_root() / "bundled_runtime" / "manifest.toml").releases
    installed = {
        "pyscript-core": ["0.3.14", "0.4.23", "0.4.32", "0.4.56", "0.5.12", "0.6.66", "0.7.11", "0.7.31"],
        "pyodide": ["0.24.1", "0.27.7", "314.0.7"],
        "micropython": ["1.26.0-preview-293"],
    }
    return CdnResolver(installed=lambda kind: installed[kind], preferred=lambda kind: PREFERRED[kind], releases=releases,
                       pair_pyodides=("0.27.7", "314.0.7"))


@pytest.mark.parametrize(
    "url, path, notice",
    [
        ("https://pyscript.net/releases/2024.1.1/core.js", "/_runtime/pyscript-core/0.3.14/dist/core.js", None),
        ("https://pyscript.net/releases/2024.1.1/core.css", "/_runtime/pyscript-core/0.3.14/dist/core.css", None),
        ("https://pyscript.net/releases/2024.8.2/core.js", "/_runtime/pyscript-core/0.5.12/dist/core.js",
         "PyScript 2024.8.2 is served with @pyscript/core 0.5.12: core 0.5.3 is not published on npm"),
        ("https://pyscript.net/snapshots/2025.11.2/core.js", "/_runtime/pyscript-core/0.7.11/dist/core.js", None),
        # a release whose core is not installed: the preferred pair's, and how to get its own
        ("https://pyscript.net/releases/2025.2.4/core.js", "/_runtime/pyscript-core/0.6.66/dist/core.js",
         "Its own core is vendored by: python main.py runtime fetch --releases"),
        # a release the table does not know (newer than the app): as before
        ("https://pyscript.net/releases/2099.1.1/core.js", "/_runtime/pyscript-core/0.6.66/dist/core.js", "not bundled"),
        ("https://pyscript.net/latest/core.js", "/_runtime/pyscript-core/0.6.66/dist/core.js", None),
        # the npm CDNs: exact, the release's substitute, the series' next published, a range
        ("https://cdn.jsdelivr.net/npm/@pyscript/core@0.3.14/dist/core.js", "/_runtime/pyscript-core/0.3.14/dist/core.js", None),
        ("https://unpkg.com/@pyscript/core@0.5.3/dist/core.js", "/_runtime/pyscript-core/0.5.12/dist/core.js", "not bundled"),
        ("https://cdn.jsdelivr.net/npm/@pyscript/core@0.4.7/dist/core.js", "/_runtime/pyscript-core/0.4.23/dist/core.js", "not bundled"),
        ("https://cdn.jsdelivr.net/npm/@pyscript/core@0.4.x/dist/core.js", "/_runtime/pyscript-core/0.4.56/dist/core.js", "not bundled"),
        # a Pyodide URL in a page: a pair's Pyodide (the releases' have no packages), as before
        ("https://cdn.jsdelivr.net/pyodide/v0.24.1/full/pyodide.mjs", "/_runtime/pyodide/0.27.7/pyodide.mjs", "not bundled"),
    ],
)
def test_release_urls_resolve_to_the_release_core(release_resolver, url, path, notice):
    text, notices = release_resolver.rewrite(f'<script src="{url}"></script>', "http://127.0.0.1:1234")
    assert text == f'<script src="http://127.0.0.1:1234{path}"></script>'
    if notice is None:
        assert notices == []
    else:
        assert len(notices) == 1 and notice in notices[0]


def test_a_variant_core_loads_another_pyodide():
    from desktop.server.cdn import split_variant, with_interpreter

    assert split_variant("0.3.14+pyodide-0.27.7") == ("0.3.14", "0.27.7")
    assert split_variant("0.3.14") == ("0.3.14", None)
    chunk = 'x={type:"pyodide",module:(e="0.24.1")=>`https://h/pyodide/v${e}/full/pyodide.mjs`},y={type:"micropython",module:(e="1.21.0-278")=>``}'
    assert with_interpreter(chunk, "0.27.7") == chunk.replace('"0.24.1"', '"0.27.7"')


def test_the_interpreter_a_release_core_computes_is_that_release_s(release_resolver):
    """The URL 0.3.14's chunk computes at run time (through /_cdn/) gets the vendored Pyodide 0.24.1."""
    resolution = release_resolver.resolve("cdn.jsdelivr.net", "/pyodide/v0.24.1/full/pyodide.mjs", computed=True)
    assert (resolution.path, resolution.notice) == ("/_runtime/pyodide/0.24.1/pyodide.mjs", None)
