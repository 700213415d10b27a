"""The portable archive: the one-folder app in a .tar.gz, to unpack and run anywhere."""

from __future__ import annotations

import os
import tarfile
import tempfile
from pathlib import Path

__all__ = ["build_tarball", "FAST_LEVEL"]

#: gzip level of an archive made only to be tested (`--fast`): stored, not compressed. The 1.4 GB app
#: took 23 s at level 1 and 4.7 s stored here (2026-12-06); a test reads the content, not the ratio.
FAST_LEVEL = 0


def build_tarball(app_dir: Path, out_dir: Path, stem: str, *, level: int = 6) -> Path:
    """`<out_dir>/<stem>.tar.gz` holding `app_dir` as the folder `<stem>/`; written to a temporary name first.

    `level` is gzip's (0 stored, 9 smallest); tests pass FAST_LEVEL, releases keep the default."""
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{stem}.tar.gz"
    fd, partial = tempfile.mkstemp(prefix=".tar-", suffix=".tmp", dir=out_dir)
    os.close(fd)
    try:
        with tarfile.open(partial, "w:gz", compresslevel=level) as archive:
            archive.add(app_dir, arcname=stem, filter=_portable)
        os.chmod(partial, 0o644)  # mkstemp's 0600 would keep it from other users
        os.replace(partial, target)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    return target


def _portable(info: tarfile.TarInfo) -> tarfile.TarInfo:
    """No build machine's user names or ids in the archive."""
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info
