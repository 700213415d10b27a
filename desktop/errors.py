"""The one exception family for failures a user can hit.

Every error carries what went wrong and the next step. Only the entry point
(`desktop.__main__`) turns them into messages and exit codes.
"""

from __future__ import annotations

__all__ = [
    "DesktopError",
    "UsageError",
    "ConfigError",
    "RuntimeMissingError",
    "FetchError",
    "IntegrityError",
    "PackageNotFoundError",
    "PortInUseError",
    "NoDisplayError",
    "PackagingError",
]


class DesktopError(Exception):
    """An expected failure: a message for the user and a hint for what to do next."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n{self.hint}"


class UsageError(DesktopError):
    """The command line asked for something that cannot be done as written."""

    exit_code = 2


class ConfigError(DesktopError):
    """A configuration file (page config, kiosk.toml, desktop.toml) is malformed."""

    exit_code = 2


class RuntimeMissingError(DesktopError):
    """The runtime bundle (or one pair of it) has not been fetched yet."""

    exit_code = 3


class FetchError(DesktopError):
    """A runtime file could not be obtained from any source."""

    exit_code = 4


class IntegrityError(FetchError):
    """A file's bytes do not match the pinned integrity data."""


class PackageNotFoundError(DesktopError):
    """A Python package is neither bundled nor resolvable."""

    exit_code = 5


class PortInUseError(DesktopError):
    """The requested port on 127.0.0.1 is taken."""

    exit_code = 6


class NoDisplayError(DesktopError):
    """A window was needed but there is no display."""

    exit_code = 7


class PackagingError(DesktopError):
    """A build step failed; nothing half-built was left in the output folder."""

    exit_code = 8
