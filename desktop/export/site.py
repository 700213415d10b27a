"""`export`: a folder of pages plus exactly the runtime they need, for any static host.

The result runs from a plain web server that sends no special headers, from the host's root
or a sub-path, with no internet: pages name the runtime by relative paths, and a service
worker (`static/export/sw.js`) adds the isolation headers PyScript's workers need and answers
the URLs the runtime computes at run time from the exported copy. The bytes of Pyodide's files
are the ones the app's own server sends (its lock with `runtime add` wheels, the precompiled
package and standard library files), read in-process from a `PageServer` that is never bound.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .. import console
from ..errors import PackageNotFoundError, UsageError
from ..packaging.runtime import ALWAYS as ALWAYS_WITH_PACKAGES  # micropip: PyScript installs packages with it
from ..packaging.scan import scan_app
from ..runtime.bundle import RuntimeBundle
from ..server import PageServer, ServerOptions
from ..server.headers import CONTENT_SECURITY_POLICY
from ..server.inject import inject, script_json
from ..server.mime import REWRITABLE, TYPES, content_type
from ..server.pyhooks import hook_snippet
from ..settings import STATIC_DIR
from .rewrite import local_refs, rewrite_page_text, rewrite_runtime_js

__all__ = ["ExportedFile", "ExportResult", "export_site", "MARKER", "SERVICE_WORKER", "PYODIDE_FILES", "DESKTOP_STUB"]

#: Written into every export; a folder holding it is one this command made and may replace.
MARKER = "MANIFEST.txt"
SERVICE_WORKER = "pyscript-sw.js"
#: Pyodide's own files a page's start fetches (packages come from its lock).
PYODIDE_FILES = ("pyodide.mjs", "pyodide.js", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")

#: Python run before page code in an exported page: `import desktop` explains itself.
DESKTOP_STUB = '''\
import sys as _sys, types as _types
class _DesktopOnly(_types.ModuleType):
    def __getattr__(self, name):
        raise ImportError(
            "The desktop module (local files, dialogs) exists only in the PyScript Desktop app. "
            "This page was exported for a web server, where pages cannot reach the computer's files: "
            "open it with PyScript Desktop instead, or let the person pick a file with an <input type=file>."
        )
if "desktop" not in _sys.modules:
    _sys.modules["desktop"] = _DesktopOnly("desktop")
del _sys, _types, _DesktopOnly
'''

_PYSCRIPT_PAGE = re.compile(
    r"""<(?:py-script|py-repl|py-config|py-env|mpy-script|mpy-config)\b|type\s*=\s*["']?(?:py|pyodide|py-game|mpy|micropython)\b""",
    re.I,
)
_PYODIDE_PAGE = re.compile(r"""<(?:py-script|py-repl|py-config|py-env)\b|type\s*=\s*["']?(?:py|pyodide|py-game)\b""", re.I)
_MICROPYTHON = re.compile(r"""<mpy-(?:script|config)\b|type\s*=\s*["']?(?:mpy|micropython)\b""", re.I)


@dataclass(frozen=True)
class ExportedFile:
    path: str  # relative to the export's root, with / separators
    size: int
    content_type: str


@dataclass
class ExportResult:
    out: Path
    files: list[ExportedFile] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def total_size(self) -> int:
        return sum(f.size for f in self.files)


def export_site(source: Path, out: Path, bundle: RuntimeBundle, pair: str | None = None,
                libraries: tuple[Path, ...] | None = None) -> ExportResult:
    """Write `source`'s pages and the runtime they use into `out` (made anew; see `_check_out`).
    `libraries`: the library cache roots for CDN JavaScript/CSS (default: the bundle's `js/`)."""
    source = source.resolve()
    out = out.expanduser().absolute()
    _check_out(source, out)
    server = PageServer(ServerOptions(root=source, bundle=bundle, pair=pair, libraries=libraries))  # never bound: read in-process
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        result = _Writer(source, staging, server).run()
        if out.exists():
            shutil.rmtree(out)  # _check_out made sure it is an earlier export
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    result.out = out
    return result


def _check_out(source: Path, out: Path) -> None:
    """Refuse an output folder that would lose the person's files or swallow the source."""
    resolved = out.resolve()
    if resolved == source or source in resolved.parents or resolved in source.parents:
        raise UsageError(
            f"The output folder {out} overlaps the pages folder {source}.",
            "Export into a folder outside the pages folder, e.g. next to it.",
        )
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise UsageError(f"{out} exists and is not a folder.", "Give the path of a new folder for the export.")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise UsageError(
            f"{out} already holds files that an export did not make; nothing was changed.",
            "Give the path of a new or empty folder (an earlier export's folder is replaced).",
        )


class _Writer:
    """One export: pages first (they say which runtime files are needed), then the runtime."""

    def __init__(self, source: Path, out: Path, server: PageServer) -> None:
        self.source, self.out, self.server = source, out, server
        self.result = ExportResult(out)
        self.runtime_refs: set[str] = set()
        self.kinds: set[str] = set()
        self._written: set[str] = set()

    def run(self) -> ExportResult:
        for file in sorted(self.source.rglob("*")):
            rel = file.relative_to(self.source)
            if any(part.startswith(".") for part in rel.parts) or not file.is_file():
                continue  # hidden files and folders (.git, editor state) are not part of a site
            if file.is_symlink() and self.source not in file.resolve().parents:
                console.warn(f"Left out {rel.as_posix()}: a symlink to outside the pages folder.")
                continue
            self._page_file(file, rel.as_posix())
        if self.kinds or self.runtime_refs:
            self._runtime()
        self._write(SERVICE_WORKER, self._service_worker())
        self._manifest()
        return self.result

    # -- pages -----------------------------------------------------------------------------------
    def _page_file(self, file: Path, rel: str) -> None:
        suffix = file.suffix.lower()
        if suffix not in REWRITABLE:
            self._copy(file, rel)
            return
        text = file.read_text(encoding="utf-8", errors="surrogateescape")
        up = "/".join([".."] * rel.count("/")) or "."
        text, notices = rewrite_page_text(text, up, self.server.resolver)
        for notice in notices:
            if notice not in self.result.notices:
                self.result.notices.append(notice)
        self.runtime_refs.update(local_refs(text))
        if suffix in (".html", ".htm") and (_PYSCRIPT_PAGE.search(text) or "_runtime/" in text or "_desktop/classic/" in text):
            text = self._page_html(text, up)
        self._write(rel, text.encode("utf-8", errors="surrogateescape"))

    def _page_html(self, text: str, up: str) -> str:
        if _MICROPYTHON.search(text):
            self.kinds.add("micropython")
        if _PYODIDE_PAGE.search(text) or "_desktop/classic/" in text:
            self.kinds.add("pyodide")
        root = up + "/"
        boot = (STATIC_DIR / "export" / "boot.js").read_text(encoding="utf-8")
        pyodide = self._pyodide_path()
        state = {"pyodide": pyodide, "classic": "_desktop/classic/"}
        snippets = [
            f'<script data-root="{root}">{boot}</script>',
            # the classic layer finds Pyodide and itself through this, wherever the site lives
            "<script>window.__pyscriptDesktop=Object.assign(window.__pyscriptDesktop||{},"
            f"Object.fromEntries(Object.entries({script_json(state)}).map(([k,v])=>[k,new URL({script_json(root)}+v,location.href).href])));</script>",
        ]
        core = re.search(r"""["']((?:\.\.?/)+_runtime/pyscript-core/[^/"']+/dist/core\.js)["']""", text)
        if core:
            snippets.append(hook_snippet(core[1], DESKTOP_STUB))
        return inject(text, snippets)

    def _pyodide_path(self) -> str:
        return f"_runtime/pyodide/{self.server.pair.pyodide}/pyodide.mjs"

    # -- runtime ---------------------------------------------------------------------------------
    def _runtime(self) -> None:
        cores = {ref.split("/")[2] for ref in self.runtime_refs if ref.startswith("_runtime/pyscript-core/")}
        for version in sorted(cores):
            self._core(version)
        if any(ref.startswith("_desktop/classic/") for ref in self.runtime_refs):
            self.kinds.add("pyodide")
            for file in sorted((STATIC_DIR / "classic").iterdir()):
                if file.is_file():
                    self._runtime_text(file, f"_desktop/classic/{file.name}")
        for ref in sorted(self.runtime_refs):
            if ref.startswith("_lib/"):
                self._library_file(ref)
        for ref in sorted(self.runtime_refs):
            kind = ref.split("/")[1] if ref.startswith("_runtime/") else ""
            if kind in ("pyodide", "micropython"):
                self.kinds.add(kind)
        if "micropython" in self.kinds:
            self._micropython(self.server.pair.versions()["micropython"])
        if "pyodide" in self.kinds:
            self._pyodide(self.server.pair.pyodide)

    def _core(self, version: str) -> None:
        dist = self.server.bundle.component_dir("pyscript-core", version) / "dist"
        for file in sorted(dist.iterdir()):
            if file.suffix == ".map" or not file.is_file():
                continue
            self._runtime_text(file, f"_runtime/pyscript-core/{version}/dist/{file.name}")

    def _micropython(self, version: str) -> None:
        folder = self.server.bundle.component_dir("micropython", version)
        for name in ("micropython.mjs", "micropython.wasm"):
            self._runtime_text(folder / name, f"_runtime/micropython/{version}/{name}")

    def _pyodide(self, version: str) -> None:
        base = f"/_runtime/pyodide/{version}/"
        for name in PYODIDE_FILES:
            query = "desktop=original" if name == "pyodide.mjs" else ""  # the app's start module needs its server
            self._write(base[1:] + name, self.server.read(base + name, query))
        lock = json.loads(self.server.read(base + "pyodide-lock.json"))
        for name in self._packages(lock):
            self._write(base[1:] + lock["packages"][name]["file_name"], self.server.read(base + lock["packages"][name]["file_name"]))

    def _packages(self, lock: dict) -> list[str]:
        """The lock entries the pages' packages need, with their dependencies."""
        from ..runtime.wheelhouse import canonical_name

        scan = scan_app(self.source)
        entries = {canonical_name(n): n for n in lock["packages"]}
        wanted = [*scan.packages, *(ALWAYS_WITH_PACKAGES if scan.packages else ())]
        missing = [n for n in scan.packages if canonical_name(n) not in entries]
        if missing:
            where = "; ".join(f"{n} (named by {', '.join(scan.packages[n])})" for n in missing)
            raise PackageNotFoundError(
                f"The runtime bundle has no package {where}.",
                "Add it with: python main.py runtime add " + " ".join(missing) + ", then export again.",
            )
        chosen: list[str] = []
        queue = [entries[canonical_name(n)] for n in wanted]
        while queue:
            name = queue.pop(0)
            if name in chosen:
                continue
            chosen.append(name)
            queue += [entries[canonical_name(d)] for d in lock["packages"][name].get("depends", []) if canonical_name(d) in entries]
        return chosen

    def _library_file(self, ref: str) -> None:
        """A vendored library file the pages name (`_lib/<pkg>@<version>/<file>`), and for a stylesheet
        the fonts and images its relative `url(...)`s name inside the same package."""
        located = self.server.libraries.locate(ref.removeprefix("_lib/"))
        if located is None or not (located[0] / located[1]).is_file():
            return
        folder, file = located
        path = (folder / file).resolve()
        if folder.resolve() not in path.parents:
            return
        self._runtime_text(path, ref)
        if path.suffix == ".css":
            css = path.read_text(encoding="utf-8", errors="replace")
            for url in re.findall(r"""url\(\s*['"]?([^'")?#]+)""", css):
                if "://" in url or url.startswith(("data:", "/")):
                    continue
                asset = (path.parent / url).resolve()
                if folder.resolve() in asset.parents and asset.is_file():
                    package_ref = ref.split("/", 2 if not ref.startswith("_lib/@") else 3)
                    base = "/".join(package_ref[:-1])  # _lib/<pkg>@<version>
                    self._copy(asset, base + "/" + asset.relative_to(folder.resolve()).as_posix())

    def _runtime_text(self, file: Path, rel: str) -> None:
        if file.suffix in (".js", ".mjs"):
            text = file.read_text(encoding="utf-8", errors="surrogateescape")
            self._write(rel, rewrite_runtime_js(text).encode("utf-8", errors="surrogateescape"))
        else:
            self._copy(file, rel)

    # -- the site's own files --------------------------------------------------------------------
    def _service_worker(self) -> bytes:
        runtime = {}
        if "pyodide" in self.kinds:
            runtime["pyodide"] = self.server.pair.pyodide
        if "micropython" in self.kinds:
            runtime["micropython"] = self.server.pair.versions()["micropython"]
        settings = {"runtime": runtime, "csp": CONTENT_SECURITY_POLICY, "types": {k: v for k, v in TYPES.items() if k in (".js", ".mjs", ".wasm", ".json")}}
        text = "self.EXPORT = " + json.dumps(settings) + ";\n" + (STATIC_DIR / "export" / "sw.js").read_text(encoding="utf-8")
        return text.encode("utf-8")

    def _manifest(self) -> None:
        from .listing import manifest_text

        self.result.files.sort(key=lambda f: f.path)
        body = manifest_text(self.result.files)
        (self.out / MARKER).write_text(body, encoding="utf-8")

    # -- writing ---------------------------------------------------------------------------------
    def _target(self, rel: str) -> Path:
        parts = PurePosixPath(rel).parts
        if rel.startswith("/") or ".." in parts or not parts:
            raise UsageError(f"Refused to write {rel!r} outside the export.", "This is a bug: please report it.")
        target = self.out.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def _write(self, rel: str, body: bytes) -> None:
        if rel in self._written:
            return
        self._written.add(rel)
        self._target(rel).write_bytes(body)
        self.result.files.append(ExportedFile(rel, len(body), content_type(PurePosixPath(rel))))

    def _copy(self, file: Path, rel: str) -> None:
        if rel in self._written:
            return
        self._written.add(rel)
        shutil.copyfile(file, self._target(rel))
        self.result.files.append(ExportedFile(rel, os.path.getsize(file), content_type(PurePosixPath(rel))))
