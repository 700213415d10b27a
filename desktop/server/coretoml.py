"""The TOML parser PyScript's 0.3 cores import from jsDelivr, answered by the core's own copy.

The cores of 2023.11.1 to 2024.1.3 (`@pyscript/core` 0.3.x) parse a TOML config on the main thread
with the `toml-*.js` chunk they ship, but a worker's (`<script type="py" worker config="w.toml">`,
`PyWorker("w.py", {config: "w.toml"})`) with `import("https://cdn.jsdelivr.net/npm/basic-toml@0.3.1/es.js")`
at run time. Offline that import fails and the worker never starts (the page shows nothing). The chunk
is that very library, bundled (it exports the same `parse`), so the served core imports it instead.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

__all__ = ["own_toml_parser"]

_BASIC_TOML = re.compile(r"https://cdn\.jsdelivr\.net/npm/basic-toml@[0-9][0-9.]{0,20}/es\.js")


@lru_cache(maxsize=64)
def _toml_chunk(dist: str) -> str | None:
    chunks = sorted(p.name for p in Path(dist).glob("toml-*.js"))
    return chunks[0] if chunks else None


def own_toml_parser(text: str, dist: Path, dist_url: str) -> str:
    """`text` (a file of the core in `dist`, served under `dist_url`, ending in "/") with basic-toml's
    jsDelivr URL pointed at the core's own TOML chunk; unchanged when the core has none (0.4 on: no such
    import) or the text names no basic-toml."""
    if "basic-toml@" not in text:
        return text
    chunk = _toml_chunk(str(dist))
    return _BASIC_TOML.sub(dist_url + chunk, text) if chunk else text
