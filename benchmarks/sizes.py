"""Sizes of the app as shipped: the one-folder build (untrimmed and trimmed), the .deb, the .tar.gz.

    .venv/bin/python benchmarks/sizes.py [--out build/sizes] [--app-dir tests/packaging/apps/inventory]

Freezes the app twice (PYSCRIPT_DESKTOP_TRIM=0 and the shipped, trimmed build), makes the
Linux installers of the trimmed one, and optionally `build`s an example app on it; prints a
Markdown table. Slow (several minutes on two cores: PyInstaller twice, xz). Sizes are bytes
on disk as `du` counts them (installed size) and file sizes for archives.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from desktop.packaging.pyinstaller import freeze  # noqa: E402
from desktop.packaging.release import release  # noqa: E402


def du(path: Path) -> int:
    """Bytes on disk (du -s --block-size=1), what an installed folder costs."""
    out = subprocess.run(["du", "-s", "--block-size=1", str(path)], capture_output=True, text=True, check=True).stdout
    return int(out.split()[0])


def mb(n: int) -> str:
    return f"{n / 1_000_000:.0f} MB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "sizes")
    parser.add_argument("--app-dir", type=Path, default=ROOT / "tests" / "packaging" / "apps" / "inventory",
                        help="an example app to `build` on the trimmed freeze (empty string: skip)")
    args = parser.parse_args()
    out = args.out.resolve()
    if out.exists():
        shutil.rmtree(out)
    rows: list[tuple[str, str, str]] = []

    started = time.monotonic()
    untrimmed = freeze(out / "untrimmed", trim=False)
    rows.append(("one-folder app, untrimmed (PyInstaller defaults)", mb(du(untrimmed)), f"{time.monotonic() - started:.0f} s"))
    started = time.monotonic()
    trimmed = freeze(out / "trimmed")
    rows.append(("one-folder app, trimmed (as shipped)", mb(du(trimmed)), f"{time.monotonic() - started:.0f} s"))
    internal = trimmed / "_internal"
    rows.append(("  of which Qt (PyQt6/)", mb(du(internal / "PyQt6")), ""))
    rows.append(("  of which the runtime (bundled_runtime/)", mb(du(internal / "bundled_runtime")), ""))
    started = time.monotonic()
    made = release(trimmed, out / "installers", deb=shutil.which("dpkg-deb") is not None)
    elapsed = f"{time.monotonic() - started:.0f} s (both)"
    for path in made:
        kind = ".deb (xz)" if path.suffix == ".deb" else ".tar.gz"
        rows.append((kind, mb(path.stat().st_size), elapsed))
        elapsed = ""
    if str(args.app_dir):
        started = time.monotonic()
        built = out / "built"
        subprocess.run([sys.executable, str(ROOT / "main.py"), "build", str(args.app_dir), "--base", str(trimmed),
                        "--out", str(built)], check=True, env={**os.environ})
        app = next(p for p in built.iterdir() if p.is_dir() and not p.name.startswith("."))
        rows.append((f"`build` of {args.app_dir.name} (pandas only), one-folder", mb(du(app)), f"{time.monotonic() - started:.0f} s (with installers)"))
        rows.append(("  of which its trimmed runtime", mb(du(next(app.glob("_internal/bundled_runtime")))), ""))
        for path in sorted(built.glob("*.deb")) + sorted(built.glob("*.tar.gz")):
            rows.append((f"  its {'.deb' if path.suffix == '.deb' else '.tar.gz'}", mb(path.stat().st_size), ""))

    print("| what | size | time |")
    print("| --- | ---: | ---: |")
    for what, size, took in rows:
        print(f"| {what} | {size} | {took} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
