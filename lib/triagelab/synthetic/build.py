"""Generate a scenario's dataset and write it to disk atomically."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from triagelab.dataset import EVENT_TABLES, atomic_folder, write_manifest, write_parquet
from triagelab.scenarios import Scenario
from triagelab.schema import validate
from triagelab.synthetic.engine import BuildPlan, ShardResult, generate_shard, plan_build
from triagelab.synthetic.market import generate_market
from triagelab.synthetic.population import hex_ids
from triagelab.synthetic.rng import make_rng

logger = logging.getLogger(__name__)

ALERT_SOURCES = ("rule_engine", "customer_ticket", "qa_sample")
ALERT_SOURCE_WEIGHTS = (0.6, 0.25, 0.15)
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


def run_shards(
    plan: BuildPlan, workers: int = 1, progress: Callable[[int], object] | None = None
) -> Iterable[ShardResult]:
    """Generate every shard, in shard order, with `workers` local processes."""
    indexes = range(plan.shard_count)
    if workers <= 1 or plan.shard_count == 1:
        for index in indexes:
            yield generate_shard(plan, index)
            if progress:
                progress(1)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for result in pool.map(generate_shard, [plan] * plan.shard_count, indexes):
            yield result
            if progress:
                progress(1)


def build_dataset(
    scenario: Scenario,
    out: str | Path,
    *,
    workers: int = 1,
    progress: Callable[[int], object] | None = None,
) -> Path:
    """Generate `scenario` and write it to `out/<scenario id>`.

    The dataset is written to a temporary folder and moved into place only after its
    manifest is written, so a half-built dataset never looks complete.
    """
    target = Path(out) / scenario.id
    plan = plan_build(scenario)
    logger.info(
        "building %s: %d customers, %d days, %d shards, seed %d",
        scenario.id,
        scenario.customers,
        scenario.days,
        plan.shard_count,
        scenario.seed,
    )
    counts = {"customers": 0, "auth_events": 0, "transactions": 0, "tickets": 0}
    case_frames = []
    with atomic_folder(target) as staging:
        for result in run_shards(plan, workers, progress):
            name = f"part-{result.index:05d}.parquet"
            tables = {
                "customers": result.customers,
                "auth_events": result.auth_events,
                "transactions": result.transactions,
                "tickets": result.tickets,
            }
            for table, frame in tables.items():
                validate(table, frame)
                write_parquet(frame, staging / "data" / table / name)
                counts[table] += len(frame)
            case_frames.append(result.cases)
        market = generate_market(scenario)
        validate("market", market)
        write_parquet(market, staging / "data" / "market" / "part-00000.parquet")
        cases, labels = _finish_cases(scenario, pd.concat(case_frames, ignore_index=True))
        validate("cases", cases)
        validate("labels", labels)
        write_parquet(cases, staging / "cases" / "cases.parquet")
        write_parquet(labels, staging / "key" / "labels.parquet")
        counts.update(market=len(market), cases=len(cases))
        write_manifest(staging, manifest_info(scenario, counts))
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
