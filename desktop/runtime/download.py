"""Resumable HTTP downloads with bounded retries (the CDN / mirror source).

A dropped connection keeps the bytes received so far in `<dest>.part`; the next
attempt (in this run, or the next run when `dest` is in the download cache)
asks for the rest with a Range request. A server that ignores Range gets the
file restarted from zero. Bytes are written exactly as sent (no content
decoding), so Range offsets always count the same bytes as the file.
"""

from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import Callable

import httpx

from .. import __version__
from ..errors import FetchError

__all__ = ["download", "DEFAULT_RETRIES"]

DEFAULT_RETRIES = 4
_HEADERS = {"Accept-Encoding": "identity", "User-Agent": f"pyscript-desktop/{__version__}"}


def download(
    url: str,
    dest: Path,
    *,
    client: httpx.Client | None = None,
    retries: int = DEFAULT_RETRIES,
    backoff: float = 0.5,
    on_progress: Callable[[int, int | None], None] | None = None,
) -> Path:
    """Download `url` to `dest`, resuming after interruptions; retries back off exponentially (capped).

    Raises FetchError naming the URL and the last failure. A 4xx answer (other
    than 408/429) is final: a missing file does not appear by asking again.
    """
    own = client is None
    client = client or httpx.Client(timeout=httpx.Timeout(30.0, connect=10.0), follow_redirects=True)
    part = dest.with_name(dest.name + ".part")
    last_error = "no attempt made"
    try:
        for attempt in range(retries + 1):
            if attempt:
                time.sleep(min(backoff * 2 ** (attempt - 1), 8.0))
            try:
                outcome = _attempt(client, url, part, on_progress)
            except httpx.HTTPError as exc:
                outcome = f"{type(exc).__name__}: {exc}"
                if _host_unknown(exc):
                    last_error = outcome
                    break  # no name resolution (offline, or a mistyped mirror): retrying only makes the user wait
            if outcome is None:
                part.replace(dest)
                return dest
            last_error = outcome
            if outcome.startswith("HTTP 4") and outcome not in ("HTTP 408", "HTTP 429"):
                break  # a missing file does not appear by asking again
        raise FetchError(f"Could not download {url} ({last_error}).", "Check the network, or the mirror URL.")
    finally:
        if own:
            client.close()


def _attempt(
    client: httpx.Client, url: str, part: Path, on_progress: Callable[[int, int | None], None] | None
) -> str | None:
    """One request, appending to `part`; None when `part` now holds the whole file, else why not."""
    have = part.stat().st_size if part.exists() else 0
    headers = {**_HEADERS, "Range": f"bytes={have}-"} if have else dict(_HEADERS)
    with client.stream("GET", url, headers=headers) as response:
        if response.status_code == 416 and have:
            if _total(response, 0) == have:
                return None  # every byte arrived last time; only the rename was missed
            part.unlink()  # our partial file is not a prefix of this file: start over
            return "range not satisfiable"
        if response.status_code not in (200, 206):
            return f"HTTP {response.status_code}"
        if response.status_code == 206 and _range_start(response) != have:
            part.unlink()  # not the range we asked for: start over
            return "unexpected Content-Range"
        if response.status_code == 200:
            have = 0  # the server ignored Range and sends the whole file
        total = _total(response, have)
        with part.open("ab" if have else "wb") as out:
            for chunk in response.iter_raw():  # as received, so a cut keeps what arrived
                out.write(chunk)
                have += len(chunk)
                if on_progress:
                    on_progress(have, total)
    if total is not None and have < total:
        return f"connection closed after {have} of {total} bytes"
    return None


def _host_unknown(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, socket.gaierror):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _range_start(response: httpx.Response) -> int | None:
    value = response.headers.get("content-range", "")
    unit, _, rest = value.partition(" ")
    start = rest.split("-", 1)[0]
    return int(start) if unit == "bytes" and start.isdigit() else None


def _total(response: httpx.Response, offset: int) -> int | None:
    content_range = response.headers.get("content-range")
    if content_range and "/" in content_range:
        size = content_range.rsplit("/", 1)[1]
        return int(size) if size.isdigit() else None
    length = response.headers.get("content-length")
    return offset + int(length) if length and length.isdigit() else None
