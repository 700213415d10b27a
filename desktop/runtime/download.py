"""Resumable HTTP downloads with bounded retries (the CDN / mirror source).

A dropped connection keeps the bytes received so far in `<dest>.part`; the next
attempt asks for the rest with a Range request. A server that ignores Range
gets the file restarted from zero.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

import httpx

from ..errors import FetchError

__all__ = ["download", "DEFAULT_RETRIES"]

DEFAULT_RETRIES = 4


def download(
    url: str,
    dest: Path,
    *,
    client: httpx.Client | None = None,
    retries: int = DEFAULT_RETRIES,
    backoff: float = 0.5,
    on_progress: Callable[[int, int | None], None] | None = None,
) -> Path:
    """Download `url` to `dest`, resuming after interruptions. Raises FetchError naming the URL."""
    own = client is None
    client = client or httpx.Client(timeout=httpx.Timeout(30.0, connect=10.0), follow_redirects=True)
    part = dest.with_name(dest.name + ".part")
    last_error = "no attempt made"
    try:
        for attempt in range(retries + 1):
            if attempt:
                time.sleep(min(backoff * 2 ** (attempt - 1), 8.0))
            have = part.stat().st_size if part.exists() else 0
            headers = {"Range": f"bytes={have}-"} if have else {}
            try:
                with client.stream("GET", url, headers=headers) as response:
                    if response.status_code == 416 and have:
                        part.unlink()  # our partial file is longer than the file: start over
                        last_error = "range not satisfiable"
                        continue
                    if response.status_code not in (200, 206):
                        last_error = f"HTTP {response.status_code}"
                        if 400 <= response.status_code < 500 and response.status_code not in (408, 429):
                            break  # a missing file does not appear by retrying
                        continue
                    if response.status_code == 200:
                        have = 0  # the server sent the whole file
                    total = _total(response, have)
                    with part.open("ab" if have else "wb") as out:
                        for chunk in response.iter_bytes():  # as received, so a cut keeps what arrived
                            out.write(chunk)
                            have += len(chunk)
                            if on_progress:
                                on_progress(have, total)
                    if total is not None and have < total:
                        last_error = f"connection closed after {have} of {total} bytes"
                        continue
                part.replace(dest)
                return dest
            except httpx.HTTPError as exc:
                last_error = f"{type(exc).__name__}: {exc}"
        raise FetchError(f"Could not download {url} ({last_error}).")
    finally:
        if own:
            client.close()


def _total(response: httpx.Response, offset: int) -> int | None:
    content_range = response.headers.get("content-range")
    if content_range and "/" in content_range:
        size = content_range.rsplit("/", 1)[1]
        return int(size) if size.isdigit() else None
    length = response.headers.get("content-length")
    return offset + int(length) if length and length.isdigit() else None
