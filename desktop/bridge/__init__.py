"""The Python bridge: page code reads, writes and watches local files, inside explicit grants.

Public surface for the commands that compose the app (open, serve, kiosk):

    from desktop.bridge import Bridge, add_grant_arguments, grants_from_args

    add_grant_arguments(parser)                        # --allow-read PATH / --allow-write PATH (repeatable)
    grants = grants_from_args(args, page_folder)       # GrantSet; UsageError for a path that does not exist
    bridge = Bridge(grants, log_dir=settings.log_dir)  # sweeps stale temporaries in write grants (and subfolders)
    ServerOptions(..., injections=[bridge.injection], mounts=bridge.mounts)   # or DesktopApp(...)
    bridge.dialogs = WindowPickers(app)                # desktop.window.pickers; without it dialogs say ENOTSUP
    bridge.close()                                     # stops watches, drops unfinished uploads

Every page then has `import desktop` (Python, main thread and workers) and
`window.desktop` (JavaScript). See README, "Local files from page code".
"""

from .bridge import API_PATH, MOUNT_NAME, Bridge
from .cli import add_grant_arguments, grants_from_args
from .dialogs import DialogHost
from .errors import BridgeError
from .files import Limits
from .grants import Grant, GrantSet
from .sessions import PageSession

__all__ = [
    "API_PATH", "MOUNT_NAME", "Bridge", "BridgeError", "DialogHost", "Grant", "GrantSet", "Limits", "PageSession",
    "add_grant_arguments", "grants_from_args",
]
