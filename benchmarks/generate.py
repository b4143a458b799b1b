"""Measure build speed and peak memory against per-row Faker baselines, in one run.

Usage: python benchmarks/generate.py [--customers N] [--days N] [--workers N]
                                     [--baseline-rows N] [--repeat N] [--out DIR]

Two per-row loops produce the same columns: one draws every column from a Faker provider,
the other draws ids, times and categories from `random`, which is faster. The build runs
in a child process through the `triagelab build` command. Its peak memory
is the largest sum of VmRSS over the child and all its descendants (the worker processes),
sampled from /proc every 0.1 s, so a peak shorter than that can be missed. Besides wall
time, the script reports CPU time (user + system of the build's process tree, and of this
process for the baseline), because on a shared machine wall time also counts waiting.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from faker import Faker

EVENT_TABLES = ("auth_events", "transactions", "tickets")


START = datetime(2026, 3, 2, tzinfo=UTC)
DAYS = 30
AUTH_TYPES = OrderedDict([("login", 0.96), ("login_failed", 0.04)])
STATUSES = OrderedDict([("completed", 0.97), ("failed", 0.03)])
OPERATING_SYSTEMS = ["Android 14", "iOS 17", "Windows 11"]
TX_TYPES = ["buy", "sell", "fiat_deposit", "crypto_withdrawal"]
ASSETS = ["BTC", "ETH", "USDT"]
CHAINS = ["bitcoin", "ethereum", "tron"]
RAILS = ["FAST", "PayNow"]
Rows = tuple[list[dict[str, Any]], list[dict[str, Any]]]


def faker_rows(rows: int, seed: int = 1) -> Rows:
    """Generate auth events and transactions row by row, every column from a Faker provider.

    This is the usual shape of a per-row Faker generator. The columns are those of the
    auth_events and transactions tables, and half the rows go to each table.
    """
    fake = Faker(["en_US"])
    Faker.seed(seed)
    end = START + timedelta(days=DAYS)
    customers = [fake.hexify("C^^^^^^^^^^") for _ in range(1000)]
    auth, transactions = [], []
    for _ in range(rows // 2):
        auth.append(
            {
                "event_id": fake.hexify("A^^^^^^^^^^^^^^^"),
                "customer_id": fake.random_element(customers),
                "ts": fake.unix_time(start_datetime=START, end_datetime=end),
                "event_type": fake.random_element(AUTH_TYPES),
                "device_id": fake.hexify("D^^^^^^^^^^^^"),
                "device_model": fake.user_agent(),
                "os": fake.random_element(OPERATING_SYSTEMS),
                "ip_address": fake.ipv4_public(),
                "ip_country": fake.country_code(),
            }
        )
        usd = fake.pyfloat(right_digits=2, min_value=1, max_value=5_000)
        transactions.append(
            {
                "event_id": fake.hexify("T^^^^^^^^^^^^^^^"),
                "customer_id": fake.random_element(customers),
                "ts": fake.unix_time(start_datetime=START, end_datetime=end),
                "tx_type": fake.random_element(TX_TYPES),
                "status": fake.random_element(STATUSES),
                "failure_reason": None,
                "asset": fake.random_element(ASSETS),
                "chain": fake.random_element(CHAINS),
                "fiat_amount": round(usd * 1.34, 2),
                "usd_amount": usd,
                "rail": fake.random_element(RAILS),
                "payer_name": fake.name(),
                "counterparty": fake.iban(),
                "counterparty_label": None,
                "fiat_currency": "SGD",
                "asset_amount": round(usd / 60_000, 8),
            }
        )
    return auth, transactions


def mixed_rows(rows: int, seed: int = 1) -> Rows:
    """Generate the same rows with Faker for the text columns and `random` for the rest.

    Ids, times and categories drawn from `random` instead of Faker providers make this
    loop faster than `faker_rows`, so it is the stricter comparison.
    """
    fake = Faker(["en_US"])
    Faker.seed(seed)
    rand = random.Random(seed)
    start = int(START.timestamp())
    auth, transactions = [], []
    customers = [f"C{rand.getrandbits(40):010x}" for _ in range(1000)]
    for _ in range(rows // 2):
        customer = rand.choice(customers)
        auth.append(
            {
                "event_id": f"A{rand.getrandbits(60):015x}",
                "customer_id": customer,
                "ts": start + rand.randrange(DAYS * 86_400),
                "event_type": rand.choices(list(AUTH_TYPES), list(AUTH_TYPES.values()))[0],
                "device_id": f"D{rand.getrandbits(48):012x}",
                "device_model": fake.user_agent(),
                "os": rand.choice(OPERATING_SYSTEMS),
                "ip_address": fake.ipv4_public(),
                "ip_country": fake.country_code(),
            }
        )
        usd = round(rand.lognormvariate(4, 1), 2)
        transactions.append(
            {
                "event_id": f"T{rand.getrandbits(60):015x}",
                "customer_id": customer,
                "ts": start + rand.randrange(DAYS * 86_400),
                "tx_type": rand.choice(TX_TYPES),
                "status": "failed" if rand.random() < 0.03 else "completed",
                "failure_reason": None,
                "asset": rand.choice(ASSETS),
                "chain": rand.choice(CHAINS),
                "fiat_amount": round(usd * 1.34, 2),
                "usd_amount": usd,
                "rail": rand.choice(RAILS),
                "payer_name": fake.name(),
                "counterparty": fake.iban(),
                "counterparty_label": None,
                "fiat_currency": "SGD",
                "asset_amount": round(usd / 60_000, 8),
            }
        )
    return auth, transactions


BASELINES: dict[str, Callable[[int], Rows]] = {
    "every column from Faker": faker_rows,
    "Faker for text, random for the rest": mixed_rows,
}


def run_baseline(make_rows: Callable[[int], Rows], rows: int, out: Path) -> dict[str, float]:
    """Time a per-row baseline, including writing both tables as Parquet."""
    import pandas as pd

    started = time.perf_counter()
    cpu_started = time.process_time()
    auth, transactions = make_rows(rows)
    pd.DataFrame(auth).to_parquet(out / "baseline_auth.parquet")
    pd.DataFrame(transactions).to_parquet(out / "baseline_transactions.parquet")
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    return {"events": len(auth) + len(transactions), "seconds": seconds, "cpu_seconds": cpu}


def tree_rss_bytes(root: int) -> int:
    """Return the summed VmRSS of process `root` and all its descendants, from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may contain spaces, so fields are counted after its `)`.
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in tree:
                tree.add(pid)
                frontier.append(pid)
    total = 0
    for pid in tree:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def run_build(customers: int, days: int, workers: int, out: Path) -> dict[str, float]:
    """Run `triagelab build starter` in a child process and read its row counts and peak RSS."""
    command = [
        sys.executable, "-m", "triagelab.cli", "-q", "build", "starter",
        "--customers", str(customers), "--days", str(days),
        "--workers", str(workers), "--out", str(out),
    ]  # fmt: skip
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    # The build prints its output folder, a scratch folder here.
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.1):
            peak = max(peak, tree_rss_bytes(child.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = child.wait()
    done.set()
    sampler.join()
    seconds = time.perf_counter() - started
    if code != 0:
        raise SystemExit(f"triagelab build failed with exit code {code}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    manifest = json.loads((out / "starter" / "manifest.json").read_text())
    events = sum(manifest["row_counts"][table] for table in EVENT_TABLES)
    return {"events": events, "seconds": seconds, "cpu_seconds": cpu, "peak_bytes": peak}


def cpu_model() -> str:
    """Return the `Model name` line of lscpu, or the platform's processor name."""
    try:
        text = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return platform.processor()
    for line in text.splitlines():
        if line.startswith("Model name:"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=50_000, help="customers to build")
    parser.add_argument("--days", type=int, default=30, help="days to build")
    parser.add_argument("--workers", type=int, default=1, help="local worker processes")
    parser.add_argument(
        "--baseline-rows", type=int, default=50_000, help="rows each per-row baseline makes"
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="alternate baseline and build this many times"
    )
    parser.add_argument("--out", help="scratch folder (default: a temporary folder)")
    args = parser.parse_args()

    scratch = Path(args.out or tempfile.mkdtemp(prefix="triagelab-bench-"))
    scratch.mkdir(parents=True, exist_ok=True)
    print(f"machine: {cpu_model()}, {len(os.sched_getaffinity(0))} cores")
    ratios: dict[str, list[float]] = {name: [] for name in BASELINES}
    try:
        for run in range(1, args.repeat + 1):
            baselines = {
                name: run_baseline(make_rows, args.baseline_rows, scratch)
                for name, make_rows in BASELINES.items()
            }
            shutil.rmtree(scratch / "starter", ignore_errors=True)
            ours = run_build(args.customers, args.days, args.workers, scratch)
            for name, ratio in report(run, args.workers, baselines, ours).items():
                ratios[name].append(ratio)
    finally:
        if args.out is None:
            shutil.rmtree(scratch, ignore_errors=True)
    if args.repeat > 1:
        for name, values in ratios.items():
            median = statistics.median(values)
            print(f"median ratio to `{name}` per CPU second, {len(values)} runs: {median:.1f}x")


def report(
    run: int, workers: int, baselines: dict[str, dict[str, float]], ours: dict[str, float]
) -> dict[str, float]:
    """Print one run's figures and return the ratio to each baseline per CPU second."""
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"run {run}, load average {load}")
    for name, baseline in baselines.items():
        print(f"  per-row baseline ({name}): {baseline['events']:,} events in "
              f"{baseline['seconds']:.1f} s = {baseline['events'] / baseline['seconds']:,.0f} "
              f"events/s; {baseline['events'] / baseline['cpu_seconds']:,.0f} "
              f"events per CPU second")  # fmt: skip
    ours_rate = ours["events"] / ours["seconds"]
    ours_cpu_rate = ours["events"] / ours["cpu_seconds"]
    print(f"  triagelab build ({workers} worker(s)): {ours['events']:,} events in "
          f"{ours['seconds']:.1f} s = {ours_rate:,.0f} events/s, "
          f"{ours_rate / workers:,.0f} events/s per worker; "
          f"{ours_cpu_rate:,.0f} events per CPU second")  # fmt: skip
    ratios = {}
    for name, baseline in baselines.items():
        wall = ours_rate / workers / (baseline["events"] / baseline["seconds"])
        ratios[name] = ours_cpu_rate / (baseline["events"] / baseline["cpu_seconds"])
        print(f"  ratio to `{name}`: {wall:.1f}x per worker (wall), "
              f"{ratios[name]:.1f}x per CPU second")  # fmt: skip
    print(f"  peak RSS of the build's process tree: {ours['peak_bytes'] / 2**20:,.0f} MiB")
    return ratios


if __name__ == "__main__":
    main()
