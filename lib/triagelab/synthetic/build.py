"""Generate a scenario's dataset and write it to disk atomically."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from triagelab.dataset import EVENT_TABLES, atomic_folder, write_manifest
from triagelab.exceptions import GenerationError, SchemaError
from triagelab.parquet import table_to_frame, write_parquet, write_partitioned
from triagelab.scenarios import Scenario
from triagelab.schema import validate
from triagelab.synthetic.activity import SEGMENT_RATES
from triagelab.synthetic.engine import SHARD_SIZE, BuildPlan, generate_shard, plan_build
from triagelab.synthetic.engines import run_tasks
from triagelab.synthetic.ids import hex_ids
from triagelab.synthetic.market import generate_market
from triagelab.synthetic.rng import make_rng

logger = logging.getLogger(__name__)

ALERT_SOURCES = ("rule_engine", "customer_ticket", "qa_sample")
ALERT_SOURCE_WEIGHTS = (0.6, 0.25, 0.15)
# Smallest expected number of rows in one event file of a `date` layout; below it event
# tables are split by month. A Parquet file costs about half a millisecond of CPU to write
# whatever its size (pyarrow 26), and one file per country, day and table of a 30-day shard
# in six countries would be about 500 files.
MIN_ROWS_PER_DATE_FILE = 100_000
# Rows of each shard table checked against the schema during a build. pandera's cost is
# mostly per column, and 5,000 rows take about half the time of 20,000.
VALIDATION_ROWS = 5_000
LABEL_COLUMNS = [
    "case_id",
    "customer_id",
    "typology",
    "is_suspicious",
    "flags",
    "expected_action",
    "expected_priority",
    "evidence_event_ids",
    "explanation",
    "subtlety",
]


@dataclass
class ShardSummary:
    """What a shard task sends back after writing its files: counts, cases and time."""

    index: int
    counts: dict[str, int]
    cases: pd.DataFrame
    seconds: float


def partition_scheme(plan: BuildPlan) -> str:
    """Choose how event tables are laid out on disk, from the scenario alone.

    A one-shard build writes one file per table (`none`). Larger builds are hive-partitioned
    by the customer's country and then by the event's UTC `date` when a shard's file for one
    country and day is expected to hold at least `MIN_ROWS_PER_DATE_FILE` rows, and by
    `month` otherwise.
    """
    if plan.shard_count == 1:
        return "none"
    # NOTE: with SHARD_SIZE customers and the rates of `SEGMENT_RATES` the estimate is at
    # most 80,000 rows. No scenario reaches the `date` layout today, so only tests that
    # lower `MIN_ROWS_PER_DATE_FILE` write it.
    if expected_rows_per_date_file(plan) >= MIN_ROWS_PER_DATE_FILE:
        return "date"
    return "month"


def expected_rows_per_date_file(plan: BuildPlan) -> float:
    """Estimate the auth events one full shard writes for one country and one day.

    Auth events are the largest event table. The estimate uses the segment mix and the
    mean login rates of `SEGMENT_RATES`, and assumes the shard's customers spread over the
    scenario's countries by their weights.
    """
    scenario = plan.scenario
    logins_per_day = sum(
        weight * SEGMENT_RATES[segment].logins for segment, weight in scenario.segments.items()
    )
    largest_country = max(scenario.countries.values())
    return SHARD_SIZE * logins_per_day * largest_country


def write_shard(plan: BuildPlan, staging: Path, scheme: str, index: int) -> ShardSummary:
    """Generate shard `index`, validate it and write its files under `staging`.

    File names depend on the shard index only, so any engine writes the same files.
    """
    started = time.perf_counter()
    result = generate_shard(plan, index, by_country=scheme != "none")
    name = f"part-{index:05d}.parquet"
    counts = {}
    country_names, country_of_customer = np.unique(
        result.customers["country"].to_numpy(dtype=str), return_inverse=True
    )
    tables: dict[str, pd.DataFrame | pa.Table] = {
        "customers": result.customers,
        "auth_events": result.auth_events,
        "transactions": result.transactions,
        "tickets": result.tickets,
    }
    for table, frame in tables.items():
        _check_generated(table, _validation_sample(frame), f"shard {index}")
        folder = staging / "data" / table
        if table in EVENT_TABLES and scheme != "none":
            owner_country = pd.Categorical.from_codes(
                country_of_customer[result.owners[table]], country_names
            )
            write_partitioned(frame, folder, name, country=owner_country, scheme=scheme)
        else:
            write_parquet(frame, folder / name)
        counts[table] = len(frame)
    seconds = time.perf_counter() - started
    logger.info(
        "shard %d: %d customers, %d auth events, %d transactions, %d tickets in %.2f s",
        index,
        counts["customers"],
        counts["auth_events"],
        counts["transactions"],
        counts["tickets"],
        seconds,
    )
    return ShardSummary(index, counts, result.cases, seconds)


def _check_generated(table: str, frame: pd.DataFrame, part: str) -> None:
    """Validate generated rows. A failure is a fault of the generator, not of the input.

    Raises
    ------
    GenerationError
        Naming the `part` of the build (a shard, the case queue) and the schema error.
    """
    try:
        validate(table, frame)
    except SchemaError as err:
        raise GenerationError(
            f"{part}: generated rows failed the schema check ({err}); "
            "this is a fault in triagelab, please report it with the scenario"
        ) from err


def _validation_sample(frame: pd.DataFrame | pa.Table) -> pd.DataFrame:
    # NOTE: above VALIDATION_ROWS rows only an evenly spaced sample of a shard is checked
    # against the schema, because full pandera checks cost more than generating the rows.
    # Arrow columns have one type for all rows, so a type error is still caught there, but
    # a bad value, or a non-text value in an object column of a frame, may be missed.
    step = max(-(-len(frame) // VALIDATION_ROWS), 1)
    if isinstance(frame, pd.DataFrame):
        return frame if step == 1 else frame.iloc[::step]
    sample = frame.take(pa.array(np.arange(0, len(frame), step)))
    return table_to_frame(sample)


def build_dataset(
    scenario: Scenario,
    out: str | Path,
    *,
    workers: int = 1,
    engine: str = "local",
    scheduler: str | None = None,
    progress: Callable[[int], object] | None = None,
) -> Path:
    """Generate `scenario` and write it to `out/<scenario id>`.

    Shards run on `engine` (see `triagelab.synthetic.engines.run_tasks`) and write their
    own files, so memory stays bounded by a few shards. The dataset is written to a
    temporary folder and moved into place only after its manifest is written, so a
    half-built dataset never looks complete.
    """
    target = Path(out) / scenario.id
    plan = plan_build(scenario)
    scheme = partition_scheme(plan)
    logger.info(
        "building %s: %d customers, %d days, %d shards, seed %d, layout %s, engine %s",
        scenario.id,
        scenario.customers,
        scenario.days,
        plan.shard_count,
        scenario.seed,
        scheme,
        engine,
    )
    counts = {"customers": 0, "auth_events": 0, "transactions": 0, "tickets": 0}
    summaries: list[ShardSummary] = []
    with atomic_folder(target) as staging:
        task = partial(write_shard, plan, staging.resolve(), scheme)
        for summary in run_tasks(
            task, plan.shard_count, engine=engine, workers=workers, scheduler=scheduler
        ):
            summaries.append(summary)
            for table, count in summary.counts.items():
                counts[table] += count
            if progress:
                progress(1)
        summaries.sort(key=lambda summary: summary.index)
        market = generate_market(scenario)
        _check_generated("market", market, "the market table")
        write_parquet(market, staging / "data" / "market" / "part-00000.parquet")
        planned = pd.concat([summary.cases for summary in summaries], ignore_index=True)
        cases, labels = _finish_cases(scenario, planned)
        _check_generated("cases", cases, "the case queue")
        _check_generated("labels", labels, "the answer key")
        write_parquet(cases, staging / "cases" / "cases.parquet")
        write_parquet(labels, staging / "key" / "labels.parquet")
        counts.update(market=len(market), cases=len(cases))
        info = manifest_info(scenario, counts)
        info["layout"] = {"event_tables": scheme, "shard_size": SHARD_SIZE}
        write_manifest(staging, info)
    logger.info("wrote %s (%s)", target, ", ".join(f"{k} {v}" for k, v in counts.items()))
    return target


def _finish_cases(scenario: Scenario, planned: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Order the cases by opening time and give them ids, scores and alert sources.

    Ids and scores are drawn after sorting, so neither carries the order of injection.
    """
    rng = make_rng(scenario.seed, "case-queue")
    planned = planned.sort_values(["opened_ts", "customer_id"], kind="stable").reset_index(
        drop=True
    )
    planned["case_id"] = hex_ids(rng, len(planned), "case-", 8)
    lift = np.where(planned["is_suspicious"], 12.0 * (1 - planned["subtlety"]), 0.0)
    score = np.clip(35 + 50 * planned["score_draw"] + lift + rng.normal(0, 5, len(planned)), 0, 100)
    sources = np.array(ALERT_SOURCES, dtype=object)[
        rng.choice(len(ALERT_SOURCES), len(planned), p=ALERT_SOURCE_WEIGHTS)
    ]
    cases = pd.DataFrame(
        {
            "case_id": planned["case_id"].astype(str),
            "customer_id": planned["customer_id"].astype(str),
            "opened_at": pd.to_datetime(planned["opened_ts"], unit="s", utc=True).dt.as_unit("ms"),
            "alert_source": sources.astype(str),
            "score": np.round(score, 1),
        }
    )
    labels = planned[LABEL_COLUMNS].copy()
    labels["subtlety"] = labels["subtlety"].astype(float)
    return cases, labels


def manifest_info(scenario: Scenario, counts: dict[str, int]) -> dict[str, Any]:
    """Return the manifest fields other than the file hashes."""
    return {
        "scenario": {
            "id": scenario.id,
            "title": scenario.title,
            "seed": scenario.seed,
            "start_date": scenario.start_date.isoformat(),
            "days": scenario.days,
            "customers": scenario.customers,
        },
        "versions": {
            package: version(package)
            for package in ("triagelab", "faker", "numpy", "pandas", "pyarrow")
        },
        "row_counts": counts,
        "event_tables": list(EVENT_TABLES),
    }
