"""The CDN source over httpx, against a local server on 127.0.0.1 that plays the CDN."""

from __future__ import annotations

import pytest

from desktop.errors import FetchError
from desktop.runtime.download import download


def test_good_download(fake_cdn, tmp_path):
    path = fake_cdn.add_package_file("1", "a.whl", b"x" * 100_000)
    dest = download(fake_cdn.base + "/v1/full/a.whl", tmp_path / "a.whl")
    assert dest.read_bytes() == b"x" * 100_000
    assert not (tmp_path / "a.whl.part").exists()
    assert fake_cdn.requests == [(path, None)]


def test_interrupted_download_resumes_with_a_range_request(fake_cdn, tmp_path):
    data = bytes(range(256)) * 1000
    path = fake_cdn.add_package_file("1", "b.whl", data)
    fake_cdn.cut_once[path] = 100_000
    seen = []
    dest = download(fake_cdn.base + "/v1/full/b.whl", tmp_path / "b.whl", backoff=0.01, on_progress=lambda d, t: seen.append((d, t)))
    assert dest.read_bytes() == data
    assert fake_cdn.requests[0] == (path, None)
    resumed_path, resumed = fake_cdn.requests[1]
    assert resumed_path == path and resumed.startswith("bytes=")
    offset = int(resumed[6:].rstrip("-"))
    assert 0 < offset <= 100_000  # it asked only for what it did not have
    assert len(fake_cdn.requests) == 2
    assert seen[-1] == (len(data), len(data))


def test_a_partial_file_from_an_earlier_run_is_resumed(fake_cdn, tmp_path):
    data = b"0123456789" * 5000
    path = fake_cdn.add_package_file("1", "c.whl", data)
    (tmp_path / "c.whl.part").write_bytes(data[:12_345])  # what a killed run left behind
    download(fake_cdn.base + "/v1/full/c.whl", tmp_path / "c.whl")
    assert fake_cdn.requests == [(path, "bytes=12345-")]
    assert (tmp_path / "c.whl").read_bytes() == data


def test_a_server_that_ignores_range_restarts_the_file(fake_cdn, tmp_path):
    data = b"abcdefghij" * 5000
    fake_cdn.add_package_file("1", "d.whl", data)
    fake_cdn.ignore_range = True
    (tmp_path / "d.whl.part").write_bytes(b"stale bytes that are not a prefix")
    download(fake_cdn.base + "/v1/full/d.whl", tmp_path / "d.whl")
    assert (tmp_path / "d.whl").read_bytes() == data


def test_a_complete_partial_file_is_finished_without_downloading(fake_cdn, tmp_path):
    data = b"z" * 1000
    fake_cdn.add_package_file("1", "e.whl", data)
    (tmp_path / "e.whl.part").write_bytes(data)  # every byte arrived, the rename did not happen
    download(fake_cdn.base + "/v1/full/e.whl", tmp_path / "e.whl")
    assert (tmp_path / "e.whl").read_bytes() == data
    assert len(fake_cdn.requests) == 1


def test_missing_file_is_not_retried_and_names_the_url(fake_cdn, tmp_path):
    url = fake_cdn.base + "/v1/full/nope.whl"
    with pytest.raises(FetchError) as raised:
        download(url, tmp_path / "nope.whl", backoff=0.01)
    assert url in raised.value.message and "HTTP 404" in raised.value.message
    assert len(fake_cdn.requests) == 1


def test_mirror_that_is_down_fails_after_bounded_retries(dead_url, tmp_path):
    url = dead_url + "/v1/full/c.whl"
    with pytest.raises(FetchError) as raised:
        download(url, tmp_path / "c.whl", retries=2, backoff=0.01)
    assert url in raised.value.message and "ConnectError" in raised.value.message
    assert raised.value.hint
