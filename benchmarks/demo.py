"""Time `triagelab demo` end to end, after the install, as a user runs it.

Usage: python benchmarks/demo.py [--runs N]

Each run is a fresh process into an empty output folder, so the time includes Python start,
imports, the build, grading and the papermill kernel that renders the report.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def machine() -> str:
    """Describe the processor and memory of this machine."""
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split()[1])
        memory = f", {kib / 2**20:.0f} GiB"
    cores = len([ln for ln in cpuinfo.read_text().splitlines() if ln.startswith("processor")])
    return f"{model}, {cores} cores{memory}, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="number of timed runs")
    args = parser.parse_args()
    repo = Path(__file__).resolve().parents[1]
    seconds = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "triagelab.cli", "-q", "demo", "--out", out],
                cwd=repo,
                check=True,
                capture_output=True,
            )
            seconds.append(time.perf_counter() - start)
    print(f"machine: {machine()}")
    print(f"runs: {', '.join(f'{s:.1f}' for s in seconds)} s")
    print(f"median: {statistics.median(seconds):.1f} s, max: {max(seconds):.1f} s")


if __name__ == "__main__":
    main()
