"""`--reload` for pages in a browser: the page waits on the server, which answers when a file changes.

A long poll (as MkDocs' live-reload server does) keeps it dependency-free on
the page side; `watchfiles` does the watching.
"""

from __future__ import annotations

import threading
from pathlib import Path

import bottle

from .inject import PageContext

__all__ = ["LiveReload", "POLL_SECONDS"]

POLL_SECONDS = 25.0


class LiveReload:
    """Counts changes under `root`; pages reload when the count moves past the one they loaded with."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.generation = 0
        self._changed = threading.Condition()
        self._stop = threading.Event()

    def start(self) -> "LiveReload":
        threading.Thread(target=self._watch, daemon=True, name="live-reload").start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _watch(self) -> None:
        from watchfiles import watch

        for _changes in watch(self.root, stop_event=self._stop, debounce=200, recursive=True):
            with self._changed:
                self.generation += 1
                self._changed.notify_all()

    def injection(self, ctx: PageContext) -> str:
        return (
            "<script>(() => { const since = " + str(self.generation) + ";"
            " const poll = () => fetch('/_desktop/api/reload/wait?since=' + since, {cache: 'no-store'})"
            ".then(r => r.json()).then(d => d.generation > since ? location.reload() : poll())"
            ".catch(() => setTimeout(poll, 1000)); poll(); })();</script>"
        )

    def app(self) -> bottle.Bottle:
        app = bottle.Bottle()

        @app.get("/wait")
        def wait():
            try:
                since = int(bottle.request.query.get("since", "0"))
            except ValueError:
                return bottle.HTTPError(400, "since must be a number")
            with self._changed:
                self._changed.wait_for(lambda: self.generation > since, POLL_SECONDS)
                generation = self.generation
            bottle.response.content_type = "application/json"
            bottle.response.set_header("Cache-Control", "no-store")
            return f'{{"generation": {generation}}}'

        return app
