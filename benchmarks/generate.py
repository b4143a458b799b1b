"""Measure build speed and peak memory against a per-row Faker baseline, in one run.

Usage: python benchmarks/generate.py [--customers N] [--days N] [--workers N]
                                     [--baseline-rows N] [--repeat N] [--out DIR]

The build runs in a child process through the `triagelab build` command. Its peak memory
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
from pathlib import Path

from faker import Faker

EVENT_TABLES = ("auth_events", "transactions", "tickets")


def baseline_rows(rows: int, seed: int = 1) -> tuple[list[dict], list[dict]]:
    """Generate auth events and transactions row by row with Faker and random.

    The columns are those of the auth_events and transactions tables; half the rows
    go to each table, as in a loop-based generator such as Sparkov.
    """
    fake = Faker(["en_US"])
    Faker.seed(seed)
    rand = random.Random(seed)
    start = 1_772_409_600  # 2026-03-02 00:00 UTC
    auth, transactions = [], []
    customers = [f"C{rand.getrandbits(40):010x}" for _ in range(1000)]
    for _ in range(rows // 2):
        customer = rand.choice(customers)
        auth.append(
            {
                "event_id": f"A{rand.getrandbits(60):015x}",
                "customer_id": customer,
                "ts": start + rand.randrange(30 * 86_400),
                "event_type": rand.choices(["login", "login_failed"], [0.96, 0.04])[0],
                "device_id": f"D{rand.getrandbits(48):012x}",
                "device_model": fake.user_agent(),
                "os": rand.choice(["Android 14", "iOS 17", "Windows 11"]),
                "ip_address": fake.ipv4_public(),
                "ip_country": fake.country_code(),
            }
        )
        usd = round(rand.lognormvariate(4, 1), 2)
        transactions.append(
            {
                "event_id": f"T{rand.getrandbits(60):015x}",
                "customer_id": customer,
                "ts": start + rand.randrange(30 * 86_400),
                "tx_type": rand.choice(["buy", "sell", "fiat_deposit", "crypto_withdrawal"]),
                "status": "failed" if rand.random() < 0.03 else "completed",
                "failure_reason": None,
                "asset": rand.choice(["BTC", "ETH", "USDT"]),
                "chain": rand.choice(["bitcoin", "ethereum", "tron"]),
                "fiat_amount": round(usd * 1.34, 2),
                "usd_amount": usd,
                "rail": rand.choice(["FAST", "PayNow"]),
                "payer_name": fake.name(),
                "counterparty": fake.iban(),
                "counterparty_label": None,
                "fiat_currency": "SGD",
                "asset_amount": round(usd / 60_000, 8),
            }
        )
    return auth, transactions


def run_baseline(rows: int, out: Path) -> dict[str, float]:
    """Time the per-row baseline, including writing both tables as Parquet."""
    import pandas as pd

    started = time.perf_counter()
    cpu_started = time.process_time()
    auth, transactions = baseline_rows(rows)
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
    child = subprocess.Popen(command)
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
        "--baseline-rows", type=int, default=50_000, help="rows the Faker baseline makes"
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="alternate baseline and build this many times"
    )
    parser.add_argument("--out", help="scratch folder (default: a temporary folder)")
    args = parser.parse_args()

    scratch = Path(args.out or tempfile.mkdtemp(prefix="triagelab-bench-"))
    scratch.mkdir(parents=True, exist_ok=True)
    print(f"machine: {cpu_model()}, {len(os.sched_getaffinity(0))} cores")
    ratios: list[float] = []
    try:
        for run in range(1, args.repeat + 1):
            baseline = run_baseline(args.baseline_rows, scratch)
            shutil.rmtree(scratch / "starter", ignore_errors=True)
            ours = run_build(args.customers, args.days, args.workers, scratch)
            ratios.append(report(run, args.workers, baseline, ours))
    finally:
        if args.out is None:
            shutil.rmtree(scratch, ignore_errors=True)
    if len(ratios) > 1:
        median = statistics.median(ratios)
        print(f"median ratio per CPU second over {len(ratios)} runs: {median:.1f}x")


def report(run: int, workers: int, baseline: dict[str, float], ours: dict[str, float]) -> float:
    """Print one run's figures and return the ratio of events per CPU second."""
    baseline_rate = baseline["events"] / baseline["seconds"]
    baseline_cpu_rate = baseline["events"] / baseline["cpu_seconds"]
    ours_rate = ours["events"] / ours["seconds"]
    ours_cpu_rate = ours["events"] / ours["cpu_seconds"]
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"run {run}, load average {load}")
    print(f"  baseline (per-row Faker): {baseline['events']:,} events in "
          f"{baseline['seconds']:.1f} s = {baseline_rate:,.0f} events/s; "
          f"{baseline_cpu_rate:,.0f} events per CPU second")  # fmt: skip
    print(f"  triagelab build ({workers} worker(s)): {ours['events']:,} events in "
          f"{ours['seconds']:.1f} s = {ours_rate:,.0f} events/s, "
          f"{ours_rate / workers:,.0f} events/s per worker; "
          f"{ours_cpu_rate:,.0f} events per CPU second")  # fmt: skip
    ratio = ours_cpu_rate / baseline_cpu_rate
    print(f"  ratio: {ours_rate / workers / baseline_rate:.1f}x per worker (wall), "
          f"{ratio:.1f}x per CPU second")  # fmt: skip
    print(f"  peak RSS of the build's process tree: {ours['peak_bytes'] / 2**20:,.0f} MiB")
    return ratio


if __name__ == "__main__":
    main()
