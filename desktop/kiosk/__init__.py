"""Kiosk mode: PyScript pages on an unattended screen that stays up for months.

    python main.py kiosk TARGET [--log FILE]      # TARGET: a page, or a kiosk.toml

The `kiosk` process is a supervisor (supervisor.py) that runs the app process
(runner.py: one locked-down fullscreen window) and restarts it when it dies.
Modules, one responsibility each: config (kiosk.toml -> KioskConfig), schedule
(which page now), watchdog (heartbeat silence), health (the HTTP side at
/_desktop/api/kiosk/), lockdown (the page snippet, static/kiosk/kiosk.js),
log (JSON lines), memory (PSS of the process tree), inhibit (display stays on),
autostart (start at login). The server knows none of this: it gets an
injection and a mount.
"""

from .config import Chord, KioskConfig, PageEntry, RestartPolicy, load_config, parse_config
from .log import EVENTS, EventLog, default_log_path, read_events
from .schedule import Choice, Rotation, is_active
from .supervisor import Backoff, Supervisor
from .watchdog import Watchdog

__all__ = [
    "Backoff", "Chord", "Choice", "EVENTS", "EventLog", "KioskConfig", "PageEntry", "RestartPolicy", "Rotation",
    "Supervisor", "Watchdog", "default_log_path", "is_active", "load_config", "parse_config", "read_events",
]
