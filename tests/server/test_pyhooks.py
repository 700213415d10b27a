"""Which PyScript core a served page loads: the hooks and preload hints go to that one only."""

from __future__ import annotations

from desktop.server.pyhooks import core_url

OLD = "http://127.0.0.1:5/_runtime/pyscript-core/0.3.14/dist/core.js"
NEW = "http://127.0.0.1:5/_runtime/pyscript-core/0.5.12/dist/core.js"


def test_a_core_left_in_an_html_comment_is_not_the_page_s_core():
    """A page that moved to a newer release kept the old script commented out above the new one (as
    CoderDojoTrento/turtle-pyscript does): hooking the commented core ran two PyScripts in the page."""
    page = (f'<head><!--\n<link rel="stylesheet" href="x.css">\n<script type="module" src="{OLD}"></script>\n-->\n'
            f'<script type="module" src="{NEW}"></script></head>')
    assert core_url(page) == NEW
    assert core_url(f'<!-- <script type="module" src="{OLD}"></script> --><p>no PyScript</p>') == ""


def test_a_core_imported_by_a_module_script_or_named_first_is_found():
    assert core_url(f'<script type="module">import {{ hooks }} from "{OLD}";</script>') == OLD
    assert core_url(f'<script type="module" src="{OLD}"></script><script type="module" src="{NEW}"></script>') == OLD
    assert core_url("<p>no core</p>") == ""
