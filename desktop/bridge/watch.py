"""`desktop.files.watch(path, callback)`: changes under granted paths, delivered to the page by long poll.

`watchfiles` watches each root on its own thread (a folder recursively; a
file through its folder, because atomic saves replace the file's inode). The
page keeps one request open per interpreter (`poll`), answered as soon as a
change arrives or after `POLL_SECONDS`; a client that stops polling (the page
closed or navigated away) loses its watches after `CLIENT_TTL`.

watchfiles follows a symlink it meets when it starts watching a folder, and
would report changes in the folder the link leads to, outside the grants.
So an event reaches a page only if its folder is reached from the root
without following any symlink (`folders.open_folder`), and, unless it is a
deletion, the name is there now: a page hears about names inside its
watched folder, never about an outside folder that a symlink (static, or
swapped in by another process) leads to. When such a link is removed or
renamed, watchfiles drops what it watched through it (tested: a link
replaced by a real folder reports nothing from the old outside folder).
What stays open in principle: a folder swapped for a symlink in the instant
watchfiles starts and walks the watched folder is watched where it leads
until the link's name is removed or renamed; its deletions carry no check
of existence and could be reported by name in that window.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .atomic import is_temp_name
from .folders import open_folder

__all__ = ["Watcher", "POLL_SECONDS", "CLIENT_TTL", "MAX_QUEUE"]

POLL_SECONDS = 20.0
CLIENT_TTL = 60.0
MAX_QUEUE = 1000
_CHANGE_NAMES = {1: "added", 2: "modified", 3: "deleted"}


@dataclass
class _Watch:
    id: str
    client: str
    path: Path


@dataclass
class _Client:
    last_seen: float = field(default_factory=time.monotonic)
    events: list[dict] = field(default_factory=list)


class Watcher:
    def __init__(self, *, debounce_ms: int = 150) -> None:
        self.debounce_ms = debounce_ms
        self._watches: dict[str, _Watch] = {}
        self._clients: dict[str, _Client] = {}
        self._roots: dict[tuple[Path, bool], threading.Event] = {}
        self._cond = threading.Condition()
        self._stopped = False

    # -- registrations -------------------------------------------------------------------------------
    def add(self, client: str, path: Path, *, limit: int | None = None) -> str:
        """Register a watch; with `limit`, refuse (OverflowError) when the client's prefix already holds that many."""
        watch = _Watch(secrets.token_hex(8), client, path)
        prefix = client.split(":", 1)[0] + ":"
        with self._cond:
            self._expire()
            if limit is not None and sum(1 for w in self._watches.values() if w.client.startswith(prefix)) >= limit:
                raise OverflowError(limit)
            self._clients.setdefault(client, _Client()).last_seen = time.monotonic()
            self._watches[watch.id] = watch
            self._sync_roots()
        return watch.id

    def remove(self, client: str, watch_id: str) -> bool:
        with self._cond:
            watch = self._watches.get(watch_id)
            if watch is None or watch.client != client:
                return False
            del self._watches[watch_id]
            self._sync_roots()
            return True

    def poll(self, client: str, timeout: float = POLL_SECONDS) -> list[dict]:
        """Events for `client`, waiting up to `timeout` seconds for the first one."""
        deadline = time.monotonic() + timeout
        with self._cond:
            state = self._clients.setdefault(client, _Client())
            while not state.events and not self._stopped:
                state.last_seen = time.monotonic()
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            state.last_seen = time.monotonic()
            events, state.events = state.events, []
            return events

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            for stop in self._roots.values():
                stop.set()
            self._roots.clear()
            self._cond.notify_all()

    # -- internals ---------------------------------------------------------------------------------
    def _expire(self) -> None:
        now = time.monotonic()
        gone = {c for c, s in self._clients.items() if now - s.last_seen > CLIENT_TTL}
        for client in gone:
            del self._clients[client]
        for wid in [w.id for w in self._watches.values() if w.client in gone]:
            del self._watches[wid]

    def _sync_roots(self) -> None:
        wanted: set[tuple[Path, bool]] = set()
        for w in self._watches.values():
            wanted.add((w.path, True) if w.path.is_dir() else (w.path.parent, False))
        for key in list(self._roots):
            if key not in wanted:
                self._roots.pop(key).set()
        for key in wanted - set(self._roots):
            if not key[0].is_dir():
                continue
            stop = threading.Event()
            self._roots[key] = stop
            threading.Thread(target=self._watch_root, args=(key, stop), daemon=True, name=f"bridge-watch {key[0]}").start()

    def _watch_root(self, key: tuple[Path, bool], stop: threading.Event) -> None:
        from watchfiles import watch

        root, recursive = key
        try:
            for changes in watch(root, stop_event=stop, recursive=recursive, debounce=self.debounce_ms,
                                 step=50, raise_interrupt=False):
                self._dispatch(changes)
        except Exception:  # noqa: BLE001 - the root vanished or the OS refused; its watches go quiet
            with self._cond:
                if self._roots.get(key) is stop:
                    del self._roots[key]

    @staticmethod
    def _inside(changed: Path, change: int) -> bool:
        """The changed name is in a folder reached without symlinks (and is there, unless deleted)."""
        try:
            with open_folder(changed.parent) as folder:
                if int(change) != 3:
                    folder.lstat(changed.name)
        except Exception:  # noqa: BLE001 - swapped, gone or unreadable: say nothing
            return False
        return True

    def _dispatch(self, changes: set) -> None:
        changes = {(change, raw) for change, raw in changes
                   if not is_temp_name(Path(raw).name) and self._inside(Path(raw), change)}
        with self._cond:
            for change, raw in sorted(changes, key=lambda c: c[1]):
                changed = Path(raw)
                for w in self._watches.values():
                    if changed == w.path or w.path in changed.parents:
                        queue = self._clients.setdefault(w.client, _Client()).events
                        if len(queue) < MAX_QUEUE:
                            queue.append({"watch": w.id, "change": _CHANGE_NAMES.get(int(change), "modified"),
                                          "path": str(changed)})
            self._cond.notify_all()
