"""The one entry point.

Commands raise `DesktopError` for anything a user can cause or fix; only the
entry points, through `console.funnel`, turn those into a message, a hint and
an exit code. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import sys

from . import console

__all__ = ["main", "DEFAULT_COMMAND"]

#: Verb used when none is given on the command line.
DEFAULT_COMMAND = "launch"


def main(argv: list[str] | None = None) -> int:
    from .cli import build_parser
    from .commands import load
    from .settings import Settings

    parser = build_parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    verb = args.command or DEFAULT_COMMAND
    if args.command is None:
        from .packaging.launcher import default_argv  # a built app opens its own page instead of the launcher

        args = parser.parse_args([*(sys.argv[1:] if argv is None else argv), *default_argv()])
        verb = args.command
    return console.funnel(lambda: load(verb).run(args, Settings.from_env(debug=args.debug)))


if __name__ == "__main__":
    sys.exit(main())
