"""`--dist loadgroup` keeps an xdist_group on one worker (tests/xdist_groups.py): a real pytest-xdist run of
two workers over a generated suite, in which each test writes down the worker that ran it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent

SUITE = '''
import os, pytest
pytestmark = pytest.mark.xdist_group("builds")

@pytest.fixture(scope="session")
def build():
    with open(os.environ["GROUP_LOG"], "a") as log:
        log.write("build " + os.environ["PYTEST_XDIST_WORKER"] + "\\n")

@pytest.mark.parametrize("i", range(6))
def test_grouped(build, i):
    with open(os.environ["GROUP_LOG"], "a") as log:
        log.write("grouped " + os.environ["PYTEST_XDIST_WORKER"] + "\\n")
'''
OTHERS = '''
import os, time, pytest

@pytest.mark.parametrize("i", range(12))
def test_free(i):
    time.sleep(0.05)
    with open(os.environ["GROUP_LOG"], "a") as log:
        log.write("free " + os.environ["PYTEST_XDIST_WORKER"] + "\\n")
'''


def test_a_group_runs_on_one_worker_and_builds_its_session_fixture_once(tmp_path):
    (tmp_path / "conftest.py").write_text("def pytest_configure(config):\n    import xdist_groups\n"
                                          "    config.pluginmanager.register(xdist_groups, 'xdist_groups')\n")
    (tmp_path / "test_builds.py").write_text(SUITE)
    (tmp_path / "test_others.py").write_text(OTHERS)
    log = tmp_path / "log.txt"
    env = {**os.environ, "GROUP_LOG": str(log), "PYTHONPATH": str(TESTS)}
    for key in ("PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT", "PYTEST_XDIST_TESTRUNUID", "PYTEST_ADDOPTS"):
        env.pop(key, None)
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "2", "--dist", "loadgroup", "-p", "no:cacheprovider",
                             str(tmp_path)], cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    lines = [line.split() for line in log.read_text().splitlines()]
    builds = [worker for kind, worker in lines if kind == "build"]
    grouped = {worker for kind, worker in lines if kind == "grouped"}
    free = {worker for kind, worker in lines if kind == "free"}
    assert len(builds) == 1, f"the group's session fixture was built on {builds}"
    assert grouped == set(builds), (grouped, builds)
    assert free == {"gw0", "gw1"}, f"the other tests did not spread over both workers: {free}"
