"""The second runtime pair (PyScript 0.7.31 + Pyodide 314.0.7): core and pure-Python packages offline."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import require

pytestmark = pytest.mark.e2e

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "latest"


def test_latest_pair_runs_python_314_with_a_pure_python_package(bundle, serve, browser_page):
    pair = bundle.manifest.pair("latest")
    require(bundle.is_installed(pair), "latest pair not fetched: python main.py runtime fetch --pair latest")
    server = serve(FIXTURE, pair="latest")
    run = browser_page(server.url)
    run.wait_for_text("latest pair: Python 3.14")
    run.wait_for_text("micropip 0.11.1")
    run.wait_for_text("latest MicroPython works")
    assert run.errors == []
