"""The "Add NAME and reload" action: `runtime add` for a package a page names and the bundle lacks.

Mounted by the commands that serve a person's own pages (`open`, the launcher, `serve`) at
`/_desktop/api/packages/`, like the bridge, so it sits behind the same per-launch checks; kiosks and
built apps do not mount it. The box that reports a missing package (static/page.js) then shows a
button, which submits a form here:

    POST add        name=NAME&return=/page.html   -> 303 to the progress page
    GET  progress   ?job=ID                        the app's own page: stage, then back to the page
    GET  status     ?job=ID                        JSON {state, stage, message}

A page must not be able to install packages without the person's click on that button. Page
scripts share the button's origin, so no secret in the page would stop them; what they cannot
forge are the browser's `Sec-Fetch-*` request headers. The add is accepted only as a top-level
form navigation the person started (`Sec-Fetch-Mode: navigate`, `Sec-Fetch-Dest: document`,
`Sec-Fetch-User: ?1`, same origin): a `fetch()`, a form aimed at a hidden frame or a script's
`form.submit()` without a click are refused, and what is accepted replaces the page with the
app's progress page, so it is never silent.
"""

from __future__ import annotations

import html
import json
import re
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import bottle

from ..errors import DesktopError
from ..runtime.bundle import RuntimeBundle
from ..runtime.pip import Pip
from .headers import CACHE_NONE
from .inject import script_json

if TYPE_CHECKING:
    from .app import WSGIApp

__all__ = ["PackageInstaller", "ACTION_URL"]

ACTION_URL = "/_desktop/api/packages/add"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


@dataclass
class _Job:
    name: str
    back: str
    state: str = "running"  # running | done | failed | offline
    stage: str = "Checking the network…"
    message: str = ""


@dataclass
class PackageInstaller:
    """Runs `runtime add` for the pages of one session's server."""

    bundle: RuntimeBundle
    pyodide_version: str
    cache_dir: Path  # the user download cache (settings.cache_dir / "downloads")
    pip: Pip = field(default_factory=Pip)
    mirror: str | None = None
    _jobs: dict[str, _Job] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def mounts(self) -> dict[str, WSGIApp]:
        return {"packages": self.app()}

    def injection(self, ctx) -> str:  # noqa: ANN001 - a PageContext
        """Tells static/page.js that missing packages get the button (only pages with one need it)."""
        if not ctx.missing_packages:
            return ""
        return ("<script>window.__pyscriptDesktop=Object.assign(window.__pyscriptDesktop||{},"
                f"{{packageAction:{script_json(ACTION_URL)}}});</script>")

    def app(self) -> bottle.Bottle:
        app = bottle.Bottle()
        app.route("/add", "POST", self._add)
        app.route("/progress", "GET", self._progress)
        app.route("/status", "GET", self._status)
        return app

    # -- routes --------------------------------------------------------------------------------------
    def _add(self):
        request = bottle.request
        refused = _refusal(request)
        if refused:
            return bottle.HTTPError(403, refused)
        name = request.forms.getunicode("name") or ""
        back = request.forms.getunicode("return") or "/"
        if not _NAME.match(name):
            return bottle.HTTPError(400, f"{name!r} is not a package name.")
        if not back.startswith("/") or back.startswith("//") or "\\" in back:
            back = "/"
        job_id = uuid.uuid4().hex
        with self._lock:
            self._jobs[job_id] = job = _Job(name, back)
        threading.Thread(target=self._run, args=(job,), name=f"runtime-add-{name}", daemon=True).start()
        return bottle.redirect(f"progress?job={job_id}", 303)

    def _progress(self):
        job = self._jobs.get(bottle.request.query.get("job", ""))
        if job is None:
            return bottle.HTTPError(404, "No such package job.")
        bottle.response.set_header("Content-Type", "text/html; charset=utf-8")
        bottle.response.set_header("Cache-Control", CACHE_NONE)
        return _PROGRESS_PAGE.format(name=html.escape(job.name), back=html.escape(job.back, quote=True),
                                     status=script_json("status?job=" + quote(bottle.request.query.get("job", ""))))

    def _status(self):
        job = self._jobs.get(bottle.request.query.get("job", ""))
        if job is None:
            return bottle.HTTPError(404, "No such package job.")
        bottle.response.set_header("Content-Type", "application/json")
        bottle.response.set_header("Cache-Control", CACHE_NONE)
        return json.dumps({"state": job.state, "stage": job.stage, "message": job.message, "return": job.back})

    # -- the work --------------------------------------------------------------------------------------
    def _run(self, job: _Job) -> None:
        from ..runtime.wheelhouse import Wheelhouse

        command = f"python main.py runtime add {job.name}"
        if not self.pip.online():
            job.state, job.stage = "offline", "This computer is offline."
            job.message = (f"{job.name} cannot be added now: the package index cannot be reached. Connect to the "
                           f"network and try again, or run `{command}` later.")
            return
        job.stage = f"Downloading and verifying {job.name} and what it needs…"
        try:
            added = Wheelhouse(self.bundle, self.pyodide_version, self.pip).add([job.name], self.cache_dir, self.mirror)
        except DesktopError as exc:
            job.state, job.stage = "failed", f"{job.name} could not be added."
            job.message = " ".join(part for part in (exc.message, exc.hint) if part)
            return
        except Exception as exc:  # noqa: BLE001 - shown to the person, never a hung progress page
            job.state, job.stage, job.message = "failed", f"{job.name} could not be added.", str(exc)
            return
        if added:
            job.stage = "Precompiling…"
            _precompile(self.bundle, self.pyodide_version)
        job.state = "done"
        job.stage = f"Added {', '.join(added) or job.name}. Reloading the page…"


def _refusal(request: bottle.BaseRequest) -> str:
    """Why this request is not the person's click on the app's button ("" when it is)."""
    headers = request.headers
    wanted = {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document", "Sec-Fetch-User": "?1"}
    wrong = [f"{k}: {headers.get(k) or '(none)'}" for k, v in wanted.items() if headers.get(k) != v]
    if wrong:
        return ("Refused: packages are added only when the person clicks the app's \"Add and reload\" button "
                f"(this request has {', '.join(wrong)}).")
    # No Origin check: under the app's `Referrer-Policy: no-referrer` a form's POST says `Origin: null`;
    # `Sec-Fetch-Site: same-origin`, which no page can set, is the check.
    return ""


def _precompile(bundle: RuntimeBundle, pyodide_version: str) -> None:
    """Bytecode twins for the new wheels, as `runtime add` makes them; only speed depends on it."""
    from ..errors import FetchError
    from ..runtime.precompile import Precompiled, bundle_sources
    from ..tools import Node

    node = Node.find()
    if not node.available():
        return
    try:
        Precompiled(bundle, pyodide_version).make(bundle_sources(bundle, pyodide_version), node)
    except FetchError:
        pass  # pages load the official files


_PROGRESS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Adding {name}</title></head>
<body style="font:15px/1.5 system-ui,sans-serif;margin:2em;color:#222;max-width:44em">
<h1 style="font-size:1.3em">Adding {name} to the offline runtime</h1>
<p id="stage" role="status">Starting…</p>
<progress id="bar" style="width:100%"></progress>
<p id="message" style="white-space:pre-wrap"></p>
<p><a id="back" href="{back}">Back to the page</a></p>
<script>
(() => {{
  const status = {status};
  const tick = async () => {{
    let job;
    try {{ job = await (await fetch(status, {{ cache: "no-store" }})).json(); }}
    catch (e) {{ return setTimeout(tick, 1000); }}
    document.getElementById("stage").textContent = job.stage;
    document.getElementById("message").textContent = job.message;
    if (job.state === "running") return setTimeout(tick, 400);
    document.getElementById("bar").remove();
    document.body.dataset.state = job.state;
    if (job.state === "done") setTimeout(() => location.replace(job.return), 600);
  }};
  tick();
}})();
</script>
</body></html>
"""
