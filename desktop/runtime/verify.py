"""Re-checking every installed runtime file against what it was verified as."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from .bundle import RuntimeBundle
from .fetch import FILES_INDEX
from .integrity import sha256_file
from .manifest import COMPONENTS

__all__ = ["verify_bundle", "VerifyReport"]


@dataclass
class VerifyReport:
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_bundle(bundle: RuntimeBundle) -> VerifyReport:
    """Hash every file of every installed component; package files must also match the manifest pins."""
    report = VerifyReport()
    for kind in COMPONENTS:
        for version in bundle.installed_versions(kind):
            folder = bundle.component_dir(kind, version)
            label = f"{kind}/{version}"
            try:
                files: dict[str, str] = json.loads((folder / FILES_INDEX).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                report.problems.append(f"{label}: no file index ({FILES_INDEX}); run `python main.py runtime fetch --force`")
                continue
            pins = {e.file: e.sha256 for e in bundle.manifest.packages_for(version).values()} if kind == "pyodide" else {}
            for name, sha in pins.items():
                if files.get(name) != sha:
                    report.problems.append(f"{label}/{name}: missing or not the pinned file")
            for name, sha in files.items():
                path = folder / name
                report.checked += 1
                if not path.is_file():
                    report.problems.append(f"{label}/{name}: missing")
                elif sha256_file(path) != sha:
                    report.problems.append(f"{label}/{name}: content changed (sha256 mismatch)")
    return report
