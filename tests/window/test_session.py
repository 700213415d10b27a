"""The real Qt window carries the server's session everywhere a page reaches: PyScript workers,
module workers and their imports, fetch, Pyodide's packages, and the start image it uploads in
one launch and restores in the next (every one of them would be a 403 without the cookie)."""

from __future__ import annotations


import pytest
from window.harness import app_env, run_app  # noqa: F401 - app_env is a fixture

pytestmark = pytest.mark.gui

CORE = "https://cdn.jsdelivr.net/npm/@pyscript/core@0.6.66/dist/core.js"
PAGE = f"""<!doctype html><html><head><meta charset="utf-8"><title>session</title>
<script type="module" src="{CORE}"></script></head>
<body><div id="out"></div><div id="js"></div><div id="snap"></div>
<script type="py" worker config='{{"packages": ["six"]}}'>
import six
from pyscript import display
display(f"worker with six {{six.__version__}}", target="out")
</script>
<script type="py">
from pyscript import display
display("main thread ran", target="out")
</script>
<script type="module">
const worker = new Worker("job.mjs", {{type: "module"}});
worker.onmessage = (e) => {{ document.getElementById("js").textContent = "module worker: " + e.data; }};
setInterval(() => {{
  const s = globalThis.__pyscriptDesktopStart;
  if (s && s.loads && s.loads[0])
    document.getElementById("snap").textContent = "start image " + s.loads[0].snapshot + (s.made ? " made " + s.made.ok : "");
}}, 200);
</script>
</body></html>"""
JOB = """import { answer } from "./helper.mjs";
const text = await (await fetch("data.txt")).text();
postMessage(answer + " " + text.trim());
"""


def test_workers_packages_and_the_start_image_carry_the_session(app_env, tmp_path, output_dir):
    site = tmp_path / "site"
    site.mkdir()
    (site / "session.html").write_text(PAGE, encoding="utf-8")
    (site / "job.mjs").write_text(JOB, encoding="utf-8")
    (site / "helper.mjs").write_text("export const answer = 'imported';\n", encoding="utf-8")
    (site / "data.txt").write_text("fetched\n", encoding="utf-8")
    first = run_app(app_env, "screenshot", str(site / "session.html"), str(output_dir / "window-session-first.png"),
                    "--wait-for", "worker with six 1.16.0", "--wait-for", "main thread ran",
                    "--wait-for", "module worker: imported fetched", "--wait-for", "made true", "--timeout", "240")
    assert first.returncode == 0, first.stderr[-3000:]
    second = run_app(app_env, "screenshot", str(site / "session.html"), str(output_dir / "window-session-second.png"),
                     "--wait-for", "worker with six 1.16.0", "--wait-for", "start image used", "--timeout", "240")
    assert second.returncode == 0, second.stderr[-3000:]
