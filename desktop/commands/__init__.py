"""One class per verb. `COMMANDS` is the ordered registry the CLI is built from.

Each command is imported lazily by name so that, for example, `runtime list`
never imports the webview toolkit.
"""

from __future__ import annotations

import argparse
import importlib
from typing import Protocol

from ..settings import Settings

__all__ = ["Command", "COMMANDS", "load"]


class Command(Protocol):
    """What every verb provides."""

    name: str
    help: str

    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace, settings: Settings) -> int: ...


#: verb -> "module:Class", in the order `--help` shows them.
COMMANDS: dict[str, str] = {
    "launch": "desktop.commands.launch:LaunchCommand",
    "open": "desktop.commands.open:OpenCommand",
    "screenshot": "desktop.commands.screenshot:ScreenshotCommand",
    "serve": "desktop.commands.serve:ServeCommand",
    "kiosk": "desktop.commands.kiosk:KioskCommand",
    "migrate": "desktop.commands.migrate:MigrateCommand",
    "runtime": "desktop.commands.runtime:RuntimeCommand",
    "build": "desktop.commands.build:BuildCommand",
    "export": "desktop.commands.export:ExportCommand",
}


def load(verb: str) -> Command:
    module_name, _, class_name = COMMANDS[verb].partition(":")
    return getattr(importlib.import_module(module_name), class_name)()
