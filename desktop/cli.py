"""The command line: builds the argument parser from the command registry."""

from __future__ import annotations

import argparse

from . import __version__
from .commands import COMMANDS, load

__all__ = ["build_parser", "version_text"]


def version_text() -> str:
    """App, PyScript and Pyodide versions, as `--version` prints them."""
    from .runtime.bundle import RuntimeBundle
    from .settings import Settings

    lines = [f"pyscript-desktop {__version__}"]
    try:
        manifest = RuntimeBundle(Settings.from_env().runtime_dir).manifest  # where every command finds it
        for pair in manifest.pairs.values():
            tag = " (default)" if pair.name == manifest.default_pair else ""
            lines.append(
                f"runtime {pair.name}{tag}: PyScript {pair.pyscript}, Pyodide {pair.pyodide}, MicroPython {pair.micropython}"
            )
    except Exception as exc:  # noqa: BLE001 - --version must never fail
        lines.append(f"runtime: unknown ({exc})")
    return "\n".join(lines)


class _VersionAction(argparse.Action):
    def __init__(self, option_strings: list[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the app, PyScript and Pyodide versions")

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object,
                 option_string: str | None = None) -> None:
        from .console import console

        console.print(version_text(), markup=False)
        parser.exit(0)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pyscript-desktop",
        description="Run PyScript pages offline. With no command, opens the launcher on the bundled pages.",
    )
    parser.add_argument("--version", action=_VersionAction)
    parser.add_argument("--debug", action="store_true", help="show developer tools and full tracebacks")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for verb in COMMANDS:
        command = load(verb)
        command.add_arguments(sub.add_parser(verb, help=command.help, description=command.help))
    return parser
