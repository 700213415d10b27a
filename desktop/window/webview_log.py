"""pywebview's own log, through the app's console.

pywebview prints its log to stderr itself, tracebacks included: a WebKitGTK script whose renderer
process had ended printed a GLib traceback under the app's one-line "its renderer process ended"
warning. Routed here, a problem is one `warning:` line naming the error; its traceback, and
pywebview's informational lines, show only with --debug.
"""

from __future__ import annotations

import logging
import traceback

from .. import console

__all__ = ["route_webview_log"]

_LOGGER = "pywebview"


class _ToConsole(logging.Handler):
    def __init__(self, debug: bool) -> None:
        super().__init__(logging.DEBUG if debug else logging.WARNING)
        self.debug = debug

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
            error = record.exc_info[1] if record.exc_info else None
            if error is not None:
                named = f"{type(error).__name__}: {error}"
                message = named if message in ("", str(error)) else f"{message}: {named}"
                if self.debug:
                    message += "\n" + "".join(traceback.format_exception(error)).rstrip()
            if record.levelno >= logging.WARNING:
                console.warn(f"pywebview: {message}")
            else:
                console.info(f"pywebview: {message}")
        except Exception:  # noqa: BLE001 - logging's own rule: a handler never raises
            self.handleError(record)


def route_webview_log(debug: bool) -> None:
    """Send pywebview's log records to the app's console instead of pywebview's own stderr handler."""
    import webview  # noqa: F401 - pywebview installs its handler on import: replace it, not precede it

    logger = logging.getLogger(_LOGGER)
    logger.handlers = [_ToConsole(debug)]
    logger.propagate = False
