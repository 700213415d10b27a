"""Start at login: the real command writes and removes the XDG entry; the Windows and macOS writers' files."""

from __future__ import annotations

import configparser
import os
import plistlib
import shutil
import subprocess
import sys

from conftest import PAGES, require

from desktop.kiosk.autostart import MacLaunchAgent, WindowsStartup, XdgAutostart

MAIN = str(PAGES.parent / "main.py")


def kiosk(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, MAIN, "kiosk", *args], env=env, capture_output=True, text=True, timeout=60)


def test_install_and_uninstall_an_xdg_autostart_entry(tmp_path):
    site = tmp_path / "my kiosk"  # a space, to check the quoting
    site.mkdir()
    (site / "kiosk.toml").write_text('home = "board.html"\nexit_pin = "1234"\n')
    (site / "board.html").write_text("<!doctype html><title>board</title>")
    data = tmp_path / "data"
    data.mkdir()
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"), "PYSCRIPT_DESKTOP_HOME": str(tmp_path / "home")}
    result = kiosk(env, "--install-autostart", str(site / "kiosk.toml"), "--allow-read", str(data))
    assert result.returncode == 0, result.stderr
    entry = tmp_path / "config" / "autostart" / "pyscript-desktop-kiosk.desktop"
    assert str(entry) in result.stdout
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(entry)
    desktop = parser["Desktop Entry"]
    assert desktop["Type"] == "Application" and desktop["Terminal"] == "false"
    command = exec_args(desktop["Exec"])
    assert command[:5] == [sys.executable, MAIN, "kiosk", str(site / "kiosk.toml"), "--log"]
    assert command[6:] == ["--allow-read", str(data)]
    require(shutil.which("desktop-file-validate") is not None, "desktop-file-validate is not installed (desktop-file-utils)")
    check = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True, text=True, timeout=60)
    assert check.returncode == 0 and not check.stdout.strip(), check.stdout + check.stderr

    result = kiosk(env, "--uninstall-autostart")
    assert result.returncode == 0 and not entry.exists() and str(entry) in result.stdout
    assert "no kiosk autostart entry" in kiosk(env, "--uninstall-autostart").stdout


def test_autostart_of_a_malformed_kiosk_is_refused(tmp_path):
    (tmp_path / "kiosk.toml").write_text("home = \n")
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"), "PYSCRIPT_DESKTOP_HOME": str(tmp_path / "home")}
    result = kiosk(env, "--install-autostart", str(tmp_path / "kiosk.toml"))
    assert result.returncode == 2 and "line 1" in result.stderr
    assert not (tmp_path / "config" / "autostart").exists()


def test_a_target_is_needed(tmp_path):
    result = kiosk({**os.environ, "PYSCRIPT_DESKTOP_HOME": str(tmp_path)})
    assert result.returncode == 2 and "kiosk needs a TARGET" in result.stderr


def test_windows_startup_and_macos_launch_agent_files(tmp_path):
    command = ["C:\\Program Files\\PyScript Desktop\\app.exe", "kiosk", "C:\\kiosk\\100% kiosk.toml"]
    path = WindowsStartup(tmp_path / "Startup").install(command)
    text = path.read_text()
    assert path.name == "pyscript-desktop-kiosk.cmd"
    assert '"C:\\Program Files\\PyScript Desktop\\app.exe" kiosk "C:\\kiosk\\100%% kiosk.toml"' in text
    assert WindowsStartup(tmp_path / "Startup").uninstall() == path and not path.exists()

    agent = MacLaunchAgent(tmp_path / "LaunchAgents")
    plist = plistlib.loads(agent.install(["/Applications/PyScript Desktop.app/Contents/MacOS/app", "kiosk", "/k.toml"])
                           .read_bytes())
    assert plist["ProgramArguments"][1:] == ["kiosk", "/k.toml"] and plist["RunAtLoad"] is True
    assert plist["Label"] == agent.label and agent.path.name == f"{agent.label}.plist"
    assert agent.uninstall() == agent.path and agent.uninstall() is None


def test_xdg_exec_quoting_round_trips(tmp_path):
    odd = ["/opt/py 3/python", "main.py", "kiosk", '/k/"quoted" $HOME `x` 50%.toml']
    path = XdgAutostart(tmp_path).install(odd)
    exec_line = next(line for line in path.read_text().splitlines() if line.startswith("Exec="))[5:]
    assert exec_args(exec_line) == odd


def exec_args(line: str) -> list[str]:
    """Split an Exec= value as the Desktop Entry Specification says a launcher does."""
    args, current, quoted, i, started = [], "", False, 0, False
    while i < len(line):
        c = line[i]
        if quoted and c == "\\" and i + 1 < len(line) and line[i + 1] in '"`$\\':
            current, i = current + line[i + 1], i + 2
            continue
        if c == '"':
            quoted, started = not quoted, True
        elif c == " " and not quoted:
            if started or current:
                args.append(current)
            current, started = "", False
        elif c == "%" and i + 1 < len(line) and line[i + 1] == "%":
            current, i = current + "%", i + 1
        else:
            current += c
        i += 1
    if started or current:
        args.append(current)
    return args
