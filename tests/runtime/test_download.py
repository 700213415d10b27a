"""The CDN source over httpx, against a local server that plays the CDN."""

from __future__ import annotations

import pytest

from desktop.errors import FetchError
from desktop.runtime.download import download


def test_good_download(fake_cdn, tmp_path):
    fake_cdn.files["/pyodide/v1/full/a.whl"] = b"x" * 100_000
    dest = download(fake_cdn.base + "/v1/full/a.whl", tmp_path / "a.whl")
    assert dest.read_bytes() == b"x" * 100_000
    assert not (tmp_path / "a.whl.part").exists()


def test_interrupted_download_resumes_with_a_range_request(fake_cdn, tmp_path):
    data = bytes(range(256)) * 1000
    fake_cdn.files["/pyodide/v1/full/b.whl"] = data
    fake_cdn.cut_once["/pyodide/v1/full/b.whl"] = 100_000
    dest = download(fake_cdn.base + "/v1/full/b.whl", tmp_path / "b.whl", backoff=0.01)
    assert dest.read_bytes() == data
    assert fake_cdn.requests[0] == ("/pyodide/v1/full/b.whl", None)
    path, resumed = fake_cdn.requests[1]
    assert path == "/pyodide/v1/full/b.whl" and resumed.startswith("bytes=")
    offset = int(resumed[6:].rstrip("-"))
    assert 0 < offset <= 100_000  # it asked only for what it did not have
    assert len(fake_cdn.requests) == 2


def test_missing_file_is_not_retried_and_names_the_url(fake_cdn, tmp_path):
    with pytest.raises(FetchError) as raised:
        download(fake_cdn.base + "/v1/full/nope.whl", tmp_path / "nope.whl", backoff=0.01)
    assert "nope.whl" in raised.value.message and "HTTP 404" in raised.value.message
    assert len(fake_cdn.requests) == 1


def test_mirror_that_is_down(tmp_path):
    import socket

    with socket.socket() as s:  # a port on which nothing listens
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/pyodide/v1/full/c.whl"
    with pytest.raises(FetchError) as raised:
        download(url, tmp_path / "c.whl", retries=2, backoff=0.01)
    assert url in raised.value.message and "ConnectError" in raised.value.message
