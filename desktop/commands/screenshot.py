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

__all__ = ["ScreenshotCommand", "ScreenshotFailed", "RELOADS_AFTER_CRASH", "CRASH_EVENT"]


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
                                                   menu=False, pair=args.runtime, port=args.port or None),
                                     on_renderer_crash=_tell_the_waiter)
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
        since = 0  # page events before this index belong to a load whose renderer ended
        outcome = _wait(app, entry, wait_for, deadline, timeout, since)
        for _ in range(RELOADS_AFTER_CRASH):
            if outcome is not None:
                break
            console.warn(f"Loading {entry.page_url} once more (its renderer process ended).")
            since = len(app.events.history)
            entry.webview_window.load_url(entry.server.login_url(entry.page_url))
            outcome = _wait(app, entry, wait_for, deadline, timeout, since)
        if outcome is None:
            return {"error": f"The page's renderer process ended {RELOADS_AFTER_CRASH + 1} times (the web engine crashed).",
                    "hint": "Run `python main.py open PAGE` to see whether it happens there too; a page that uses "
                            "very much memory can end its renderer."}
        if "error" in outcome:
            return outcome
        time.sleep(0.5)  # let the last frame paint
        app.screenshot(entry, out)
        return outcome


#: How often a page whose renderer process ended is loaded again before the command gives up: an
#: engine's renderer can crash once under load (WebKitGTK's did in a CI run), and a second crash is
#: the page's or the engine's fault to report.
RELOADS_AFTER_CRASH = 1
#: The page event the app records when the window's renderer ends (never sent by a page).
CRASH_EVENT = "renderer-ended"


def _tell_the_waiter(app: DesktopApp, entry: AppWindow) -> None:
    """on_renderer_crash: wake the waiting thread, which decides whether to load the page again."""
    from ..window.events import PageEvent

    app.events.record(PageEvent(CRASH_EVENT, entry.page_url, "", {}))


def _wait(app: DesktopApp, entry: AppWindow, wait_for: list[str] | None, deadline: float, timeout: float,
          since: int) -> dict[str, str] | None:
    """Wait for this load of the page: {"what": ...} once it is ready, {"error": ...}, or None if its renderer ended."""
    origin = entry.server.origin
    if wait_for:
        # innerText: only rendered text (no hidden elements or script source), the app's overlays included
        script = f"(() => {{ const t = document.documentElement.innerText; return {json.dumps(wait_for)}.filter((w) => !t.includes(w)); }})()"
        missing = list(wait_for)
        while time.monotonic() < deadline:
            if app.events.wait({CRASH_EVENT}, 0, since=since, url_prefix=origin) is not None:
                return None
            try:
                missing = entry.webview_window.evaluate_js(script)
            except Exception:  # noqa: BLE001 - the page may be between loads
                pass
            if missing == []:
                return {"what": f"after {', '.join(repr(text) for text in wait_for)} appeared"}
            time.sleep(0.25)
        error = app.events.wait({"error"}, 0, since=since, url_prefix=origin)
        if error is not None:
            return _page_error(error)
        never = ", ".join(repr(text) for text in missing or wait_for)
        return {"error": f"Timed out after {timeout:g} s: {never} never appeared on the page.",
                "hint": "Check the text, or give the page more time with --timeout S."}
    event = app.events.wait({"done", "error", CRASH_EVENT}, max(0.0, deadline - time.monotonic()), since=since, url_prefix=origin)
    if event is None:
        return {"error": f"Timed out after {timeout:g} s: the page's Python did not finish.",
                "hint": "Give it more time with --timeout S, or wait for a text with --wait-for TEXT."}
    if event.type == CRASH_EVENT:
        return None
    if event.type == "error":
        return _page_error(event)
    return {"what": "after the page's Python finished"}


def _page_error(event: PageEvent) -> dict[str, str]:
    lines = str(event.data.get("message", "")).strip().splitlines()
    hint = "Fix the page, or run `python main.py open PAGE` to see the traceback."
    versions = event.data.get("versions")
    if isinstance(versions, list) and versions:  # the page ran on a PyScript or Pyodide it does not name
        hint += " The page ran on other versions than it names, which may be why: " + "; ".join(str(v) for v in versions[:4])[:1000]
    return {"error": f"The page's Python raised an error: {lines[-1] if lines else 'unknown error'}", "hint": hint}
