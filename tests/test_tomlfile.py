"""desktop/tomlfile.py, the one TOML reader: real files in a temp folder, errors that name the line."""

from __future__ import annotations

import pytest

from desktop.errors import ConfigError
from desktop.tomlfile import TomlFile

TEXT = """\
title = "x"

[[pages]]
path = "a.html"

[[pages]]
# a comment
"path" = "b.html"
days = ["mon"]

[restart]
delay = 2
"""


def test_a_syntax_error_names_the_line_and_column(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_text('home = "a.html"\nscreen 1\n')
    with pytest.raises(ConfigError) as raised:
        TomlFile.read(path, outcome="nothing was started")
    assert raised.value.message.startswith(f"{path} line 2: ")
    assert "(column 8)" in raised.value.message
    assert raised.value.hint == "Fix the TOML syntax there; nothing was started."


def test_a_file_that_stops_mid_value_names_its_last_line(tmp_path):
    with pytest.raises(ConfigError) as raised:
        TomlFile.parse('home = "a.html"\nscreen =', tmp_path / "kiosk.toml", outcome="nothing was started")
    assert raised.value.message.endswith("kiosk.toml line 2: Invalid value (the file ends there).")


def test_an_unreadable_file_is_a_config_error(tmp_path):
    path = tmp_path / "desktop.toml"
    path.write_bytes(b'name = "\xff\xfe"\n')  # not UTF-8
    with pytest.raises(ConfigError, match="could not be read") as raised:
        TomlFile.read(path, outcome="nothing was built")
    assert "UTF-8" in raised.value.hint


def test_values_are_found_at_their_line(tmp_path):
    toml = TomlFile.parse(TEXT, tmp_path / "kiosk.toml", outcome="nothing was started")
    assert toml.data["pages"][1]["path"] == "b.html"
    assert toml.line_of(None, key="title") == 1
    assert toml.line_of("pages", 0, "path") == 4
    assert toml.line_of("pages", 1, "path") == 8  # quoted key, second [[pages]]
    assert toml.line_of("pages", 1) == 6  # the table's header
    assert toml.line_of("restart", 0, "delay") == 12
    assert toml.line_of("restart", 0, "max_delay") is None
    error = toml.fail("days: 'x' is not a day", "pages", 1, "days")
    assert error.message == f"{tmp_path / 'kiosk.toml'} line 9: days: 'x' is not a day."
    assert error.hint == "Fix that in kiosk.toml; nothing was started."


@pytest.mark.parametrize(("table", "index", "bad", "expected"), [
    (None, 0, {"titel": 1}, "line 1: unknown key 'titel' (did you mean 'title'?)"),
    ("restart", 0, {"dealy": 1}, "line 12: unknown key 'dealy' in [restart] (did you mean 'delay'?)"),
    ("pages", 1, {"zzz": 1}, "unknown key 'zzz' in [pages] (known: days, path)"),
])
def test_unknown_keys_suggest_the_nearest_known_one(tmp_path, table, index, bad, expected):
    text = TEXT.replace("title", "titel").replace("delay = 2", "dealy = 2")
    toml = TomlFile.parse(text, tmp_path / "kiosk.toml", outcome="nothing was started")
    known = {"title": {"title", "pages", "restart"}, "restart": {"delay", "max_delay"}, "pages": {"path", "days"}}
    with pytest.raises(ConfigError) as raised:
        toml.unknown(bad, known["title" if table is None else table], table, index)
    assert expected in raised.value.message
