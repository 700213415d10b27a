"""The one error a bridge operation raises, named by errno so the page can raise the matching Python exception.

Messages are written for the page's author (which grant is missing and how to
give it); no host traceback ever leaves the host.
"""

from __future__ import annotations

__all__ = ["BridgeError", "STATUS"]

#: errno name -> HTTP status of the API answer (the page maps the errno name to an exception class).
STATUS = {
    "EACCES": 403,
    "ENOENT": 404,
    "EISDIR": 409,
    "ENOTDIR": 409,
    "EEXIST": 409,
    "ENOTEMPTY": 409,
    "EINVAL": 400,
    "EFBIG": 413,
    "ENOTSUP": 501,
    "EIO": 500,
    "ENOSPC": 507,
    "EMFILE": 429,  # too many unfinished uploads for one page
}


class BridgeError(Exception):
    """A refused or failed bridge operation: errno name + message for the page."""

    def __init__(self, errno_name: str, message: str) -> None:
        super().__init__(message)
        self.errno_name = errno_name if errno_name in STATUS else "EIO"
        self.message = message

    @property
    def status(self) -> int:
        return STATUS[self.errno_name]

    def as_json(self) -> dict:
        return {"error": {"errno": self.errno_name, "message": self.message}}
