"""The JavaScript/CSS libraries of a built app: what its pages load from CDNs, vendored and copied in.

`build` scans the pages (scan.py) for library URLs, maps them to npm packages
(server/libmap.py), vendors any that the library cache lacks with the npm
client (checked against the registry's integrity, into the user cache as
`runtime add --js` does), and copies exactly those package versions, with the
dependencies their ES modules import, into the app's `bundled_runtime/js/`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from .. import console
from ..runtime.jslibs import LIBRARY_FOLDER, JsLibraries
from ..runtime.jsvendor import JsVendor
from ..server.libmap import FontsRef, LibRef
from ..settings import Settings

__all__ = ["select_libraries", "copy_libraries"]


def select_libraries(refs: list[LibRef | FontsRef], settings: Settings) -> dict[str, Path]:
    """{"name@version": package folder} of everything the refs need, vendoring what is missing."""
    roots = settings.library_dirs()
    libraries = JsLibraries(roots)
    wanted: list[tuple[str, str, bool]] = []
    for ref in refs:
        if isinstance(ref, FontsRef):
            wanted += [(package, "latest", False) for package in ref.packages]
        else:
            wanted.append((ref.package, ref.range, ref.esm))
    missing = [(p, r, esm) for p, r, esm in wanted if libraries.best(p, r) is None]
    if missing:
        console.info(f"  vendoring {len(missing)} JavaScript librar{'y' if len(missing) == 1 else 'ies'} with npm: "
                     + ", ".join(f"{p}@{r}" for p, r, _ in missing))
        vendor = JsVendor(roots[1], libraries, settings.cache_dir / "downloads")
        plain = [(p, r) for p, r, esm in missing if not esm]
        if plain:
            vendor.add(plain)
        modules = [(p, r) for p, r, esm in missing if esm]
        if modules:
            vendor.add(modules, deps=True)
    chosen: dict[str, Path] = {}
    queue = [(p, r, esm) for p, r, esm in wanted]
    while queue:
        package, rng, esm = queue.pop()
        version = libraries.best(package, rng)
        if version is None:
            continue  # a page notice will name it; the server reports it the same way as unbuilt
        key = f"{package}@{version}"
        if key in chosen:
            continue
        folder = libraries.folder(package, version)
        assert folder is not None
        chosen[key] = folder
        if esm:
            deps = libraries.package_json(package, version).get("dependencies") or {}
            queue += [(name, r, True) for name, r in deps.items() if isinstance(r, str)]
    return chosen


def copy_libraries(chosen: dict[str, Path], runtime_dir: Path) -> int:
    """Copy the chosen package folders into `runtime_dir/js/`; returns the bytes copied."""
    size = 0
    for key, folder in sorted(chosen.items()):
        dest = runtime_dir / LIBRARY_FOLDER / key
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(folder, dest, dirs_exist_ok=True)
        size += sum(p.stat().st_size for p in dest.rglob("*") if p.is_file())
    return size
