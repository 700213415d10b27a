"""Keeps `xdist_group` tests on one worker under pytest 9.2 (`--dist loadgroup`).

pytest-xdist 3.8 groups tests by a suffix it appends to each marked test's id on the worker
(`...::test@packaging`), by assigning `item._nodeid`. pytest 9.2 keeps a node's id in `item._id`
instead, so that assignment does nothing: every group was spread over the workers like any other
test, the session's PyInstaller freeze and installers were made once per worker (two freezes, about
100 s each on the critical path), and the two `dpkg` tests could run at the same time. This puts the
suffix where pytest 9.2 reads it, exactly as xdist would; where xdist's own suffix took effect (other
pytest versions), it leaves the id alone.
"""

from __future__ import annotations

import pytest

__all__ = ["group_suffix", "pytest_collection_modifyitems"]


def group_suffix(item: pytest.Item) -> str:
    """The `@a_b` suffix xdist gives a test marked xdist_group("a") and ("b"); "" for an unmarked test."""
    names = {str(m.args[0] if m.args else m.kwargs.get("name", "default")) for m in item.iter_markers("xdist_group")}
    return "@" + "_".join(sorted(names)) if names else ""


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not getattr(config.option, "loadgroup", False):  # set on xdist's workers under --dist loadgroup only
        return
    from _pytest.nodeid import coerce_node_id

    for item in items:
        suffix = group_suffix(item)
        if suffix and not item.nodeid.endswith(suffix):
            item._id = coerce_node_id(item.nodeid + suffix)  # type: ignore[attr-defined]
