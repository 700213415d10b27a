"""The app's own HTTP server on 127.0.0.1: page folder + vendored runtime, offline."""

from .app import PageServer, ServerOptions

__all__ = ["PageServer", "ServerOptions"]
