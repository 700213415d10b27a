"""script_json, the one way a value goes into an inline <script>: a page's own text (a folder name, a
package name, Python code) can never end the element, whatever it holds."""

from __future__ import annotations

import json
import re

from hypothesis import given
from hypothesis import strategies as st

from desktop.server.inject import script_json
from desktop.settings import app_root

HOSTILE = ["</script><script>alert(1)</script>", "<!--", "-->", "a & b", "</SCRIPT >", "<\u2028>"]


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=12))
def test_any_value_round_trips_and_holds_no_markup(value):
    text = script_json(value)
    assert not re.search(r"[<>&]", text)
    assert json.loads(text) == value


def test_hostile_strings_stay_inside_the_element():
    for value in HOSTILE:
        snippet = f"<script>window.x={script_json(value)};</script>"
        assert snippet.lower().count("</script") == 1  # only the element's own end tag
        assert "<!--" not in snippet[len("<script>"):]


def test_nothing_else_escapes_json_for_scripts_by_hand():
    """The escape lives in one place: a hand-made `.replace("<", "\\u003c")` elsewhere fails here."""
    package = app_root() / "desktop"
    found = []
    for path in sorted(package.rglob("*.py")):
        if path == package / "server" / "inject.py" or "static" in path.relative_to(package).parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "u003c" in line:
                found.append(f"{path.relative_to(package.parent)}:{number}")
    assert not found, "use desktop.server.inject.script_json: " + ", ".join(found)
