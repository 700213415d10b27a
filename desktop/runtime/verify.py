"""`runtime verify`: re-hash every installed runtime file against what it was verified as.

What each file is checked against:
  * files of npm packages: the sha256 recorded in `<component>/.files.json` when
    the tarball (already checked against npm's SRI integrity) was unpacked;
  * Pyodide package files: the same record, which must also equal the official
    lock's sha256 pinned in manifest.toml;
  * wheelhouse wheels: the sha256 in `wheelhouse.json`, which for pinned wheels
    must equal the manifest's pin;
  * vendored JavaScript/CSS libraries (`js/<package>@<version>/`): their `.files.json`,
    written when the tarball matched the registry's integrity.
Any file present in a component but not in its record is reported too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .bundle import RuntimeBundle
from .fetch import FILES_INDEX, read_files_index
from .integrity import sha256_file
from .jslibs import LIBRARY_FOLDER, JsLibraries
from .manifest import COMPONENTS
from .precompile import Precompiled
from .wheelhouse import Wheelhouse

__all__ = ["verify_bundle", "VerifyReport"]


@dataclass
class VerifyReport:
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_bundle(bundle: RuntimeBundle) -> VerifyReport:
    """Hash every file of every installed component and wheelhouse; each problem names its file."""
    report = VerifyReport()
    for kind in COMPONENTS:
        for version in bundle.installed_versions(kind):
            folder = bundle.component_dir(kind, version)
            label = f"{kind}/{version}"
            files = read_files_index(folder)
            if files is None:
                report.problems.append(f"{label}: no file record ({FILES_INDEX}); it was not installed by `runtime fetch`")
                continue
            pins = {e.file: e.sha256 for e in bundle.manifest.packages_for(version).values()} if kind == "pyodide" else {}
            for name, sha in sorted(pins.items()):
                if files.get(name) != sha:
                    report.problems.append(f"{label}/{name}: missing or not the file manifest.toml pins")
            _check_record(folder, label, files, report)
    wheelhouse_root = bundle.root / "wheelhouse"
    if wheelhouse_root.is_dir():
        for folder in sorted(p for p in wheelhouse_root.iterdir() if p.is_dir() and not p.name.startswith(".")):
            checked, problems = Wheelhouse(bundle, folder.name).verify()
            report.checked += checked
            report.problems += problems
    precompiled_root = bundle.root / "precompiled"
    if precompiled_root.is_dir():
        for folder in sorted(p for p in precompiled_root.iterdir() if p.is_dir() and not p.name.startswith(".")):
            checked, problems = Precompiled(bundle, folder.name).verify()
            report.checked += checked
            report.problems += problems
    libraries = JsLibraries((bundle.root / LIBRARY_FOLDER,))
    for name, versions in sorted(libraries.packages().items()):
        for version in versions:
            found = libraries.folder(name, version)
            files = read_files_index(found) if found is not None else None
            if found is None or files is None:
                report.problems.append(f"{LIBRARY_FOLDER}/{name}@{version}: no file record ({FILES_INDEX}); "
                                       "it was not vendored by `runtime add --js` or `runtime fetch --js-defaults`")
                continue
            _check_record(found, f"{LIBRARY_FOLDER}/{name}@{version}", files, report)
    return report


def _check_record(folder: Path, label: str, files: dict[str, str], report: VerifyReport) -> None:
    """Every recorded file present with its recorded sha256, and no file that is not recorded."""
    for name, sha in sorted(files.items()):
        path = folder / name
        report.checked += 1
        if not path.is_file():
            report.problems.append(f"{label}/{name}: missing")
        elif sha256_file(path) != sha:
            report.problems.append(f"{label}/{name}: content changed (sha256 mismatch)")
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_file() and rel != FILES_INDEX and rel not in files:
            report.problems.append(f"{label}/{rel}: not part of the verified package")
