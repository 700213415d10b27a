"""What the bridge adds to every page: `window.desktop` for JavaScript, `import desktop` for Python.

The page's session token travels in the injected snippet (a page that
navigated elsewhere, another origin's iframe or another tab never gets it).
The Python module is registered as a PyScript before-run hook
(`desktop.server.pyhooks.hook_snippet`), so it is importable in the main
thread and in every worker, before the page's own code runs.
"""

from __future__ import annotations

import json

from ..server.inject import PageContext, inline_script, script_json
from ..server.pyhooks import hook_snippet
from ..settings import STATIC_DIR
from .errors import BridgeError
from .paths import check_spelling
from .sessions import BridgeCore

__all__ = ["bridge_snippet", "page_mounts", "PAGE_MODULE", "RESERVED_MOUNT_POINTS", "STATIC"]

STATIC = STATIC_DIR / "bridge"
PAGE_MODULE = STATIC / "desktop_module.py"
#: Folders of the interpreter's own file system a mount may not hide.
RESERVED_MOUNT_POINTS = ("/lib", "/usr", "/dev", "/proc", "/tmp", "/home/pyodide", "/bin", "/etc")


def page_mounts(desktop_table: dict) -> list[dict]:
    """The page's `[desktop.mounts]` as [{point, path, error}] (errors are shown in the page, not raised)."""
    mounts = desktop_table.get("mounts") if isinstance(desktop_table, dict) else None
    out: list[dict] = []
    if not isinstance(mounts, dict):
        return out
    for point, target in mounts.items():
        entry = {"point": str(point).rstrip("/"), "path": target, "error": None}
        if not (isinstance(point, str) and point.startswith("/") and point.rstrip("/") and "\\" not in point
                and ".." not in point.split("/")):
            entry["error"] = f"[desktop.mounts] {point!r}: a mount point is an absolute path like \"/data\"."
        elif any(entry["point"] == r or entry["point"].startswith(r + "/") or r.startswith(entry["point"] + "/")
                 for r in RESERVED_MOUNT_POINTS):
            entry["error"] = f"[desktop.mounts] {point!r}: that folder belongs to the Python runtime; use e.g. \"/data\"."
        else:
            try:
                check_spelling(target)
            except BridgeError as error:
                entry["error"] = f"[desktop.mounts] {point!r}: {error.message}"
        out.append(entry)
    return out


def _python_hook(config: dict) -> str:
    source = PAGE_MODULE.read_text(encoding="utf-8")
    return (
        "def __desktop_install(config, source):\n"
        "    import sys\n"
        "    if sys.implementation.name == 'micropython' or 'desktop' in sys.modules:\n"
        "        return\n"
        "    import json, types\n"
        "    module = types.ModuleType('desktop')\n"
        "    module.__file__ = '/desktop.py'\n"
        "    module._CONFIG = json.loads(config)\n"
        "    exec(compile(source, 'desktop.py', 'exec'), module.__dict__)\n"
        "    sys.modules['desktop'] = module\n"
        "    module._start()\n"
        "try:\n"
        f"    __desktop_install({json.dumps(json.dumps(config))}, {json.dumps(source)})\n"
        "except Exception as __desktop_error:\n"
        "    import sys as __desktop_sys\n"
        "    print('PyScript Desktop: the desktop module could not be installed:', __desktop_error, file=__desktop_sys.stderr)\n"
        "    del __desktop_sys, __desktop_error\n"
        "del __desktop_install\n"
    )


def bridge_snippet(bridge: BridgeCore, ctx: PageContext) -> str:
    session = bridge.session_for(ctx.origin, ctx.file.parent)
    config = {
        "token": session.token,
        "api": ctx.origin + "/_desktop/api/files/",
        "chunk": bridge.limits.chunk,
        "mounts": page_mounts(ctx.info.desktop),
    }
    js = f"<script>window.__desktopBridge={script_json(config)};</script>" + inline_script(STATIC / "desktop.js")
    return js + hook_snippet(ctx.core_url, _python_hook(config))
