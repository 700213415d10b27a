"""Which Pyodide a release page gets, read from the page the server sends (no browser): what PyScript does
with a config decides it. The pages run in Chromium in the corpus (tests/corpus: own/thirdparty/, turtle-pyscript/)."""

from __future__ import annotations

from conftest import server_client

OLD_CORE = '<script type="module" src="https://pyscript.net/releases/2024.1.1/core.js"></script>'
CORE = '<script type="module" src="https://pyscript.net/releases/2024.8.2/core.js"></script>'


def _served(serve, tmp_path, html: str, **files: str) -> str:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "index.html").write_text(html)
    server = serve(tmp_path)
    with server_client(server) as client:
        answer = client.get("/index.html")
    assert answer.status_code == 200
    return answer.text


def test_an_empty_packages_list_gets_a_pyodide_with_micropip(serve, tmp_path, bundle):
    """`"packages": []` loads micropip; 2024.8.2's own Pyodide (0.26.2, npm, no packages) lacks it."""
    pyodide = bundle.manifest.pair().pyodide
    page = _served(serve, tmp_path, f'<head>{CORE}</head><script type="py" src="main.py" config="c.json"></script>',
                   **{"c.json": '{"packages": []}', "main.py": "print(1)"})
    assert f"/pyscript-core/0.5.12+pyodide-{pyodide}/dist/core.js" in page
    assert f"This page needs micropip, which the offline runtime has for Pyodide {pyodide} only" in page


def test_no_packages_key_keeps_the_release_s_own_pyodide(serve, tmp_path):
    page = _served(serve, tmp_path, f'<head>{CORE}</head><script type="py">print(1)</script>')
    assert "/pyscript-core/0.5.12/dist/core.js" in page and "+pyodide-" not in page


def test_a_commented_out_older_core_is_neither_hooked_nor_preloaded(serve, tmp_path):
    """The page keeps 2024.1.1's core.js in a comment above 2024.8.2's (CoderDojoTrento/turtle-pyscript)."""
    page = _served(serve, tmp_path, f"<head><!--\n{OLD_CORE}\n-->\n{CORE}</head><script type=\"py\">print(1)</script>")
    head = page.split("<!--", 1)[0]  # what the server put before the page's own first comment
    assert "/pyscript-core/0.3.14/" not in head and "/pyodide/v0.24.1/" not in head
    assert "/pyscript-core/0.5.12/dist/core.js" in head  # the hooks go to the core the page loads
