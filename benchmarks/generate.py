"""Measure build speed and peak memory against a per-row Faker baseline, in one run.

Usage: python benchmarks/generate.py [--customers N] [--days N] [--workers N]
                                     [--baseline-rows N] [--out DIR]

The build runs in a child process through the `triagelab build` command, so its peak
resident memory is the child's own (resource.getrusage(RUSAGE_CHILDREN) reports the
largest child, which with --workers above 1 is the largest single worker, not their sum).
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
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
    auth, transactions = baseline_rows(rows)
    pd.DataFrame(auth).to_parquet(out / "baseline_auth.parquet")
    pd.DataFrame(transactions).to_parquet(out / "baseline_transactions.parquet")
    seconds = time.perf_counter() - started
    return {"events": len(auth) + len(transactions), "seconds": seconds}


def run_build(customers: int, days: int, workers: int, out: Path) -> dict[str, float]:
    """Run `triagelab build starter` in a child process and read its row counts."""
    command = [
        sys.executable, "-m", "triagelab.cli", "-q", "build", "starter",
        "--customers", str(customers), "--days", str(days),
        "--workers", str(workers), "--out", str(out),
    ]  # fmt: skip
    started = time.perf_counter()
    subprocess.run(command, check=True)
    seconds = time.perf_counter() - started
    manifest = json.loads((out / "starter" / "manifest.json").read_text())
    events = sum(manifest["row_counts"][table] for table in EVENT_TABLES)
    return {"events": events, "seconds": seconds}


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
    parser.add_argument("--out", help="scratch folder (default: a temporary folder)")
    args = parser.parse_args()

    scratch = Path(args.out or tempfile.mkdtemp(prefix="triagelab-bench-"))
    scratch.mkdir(parents=True, exist_ok=True)
    try:
        baseline = run_baseline(args.baseline_rows, scratch)
        ours = run_build(args.customers, args.days, args.workers, scratch)
    finally:
        if args.out is None:
            shutil.rmtree(scratch, ignore_errors=True)
    child_peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    self_peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    baseline_rate = baseline["events"] / baseline["seconds"]
    ours_rate = ours["events"] / ours["seconds"]
    print(f"machine: {cpu_model()}, {len(__import__('os').sched_getaffinity(0))} cores")
    print(f"baseline (per-row Faker): {baseline['events']:,} events in "
          f"{baseline['seconds']:.1f} s = {baseline_rate:,.0f} events/s")  # fmt: skip
    print(f"triagelab build ({args.workers} worker(s)): {ours['events']:,} events in "
          f"{ours['seconds']:.1f} s = {ours_rate:,.0f} events/s, "
          f"{ours_rate / args.workers:,.0f} events/s per worker")  # fmt: skip
    print(f"ratio: {ours_rate / baseline_rate:.1f}x")
    print(f"peak RSS: build child {child_peak_mib:,.0f} MiB, benchmark process "
          f"{self_peak_mib:,.0f} MiB (includes the baseline)")  # fmt: skip


if __name__ == "__main__":
    main()
