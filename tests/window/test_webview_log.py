"""pywebview's log through the app's console (desktop/window/webview_log.py)."""

from __future__ import annotations

import logging

import pytest

from desktop.window.webview_log import route_webview_log


@pytest.fixture
def webview_logger():
    """pywebview's logger, put back as it was after the test."""
    logger = logging.getLogger("pywebview")
    handlers, propagate, level = list(logger.handlers), logger.propagate, logger.level
    yield logger
    logger.handlers, logger.propagate = handlers, propagate
    logger.setLevel(level)


def _fail_in_webkit(logger: logging.Logger) -> None:
    """What pywebview's GTK evaluate_js logs when the page's renderer process has ended."""
    try:
        raise RuntimeError("WebKitJavascriptError: Unsupported result type (601)")
    except RuntimeError as exc:
        logger.exception(exc)


def test_an_error_is_one_warning_line_without_a_traceback(webview_logger, capsys):
    route_webview_log(debug=False)
    _fail_in_webkit(webview_logger)
    webview_logger.info("Using Qt 6.4.2")
    err = capsys.readouterr().err
    assert err.splitlines() == ["warning: pywebview: RuntimeError: WebKitJavascriptError: Unsupported result type (601)"]


def test_with_debug_the_traceback_and_information_show(webview_logger, capsys):
    route_webview_log(debug=True)
    webview_logger.setLevel(logging.DEBUG)  # what webview.start(debug=True) sets
    try:
        {}["gone"]
    except KeyError:
        webview_logger.exception("Error evaluating JavaScript")
    webview_logger.info("Using Qt 6.4.2")
    captured = capsys.readouterr()
    assert "warning: pywebview: Error evaluating JavaScript: KeyError: 'gone'" in captured.err
    assert "Traceback (most recent call last)" in captured.err and 'in test_with_debug' in captured.err
    assert "pywebview: Using Qt 6.4.2" in captured.out


def test_pywebviews_own_stderr_handler_is_replaced(webview_logger):
    import webview.platforms  # noqa: F401 - pywebview's modules, with their logger

    route_webview_log(debug=False)
    assert [type(h).__name__ for h in webview_logger.handlers] == ["_ToConsole"] and not webview_logger.propagate
