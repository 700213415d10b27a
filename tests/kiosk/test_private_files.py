"""What the kiosk and the bridge write for this user alone: the health file (its token), the kiosk
log and the bridge audit log are 0600, even where an older version left a 0644 file."""

from __future__ import annotations

import json
import os
import stat
import types
from pathlib import Path

import pytest

from desktop.bridge.audit import AuditLog
from desktop.kiosk.log import EventLog
from desktop.kiosk.runner import KioskRunner, health_file
from desktop.settings import Settings

pytestmark = pytest.mark.skipif(not hasattr(os, "fchmod"), reason="POSIX file modes")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _runner(settings: Settings, token: str) -> object:
    """What _write_health_file reads of a running kiosk (its window's server origin, its token)."""
    server = types.SimpleNamespace(origin="http://127.0.0.1:23456")
    return types.SimpleNamespace(settings=settings, health_token=token, window=types.SimpleNamespace(server=server))


def test_health_file_is_replaced_by_a_private_one(app_home, tmp_path):
    settings = Settings.from_env()
    path = health_file(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"token": "old"}')
    path.chmod(0o644)  # as an older version left it
    KioskRunner._write_health_file(_runner(settings, "new-token"))
    assert mode(path) == 0o600
    assert json.loads(path.read_text())["token"] == "new-token"
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".kiosk-health-")] == []


def test_health_file_never_writes_through_a_planted_symlink(app_home, tmp_path):
    settings = Settings.from_env()
    path = health_file(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text("untouched")
    path.symlink_to(elsewhere)
    KioskRunner._write_health_file(_runner(settings, "tok"))
    assert elsewhere.read_text() == "untouched" and not path.is_symlink() and mode(path) == 0o600


def test_kiosk_log_is_private(tmp_path):
    fresh = tmp_path / "fresh" / "kiosk.log"
    EventLog(fresh).write("start")
    assert mode(fresh) == 0o600
    old = tmp_path / "kiosk.log"
    old.write_text("")
    old.chmod(0o644)
    EventLog(old).write("start")
    assert mode(old) == 0o600 and json.loads(old.read_text())["event"] == "start"


def test_bridge_audit_log_is_private(tmp_path):
    log = AuditLog(tmp_path / "fresh")
    log.record(op="read", outcome="ok", path="/x")
    assert mode(log.path) == 0o600
    old = AuditLog(tmp_path / "old")
    old.path.parent.mkdir()
    old.path.write_text("")
    old.path.chmod(0o644)
    old.record(op="read", outcome="ok", path="/y")
    assert mode(old.path) == 0o600 and old.entries()[0]["path"] == "/y"
