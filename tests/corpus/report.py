"""Prints the corpus pass table from the results tests/pages/test_corpus.py wrote.

    python tests/corpus/report.py [RESULTS_DIR]     (default: test-output/corpus/)

One row per page (the latest result of each), then the counts: passed, failed, and pages that
need the network or a person (not counted as failures).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

__all__ = ["table"]


def table(folder: Path) -> str:
    rows: dict[str, dict] = {}
    for file in sorted(folder.glob("results-*.jsonl")):
        for line in file.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                rows[row["page"]] = row
    out = ["| page | style | release | result | seconds |", "| --- | --- | --- | --- | --- |"]
    for row in sorted(rows.values(), key=lambda r: r["page"]):
        out.append(f"| {row['page']} | {row['style']} | {row['release']} | {row['result']} | {row['seconds']} |")
    passed = sum(r["result"] == "pass" for r in rows.values())
    needs = sum(r["result"].startswith("needs") for r in rows.values())
    broken = sum(r["result"].startswith("broken") for r in rows.values())
    failed = len(rows) - passed - needs - broken
    run = passed + failed
    share = f"{100 * passed / run:.0f} %" if run else "-"
    out.append("")
    out.append(f"{len(rows)} pages: {passed} pass, {failed} fail ({share} of those run); "
               f"{needs} need the network or a person, {broken} broken as published (not run).")
    return "\n".join(out)


if __name__ == "__main__":
    where = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "test-output" / "corpus"
    print(table(where))
