"""The supervisor with real child processes: restarts with capped, doubling delays, a crash loop stops it."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

from desktop.kiosk.config import RestartPolicy
from desktop.kiosk.log import EventLog, read_events
from desktop.kiosk.supervisor import EXIT_CRASH_LOOP, Backoff, Supervisor
from desktop.kiosk.watchdog import Watchdog


def test_backoff_doubles_caps_and_detects_a_crash_loop():
    backoff = Backoff(RestartPolicy(delay=1, max_delay=5, crash_loop=6, crash_window=100))
    assert [backoff.crashed(t) for t in range(5)] == [1, 2, 4, 5, 5]
    assert backoff.crashed(5) is None  # the sixth within 100 s


def test_crashes_long_ago_are_forgiven():
    backoff = Backoff(RestartPolicy(delay=1, max_delay=60, crash_loop=3, crash_window=10))
    assert backoff.crashed(0) == 1 and backoff.crashed(1) == 2
    assert backoff.crashed(500) == 1  # a kiosk that ran fine for a while starts over


def test_watchdog_counts_silence_from_the_last_beat_or_load():
    now = [100.0]
    dog = Watchdog(timeout=5, clock=lambda: now[0])
    now[0] = 104
    assert not dog.expired()
    now[0] = 106
    assert dog.expired()
    dog.beat()
    now[0] = 110
    assert not dog.expired()
    now[0] = 112
    assert dog.expired()
    dog.rearm()  # a reload was asked for: full timeout again
    assert not dog.expired() and dog.silent_for() == 0


def test_event_log_lines_are_json_with_time_and_event_and_rotate(tmp_path):
    log = EventLog(tmp_path / "logs" / "kiosk.log", max_bytes=400)
    for i in range(12):
        log.write("page_shown", page=f"p{i}.html")
    records = read_events(log.path)
    assert records and all({"time", "event", "pid", "page"} <= set(r) for r in records)
    assert records[-1]["page"] == "p11.html"
    assert (tmp_path / "logs" / "kiosk.log.1").exists() and log.path.stat().st_size < 400 + 200
    try:
        log.write("something_else")
    except ValueError:
        pass
    else:
        raise AssertionError("unknown events are refused")


def _child(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def test_a_dying_app_is_restarted_with_backoff_then_a_crash_loop_stops(tmp_path):
    log = EventLog(tmp_path / "kiosk.log")
    policy = RestartPolicy(delay=0.2, max_delay=0.5, crash_loop=4, crash_window=60)
    starts = tmp_path / "starts"
    code = f"import os,sys; open({str(starts)!r}, 'a').write(sys.argv[1] + '\\n'); os.kill(os.getpid(), 9)"
    supervisor = Supervisor(lambda restarts: [*_child(code), str(restarts)], policy, log, start_fields={"target": "x"})
    began = time.monotonic()
    assert supervisor.run() == EXIT_CRASH_LOOP
    took = time.monotonic() - began
    events = [r["event"] for r in read_events(log.path)]
    assert events == ["start", "app_restart", "app_restart", "app_restart", "crash_loop", "exit"]
    restarts = [r for r in read_events(log.path) if r["event"] == "app_restart"]
    assert [r["delay_s"] for r in restarts] == [0.2, 0.4, 0.5]  # doubled, capped at max_delay
    assert all(r["exit_code"] == -signal.SIGKILL for r in restarts)
    assert starts.read_text().split() == ["0", "1", "2", "3"]  # the child learns how often it was restarted
    assert took >= 0.2 + 0.4 + 0.5
    loop = read_events(log.path)[-2]
    assert loop["crashes"] == 4 and loop["within_s"] == 60


def test_exit_code_zero_is_the_exit_chord_and_ends_the_kiosk(tmp_path):
    log = EventLog(tmp_path / "kiosk.log")
    supervisor = Supervisor(lambda restarts: _child("raise SystemExit(0)"), RestartPolicy(), log)
    assert supervisor.run() == 0
    assert [(r["event"], r.get("reason")) for r in read_events(log.path)] == [("start", None), ("exit", "exit chord")]


def test_a_window_closed_without_the_chord_is_restarted(tmp_path):
    log = EventLog(tmp_path / "kiosk.log")
    marker = tmp_path / "second"
    code = f"import os; p={str(marker)!r}; ok=os.path.exists(p); open(p,'w').close(); raise SystemExit(0 if ok else 3)"
    assert Supervisor(lambda r: _child(code), RestartPolicy(delay=0.1), log).run() == 0
    restart = [r for r in read_events(log.path) if r["event"] == "app_restart"]
    assert len(restart) == 1 and restart[0]["reason"] == "window closed"


def test_sigterm_stops_the_app_and_the_supervisor(tmp_path):
    log = EventLog(tmp_path / "kiosk.log")
    ready = tmp_path / "ready"
    code = f"import time; open({str(ready)!r}, 'w').write('x'); time.sleep(600)"
    supervisor = Supervisor(lambda r: _child(code), RestartPolicy(), log)

    def stop_when_ready() -> None:  # (signal handlers live on the main thread, so the supervisor runs there)
        deadline = time.monotonic() + 30
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGTERM)

    saved = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}
    threading.Thread(target=stop_when_ready, daemon=True).start()
    try:
        assert supervisor.run() == 0
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)
    last = read_events(log.path)[-1]
    assert last["event"] == "exit" and last["reason"] == "stopped by SIGTERM" and last["app_exit_code"] == -signal.SIGTERM
