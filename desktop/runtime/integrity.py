"""Checking bytes against pinned digests: npm's SRI strings and the lock file's sha256."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

__all__ = ["file_digest", "sha256_file", "sri_of", "sri_matches"]

_CHUNK = 1 << 20


def file_digest(path: Path, algorithm: str) -> bytes:
    digest = hashlib.new(algorithm)
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.digest()


def sha256_file(path: Path) -> str:
    return file_digest(path, "sha256").hex()


def sri_of(path: Path, algorithm: str = "sha512") -> str:
    """The Subresource Integrity string of a file (what npm records as `integrity`)."""
    return f"{algorithm}-{base64.b64encode(file_digest(path, algorithm)).decode()}"


def sri_matches(path: Path, integrity: str) -> bool:
    """True when any of the (space-separated) SRI hashes matches the file."""
    for token in integrity.split():
        algorithm, _, expected = token.partition("-")
        if algorithm in ("sha256", "sha384", "sha512") and sri_of(path, algorithm) == f"{algorithm}-{expected}":
            return True
    return False
