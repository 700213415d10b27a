"""Package wheels and the standard library with their bytecode, made once so pages never
compile those sources.

Pyodide's package wheels hold `.py` files only, and so does its `python_stdlib.zip`, so every
page load compiles every module it imports: about 3 s of a numpy + matplotlib page's 7 s on a
2-core machine for the packages, and about 0.1 s of a hello page (`html`, which PyScript
imports) to 0.5 s of a chart page for the standard library. At `runtime fetch` (and `runtime
add`) each wheel of the bundle, and the standard library zip, gets a twin with a `.pyc` added
for every module, in PEP 552 unchecked-hash form so Python uses them without a source
timestamp; the sources stay for tracebacks. The bytecode is made by the bundle's own Pyodide
run by Node.js (the host's Python is another version, and `.pyc` is tied to the exact
interpreter).

    bundled_runtime/precompiled/<pyodide version>/
      precompiled.json        {"recipe": N, "files": {<source file>: {source_sha256, file_name, sha256, size}}}
      <twin wheels>           <name>-<version>-0pyc-<tags>.whl
      python_stdlib-0pyc.zip  the standard library zip with `<module>.pyc` beside each source

matplotlib's twin differs from the official wheel in three files, each listed with its own hash
in RECORD: it carries the font list this matplotlib builds for itself (the shipped
`matplotlib/fontlist.json` is stamped with another font-manager version, so every page that
imports matplotlib rebuilt it: about a second of a chart's start), and the `Artist.set()`
signatures and docstrings, and the property lists other docstrings quote, that it builds at import
(`matplotlib/_desktop_set.json`, read by a patched `matplotlib/artist.py`: 0.45 s of a chart's
start; see matplotlib_set.py).

The official hashes stay the trust root: a twin is only derived from a source file whose
sha256 the lock, the wheelhouse index or the verified npm package's file record pins, and the
server serves a twin only while the file it stands for is still that exact source. Without
Node.js nothing is precompiled and pages load the official files, as before.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .. import console
from ..errors import FetchError
from ..tools import Node
from .bundle import RuntimeBundle
from .integrity import sha256_file
from .locking import bundle_lock

__all__ = ["Precompiled", "bundle_sources", "twin_name", "INDEX", "RECIPE", "STDLIB", "SCRIPT"]

INDEX = "precompiled.json"
#: Pyodide's standard library, a zip beside pyodide.mjs (zipimport reads it from /lib/pythonX.Y.zip).
STDLIB = "python_stdlib.zip"
#: Bumped whenever the compiler script changes what it writes; older twins are then made again.
RECIPE = 4  # 2: the standard library zip, matplotlib's own font list; 3: its recorded set() docs; 4: and kwdoc lists
SCRIPT = Path(__file__).with_name("precompile.mjs")
_TIMEOUT = 1800


def twin_name(file_name: str) -> str:
    """`numpy-2.0.2-cp312-...whl` -> `numpy-2.0.2-0pyc-cp312-...whl` (a wheel build tag; the name part,
    which Pyodide reads up to the first dash, stays the same); `python_stdlib.zip` -> `python_stdlib-0pyc.zip`."""
    if file_name == STDLIB:
        return "python_stdlib-0pyc.zip"
    parts = file_name[: -len(".whl")].split("-")
    if len(parts) == 5:
        parts.insert(2, "0pyc")
    elif len(parts) == 6:
        parts[2] += "pyc"
    else:
        raise ValueError(f"not a wheel file name: {file_name}")
    return "-".join(parts) + ".whl"


@lru_cache(maxsize=8)
def _read_index(path: str, mtime_ns: int) -> dict:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("recipe") != RECIPE or not isinstance(data.get("files"), dict):
        return {}
    return data["files"]


@dataclass
class Precompiled:
    bundle: RuntimeBundle
    pyodide_version: str

    @property
    def folder(self) -> Path:
        return self.bundle.root / "precompiled" / self.pyodide_version

    # -- what the server asks -------------------------------------------------------------------
    def records(self) -> dict[str, dict]:
        """{source wheel file name: record} of the current recipe; cheap (cached by the index's mtime)."""
        index = self.folder / INDEX
        try:
            mtime = index.stat().st_mtime_ns
        except OSError:
            return {}
        return _read_index(str(index), mtime)

    def twin_of(self, file_name: str, sha256: str | None, records: dict[str, dict] | None = None) -> tuple[str, str] | None:
        """(file name, sha256) of the intact twin of exactly that source file, or None."""
        record = (self.records() if records is None else records).get(file_name)
        if record is None or sha256 is None or record.get("source_sha256") != sha256:
            return None
        try:
            if (self.folder / record["file_name"]).stat().st_size != record["size"]:
                return None
        except OSError:
            return None
        return record["file_name"], record["sha256"]

    def swap_into(self, lock: dict) -> int:
        """Point `lock`'s entries at their twins where a twin of exactly that source is on disk; returns how many."""
        swapped = 0
        records = self.records()
        for entry in lock.get("packages", {}).values():
            twin = self.twin_of(entry.get("file_name", ""), entry.get("sha256"), records)
            if twin is not None:
                entry["file_name"], entry["sha256"] = twin
                swapped += 1
        return swapped

    def stdlib_twin(self, source_sha256: str | None) -> Path | None:
        """The standard library zip with bytecode, if there is one made from exactly `source_sha256`."""
        twin = self.twin_of(STDLIB, source_sha256)
        return self.folder / twin[0] if twin is not None else None

    def file_path(self, file_name: str) -> Path | None:
        """The twin wheel named `file_name`, or None (never a path outside the folder)."""
        if "/" in file_name or "\\" in file_name or file_name.startswith("."):
            return None
        if not any(r.get("file_name") == file_name for r in self.records().values()):
            return None
        path = self.folder / file_name
        return path if path.is_file() else None

    # -- making them ------------------------------------------------------------------------------
    def pending(self, sources: dict[str, tuple[Path, str]]) -> dict[str, tuple[Path, str]]:
        """The sources ({file name: (path, pinned sha256)}) without a current twin."""
        records = self.records()
        return {
            name: (path, sha)
            for name, (path, sha) in sources.items()
            if records.get(name, {}).get("source_sha256") != sha or not (self.folder / records[name]["file_name"]).is_file()
        }

    def make(self, sources: dict[str, tuple[Path, str]], node: Node) -> list[str]:
        """Make the twins `sources` lacks (each source checked against its pinned sha256 first); returns their names."""
        node.verify()
        with bundle_lock(self.bundle.root):
            todo = self.pending(sources)
            if not todo:
                return []
            for path, sha in todo.values():
                if sha256_file(path) != sha:
                    raise FetchError(
                        f"{path} is not the file the Pyodide lock pins (sha256 mismatch); it was not precompiled.",
                        "Replace it with a verified copy: python main.py runtime fetch --force",
                    )
            self.folder.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory(prefix=".precompile-", dir=self.folder) as tmp:
                work = Path(tmp)
                made = self._compile(todo, work, node)
                records = {n: r for n, r in self.records().items() if n in sources}  # forget replaced sources
                for name, record in made.items():
                    os.replace(work / record["file_name"], self.folder / record["file_name"])
                    records[name] = record
                self._write_index(records)
            self._remove_strays()
            return [made[name]["file_name"] for name in made]

    def _compile(self, todo: dict[str, tuple[Path, str]], work: Path, node: Node) -> dict[str, dict]:
        # The compiler sees one folder: link (or copy) the sources into it.
        source = work / "source"
        source.mkdir()
        for name, (path, _) in todo.items():
            try:
                os.link(path, source / name)
            except OSError:
                shutil.copyfile(path, source / name)
        job = work / "job.json"
        job.write_text(json.dumps({"source": str(source), "out": str(work), "files": {n: twin_name(n) for n in todo}}))
        pyodide_dir = self.bundle.component_dir("pyodide", self.pyodide_version)
        started = time.monotonic()
        try:
            result = subprocess.run(
                [node.verify(), str(SCRIPT), str(pyodide_dir), str(job)],
                capture_output=True, text=True, timeout=_TIMEOUT, check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise FetchError(f"Precompiling package files with Node.js failed: {exc}") from None
        if result.returncode != 0:
            # Node prints the line of the failing minified module (megabytes): keep the readable lines.
            tail = "\n".join([line for line in result.stderr.strip().splitlines() if len(line) < 500][-8:])
            raise FetchError(f"Precompiling package files with Node.js failed (exit {result.returncode}):\n{tail}")
        made: dict[str, dict] = {}
        for line in result.stdout.splitlines():
            report = json.loads(line)
            out = work / report["out"]
            made[report["file"]] = {
                "source_sha256": todo[report["file"]][1],
                "file_name": report["out"],
                "sha256": sha256_file(out),
                "size": out.stat().st_size,
                "modules": report["compiled"],
            }
        missing = sorted(set(todo) - set(made))
        if missing:
            raise FetchError(f"Precompiling stopped before {', '.join(missing)}.")
        console.info(f"Precompiled {len(made)} package file(s) for Pyodide {self.pyodide_version} in {time.monotonic() - started:.0f} s.")
        return made

    def _write_index(self, records: dict[str, dict]) -> None:
        text = json.dumps({"recipe": RECIPE, "files": dict(sorted(records.items()))}, indent=1) + "\n"
        tmp = self.folder / f".{INDEX}.tmp"
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, self.folder / INDEX)

    def _remove_strays(self) -> None:
        """Twins no record names any more (an older recipe, a replaced source)."""
        keep = {r["file_name"] for r in self.records().values()} | {INDEX}
        for path in self.folder.iterdir():
            if path.is_file() and path.name not in keep and not path.name.startswith("."):
                path.unlink()

    def copy_to(self, runtime_root: Path, sources: set[str]) -> int:
        """Copy the twins of `sources` (wheel file names) into another runtime folder, e.g. a built
        app's; returns how many."""
        records = {n: r for n, r in self.records().items() if n in sources and (self.folder / r["file_name"]).is_file()}
        if not records:
            return 0
        target = Precompiled(RuntimeBundle(runtime_root), self.pyodide_version)
        target.folder.mkdir(parents=True, exist_ok=True)
        for record in records.values():
            shutil.copy2(self.folder / record["file_name"], target.folder / record["file_name"])
        target._write_index(records)
        return len(records)

    # -- checks -------------------------------------------------------------------------------------
    def verify(self) -> tuple[int, list[str]]:
        """(files checked, problems): each twin against its recorded sha256."""
        label = f"precompiled/{self.pyodide_version}"
        problems = []
        records = self.records()
        for record in records.values():
            path = self.folder / record["file_name"]
            if not path.is_file():
                problems.append(f"{label}/{record['file_name']}: missing")
            elif sha256_file(path) != record["sha256"]:
                problems.append(f"{label}/{record['file_name']}: content changed (sha256 mismatch)")
        return len(records), problems


def bundle_sources(bundle: RuntimeBundle, pyodide_version: str) -> dict[str, tuple[Path, str]]:
    """{file name: (path, pinned sha256)}: the installed Pyodide's standard library zip and lock wheels,
    and the wheelhouse's wheels."""
    from .fetch import read_files_index
    from .wheelhouse import Wheelhouse, read_lock

    sources: dict[str, tuple[Path, str]] = {}
    pyodide_dir = bundle.component_dir("pyodide", pyodide_version)
    stdlib_sha = (read_files_index(pyodide_dir) or {}).get(STDLIB)
    if stdlib_sha and (pyodide_dir / STDLIB).is_file():
        sources[STDLIB] = (pyodide_dir / STDLIB, stdlib_sha)
    if (pyodide_dir / "pyodide-lock.json").is_file():
        for entry in read_lock(pyodide_dir).get("packages", {}).values():
            path = pyodide_dir / entry["file_name"]
            if entry["file_name"].endswith(".whl") and path.is_file():
                sources[entry["file_name"]] = (path, entry["sha256"])
    wheelhouse = Wheelhouse(bundle, pyodide_version)
    for entry in wheelhouse.entries().values():
        path = wheelhouse.folder / entry["file_name"]
        if entry["file_name"].endswith(".whl") and path.is_file():
            sources[entry["file_name"]] = (path, entry["sha256"])
    return sources
