"""Remembered window geometry: per page, atomic, and never off-screen."""

from __future__ import annotations

from desktop.window.geometry import Geometry, GeometryStore


def test_round_trip_per_page(tmp_path):
    store = GeometryStore(tmp_path / "cfg" / "windows.json")
    assert store.get("/a.html") is None
    store.put("/a.html", Geometry(900, 600, 10, 20))
    store.put("/b.html", Geometry(500, 400))
    assert store.get("/a.html") == Geometry(900, 600, 10, 20)
    assert store.get("/b.html") == Geometry(500, 400)


def test_position_is_dropped_when_its_screen_is_gone():
    on_second = Geometry(800, 600, 2000, 100)
    assert on_second.on_screens([(0, 0, 1920, 1080), (1920, 0, 1920, 1080)]) == on_second
    assert on_second.on_screens([(0, 0, 1920, 1080)]) == Geometry(800, 600)


def test_corrupt_file_is_ignored(tmp_path):
    path = tmp_path / "windows.json"
    path.write_text("{not json")
    store = GeometryStore(path)
    assert store.get("/a.html") is None
    store.put("/a.html", Geometry(1, 2))
    assert store.get("/a.html") == Geometry(1, 2)
