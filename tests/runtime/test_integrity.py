"""SRI and sha256 checks: the whole trust model, so its edge cases are pinned down."""

from __future__ import annotations

import base64
import hashlib

from desktop.runtime.integrity import sha256_file, sri_matches, sri_of


def test_sri_of_matches_hashlib(tmp_path):
    path = tmp_path / "f.tgz"
    path.write_bytes(b"npm tarball bytes")
    assert sri_of(path) == "sha512-" + base64.b64encode(hashlib.sha512(b"npm tarball bytes").digest()).decode()
    assert sha256_file(path) == hashlib.sha256(b"npm tarball bytes").hexdigest()


def test_sri_matches_and_rejects_a_changed_byte(tmp_path):
    path = tmp_path / "f.tgz"
    path.write_bytes(b"abc" * 1000)
    integrity = sri_of(path)
    assert sri_matches(path, integrity)
    path.write_bytes(b"abd" + b"abc" * 999)
    assert not sri_matches(path, integrity)


def test_only_the_strongest_listed_algorithm_counts(tmp_path):
    path = tmp_path / "f.tgz"
    path.write_bytes(b"payload")
    good_256 = sri_of(path, "sha256")
    bad_512 = "sha512-" + base64.b64encode(b"\0" * 64).decode()
    # a correct weaker hash does not rescue a wrong stronger one
    assert not sri_matches(path, f"{good_256} {bad_512}")
    assert sri_matches(path, f"{bad_512} {sri_of(path)}")  # any of the strongest may match


def test_unsupported_or_empty_integrity_never_matches(tmp_path):
    path = tmp_path / "f.tgz"
    path.write_bytes(b"payload")
    sha1 = "sha1-" + base64.b64encode(hashlib.sha1(b"payload").digest()).decode()
    assert not sri_matches(path, sha1)
    assert not sri_matches(path, "")
