"""Checking bytes against pinned digests: npm's SRI strings and the lock file's sha256.

These two checks are the whole trust model: a file from any source is used
only when it matches what the manifest pins.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

__all__ = ["file_digest", "sha256_file", "sri_of", "sri_matches"]

_CHUNK = 1 << 20
#: SRI algorithms we accept, weakest first (sha1, which old npm entries also list, is never enough).
_SRI_ALGORITHMS = ("sha256", "sha384", "sha512")


def file_digest(path: Path, algorithm: str) -> bytes:
    digest = hashlib.new(algorithm)
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.digest()


def sha256_file(path: Path) -> str:
    """Hex sha256, the form pyodide-lock.json uses."""
    return file_digest(path, "sha256").hex()


def sri_of(path: Path, algorithm: str = "sha512") -> str:
    """The Subresource Integrity string of a file (what npm records as `integrity`)."""
    return f"{algorithm}-{base64.b64encode(file_digest(path, algorithm)).decode()}"


def sri_matches(path: Path, integrity: str) -> bool:
    """True when the file matches one of the strongest hashes in a (space-separated) SRI string.

    As in the SRI spec, weaker algorithms are ignored when a stronger one is
    listed; a string with no supported algorithm never matches.
    """
    hashes: dict[str, set[str]] = {}
    for token in integrity.split():
        algorithm, _, value = token.partition("-")
        if algorithm in _SRI_ALGORITHMS and value:
            hashes.setdefault(algorithm, set()).add(value.split("?", 1)[0])
    if not hashes:
        return False
    strongest = max(hashes, key=_SRI_ALGORITHMS.index)
    return base64.b64encode(file_digest(path, strongest)).decode() in hashes[strongest]
