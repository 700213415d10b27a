"""The bridge object a command composes: grants + caps + dialogs in, an injection and a mount out.

    bridge = Bridge(grants_from_args(args), log_dir=settings.log_dir)
    server/app gets  injections=[bridge.injection], mounts=bridge.mounts
    bridge.dialogs = WindowPickers(app)        # only with a window; else dialogs answer ENOTSUP
    ...
    bridge.close()

The state (sessions, uploads, watches) is BridgeCore in sessions.py; the files API (api.py) and the
page snippet (inject.py) work on that, and this module puts the three together, so none of them
imports another in a loop.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from .sessions import MAX_UPLOADS, MAX_WATCHES, UPLOAD_IDLE, BridgeCore, PageSession

if TYPE_CHECKING:
    import bottle

    from ..server.app import WSGIApp
    from ..server.inject import Injection

__all__ = ["Bridge", "PageSession", "MOUNT_NAME", "API_PATH", "MAX_UPLOADS", "MAX_WATCHES", "UPLOAD_IDLE"]

MOUNT_NAME = "files"
API_PATH = f"/_desktop/api/{MOUNT_NAME}/"


class Bridge(BridgeCore):
    """Local files for page code. One per launch; shared by every page server of the app."""

    # -- what composing code hands to the server ---------------------------------------------------
    @cached_property
    def app(self) -> bottle.Bottle:
        """The files API, mounted at API_PATH. (api.py and inject.py are imported here, not at the top, so
        that importing the package for FileOps alone needs no bottle: a helper run as another user does.)"""
        from .api import build_app

        return build_app(self)

    @property
    def injection(self) -> Injection:
        from .inject import bridge_snippet

        return lambda ctx: bridge_snippet(self, ctx)

    @property
    def mounts(self) -> dict[str, WSGIApp]:
        return {MOUNT_NAME: self.app}
