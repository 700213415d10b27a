"""Which page is on screen: days, time windows (across midnight too), durations, order and shuffle."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.kiosk.config import PageEntry
from desktop.kiosk.schedule import Rotation, is_active

HOME = Path("/k/home.html")
MONDAY = datetime(2026, 11, 23, 12, 0)  # a Monday, noon


def page(name: str, **kw) -> PageEntry:
    return PageEntry(Path(f"/k/{name}.html"), **kw)


def test_time_windows_and_days():
    office = page("office", days=frozenset({0, 1, 2, 3, 4}), start=time(8), end=time(18))
    assert is_active(office, MONDAY)
    assert not is_active(office, MONDAY.replace(hour=7, minute=59))
    assert not is_active(office, MONDAY.replace(hour=18))  # `to` is exclusive
    assert not is_active(office, MONDAY + timedelta(days=5))  # Saturday
    night = page("night", days=frozenset({4}), start=time(22), end=time(2))  # Friday night, across midnight
    friday = MONDAY + timedelta(days=4)
    assert is_active(night, friday.replace(hour=23))
    assert is_active(night, (friday + timedelta(days=1)).replace(hour=1, minute=30))  # Saturday 01:30 is Friday's night
    assert not is_active(night, (friday + timedelta(days=1)).replace(hour=2))
    assert not is_active(night, friday.replace(hour=1))  # Friday 01:30 belongs to Thursday night
    assert is_active(page("from", start=time(9)), MONDAY) and not is_active(page("to", end=time(9)), MONDAY)


def test_sequence_rotates_on_durations_and_wraps():
    rotation = Rotation([page("a", duration=10), page("b", duration=20), page("c", duration=5)], HOME)
    now = MONDAY
    shown = [rotation.tick(now).path.stem]
    for _ in range(60):
        now += timedelta(seconds=1)
        choice = rotation.tick(now)
        if choice:
            shown.append(f"{choice.path.stem}@{(now - MONDAY).seconds}")
    assert shown == ["a", "b@10", "c@30", "a@35", "b@45"]


def test_a_duration_counts_from_when_the_page_appeared():
    rotation = Rotation([page("a", duration=10), page("b", duration=10)], HOME)
    rotation.tick(MONDAY)
    rotation.shown(MONDAY + timedelta(seconds=3))  # a slow first load
    assert rotation.tick(MONDAY + timedelta(seconds=12)) is None
    assert rotation.tick(MONDAY + timedelta(seconds=13)).path.stem == "b"


def test_a_single_page_with_a_duration_stays_without_reloading():
    rotation = Rotation([page("a", duration=5)], HOME)
    assert rotation.tick(MONDAY).path.stem == "a"
    assert all(rotation.tick(MONDAY + timedelta(seconds=s)) is None for s in range(1, 30))


def test_outside_every_window_the_home_page_shows_until_a_page_is_due():
    rotation = Rotation([page("morning", start=time(6), end=time(10))], HOME)
    evening = MONDAY.replace(hour=20)
    assert rotation.tick(evening).path == HOME
    assert rotation.tick(evening + timedelta(hours=1)) is None
    assert rotation.tick(MONDAY.replace(hour=6) + timedelta(days=1)).path.stem == "morning"
    assert rotation.tick(MONDAY.replace(hour=10) + timedelta(days=1)).path == HOME  # its window closed


def test_a_page_leaving_its_window_is_replaced_at_once():
    rotation = Rotation([page("lunch", start=time(12), end=time(13)), page("always", duration=60)], HOME)
    assert rotation.tick(MONDAY.replace(hour=12, minute=59)).path.stem == "lunch"
    assert rotation.tick(MONDAY.replace(hour=13)).path.stem == "always"


def test_shuffle_never_shows_the_same_page_twice_in_a_row():
    rotation = Rotation([page(n, duration=1) for n in "abcd"], HOME, "shuffle", random.Random(7))
    now, shown = MONDAY, []
    for _ in range(200):
        choice = rotation.tick(now)
        if choice:
            shown.append(choice.path.stem)
        now += timedelta(seconds=1)
    assert len(shown) == 200 and set(shown) == set("abcd")
    assert all(x != y for x, y in zip(shown, shown[1:]))


clock_times = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))
entries = st.builds(
    lambda name, days, start, end, duration: page(name, days=frozenset(days), start=start, end=end if end != start else None,
                                                   duration=duration),
    st.sampled_from(list("abcdef")), st.sets(st.integers(0, 6), max_size=3), st.none() | clock_times,
    st.none() | clock_times, st.none() | st.integers(1, 3600))


@settings(max_examples=150, deadline=None)
@given(st.lists(entries, min_size=1, max_size=5), st.lists(st.integers(1, 7200), min_size=1, max_size=40),
       st.sampled_from(["sequence", "shuffle"]))
def test_what_shows_is_always_a_page_in_its_window_or_home(pages, steps, order):
    rotation = Rotation(pages, HOME, order, random.Random(1))
    now = MONDAY
    for step in steps:
        rotation.tick(now)
        current = rotation.current
        assert current is not None
        if current.index is None:
            assert current.path == HOME and not any(is_active(p, now) for p in pages)
        else:
            assert is_active(pages[current.index], now)
        now += timedelta(seconds=step)
