"""The navigation policy of the window, as a pure function."""

from __future__ import annotations

import pytest

from desktop.window.links import Decision, NavigationPolicy

POLICY = NavigationPolicy("http://127.0.0.1:23456")


@pytest.mark.parametrize(
    "url, top, decision",
    [
        ("http://127.0.0.1:23456/chart.html", True, Decision.ALLOW),
        ("http://127.0.0.1:23456/sub/page.html?x=1#y", True, Decision.ALLOW),
        ("https://example.com/", True, Decision.EXTERNAL),
        ("http://example.com/x", True, Decision.EXTERNAL),
        ("http://127.0.0.1:1/other-app", True, Decision.REFUSE),  # another program here: not the web
        ("http://127.0.0.2:23456/", True, Decision.REFUSE),
        ("http://127.1:8000/?data", True, Decision.REFUSE),
        ("http://2130706433:8000/", True, Decision.REFUSE),
        ("http://0.0.0.0:8000/", True, Decision.REFUSE),
        ("http://[::1]:8000/", True, Decision.REFUSE),
        ("http://[::ffff:127.0.0.1]:8000/", True, Decision.REFUSE),
        ("http://localhost:23456/", True, Decision.REFUSE),  # another origin, even if the same server
        ("http://app.localhost/", True, Decision.REFUSE),
        ("file:///etc/passwd", True, Decision.REFUSE),
        ("smb://server/share", True, Decision.REFUSE),
        ("data:text/html,<h1>x</h1>", True, Decision.REFUSE),
        ("javascript:alert(1)", True, Decision.REFUSE),
        ("myapp://open", True, Decision.REFUSE),
        ("ftp://example.com/x", True, Decision.REFUSE),
        ("https:///no-host", True, Decision.REFUSE),
        ("about:blank", True, Decision.ALLOW),
        ("blob:http://127.0.0.1:23456/uuid", False, Decision.ALLOW),
        ("data:text/plain,x", False, Decision.ALLOW),
        ("blob:http://127.0.0.1:23456/uuid", True, Decision.REFUSE),
    ],
)
def test_navigation_policy(url, top, decision):
    assert POLICY.decide(url, top_level=top) is decision
