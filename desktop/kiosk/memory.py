"""Memory of a process and everything it started (the webview's renderer and GPU processes too).

PSS (proportional set size, from /proc/PID/smaps_rollup) counts shared pages
once across the tree, so the sum is what the kiosk really costs. Elsewhere,
the best the standard library offers: this process's peak RSS.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["process_tree", "tree_pss_kib", "memory_kib", "PROC"]

PROC = Path("/proc")


def process_tree(root: int) -> list[int]:
    """`root` and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    tree, stack = [], [root]
    while stack:
        pid = stack.pop()
        tree.append(pid)
        stack.extend(children.get(pid, []))
    return tree


def _pss_kib(pid: int) -> int:
    try:
        for line in (PROC / str(pid) / "smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def tree_pss_kib(root: int | None = None) -> dict[int, int]:
    """PSS in KiB of each process in the tree under `root` (default: this process)."""
    return {pid: _pss_kib(pid) for pid in process_tree(root or os.getpid())}


def memory_kib(root: int | None = None) -> dict[str, int]:
    """{"pss_kib": total, "processes": n} on Linux; {"max_rss_kib": ...} elsewhere ({} on Windows)."""
    if (PROC / "self" / "smaps_rollup").exists():
        sizes = tree_pss_kib(root)
        return {"pss_kib": sum(sizes.values()), "processes": len(sizes)}
    try:
        import resource
    except ImportError:  # Windows
        return {}
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"max_rss_kib": peak // 1024 if sys.platform == "darwin" else peak}
