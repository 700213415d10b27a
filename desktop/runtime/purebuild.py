"""Pure-Python wheels made from PyPI's source distribution, for packages whose compiled part is optional.

Pyodide compiles markupsafe (its `_speedups`) and PyYAML (its libyaml binding), and both fall back
to their own Python code when that part is absent. Their official Pyodide files are not reachable
here and PyPI has no pure-Python wheel of them, but jinja2 (so bokeh, altair, folium) and bokeh
cannot be imported without them. So the wheel is made here from the source distribution of
exactly the lock's version: the package folders the lock entry's `imports` name, Python files
only (no C, Cython or headers), with the source's own PKG-INFO as METADATA.

Trust: `runtime pin` records the sha256 of the source distribution pip downloaded (pip checks the
index's hash on the way) and of the wheel made from it. The wheel is reproducible (sorted members,
fixed timestamps and modes), so `runtime fetch` makes it again on any machine and it must match
both pins before it is used.
"""

from __future__ import annotations

import base64
import hashlib
import re
import tarfile
import zipfile
from pathlib import Path

from ..errors import FetchError

__all__ = ["build_pure_wheel", "wheel_name"]

#: Files of a package folder that belong in a pure-Python wheel.
_KEEP = (".py", ".pyi", "py.typed")
_DATE = (1980, 1, 1, 0, 0, 0)


def wheel_name(name: str, version: str) -> str:
    """`PyYAML`, `6.0.2` -> `pyyaml-6.0.2-py3-none-any.whl` (a build made here, named like any pure wheel)."""
    return f"{re.sub(r'[-_.]+', '_', name).lower()}-{version}-py3-none-any.whl"


def build_pure_wheel(sdist: Path, name: str, version: str, imports: list[str], out_dir: Path) -> Path:
    """Make `out_dir/<wheel_name>` from the source distribution `sdist` (a .tar.gz); the same input gives
    the same bytes."""
    try:
        with tarfile.open(sdist, "r:gz") as archive:
            members = {m.name: m for m in archive.getmembers() if m.isfile()}
            files = _package_files(members, imports)
            pkg_info = next((n for n in sorted(members, key=len) if n.count("/") == 1 and n.endswith("/PKG-INFO")), None)
            if not files or pkg_info is None:
                raise FetchError(
                    f"The source distribution {sdist.name} has no package folder for {', '.join(imports)} (or no PKG-INFO), "
                    "so no pure-Python wheel can be made from it."
                )
            contents = {target: archive.extractfile(members[source]).read()  # type: ignore[union-attr]
                        for target, source in files.items()}
            metadata = archive.extractfile(members[pkg_info]).read()  # type: ignore[union-attr]
    except (tarfile.TarError, OSError) as exc:
        raise FetchError(f"Could not read the source distribution {sdist.name}: {exc}.") from None
    dist_info = f"{re.sub(r'[-_.]+', '_', name).lower()}-{version}.dist-info"
    contents[f"{dist_info}/METADATA"] = metadata
    contents[f"{dist_info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: pyscript-desktop pure build\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    contents[f"{dist_info}/top_level.txt"] = "".join(f"{i}\n" for i in sorted(imports)).encode()
    record = "".join(f"{path},sha256={_digest(data)},{len(data)}\n" for path, data in sorted(contents.items()))
    contents[f"{dist_info}/RECORD"] = (record + f"{dist_info}/RECORD,,\n").encode()
    out_dir.mkdir(parents=True, exist_ok=True)
    wheel = out_dir / wheel_name(name, version)
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(contents):
            info = zipfile.ZipInfo(path, _DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, contents[path])
    return wheel


def _package_files(members: dict[str, tarfile.TarInfo], imports: list[str]) -> dict[str, str]:
    """{path in the wheel: path in the sdist} for each import name: a folder `<top>/[src/|lib/]<name>/`
    holding `__init__.py`, or a module `<name>.py` there."""
    found: dict[str, str] = {}
    for module in imports:
        for prefix in ("", "src/", "lib/"):
            folders = [n for n in members if re.fullmatch(rf"[^/]+/{prefix}{re.escape(module)}/__init__\.py", n)]
            if folders:
                base = folders[0][: -len("__init__.py")]
                for source in members:
                    rest = source[len(base):]
                    if source.startswith(base) and rest.endswith(_KEEP) and "/tests/" not in "/" + rest:
                        found[f"{module}/{rest}"] = source
                break
            single = [n for n in members if re.fullmatch(rf"[^/]+/{prefix}{re.escape(module)}\.py", n)]
            if single:
                found[f"{module}.py"] = single[0]
                break
    return found


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
