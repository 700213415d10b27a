"""Window size and position, remembered per page in the user config folder."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = ["Geometry", "GeometryStore"]


@dataclass(frozen=True)
class Geometry:
    width: int
    height: int
    x: int | None = None
    y: int | None = None

    def on_screens(self, screens: list[tuple[int, int, int, int]]) -> "Geometry":
        """Keep the position only if its top-left corner is on a screen that still exists."""
        if self.x is None or self.y is None:
            return self
        for sx, sy, sw, sh in screens:
            if sx <= self.x < sx + sw and sy <= self.y < sy + sh:
                return self
        return Geometry(self.width, self.height)


@dataclass(frozen=True)
class GeometryStore:
    path: Path

    def _load(self) -> dict:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def get(self, key: str) -> Geometry | None:
        entry = self._load().get(key)
        try:
            return Geometry(**entry) if entry else None
        except TypeError:
            return None

    def put(self, key: str, geometry: Geometry) -> None:
        data = self._load()
        data[key] = asdict(geometry)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".geometry-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1, sort_keys=True)
        os.replace(tmp, self.path)
