"""Time the weekly behaviour report end to end on a large build, kernel start included.

Usage: python benchmarks/weekly_report.py BUILT_DIR WEEK_START [--baseline-weeks N]

Prints the build's event count and the wall time of the papermill run: kernel start, the
report's reads and computation, and HTML rendering. Exits 1 when the run takes longer
than the 60-second target.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.dataset as pads

from triagelab.reports.runner import run_report

TARGET_SECONDS = 60.0


def count_events(root: Path) -> dict[str, int]:
    counts = {}
    for table in ("auth_events", "transactions", "tickets"):
        counts[table] = pads.dataset(root / "data" / table, partitioning="hive").count_rows()
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("built", type=Path)
    parser.add_argument("week_start")
    parser.add_argument("--baseline-weeks", default="1")
    parser.add_argument("--country", default="all")
    args = parser.parse_args()

    counts = count_events(args.built)
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        _, html = run_report(
            "weekly_behavior_shifts",
            {
                "dataset": str(args.built),
                "week_start": args.week_start,
                "baseline_weeks": args.baseline_weeks,
                "country": args.country,
            },
            Path(out),
        )
        elapsed = time.perf_counter() - started
        assert html is not None
    result = {
        "events": sum(counts.values()),
        "by_table": counts,
        "seconds": round(elapsed, 1),
        "target_seconds": TARGET_SECONDS,
        "within_target": elapsed <= TARGET_SECONDS,
        "python": platform.python_version(),
        "machine": platform.platform(),
    }
    print(json.dumps(result, indent=2))
    return 0 if result["within_target"] else 1


if __name__ == "__main__":
    sys.exit(main())
