"""`screenshot PAGE OUT.png`: render a page in the app's real window, wait, save a PNG, exit.

For kiosk previews and people's own CI. Exit status 0 means the PNG shows the
page after its Python finished (or after TEXT appeared); anything else is a
non-zero exit with a one-line reason.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from .. import console
from ..errors import DesktopError, UsageError
from ..settings import Settings
from .options import add_grant_arguments, add_runtime_arguments, grants_from_args, page_folder, parse_size

if TYPE_CHECKING:
    from ..window import AppWindow, DesktopApp
    from ..window.events import PageEvent

__all__ = ["ScreenshotCommand", "ScreenshotFailed"]


class ScreenshotFailed(DesktopError):
    exit_code = 8


class ScreenshotCommand:
    name = "screenshot"
    help = "render a page in the app's window and save a PNG (exits non-zero on timeout or page error)"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("page", type=Path)
        parser.add_argument("out", type=Path, metavar="OUT.png")
        parser.add_argument("--wait-for", metavar="TEXT", action="append",
                            help="wait until TEXT is visible; repeat to wait for several (default: until the page's Python has finished)")
        parser.add_argument("--size", default="1280x800", metavar="WxH")
        parser.add_argument("--timeout", type=float, default=120.0, metavar="S")
        add_runtime_arguments(parser)
        add_grant_arguments(parser)

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        from ..session import AppSession
        from ..window import WindowOptions, require_display

        require_display("screenshot")
        size = parse_size(args.size)
        folder, page = page_folder(args.page)
        out = args.out.expanduser().resolve()
        if not out.parent.is_dir():
            raise UsageError(f"The folder {out.parent} does not exist.", "Create it or choose another OUT.png.")
        outcome: dict[str, str] = {}
        # The same session as `open`: the page gets the bridge (`import desktop`) and every other injection.
        with AppSession(settings, grants_from_args(args), pair=args.runtime) as session:
            app = session.window_app(WindowOptions(debug=settings.debug, size=size, remember_geometry=False,
                                                   menu=False, pair=args.runtime, port=args.port or None))
            entry = app.open(page or folder)

            def drive() -> None:
                try:
                    outcome.update(self._wait_and_shoot(app, entry, out, args.wait_for, args.timeout))
                except Exception as exc:  # noqa: BLE001 - reported as the command's failure below
                    outcome["error"] = f"{type(exc).__name__}: {exc}"
                finally:
                    for window in app.windows:
                        window.webview_window.destroy()

            session.run(lambda: threading.Thread(target=drive, daemon=True).start())
        if "error" in outcome:
            raise ScreenshotFailed(outcome["error"], outcome.get("hint"))
        console.info(f"Saved {out} ({outcome['what']}).")
        return 0

    @staticmethod
    def _wait_and_shoot(app: DesktopApp, entry: AppWindow, out: Path, wait_for: list[str] | None, timeout: float) -> dict[str, str]:
        deadline = time.monotonic() + timeout
        if wait_for:
            # innerText: only rendered text (no hidden elements or script source), the app's overlays included
            script = f"(() => {{ const t = document.documentElement.innerText; return {json.dumps(wait_for)}.filter((w) => !t.includes(w)); }})()"
            missing = list(wait_for)
            while time.monotonic() < deadline:
                try:
                    missing = entry.webview_window.evaluate_js(script)
                except Exception:  # noqa: BLE001 - the page may be between loads
                    pass
                if missing == []:
                    break
                time.sleep(0.25)
            else:
                error = app.events.wait({"error"}, 0, url_prefix=entry.server.origin)
                if error is not None:
                    return _page_error(error)
                never = ", ".join(repr(text) for text in missing or wait_for)
                return {"error": f"Timed out after {timeout:g} s: {never} never appeared on the page.",
                        "hint": "Check the text, or give the page more time with --timeout S."}
            what = f"after {', '.join(repr(text) for text in wait_for)} appeared"
        else:
            event = app.events.wait({"done", "error"}, timeout, url_prefix=entry.server.origin)
            if event is None:
                return {"error": f"Timed out after {timeout:g} s: the page's Python did not finish.",
                        "hint": "Give it more time with --timeout S, or wait for a text with --wait-for TEXT."}
            if event.type == "error":
                return _page_error(event)
            what = "after the page's Python finished"
        time.sleep(0.5)  # let the last frame paint
        app.screenshot(entry, out)
        return {"what": what}


def _page_error(event: PageEvent) -> dict[str, str]:
    lines = str(event.data.get("message", "")).strip().splitlines()
    return {
        "error": f"The page's Python raised an error: {lines[-1] if lines else 'unknown error'}",
        "hint": "Fix the page, or run `python main.py open PAGE` to see the traceback.",
    }
