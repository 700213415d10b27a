"""Values written into desktop entries, Windows Startup batch files, LaunchAgents and control files.

Desktop entries are checked by the reference readers: GLib's `gio launch` runs the entry and
the started program records the argv it got, and `desktop-file-validate` checks the file.
The Windows and macOS formats are checked by their rules (no such machines here).
"""

from __future__ import annotations

import json
import plistlib
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import require

from desktop.entryformat import UnsafeValue, check_text, cmd_line, control_field, xdg_exec, xdg_string
from desktop.kiosk.autostart import MacLaunchAgent, WindowsStartup, XdgAutostart
from desktop.packaging.appconfig import load_app_config
from desktop.packaging.deb import DebInfo, _desktop_entry

ODD = ["a b", 'q"x', "$HOME", "`id`", "back\\slash", "trailing\\", "50%", "%f", "&;|<>*?#()~", "it's", "", "x=y", "ünï ✓"]
CONTROL = ["line\nExec=/bin/evil", "tab\there", "cr\rhere", "nul\x00", "del\x7f", "sep\u2028x", "bell\x07"]


def _launched_argv(tmp_path: Path, entry_text: str) -> list[str]:
    require(shutil.which("gio") is not None, "gio is not installed (libglib2.0-bin)")
    entry = tmp_path / "t.desktop"
    entry.write_text(entry_text)
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True, text=True)
        assert check.returncode == 0 and "error" not in check.stdout, check.stdout
    subprocess.run(["gio", "launch", str(entry)], check=True, timeout=30, capture_output=True)
    out = tmp_path / "argv.json"
    for _ in range(100):
        if out.exists() and out.stat().st_size:
            return json.loads(out.read_text())
        time.sleep(0.1)
    raise AssertionError("the launched program never wrote its argv")


def _recorder(tmp_path: Path) -> list[str]:
    script = tmp_path / "record.py"
    script.write_text("import json, sys\nopen(sys.argv[1] + '.tmp', 'w').write(json.dumps(sys.argv[2:]))\n"
                      "import os; os.replace(sys.argv[1] + '.tmp', sys.argv[1])\n")
    return [sys.executable, str(script), str(tmp_path / "argv.json")]


def test_xdg_exec_runs_exactly_the_arguments_under_glib(tmp_path):
    exec_line = xdg_exec(_recorder(tmp_path) + ODD)
    text = f"[Desktop Entry]\nType=Application\nName=T\nExec={exec_line}\n"
    assert _launched_argv(tmp_path, text) == ODD


def test_xdg_autostart_entry_runs_exactly_its_command_under_glib(tmp_path):
    path = XdgAutostart(tmp_path / "autostart").install(_recorder(tmp_path) + ["kiosk", "/k/my & kiosk;$(id)/kiosk.toml"])
    assert _launched_argv(tmp_path, path.read_text()) == ["kiosk", "/k/my & kiosk;$(id)/kiosk.toml"]


@pytest.mark.parametrize("bad", CONTROL)
def test_control_characters_never_reach_an_entry(tmp_path, bad):
    for write in (lambda: xdg_exec(["/bin/app", bad]), lambda: xdg_string(bad, "name"), lambda: cmd_line(["app.exe", bad]),
                  lambda: control_field(bad, "summary"), lambda: check_text(bad, "x")):
        with pytest.raises(UnsafeValue, match="control character"):
            write()
    for place in (XdgAutostart(tmp_path / "xdg"), WindowsStartup(tmp_path / "win"), MacLaunchAgent(tmp_path / "mac")):
        with pytest.raises(UnsafeValue):
            place.install(["/bin/app", "kiosk", f"/k/{bad}.toml"])
        assert not place.path.exists()


def test_xdg_string_escapes_backslashes():
    assert xdg_string("C:\\new\\table", "name") == "C:\\\\new\\\\table"
    assert xdg_string("Sales & Co; $x", "name") == "Sales & Co; $x"


def _cmd_unsafe_outside_quotes(line: str) -> str:
    """The cmd.exe metacharacters that appear outside double quotes in a line."""
    quoted, found = False, ""
    for c in line:
        if c == '"':
            quoted = not quoted
        elif not quoted and c in "&|<>^()":
            found += c
    return found


def _ms_argv(line: str) -> list[str]:
    """A command line split by the Microsoft C runtime's rules (backslashes before a quote)."""
    args, current, quoted, i, started = [], "", False, 0, False
    while i < len(line):
        c = line[i]
        if c == "\\":
            n = len(line[i:]) - len(line[i:].lstrip("\\"))
            if i + n < len(line) and line[i + n] == '"':
                current += "\\" * (n // 2)
                i += n
                if n % 2:
                    current += '"'
                    i += 1
                continue
            current += "\\" * n
            i += n
            continue
        if c == '"':
            quoted, started = not quoted, True
        elif c in " \t" and not quoted:
            if started or current:
                args.append(current)
            current, started = "", False
        else:
            current += c
        i += 1
    if started or current:
        args.append(current)
    return args


def test_windows_startup_line_needs_no_escapes_and_keeps_every_argument(tmp_path):
    args = ["C:\\Program Files\\App\\app.exe", "kiosk", "C:\\k\\a & b|c<d>e^f(g)\\", "100% sure", "C:\\trailing\\", "plain"]
    line = cmd_line(args)
    assert _cmd_unsafe_outside_quotes(line) == ""
    assert _ms_argv(line.replace("%%", "%")) == args  # cmd.exe turns %% into % in a batch file
    text = WindowsStartup(tmp_path).install(args).read_bytes().decode()
    assert text.startswith("@echo off\r\n") and text.count("\r\n") == 2 and f'start "" {line}' in text
    for refused in ('C:\\a"b', "wow!"):
        with pytest.raises(UnsafeValue):
            cmd_line(["app.exe", refused])


def test_launch_agent_keeps_every_argument(tmp_path):
    args = ["/Applications/My App.app/Contents/MacOS/app", "kiosk", "/k/<a> & 'b' \"c\" ünï.toml"]
    agent = MacLaunchAgent(tmp_path)
    plist = plistlib.loads(agent.install(args).read_bytes())
    assert plist["ProgramArguments"] == args


# -- desktop.toml values that reach a .deb's menu entry and control file ------------------------------


def _app(tmp_path: Path, toml: str) -> Path:
    app = tmp_path / "app"
    app.mkdir()
    (app / "index.html").write_text("<!doctype html><title>x</title>")
    (app / "desktop.toml").write_text(toml)
    return app


@pytest.mark.parametrize("toml", ['name = "Evil\\nExec=/bin/sh -c id"', 'name = "a\\rb"', 'packages = ["numpy\\nx"]',
                                  '[grants]\nread = ["/data\\u2028x"]', 'entry = "ind\\nex.html"'])
def test_desktop_toml_control_characters_are_config_errors(tmp_path, toml):
    from desktop.errors import ConfigError

    with pytest.raises(ConfigError) as caught:
        load_app_config(_app(tmp_path, toml))
    assert "desktop.toml" in caught.value.message and "control character" in caught.value.message


def test_name_given_on_the_command_line_is_checked_too(tmp_path):
    from desktop.errors import ConfigError

    with pytest.raises(ConfigError, match="control character"):
        load_app_config(_app(tmp_path, ""), name="Evil\nExec=/bin/sh")


def test_menu_entry_escapes_every_value(tmp_path):
    info = DebInfo(package="sales", name="Sales \\ Co & $x", version="1.0", executable="sales", summary="Sales `x` (PyScript)")
    text = _desktop_entry(info, open_with=False)
    lines = text.splitlines()
    assert lines.count("Exec=/usr/bin/sales") == 1 and sum(line.startswith("Exec=") for line in lines) == 1
    assert "Name=Sales \\\\ Co & $x" in lines
    with pytest.raises(UnsafeValue):
        _desktop_entry(DebInfo(package="s", name="S\nExec=/bin/evil", version="1", executable="s", summary="s"), open_with=False)
    if shutil.which("desktop-file-validate"):
        (tmp_path / "sales.desktop").write_text(text)
        check = subprocess.run(["desktop-file-validate", str(tmp_path / "sales.desktop")], capture_output=True, text=True)
        assert "error" not in check.stdout, check.stdout
