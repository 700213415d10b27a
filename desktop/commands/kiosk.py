"""`kiosk TARGET`: pages on an unattended screen (TARGET: a page or a kiosk.toml); see desktop/kiosk."""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from .. import console
from ..bridge.grants import Grant, GrantSet
from ..errors import UsageError
from ..settings import Settings
from .options import add_grant_arguments, grants_from_args

if TYPE_CHECKING:
    from ..kiosk.config import KioskConfig

__all__ = ["KioskCommand"]


class KioskCommand:
    name = "kiosk"
    help = "show pages fullscreen and locked down, recovering on its own (TARGET: a page or a kiosk.toml)"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("target", type=Path, nargs="?", metavar="TARGET", help="an .html page or a kiosk.toml")
        parser.add_argument("--log", type=Path, default=None, metavar="FILE",
                            help="the JSON-lines event log (default: kiosk.log in the user log folder)")
        place = parser.add_mutually_exclusive_group()
        place.add_argument("--install-autostart", action="store_true",
                           help="start this kiosk at login (XDG autostart, Startup folder, LaunchAgent) and exit")
        place.add_argument("--uninstall-autostart", action="store_true", help="remove the start-at-login entry and exit")
        parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)  # the app process
        parser.add_argument("--restarts", type=int, default=0, help=argparse.SUPPRESS)
        add_grant_arguments(parser)

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        from ..kiosk.autostart import autostart_for_platform

        if args.uninstall_autostart:
            removed = autostart_for_platform().uninstall()
            console.info(f"Removed {removed}." if removed else "There was no kiosk autostart entry.")
            return 0
        if args.target is None:
            raise UsageError("kiosk needs a TARGET: a page (.html) or a kiosk.toml.",
                             "For example: python main.py kiosk pages/kiosk.example.toml")
        from ..kiosk.config import load_config

        config = load_config(args.target)  # a ConfigError (line and reason) before anything starts
        grants = _grants(args, config)
        log_path = (args.log or settings.log_dir / "kiosk.log").expanduser().resolve()
        if args.install_autostart:
            return self._install(args, log_path)
        if args.child:
            return self._child(args, settings, config, grants, log_path)
        return self._supervise(args, settings, config, log_path)

    # -- kiosk --install-autostart TARGET ----------------------------------------------------------------
    @staticmethod
    def _install(args: argparse.Namespace, log_path: Path) -> int:
        from ..kiosk.autostart import autostart_for_platform, describe, kiosk_command

        command = kiosk_command(args.target, ["--log", str(log_path), *_grant_flags(args)])
        path = autostart_for_platform().install(command)
        console.info(f"The kiosk starts at login: {path}\n  {describe(command)}")
        return 0

    # -- the supervisor -----------------------------------------------------------------------------------
    @staticmethod
    def _supervise(args: argparse.Namespace, settings: Settings, config: KioskConfig, log_path: Path) -> int:
        from ..kiosk.inhibit import display_inhibitor
        from ..kiosk.log import EventLog
        from ..kiosk.supervisor import ENV_HEALTH_TOKEN, ENV_STARTED, Supervisor
        from ..runtime.bundle import RuntimeBundle
        from ..window import require_display

        require_display("kiosk")
        RuntimeBundle(settings.runtime_dir).require(None)  # a missing runtime is said once, not restarted forever
        log = EventLog(log_path)
        env = {**os.environ, ENV_HEALTH_TOKEN: config.health_token or secrets.token_urlsafe(24),
               ENV_STARTED: str(time.time())}
        target = str(args.target.expanduser().resolve())
        if getattr(sys, "frozen", False):
            base = [sys.executable]
        else:
            from ..settings import app_root

            base = [sys.executable, str(app_root() / "main.py")]

        def command(restarts: int) -> list[str]:
            return [*base, "kiosk", "--child", target, "--log", str(log_path), "--restarts", str(restarts),
                    *_grant_flags(args)]

        console.info(f"Kiosk: {target}\n  events: {log_path}\n  leave with {config.exit_chord}"
                     + (" and the PIN" if config.exit_pin else ""))
        inhibitor = display_inhibitor() if config.keep_awake else None
        supervisor = Supervisor(command, config.restart, log, env=env, inhibitor=inhibitor,
                                start_fields={"target": target, "pages": [str(p.path) for p in config.pages],
                                              "home": str(config.home)})
        return supervisor.run()

    # -- the app process -------------------------------------------------------------------------------------
    @staticmethod
    def _child(args: argparse.Namespace, settings: Settings, config: KioskConfig, grants: GrantSet, log_path: Path) -> int:
        from ..kiosk.log import EventLog
        from ..kiosk.runner import KioskRunner
        from ..kiosk.supervisor import ENV_HEALTH_TOKEN, ENV_STARTED
        from ..session import AppSession

        token = os.environ.get(ENV_HEALTH_TOKEN) or config.health_token or secrets.token_urlsafe(24)
        started = float(os.environ.get(ENV_STARTED) or time.time())
        # No "Add NAME and reload": nobody at a kiosk installs packages.
        with AppSession(settings, grants, install_packages=False) as session:
            runner = KioskRunner(config, session, EventLog(log_path), health_token=token,
                                 started=started, restarts=args.restarts)
            return runner.run()


def _grants(args: argparse.Namespace, config: KioskConfig) -> GrantSet:
    """--allow-read/--allow-write, then kiosk.toml's [grants] (each page's own folder is granted by the bridge)."""
    grants = grants_from_args(args)
    for path in config.grants_read:
        grants.add(Grant.of(path, write=False, source="kiosk.toml"))
    for path in config.grants_write:
        grants.add(Grant.of(path, write=True, source="kiosk.toml"))
    return grants


def _grant_flags(args: argparse.Namespace) -> list[str]:
    flags: list[str] = []
    for flag, paths in (("--allow-read", args.allow_read), ("--allow-write", args.allow_write)):
        for path in paths or []:
            flags += [flag, str(Path(path).expanduser().resolve())]
    return flags
