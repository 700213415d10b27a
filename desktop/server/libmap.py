"""Public CDN URLs of JavaScript and CSS libraries -> an npm package and a file in it.

Pure rules, no I/O: the server uses them to rewrite a page's library URLs to
the local library cache, `runtime add --js URL` and `build` use them to know
what to vendor. The general npm CDNs (jsDelivr `/npm/`, unpkg) name the
package and file themselves; ESM CDNs (esm.run, esm.sh, Skypack, jsDelivr's
`+esm`, unpkg's `?module`) name a package whose ES module entry is served with
its bare imports resolved; cdnjs, the vendor CDNs and Google Fonts go through
tables. A URL on a library host that no rule maps gives an `Unmapped` with the
reason, so the page's notice can say that no offline copy is possible.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote

__all__ = ["LibRef", "FontsRef", "Unmapped", "LIBRARY_HOSTS", "map_url", "CDNJS", "GH_REPOS", "add_command", "js_specs", "Mapping", "fontsource_package"]

#: Hosts whose URLs are library files (the PyScript/Pyodide rules in cdn.py come first on shared hosts).
LIBRARY_HOSTS = (
    "cdn.jsdelivr.net", "fastly.jsdelivr.net", "gcore.jsdelivr.net", "unpkg.com",
    "esm.run", "esm.sh", "cdn.skypack.dev",
    "cdnjs.cloudflare.com", "ajax.googleapis.com",
    "cdn.bokeh.org", "cdn.holoviz.org", "d3js.org", "cdn.plot.ly", "code.jquery.com",
    "stackpath.bootstrapcdn.com", "maxcdn.bootstrapcdn.com", "netdna.bootstrapcdn.com", "use.fontawesome.com",
    "fonts.googleapis.com", "fonts.gstatic.com", "cdn.tailwindcss.com",
)


@dataclass(frozen=True)
class LibRef:
    """A file of an npm package, as a CDN names it."""

    package: str
    range: str = "latest"  # an npm range or exact version
    file: str | None = None  # None: the package's default file for this CDN (`default_fields`)
    esm: bool = False  # an ES module with its bare imports resolved to other vendored packages
    default_fields: tuple[str, ...] = ("main",)  # package.json fields naming the default file, in order
    prefixes: tuple[str, ...] = ("",)  # folders of the package to look for `file` in, in order

    @property
    def spec(self) -> str:
        return f"{self.package}@{self.range}"


@dataclass(frozen=True)
class FontsRef:
    """A Google Fonts stylesheet: families with their (style, weight) pairs, served from @fontsource."""

    families: tuple[tuple[str, tuple[tuple[str, int], ...]], ...] = field(default_factory=tuple)

    @property
    def packages(self) -> list[str]:
        return [fontsource_package(name) for name, _ in self.families]


@dataclass(frozen=True)
class Unmapped:
    """A library-host URL that no rule maps to an npm package."""

    reason: str


Mapping = LibRef | FontsRef | Unmapped


def fontsource_package(family: str) -> str:
    return "@fontsource/" + re.sub(r"[^a-z0-9]+", "-", family.lower()).strip("-")


def add_command(ref: LibRef | FontsRef) -> str:
    """The command that vendors what `ref` needs."""
    if isinstance(ref, FontsRef):
        return "python main.py runtime add --js " + " ".join(ref.packages)
    return f"python main.py runtime add --js {ref.spec}" + (" --esm" if ref.esm else "")


# -- cdnjs: library name -> (npm package, folders of the package the cdnjs files sit in) ------------------
CDNJS: dict[str, tuple[str, tuple[str, ...]]] = {
    "jquery": ("jquery", ("dist/",)),
    "jqueryui": ("jquery-ui-dist", ("",)),
    "twitter-bootstrap": ("bootstrap", ("dist/",)),
    "bootstrap": ("bootstrap", ("dist/",)),
    "bootstrap-icons": ("bootstrap-icons", ("",)),
    "d3": ("d3", ("dist/",)),
    "three.js": ("three", ("build/", "")),
    "lodash.js": ("lodash", ("",)),
    "underscore.js": ("underscore", ("",)),
    "font-awesome": ("@fortawesome/fontawesome-free", ("",)),  # 4.x: the `font-awesome` package (see _cdnjs)
    "leaflet": ("leaflet", ("dist/",)),
    "Leaflet.awesome-markers": ("drmonty-leaflet-awesome-markers", ("", "dist/")),
    "plotly.js": ("plotly.js-dist-min", ("",)),
    "vega": ("vega", ("build/",)),
    "vega-lite": ("vega-lite", ("build/",)),
    "vega-embed": ("vega-embed", ("build/",)),
    "Chart.js": ("chart.js", ("dist/",)),
    "mathjax": ("mathjax", ("",)),
    "highlight.js": ("@highlightjs/cdn-assets", ("",)),
    "marked": ("marked", ("", "lib/")),
    "p5.js": ("p5", ("lib/",)),
    "animate.css": ("animate.css", ("",)),
    "normalize": ("normalize.css", ("",)),
    "bulma": ("bulma", ("",)),
    "KaTeX": ("katex", ("dist/",)),
    "moment.js": ("moment", ("min/", "")),
    "vue": ("vue", ("dist/",)),
    "react": ("react", ("",)),
    "react-dom": ("react-dom", ("",)),
    "popper.js": ("@popperjs/core", ("dist/",)),
    "mermaid": ("mermaid", ("dist/",)),
    "pako": ("pako", ("dist/",)),
    "xterm": ("xterm", ("", "lib/", "css/")),
    "codemirror": ("codemirror", ("", "lib/")),  # CodeMirror 5: lib/codemirror.js|css, mode/, addon/ (see _codemirror_version)
    "leader-line": ("leader-line", ("",)),
    "ace": ("ace-builds", ("src-min-noconflict/",)),  # cdnjs' ace/<v>/ace.js, mode-python.js...: the no-conflict build
    "topojson": ("topojson", ("dist/",)),
    "echarts": ("echarts", ("dist/",)),
    "tailwindcss": ("tailwindcss", ("dist/",)),
    "pixi.js": ("pixi.js", ("dist/",)),
    "matter-js": ("matter-js", ("build/",)),
    "tone": ("tone", ("build/",)),
    "materialize": ("materialize-css", ("dist/",)),
    "datatables": ("datatables.net", ("js/",)),
    "select2": ("select2", ("dist/",)),
    "axios": ("axios", ("dist/",)),
}

#: jsDelivr's /gh/<owner>/<repo> for repositories that are published to npm under a name.
GH_REPOS: dict[str, str] = {
    "jquery/jquery": "jquery",
    "twbs/bootstrap": "bootstrap",
    "mrdoob/three.js": "three",
    "d3/d3": "d3",
    "leaflet/leaflet": "leaflet",
    "plotly/plotly.js": "plotly.js-dist-min",
    "vega/vega": "vega",
    "vega/vega-lite": "vega-lite",
    "vega/vega-embed": "vega-embed",
    "highlightjs/cdn-release": "@highlightjs/cdn-assets",
    "fortawesome/font-awesome": "@fortawesome/fontawesome-free",
    "lodash/lodash": "lodash",
    "chartjs/chart.js": "chart.js",
    "markedjs/marked": "marked",
    "processing/p5.js": "p5",
}

_JQUERY = re.compile(r"^/jquery-(?P<v>\d+\.\d+(?:\.\d+)?|latest|git)(?P<slim>\.slim)?(?P<min>\.min)?\.js$")
_JQUERY_UI = re.compile(r"^/ui/(?P<v>[^/]+)/(?P<file>.+)$")
_D3JS = re.compile(r"^/(?P<name>[a-z0-9-]+)\.v(?P<major>\d+)(?P<min>\.min)?\.js$")
_PLOTLY = re.compile(r"^/plotly-(?:(?P<bundle>[a-z0-9]+)-)?(?P<v>\d+\.\d+\.\d+|latest)(?P<min>\.min)?\.js$")
_BOKEH = re.compile(r"^/bokeh/(?:release|dev)/bokeh(?P<part>-[a-z]+)?-(?P<v>\d+\.\d+\.\d+(?:[.-]?(?:dev|rc)\d+)?)(?P<esm>\.esm)?(?P<min>\.min)?\.js$")
_NPM_SPEC = re.compile(r"^(?P<pkg>(?:@[^/@]+/)?[^/@]+)(?:@(?P<range>[^/]*))?(?P<rest>/.*)?$")


def _split_spec(path: str) -> tuple[str, str, str] | None:
    """'@scope/pkg@range/file' -> (package, range, file); range 'latest' when absent."""
    m = _NPM_SPEC.match(path.lstrip("/"))
    if not m or not m["pkg"] or m["pkg"].startswith("."):
        return None
    rng = unquote(m["range"] or "latest") or "latest"
    if re.match(r"^v\d", rng):  # `@v1.29.0`, as npm and the CDNs take it (vega_datasets' URLs say so)
        rng = rng[1:]
    return m["pkg"], rng, (m["rest"] or "").lstrip("/")


def _jquery_ui_file(file: str) -> str:
    """jquery-ui-dist has the built files, the base theme included, at its root."""
    return file.removeprefix("dist/").removeprefix("themes/base/")


def _jsdelivr(path: str) -> Mapping | None:
    if path.startswith("/npm/"):
        parts = _split_spec(path[5:])
        if parts is None:
            return Unmapped("this jsDelivr URL names no npm package")
        package, rng, file = parts
        if package == "jquery-ui" and file.startswith("dist/"):
            # the same build as jquery-ui-dist's (a 1.3 MB package; jquery-ui itself is 21 MB of sources)
            return LibRef("jquery-ui-dist", rng, _jquery_ui_file(file))
        esm = file == "+esm" or file.endswith("/+esm")
        file = file.removesuffix("+esm").rstrip("/")
        if package == "codemirror":
            rng = _codemirror_version(rng)
        return LibRef(package, rng, file or None, esm=esm, default_fields=("jsdelivr", "browser", "main"))
    if path.startswith("/gh/"):
        m = re.match(r"^/gh/(?P<owner>[^/]+)/(?P<repo>[^/@]+)(?:@(?P<ref>[^/]+))?(?P<rest>/.*)?$", path)
        if not m:
            return Unmapped("this jsDelivr GitHub URL names no repository")
        repo = f"{m['owner']}/{m['repo']}"
        known = GH_REPOS.get(repo.lower())
        if known is None:
            return Unmapped(f"the GitHub repository {repo} is not published as an npm package this app knows")
        package = known
        ref = (m["ref"] or "latest").lstrip("v")
        if package == "three":
            ref = _three_version(ref)
        return LibRef(package, ref, (m["rest"] or "").lstrip("/") or None, default_fields=("jsdelivr", "browser", "main"))
    if path.startswith(("/combine/", "/wp/")):
        return Unmapped("jsDelivr combined and WordPress URLs have no npm counterpart")
    return None


def _unpkg(path: str, query: dict[str, list[str]]) -> Mapping | None:
    parts = _split_spec(path)
    if parts is None:
        return Unmapped("this unpkg URL names no npm package")
    package, rng, file = parts
    if package == "codemirror":
        rng = _codemirror_version(rng)
    return LibRef(package, rng, file or None, esm="module" in query, default_fields=("unpkg", "browser", "main"))


#: Skypack's pinned build URLs (its "Pinned URL" button, in 2022-era pages):
#: /pin/d3@v7.6.1-1Q0NZ0WZnbYeSjDusJT3/mode=imports,min/optimized/d3.js, also under /-/.
_SKYPACK_PINNED = re.compile(r"^/(?:pin|-)/(?P<package>(?:@[^/@]+/)?[^/@]+)@v(?P<version>\d[^/-]*(?:-[a-z][^/-]*)?)-[A-Za-z0-9]{16,}"
                             r"/(?:[^/]*mode=[^/]*/)?(?:optimized/)?(?P<file>.*)$")


def _esm_cdn(path: str) -> Mapping | None:
    """esm.run/<pkg>, esm.sh/<pkg>, Skypack: the package's ES module entry (or a subpath)."""
    pinned = _SKYPACK_PINNED.match(path)
    if pinned:  # its build of the package's entry is optimized/<name>.js; another file is a build of a subpath
        package, file = pinned["package"], pinned["file"].removesuffix(".js")
        return LibRef(package, pinned["version"], None if file in (package, package.rsplit("/", 1)[-1]) else file, esm=True)
    path = re.sub(r"^/(?:v\d+|stable|pin/v\d+|-)/", "/", path)
    if path.startswith("/gh/"):
        return Unmapped("ES modules built from GitHub repositories have no npm counterpart")
    parts = _split_spec(path)
    if parts is None:
        return Unmapped("this URL names no npm package")
    package, rng, file = parts
    if re.match(r"^es20\d\d/|^denonext/|^(?:X-|x-)", file):
        return Unmapped("this is an internal file of the ES module CDN; name the package instead")
    return LibRef(package, rng, file or None, esm=True)


def _cdnjs(path: str) -> Mapping | None:
    m = re.match(r"^/ajax/libs/(?P<lib>[^/]+)/(?P<v>[^/]+)/(?P<file>.+)$", path)
    if not m:
        return Unmapped("this cdnjs URL names no library file")
    lib, version, file = m["lib"], m["v"], m["file"]
    entry = CDNJS.get(lib) or CDNJS.get(lib.lower())
    if entry is None:
        return Unmapped(f"the cdnjs library {lib!r} is not in the app's table of npm packages")
    package, prefixes = entry
    if lib == "font-awesome" and version.split(".")[0].isdigit() and int(version.split(".")[0]) < 5:
        package = "font-awesome"
    if lib == "popper.js" and version.startswith("1."):
        package = "popper.js"
    if package == "three":
        version = _three_version(version)
    if package == "codemirror":
        version = _codemirror_version(version)
    return LibRef(package, version, file, prefixes=prefixes)


def _codemirror_version(version: str) -> str:
    """cdnjs' codemirror 6.65.7 (and npm's deprecated codemirror@6.65.7) is CodeMirror 5.65.7 published
    under a wrong major: its files are 5.65.7's byte for byte but for the version string. The real
    CodeMirror 6 (6.0.x) is ES modules with another layout, so a 6.65+ pin is read as 5.65+."""
    m = re.match(r"^6\.(\d+)\.(\d+)$", version)
    return f"5.{m[1]}.{m[2]}" if m and int(m[1]) >= 65 else version


def _three_version(release: str) -> str:
    """three.js names its releases r89, r147 (GitHub tags, Google's and cdnjs' older folders, which also say just
    89); npm publishes release N as 0.N.0."""
    number = release[1:] if release.startswith("r") else release
    return f"0.{number}.0" if number.isdigit() else release


def _google_ajax(path: str) -> Mapping | None:
    m = re.match(r"^/ajax/libs/(?P<lib>[^/]+)/(?P<v>[^/]+)/(?P<file>.+)$", path)
    if not m:
        return Unmapped("this Google Hosted Libraries URL names no library file")
    table = {"jquery": ("jquery", ("dist/",)), "jqueryui": ("jquery-ui-dist", ("",)), "d3js": ("d3", ("dist/",)),
             "threejs": ("three", ("build/",))}
    entry = table.get(m["lib"])
    if entry is None:
        return Unmapped(f"the Google Hosted Libraries entry {m['lib']!r} is not in the app's table")
    version = m["v"]
    if entry[0] == "three":
        version = _three_version(version)
    file = _jquery_ui_file(m["file"]) if entry[0] == "jquery-ui-dist" else m["file"]
    return LibRef(entry[0], version, file, prefixes=entry[1])


def _vendor(host: str, path: str) -> Mapping | None:
    if host == "cdn.tailwindcss.com":
        # Tailwind's Play CDN: a script that writes the page's utility classes in the browser. Its v3
        # build was never published to npm; v4's is, as @tailwindcss/browser, and styles the classes
        # pages use alike (`?plugins=` is v3's; v4 has no such option).
        return LibRef("@tailwindcss/browser", "4", "dist/index.global.js")
    if host == "code.jquery.com":
        m = _JQUERY.match(path)
        if m:
            version = "1" if m["v"] in ("latest", "git") else m["v"]  # jquery-latest stays at 1.11.1 on that CDN
            name = "jquery" + (".slim" if m["slim"] else "") + (".min" if m["min"] else "") + ".js"
            return LibRef("jquery", version, name, prefixes=("dist/",))
        m = _JQUERY_UI.match(path)
        if m:
            return LibRef("jquery-ui-dist", m["v"], _jquery_ui_file(m["file"]), prefixes=("",))
        return Unmapped("this code.jquery.com file is not one of jQuery's or jQuery UI's own")
    if host == "d3js.org":
        m = _D3JS.match(path)
        if not m:
            return Unmapped("this d3js.org file is not a versioned d3 module (d3.v7.min.js)")
        name = m["name"]
        return LibRef(name, m["major"], f"dist/{name}{m['min'] or ''}.js")
    if host == "cdn.plot.ly":
        m = _PLOTLY.match(path)
        if not m:
            return Unmapped("this cdn.plot.ly file is not a plotly.js bundle (plotly-2.35.2.min.js)")
        package = f"plotly.js-{m['bundle']}-dist-min" if m["bundle"] else "plotly.js-dist-min"
        version = "1.58.5" if m["v"] == "latest" else m["v"]  # plotly-latest was frozen at v1.58.5
        return LibRef(package, version, "plotly.min.js")
    if host == "cdn.bokeh.org":
        m = _BOKEH.match(path)
        if not m:
            return Unmapped("this cdn.bokeh.org file is not a BokehJS bundle (bokeh-3.6.0.min.js)")
        version = re.sub(r"[.-]?(dev|rc)(\d+)$", r"-\1.\2", m["v"])
        file = f"build/js/bokeh{m['part'] or ''}{m['esm'] or ''}{m['min'] or ''}.js"
        return LibRef("@bokeh/bokehjs", version, file)
    if host == "cdn.holoviz.org":
        m = re.match(r"^/panel/(?P<v>[^/]+)/(?P<file>.+)$", path)
        if not m:
            return Unmapped("this cdn.holoviz.org file is not one of Panel's (panel/<version>/dist/...)")
        return LibRef("@holoviz/panel", m["v"], m["file"])
    if host in ("stackpath.bootstrapcdn.com", "maxcdn.bootstrapcdn.com", "netdna.bootstrapcdn.com"):
        m = re.match(r"^/(?P<lib>bootstrap|twitter-bootstrap|font-awesome|bootswatch)/(?P<v>[^/]+)/(?P<file>.+)$", path)
        if not m or m["lib"] == "bootswatch":
            return Unmapped("this BootstrapCDN file is not Bootstrap's or Font Awesome's own")
        if m["file"].endswith("bootstrap-glyphicons.css"):
            return Unmapped("Bootstrap 3.0's separate glyphicons stylesheet was never published to npm")
        if m["lib"] == "font-awesome":
            return LibRef("font-awesome", m["v"], m["file"])
        return LibRef("bootstrap", m["v"], m["file"], prefixes=("dist/", ""))
    if host == "use.fontawesome.com":
        m = re.match(r"^/releases/v(?P<v>[^/]+)/(?P<file>.+)$", path)
        if not m:
            return Unmapped("this Font Awesome kit URL belongs to an account and has no npm counterpart")
        return LibRef("@fortawesome/fontawesome-free", m["v"], m["file"])
    return None


def _google_fonts(path: str, query: dict[str, list[str]]) -> Mapping:
    """css?family=Roboto:400,700italic|Lato and css2?family=Roboto:ital,wght@0,400;1,700&family=Lato."""
    families: list[tuple[str, tuple[tuple[str, int], ...]]] = []
    if path == "/css2":
        for value in query.get("family", []):
            name, _, axes = value.partition(":")
            pairs: list[tuple[str, int]] = []
            if axes:
                names, _, tuples = axes.partition("@")
                keys = names.split(",")
                for item in tuples.split(";"):
                    values = dict(zip(keys, item.split(",")))
                    style = "italic" if values.get("ital") == "1" else "normal"
                    weight = values.get("wght", "400")
                    for w in _weights(weight):
                        pairs.append((style, w))
            families.append((name.strip(), tuple(pairs) or (("normal", 400),)))
    elif path == "/css":
        for value in query.get("family", []):
            for family in value.split("|"):
                name, _, variants = family.partition(":")
                pairs = []
                for variant in filter(None, variants.split(",")):
                    variant = variant.strip().lower()
                    style = "italic" if variant.endswith(("italic", "i")) else "normal"
                    digits = re.match(r"\d+", variant)
                    number = int(digits[0]) if digits else {"bold": 700}.get(variant.removesuffix("italic").removesuffix("i"), 400)
                    pairs.append((style, number))
                families.append((name.strip(), tuple(pairs) or (("normal", 400),)))
    elif path == "/icon":
        for value in query.get("family", []):
            for family in value.split("|"):
                families.append((family.strip(), (("normal", 400),)))
    else:
        return Unmapped("this Google Fonts URL is not a stylesheet (css or css2)")
    if not families:
        return Unmapped("this Google Fonts URL names no family")
    return FontsRef(tuple(families))


def _weights(text: str) -> list[int]:
    if ".." in text:  # a variable range: the static weights inside it
        low, high = (int(float(x)) for x in text.split("..", 1))
        return [w for w in range(100, 1000, 100) if low <= w <= high]
    try:
        return [int(float(text))]
    except ValueError:
        return [400]


def map_url(host: str, path: str, query: str = "") -> Mapping | None:
    """The npm package and file behind a library URL; None when `host` is not a library host."""
    host = host.lower()
    if host not in LIBRARY_HOSTS:
        return None
    path = path.split("#", 1)[0] or "/"
    params = parse_qs(query, keep_blank_values=True)
    if host.endswith("jsdelivr.net"):
        return _jsdelivr(path)
    if host == "unpkg.com":
        return _unpkg(path, params)
    if host in ("esm.run", "esm.sh", "cdn.skypack.dev"):
        return _esm_cdn(path)
    if host == "cdnjs.cloudflare.com":
        return _cdnjs(path)
    if host == "ajax.googleapis.com":
        return _google_ajax(path)
    if host == "fonts.googleapis.com":
        return _google_fonts(path, params)
    if host == "fonts.gstatic.com":
        return Unmapped("font files on fonts.gstatic.com are named by hash; link the Google Fonts stylesheet instead")
    return _vendor(host, path)


def js_specs(text: str) -> tuple[list[tuple[str, str]], bool]:
    """What `runtime add --js TEXT` vendors: ([(package, range)], whether ES module dependencies too).

    TEXT is an npm spec (`d3`, `d3@7`, `@bokeh/bokehjs@3.6.0`) or a library URL as a page names it.
    Raises ValueError with the reason when a URL has no npm counterpart."""
    text = text.strip()
    if "://" in text or text.startswith("//"):
        from urllib.parse import urlsplit

        parts = urlsplit(text if "://" in text else "https:" + text)
        mapped = map_url(parts.hostname or "", parts.path or "/", parts.query)
        if mapped is None:
            raise ValueError(f"{parts.hostname} is not a CDN this app maps to npm packages")
        if isinstance(mapped, Unmapped):
            raise ValueError(mapped.reason)
        if isinstance(mapped, FontsRef):
            return [(p, "latest") for p in mapped.packages], False
        return [(mapped.package, mapped.range)], mapped.esm
    parts3 = _split_spec(text)
    if parts3 is None or parts3[2]:
        raise ValueError(f"{text!r} is not an npm package spec (NAME or NAME@RANGE)")
    return [(parts3[0], parts3[1])], False
