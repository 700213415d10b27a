"""One app instance per user: a second `open` hands its page to the running app.

The running app listens on a loopback-only port with a random token, both
written to a user-private file in the data folder. Another process that can
read that file is the same user, who may open pages anyway.
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import bottle
import httpx

from ..server import httpd

__all__ = ["SingleInstance"]


@dataclass
class SingleInstance:
    data_dir: Path

    @property
    def path(self) -> Path:
        return self.data_dir / "instance.json"

    def hand_off(self, page: Path) -> bool:
        """Ask a running instance to open `page`; False when there is none (or it does not answer)."""
        try:
            info = json.loads(self.path.read_text(encoding="utf-8"))
            response = httpx.post(
                f"http://127.0.0.1:{int(info['port'])}/open",
                json={"token": info["token"], "page": str(page)},
                timeout=5,
            )
        except (OSError, ValueError, KeyError, TypeError, httpx.HTTPError):
            return False
        return response.status_code == 204

    def listen(self, open_page: Callable[[Path], object]) -> Callable[[], None]:
        """Become the instance: accept hand-offs until the returned stop function is called."""
        token = secrets.token_urlsafe(24)
        app = bottle.Bottle()

        @app.post("/open")
        def hand_off():
            try:
                payload = json.loads(bottle.request.body.read(64 * 1024))
                ok = hmac.compare_digest(str(payload.get("token", "")), token)
                page = Path(str(payload.get("page", "")))
            except (ValueError, AttributeError):
                return bottle.HTTPError(400, "bad request")
            if not ok:
                return bottle.HTTPError(403, "refused")
            if page.suffix.lower() not in (".html", ".htm") and not (page / "index.html").is_file():
                return bottle.HTTPError(400, "not a page")
            threading.Thread(target=open_page, args=(page,), daemon=True).start()
            bottle.response.status = 204
            return ""

        server = httpd.bind(app, 0)
        httpd.serve_in_thread(server)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"port": server.server_address[1], "token": token, "pid": os.getpid()}, fh)
        os.replace(tmp, self.path)

        def stop() -> None:
            server.shutdown()
            server.server_close()
            try:
                if json.loads(self.path.read_text(encoding="utf-8")).get("pid") == os.getpid():
                    self.path.unlink()
            except (OSError, ValueError):
                pass

        return stop
