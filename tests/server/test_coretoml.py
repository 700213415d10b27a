"""0.3 cores (2023.11.1-2024.1.3) import basic-toml from jsDelivr for a worker's TOML config: the served
core imports its own bundled TOML chunk instead (a page running it is the corpus row
own/releases/worker-toml-2024.1.1.html)."""

from __future__ import annotations

import httpx

from desktop.server.coretoml import own_toml_parser

URL = "https://cdn.jsdelivr.net/npm/basic-toml@0.3.1/es.js"


def test_the_jsdelivr_import_points_at_the_core_s_own_chunk(tmp_path):
    (tmp_path / "toml-Ab12.js").write_text("export const parse = () => ({});\n")
    worker = f'const t=async e=>(await import("{URL}")).parse(e);const w=`import("{URL}")\\\\`;'
    served = own_toml_parser(worker, tmp_path, "http://127.0.0.1:9/_runtime/pyscript-core/0.3.14/dist/")
    assert URL not in served
    assert served.count("http://127.0.0.1:9/_runtime/pyscript-core/0.3.14/dist/toml-Ab12.js") == 2
    assert own_toml_parser("no toml here", tmp_path, "x/") == "no toml here"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert own_toml_parser(worker, empty, "x/") == worker  # no chunk to stand in: left as it was


def test_the_served_2024_1_1_core_names_no_cdn_toml_parser(serve, tmp_path, bundle):
    dist = bundle.component_dir("pyscript-core", "0.3.14") / "dist"
    core = next(p.name for p in dist.glob("core-*.js"))
    assert URL in (dist / core).read_text(encoding="utf-8")  # as published
    server = serve(tmp_path)
    with httpx.Client(base_url=server.origin, headers=server.auth_headers()) as client:
        text = client.get(f"/_runtime/pyscript-core/0.3.14/dist/{core}").text
        variant = client.get(f"/_runtime/pyscript-core/0.3.14+pyodide-0.27.7/dist/{core}").text
        chunk = next(p.name for p in dist.glob("toml-*.js"))
        parser = client.get(f"/_runtime/pyscript-core/0.3.14/dist/{chunk}")
    for served in (text, variant):
        assert "basic-toml@" not in served
        assert f"{server.origin}/_runtime/pyscript-core/0.3.14/dist/{chunk}" in served
    assert parser.status_code == 200 and "parse" in parser.text
