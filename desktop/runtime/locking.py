"""One writer at a time per bundle: `runtime fetch` and `runtime add` may run at once (setup.sh, CI)."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path
from typing import Iterator

__all__ = ["bundle_lock", "LOCK_NAME"]

LOCK_NAME = ".fetch.lock"


@contextlib.contextmanager
def bundle_lock(root: Path) -> Iterator[None]:
    """Hold an exclusive lock on `<root>/.fetch.lock`; best effort where the folder is read-only."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        handle = open(root / LOCK_NAME, "a+b")  # noqa: SIM115 - held until the lock is released below
    except OSError:
        yield
        return
    try:
        if os.name == "nt":
            import msvcrt

            while True:
                try:
                    handle.seek(0)
                    msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]  # Windows only
                    break
                except OSError:
                    time.sleep(0.2)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        yield
    finally:
        handle.close()  # closing the handle releases the lock
