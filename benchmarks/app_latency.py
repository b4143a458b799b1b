"""Time the trainee app in chromium: server start to first case, and opening the next case.

Builds `benchmarks/app_50_cases.yaml`, serves it with `triagelab app` on a free loopback
port, and drives Debian's chromium with Playwright. "Next case" is timed from the click on
Next until the profile card of the next case is in the page, and separately until its
timeline chart has arrived.

Usage: python benchmarks/app_latency.py [--out DIR] [--rounds N]
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from triagelab.scenarios import load_scenario
from triagelab.synthetic.build import build_dataset

HERE = Path(__file__).resolve().parent
SCENARIO = HERE / "app_50_cases.yaml"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="build folder (default: a temporary folder)")
    parser.add_argument("--rounds", type=int, default=2, help="passes over the queue")
    args = parser.parse_args()
    out = Path(args.out or tempfile.mkdtemp(prefix="app-bench-"))
    built = build_dataset(load_scenario(SCENARIO), out)
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    command = [sys.executable, "-m", "triagelab.cli", "-q", "app", str(built), "--port", str(port)]
    command += ["--trainee", "bench"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        page = browser.new_page()
        started = time.perf_counter()
        server = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        try:
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.05)
            listening = time.perf_counter() - started
            page.goto(url, timeout=120_000)
            page.wait_for_selector(".triagelab-profile", timeout=120_000)
            first_case = time.perf_counter() - started
            page.wait_for_function(
                "() => (document.querySelector('.triagelab-chart').getAttribute('src') || '')"
                ".startsWith('blob:')",
                timeout=120_000,
            )
            first_chart = time.perf_counter() - started
            count = page.locator(".triagelab-queue option").count()
            card_times: list[float] = []
            chart_times: list[float] = []
            for _ in range(args.rounds * count):
                current = page.get_attribute(".triagelab-profile", "data-case")
                chart_before = page.get_attribute(".triagelab-chart", "src")
                clicked = time.perf_counter()
                page.get_by_role("button", name="Next").click()
                page.wait_for_function(
                    "c => document.querySelector('.triagelab-profile').dataset.case !== c",
                    arg=current,
                )
                card_times.append(time.perf_counter() - clicked)
                page.wait_for_function(
                    "s => document.querySelector('.triagelab-chart').getAttribute('src') !== s",
                    arg=chart_before,
                )
                chart_times.append(time.perf_counter() - clicked)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
            browser.close()
    machine = f"{platform.platform()}, {os.cpu_count()} cores"
    print(f"machine: {machine}, load average {os.getloadavg()[0]:.1f}")
    print(f"cases in queue: {count}; next-case samples: {len(card_times)}")
    print(
        f"server listening after {listening:.2f} s; first case on screen after "
        f"{first_case:.2f} s; its chart after {first_chart:.2f} s"
    )
    for name, times in (("profile card", card_times), ("chart", chart_times)):
        print(
            f"next case, {name}: median {statistics.median(times) * 1000:.0f} ms, "
            f"p95 {percentile(times, 0.95) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
