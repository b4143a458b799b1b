"""Time the trainee app in chromium: server start to first case, and opening the next case.

Builds `benchmarks/app_50_cases.yaml`, serves it with `triagelab app` on a free loopback
port, and drives Debian's chromium with Playwright. Start is timed twice: from launching
the server until a page requested as soon as it listens shows its first case, and, after a
warm-up, from a page request until its first case shows. "Next case" is timed in the page,
from the click event on Next to the first animation frame after the next case's profile
card is in the DOM, and separately after its chart is shown. The same steps timed from
Playwright (click, then polling the page) include its round trips and are printed too.

Usage: python benchmarks/app_latency.py [--out DIR] [--rounds N] [--warm-up SECONDS]
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

from playwright.sync_api import Page, sync_playwright

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


def wait_for_port(port: int) -> None:
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)


def open_first_case(page: Page, url: str) -> float:
    """Request the app page and return the seconds until the first profile card shows."""
    requested = time.perf_counter()
    page.goto(url, timeout=120_000)
    page.wait_for_selector(".triagelab-profile", timeout=120_000)
    return time.perf_counter() - requested


def chart_src(page: Page) -> str | None:
    return page.get_attribute(".triagelab-chart", "src")


def wait_for_chart(page: Page, before: str | None) -> None:
    """Wait until the chart shows a new picture and is no longer hidden as pending."""
    page.wait_for_function(
        "s => { const c = document.querySelector('.triagelab-chart');"
        " return c.getAttribute('src') !== s && (c.getAttribute('src') || '').startsWith('blob:')"
        " && !c.classList.contains('triagelab-chart-pending'); }",
        arg=before,
        timeout=120_000,
    )


# Times in the page itself, without Playwright's round trips: from the click event on Next
# to the first animation frame after the next case's profile card (or its chart, shown and
# no longer pending) is in the DOM.
PAGE_TIMER = """() => {
  const timer = { click: null, cards: [], charts: [], card: null, chart: null };
  window.__appTimer = timer;
  document.addEventListener('click', (event) => {
    const button = event.target.closest('button');
    if (button && button.textContent.trim() === 'Next') { timer.click = performance.now(); }
  }, true);
  const check = () => {
    const profile = document.querySelector('.triagelab-profile');
    const chart = document.querySelector('.triagelab-chart');
    if (timer.click === null || !profile || !chart) { return; }
    const clicked = timer.click;
    if (profile.dataset.case !== timer.card) {
      timer.card = profile.dataset.case;
      requestAnimationFrame(() => timer.cards.push(performance.now() - clicked));
    }
    const src = chart.getAttribute('src');
    const pending = chart.classList.contains('triagelab-chart-pending');
    if (!pending && src !== timer.chart && timer.card !== timer.chartCase) {
      timer.chart = src;
      timer.chartCase = timer.card;
      requestAnimationFrame(() => timer.charts.push(performance.now() - clicked));
    }
  };
  new MutationObserver(check).observe(document.body,
    { subtree: true, childList: true, attributes: true, characterData: true });
  timer.card = document.querySelector('.triagelab-profile').dataset.case;
  timer.chart = document.querySelector('.triagelab-chart').getAttribute('src');
  timer.chartCase = timer.card;
}"""


def report(name: str, times: list[float]) -> None:
    print(
        f"{name}: median {statistics.median(times) * 1000:.0f} ms, "
        f"p95 {percentile(times, 0.95) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="build folder (default: a temporary folder)")
    parser.add_argument("--rounds", type=int, default=2, help="passes over the queue")
    parser.add_argument(
        "--warm-up",
        type=float,
        default=60.0,
        help="seconds the server runs before the timed page request (default: %(default)s)",
    )
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
        started = time.perf_counter()
        server = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        try:
            wait_for_port(port)
            listening = time.perf_counter() - started
            # A trainee who opens the page as soon as the server listens waits for the
            # server's first kernel too.
            cold_page = browser.new_page()
            open_first_case(cold_page, url)
            cold_first_case = time.perf_counter() - started
            cold_page.close()
            time.sleep(args.warm_up)
            page = browser.new_page()
            requested = time.perf_counter()
            first_case = open_first_case(page, url)
            wait_for_chart(page, None)
            first_chart = time.perf_counter() - requested
            count = page.locator(".triagelab-queue option").count()
            page.evaluate(PAGE_TIMER)
            card_times: list[list[float]] = [[] for _ in range(args.rounds)]
            chart_times: list[list[float]] = [[] for _ in range(args.rounds)]
            for round_ in range(args.rounds):
                for _ in range(count):
                    current = page.get_attribute(".triagelab-profile", "data-case")
                    before = chart_src(page)
                    clicked = time.perf_counter()
                    page.get_by_role("button", name="Next").click()
                    page.wait_for_function(
                        "c => document.querySelector('.triagelab-profile').dataset.case !== c",
                        arg=current,
                    )
                    card_times[round_].append(time.perf_counter() - clicked)
                    wait_for_chart(page, before)
                    chart_times[round_].append(time.perf_counter() - clicked)
            errors = page.locator(".triagelab-error").count()
            page.wait_for_timeout(500)
            in_page = page.evaluate("() => [window.__appTimer.cards, window.__appTimer.charts]")
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
            browser.close()
    machine = f"{platform.platform()}, {os.cpu_count()} cores"
    print(f"machine: {machine}, load average {os.getloadavg()[0]:.1f}")
    print(f"cases in queue: {count}; next-case samples: {sum(map(len, card_times))}")
    print(f"errors shown in the app: {errors}")
    print(
        f"server listening after {listening:.2f} s; a page requested then shows its first "
        f"case {cold_first_case:.2f} s after the server was launched"
    )
    print(
        f"after {args.warm_up:.0f} s of warm-up: page request to first case {first_case:.2f} s, "
        f"to its chart {first_chart:.2f} s"
    )
    for name, page_times in zip(("profile card", "chart"), in_page, strict=True):
        seconds = [t / 1000 for t in page_times]
        report(f"next case in the page, {name}, all rounds", seconds)
        for round_ in range(args.rounds):
            part = seconds[round_ * count : (round_ + 1) * count]
            report(f"next case in the page, {name}, round {round_ + 1}", part)
    for name, samples in (("profile card", card_times), ("chart", chart_times)):
        report(f"next case via Playwright, {name}, all rounds", [t for ts in samples for t in ts])
        for round_, times in enumerate(samples, start=1):
            report(f"next case via Playwright, {name}, round {round_}", times)
    return 0


if __name__ == "__main__":
    sys.exit(main())
