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
        ("http://127.0.0.1:1/other-app", True, Decision.EXTERNAL),
        ("http://localhost:23456/", True, Decision.EXTERNAL),  # another origin, even if the same server
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
