"""A plain Pyodide page that loads a package the offline bundle lacks gets the same box as a PyScript page,
naming `runtime add NAME`, before its JavaScript runs (not only Pyodide's 'SRI's integrity checks failed')."""

from __future__ import annotations

import json

import pytest

from desktop.server.pageinfo import package_name

pytestmark = pytest.mark.e2e

PAGE = """<!doctype html><html><head><meta charset="utf-8">
<script src="https://cdn.jsdelivr.net/pyodide/v0.27.7/full/pyodide.js"></script></head>
<body><p id="status">loading</p><script>
(async () => {
  const pyodide = await loadPyodide();
  await pyodide.loadPackage(["six", "MISSING"]);  // in Pyodide's lock, not in the bundle
  document.getElementById("status").textContent = pyodide.runPython("import six; 'six ' + six.__version__");
})();
</script></body></html>
"""


def test_a_package_the_bundle_lacks_is_named_with_its_command(tmp_path, serve, bundle, browser_page, output_dir):
    server = serve(tmp_path)
    available = server.available_packages()
    lock = json.loads((bundle.component_dir("pyodide", bundle.manifest.pair().pyodide) / "pyodide-lock.json").read_text())
    # a package of Pyodide's lock that neither the bundle nor `runtime add` has provided (regex, usually)
    missing = next(n for n in ["regex", *sorted(lock["packages"])] if n in lock["packages"] and n not in available
                   and package_name(n) == n)
    assert "six" in available
    (tmp_path / "index.html").write_text(PAGE.replace("MISSING", missing), encoding="utf-8")
    run = browser_page(server.url + "index.html")
    run.wait_for_text(f'Package "{missing}" is not in the offline runtime bundle.')
    run.wait_for_text(f"python main.py runtime add {missing}")
    assert "six" not in run.page.inner_text(".pyscript-desktop-problem")  # bundled: not named
    run.wait_for_text("six 1.16.0")  # the page goes on: Pyodide loads what it has
    run.page.screenshot(path=str(output_dir / "pyodide-page-missing-package.png"))
