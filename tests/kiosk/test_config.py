"""kiosk.toml: every setting read and checked; mistakes refused with the line and the reason."""

from __future__ import annotations

import socket
import subprocess
import sys
from datetime import time
from pathlib import Path

import pytest
from conftest import PAGES, ROOT

from desktop.errors import ConfigError
from desktop.kiosk.config import Chord, load_config, parse_config

MAIN = str(PAGES.parent / "main.py")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    for name in ("a.html", "b.html"):
        (tmp_path / name).write_text(f"<!doctype html><title>{name}</title>", encoding="utf-8")
    (tmp_path / socket.gethostname().split(".")[0]).mkdir()
    (tmp_path / socket.gethostname().split(".")[0] / "index.html").write_text("<!doctype html><title>host</title>")
    (tmp_path / "data").mkdir()
    return tmp_path


def write(site: Path, text: str) -> Path:
    path = site / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def refused(site: Path, text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(write(site, text))
    return caught.value.message


def test_a_full_kiosk_toml_is_read(site):
    config = load_config(write(site, """
home = "a.html"
order = "shuffle"
reload_interval = 3600
watchdog_timeout = 20
screen = 1
hide_cursor_after = 5
keep_awake = false
idle_reset = 90
exit_chord = "Ctrl+Shift+F10"
exit_pin = "0042"
health_token = "0123456789abcdef0123"

[[pages]]
path = "a.html"
duration = 30

[[pages]]
path = "{hostname}/"
duration = 15.5
days = ["Mon", "friday"]
from = "08:00"
to = 18:30:00

[grants]
read = ["data"]
write = "data"

[restart]
delay = 2
max_delay = 30
crash_loop = 4
crash_window = 60
"""))
    assert config.home == site / "a.html"
    assert [p.path for p in config.pages] == [site / "a.html", site / socket.gethostname().split(".")[0] / "index.html"]
    second = config.pages[1]
    assert (second.duration, second.days, second.start, second.end) == (15.5, frozenset({0, 4}), time(8), time(18, 30))
    assert config.pages[0].days == frozenset() and config.pages[0].start is None
    assert (config.order, config.reload_interval, config.watchdog_timeout, config.screen) == ("shuffle", 3600, 20, 1)
    assert (config.hide_cursor_after, config.keep_awake, config.idle_reset) == (5, False, 90)
    assert config.exit_chord == Chord("f10", ctrl=True, shift=True) and str(config.exit_chord) == "Ctrl+Shift+F10"
    assert config.exit_pin == "0042" and config.health_token == "0123456789abcdef0123"
    assert config.grants_read == (site / "data",) and config.grants_write == (site / "data",)
    assert (config.restart.delay, config.restart.max_delay, config.restart.crash_loop, config.restart.crash_window) == (
        2, 30, 4, 60)


def test_a_page_target_is_a_one_page_kiosk_with_defaults(site):
    config = load_config(site / "a.html")
    assert config.home == site / "a.html" and [p.path for p in config.pages] == [site / "a.html"]
    assert config.source is None and config.watchdog_timeout == 30 and config.reload_interval == 6 * 3600
    assert str(config.exit_chord) == "Ctrl+Alt+Shift+Q" and config.exit_pin is None
    assert load_config(site / socket.gethostname().split(".")[0]).home.name == "index.html"  # a folder: its index.html


def test_home_defaults_to_the_first_page_and_zero_turns_things_off(site):
    config = load_config(write(site, 'reload_interval = 0\nidle_reset = 0\nhide_cursor_after = 0\n\n'
                                     '[[pages]]\npath = "b.html"\n\n[[pages]]\npath = "a.html"\n'))
    assert config.home == site / "b.html"
    assert (config.reload_interval, config.idle_reset, config.hide_cursor_after) == (None, None, None)


def test_malformed_toml_names_the_line_and_the_reason(site):
    message = refused(site, 'home = "a.html"\nwatchdog_timeout = 10\nscreen 1\n')
    assert "kiosk.toml line 3:" in message and "Expected '='" in message


@pytest.mark.parametrize(("text", "line", "reason"), [
    ('home = "a.html"\nwatchdog_timeout = "ten"\n', 2, 'watchdog_timeout must be a number of seconds, not a string'),
    ('home = "a.html"\nwatchdog_timeout = 1\n', 2, "watchdog_timeout must be from 3 to 3600 seconds, not 1"),
    ('home = "a.html"\nreload_interval = -5\n', 2, "reload_interval must be 0 (off) or from 1 to 604800 seconds, not -5"),
    ('home = "a.html"\nwatchdog_timout = 10\n', 2, "unknown key 'watchdog_timout' (did you mean 'watchdog_timeout'?)"),
    ('home = "missing.html"\n', 1, "the page missing.html does not exist"),
    ('home = "a.html"\n\n[[pages]]\npath = "a.html"\n\n[[pages]]\npath = "b.html"\ndays = ["mon", "someday"]\n', 8,
     "days: 'someday' is not a day"),
    ('home = "a.html"\n[[pages]]\npath = "a.html"\nfrom = "25:00"\n', 4, 'from must be a time of day like "08:30"'),
    ('home = "a.html"\n[[pages]]\npath = "a.html"\nfrom = "09:00"\nto = "09:00"\n', 5, "from and to are the same time"),
    ('home = "a.html"\n[[pages]]\nduration = 5\n', 2, "this [[pages]] table has no path"),
    ('home = "a.html"\n[[pages]]\npath = "a.html"\nlength = 5\n', 4, "unknown key 'length' in [pages]"),
    ('home = "a.html"\nexit_pin = "12"\n', 2, "exit_pin must be 4 to 12 digits"),
    ('home = "a.html"\nexit_chord = "Shift+Q"\n', 2, "needs Ctrl, Alt or Meta"),
    ('home = "a.html"\nexit_chord = "Hyper+Q"\n', 2, "'Hyper' in 'Hyper+Q' is not a modifier"),
    ('home = "a.html"\norder = "random"\n', 2, 'order must be "sequence" or "shuffle"'),
    ('home = "a.html"\nkeep_awake = "yes"\n', 2, "keep_awake must be true or false"),
    ('home = "{site}/a.html"\n', 1, "home: unknown placeholder {site} (known: {hostname}, {user}"),
    ('home = "a.html"\n\n[grants]\nread = ["nowhere"]\n', 4, "grants.read: nowhere does not exist"),
    ('home = "a.html"\n\n[restart]\ndelay = 10\nmax_delay = 5\n', 5, "max_delay must not be shorter than delay"),
    ('home = "a.html"\n\n[restart]\ncrash_loop = 0\n', 4, "crash_loop must be a number of crashes"),
    ('home = "a.html"\n\n[restart]\ncrash_loop = 100000000000\n', 4, "crash_loop must be a number of crashes from 1 to 1000"),
    ('home = "a.html"\nscreen = 99999999999999\n', 2, "screen must be a screen number (0 is the first) from 0 to 63"),
    ('order = "sequence"\n', None, "no pages"),
])
def test_bad_values_are_refused_with_line_and_reason(site, text, line, reason):
    """Every kind of mistake, with the line it is on."""
    message = refused(site, text)
    assert reason in message
    if line is not None:
        assert f"kiosk.toml line {line}: " in message


def test_a_page_that_is_not_html_is_refused(site):
    (site / "notes.txt").write_text("x")
    assert "notes.txt is not an .html page" in refused(site, 'home = "notes.txt"\n')


def test_the_command_refuses_a_malformed_file_before_starting_anything(site, tmp_path):
    path = write(site, 'home = "a.html"\n\n[[pages]]\npath = "a.html"\nduration = "long"\n')
    log = tmp_path / "kiosk.log"
    result = subprocess.run([sys.executable, MAIN, "kiosk", str(path), "--log", str(log)], capture_output=True,
                            text=True, timeout=60, env={"PATH": "/usr/bin:/bin", "PYSCRIPT_DESKTOP_HOME": str(tmp_path / "h")})
    assert result.returncode == 2
    assert f"{path} line 5: duration must be a number of seconds, not a string" in result.stderr
    assert "Traceback" not in result.stderr
    assert not log.exists()  # nothing started, nothing logged


def test_parse_config_works_on_text(site):
    config = parse_config('home = "a.html"\n', site / "kiosk.toml")
    assert config.home == site / "a.html"


def test_the_example_kiosk_file_is_valid():
    config = load_config(PAGES / "kiosk.example.toml")
    assert config.home == PAGES / "chart.html"
    assert [p.path.name for p in config.pages] == ["chart.html", "table.html", "hello.html"]


NUMBER_KEYS = [(None, "reload_interval"), (None, "watchdog_timeout"), (None, "hide_cursor_after"), (None, "idle_reset"),
               ("pages", "duration"), ("restart", "delay"), ("restart", "max_delay"), ("restart", "crash_window")]


@pytest.mark.parametrize("table, key", NUMBER_KEYS)
@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e300", "1e-300", "-0.5"])
def test_every_duration_is_finite_and_within_its_bounds(site, table, key, value):
    """A `nan` watchdog never fires and 1e300 seconds crashed the rotation: each is refused on its line."""
    from desktop.kiosk.config import BOUNDS

    least, most = BOUNDS[key]
    head = 'home = "a.html"\n'
    body = {None: f"{key} = {value}\n", "pages": f'[[pages]]\npath = "a.html"\n{key} = {value}\n',
            "restart": f"[restart]\n{key} = {value}\n"}[table]
    message = refused(site, head + body)
    line = head.count("\n") + body.count("\n")
    assert f"kiosk.toml line {line}: {key} must be" in message and f"{least:g} to {most:g} seconds" in message, message


@pytest.mark.parametrize("table, key", NUMBER_KEYS)
def test_the_bounds_themselves_are_accepted(site, table, key):
    from desktop.kiosk.config import BOUNDS

    for value in BOUNDS[key]:
        if key == "max_delay" and value < 1:
            continue  # max_delay must not be shorter than the default delay of 1 s
        body = {None: f"{key} = {value}\n", "pages": f'[[pages]]\npath = "a.html"\n{key} = {value}\n',
                "restart": f"[restart]\n{key} = {value}\n" + {"max_delay": "delay = 0.1\n", "delay": "max_delay = 86400\n"}.get(key, "")}[table]
        load_config(write(site, 'home = "a.html"\n' + body))


def test_bounds_are_documented_where_people_read():
    """README's kiosk section and the example kiosk.toml state the same bounds as the code."""
    from desktop.kiosk.config import BOUNDS

    readme = (ROOT / "README.md").read_text()
    kiosk_section = readme[readme.index("### Kiosk mode"):]
    kiosk_section = kiosk_section[: kiosk_section.index("\n### ", 5)]
    example = (ROOT / "pages" / "kiosk.example.toml").read_text()
    for key, (least, most) in BOUNDS.items():
        stated = f"{key}` | {least:g} to {most:g}"
        assert stated in kiosk_section, f"README's kiosk section does not state {stated!r}"
        assert f"{key}: {least:g} to {most:g}" in example, f"kiosk.example.toml does not state {key}'s bounds"
