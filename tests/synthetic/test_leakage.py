"""Tests that nothing but behaviour separates suspicious from benign cases.

A trainee sees the event tables and the case queue. These tests compute, per case
customer, features that carry no behaviour (id characters, row order, timestamp precision,
amount rounding, value formats) and check that none of them predicts `is_suspicious`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from triagelab.scenarios import parse_scenario
from triagelab.synthetic.build import build_dataset
from triagelab.synthetic.typologies import TYPOLOGIES

EVENT_TABLES = ("auth_events", "transactions", "tickets")
ALPHA = 0.01


def _scenario() -> dict:
    typologies = [
        {"name": name, "count": 8, "subtlety": 0.4}
        for name in sorted(TYPOLOGIES)
        if name != "congestion_delay"
    ]
    typologies.append({"name": "congestion_delay", "count": 4, "subtlety": 0.4})
    total = sum(mix["count"] for mix in typologies)
    return {
        "id": "leakage",
        "title": "Many cases for the leakage tests",
        "seed": 424242,
        "start_date": "2026-03-02",
        "days": 10,
        "customers": 1000,
        "countries": {"SG": 0.2, "MY": 0.15, "TH": 0.2, "VN": 0.15, "ID": 0.15, "PH": 0.15},
        "cases": {"noise": max(200 - total, 20), "typologies": typologies},
        "market": {
            "volatility": [{"asset": "ALL", "start": "2026-03-07", "hours": 12, "move": -0.15}],
            "congestion": [{"chain": "ethereum", "start": "2026-03-08", "hours": 8}],
        },
    }


@pytest.fixture(scope="module")
def features(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """Build the leakage scenario and compute artefact features per case."""
    scenario = parse_scenario(_scenario(), source="leakage test")
    build = build_dataset(scenario, tmp_path_factory.mktemp("leakage"))
    return _artefact_features(build)


def _decimals(values: pd.Series) -> pd.Series:
    text = values.dropna().map(lambda v: f"{v:.10f}".rstrip("0"))
    return text.map(lambda s: len(s.split(".")[1]) if "." in s else 0)


def _artefact_features(build: Path) -> pd.DataFrame:
    cases = pd.read_parquet(build / "cases" / "cases.parquet")
    labels = pd.read_parquet(build / "key" / "labels.parquet")
    cases = cases.merge(labels[["case_id", "is_suspicious"]], on="case_id")
    per_table = []
    for table in EVENT_TABLES:
        frame = pd.read_parquet(build / "data" / table)
        frame["row_position"] = np.arange(len(frame)) / max(len(frame), 1)
        per_table.append(frame)
    events = pd.concat(
        [f[["customer_id", "event_id", "ts", "row_position"]] for f in per_table],
        ignore_index=True,
    )
    seconds = events["ts"].astype("int64") // 1000
    events["second_of_minute"] = seconds % 60
    events["millisecond"] = events["ts"].astype("int64") % 1000
    events["id_first_digit"] = events["event_id"].str[1].map(lambda c: int(c, 16))
    events["id_last_digit"] = events["event_id"].str[-1].map(lambda c: int(c, 16))
    events["id_length"] = events["event_id"].str.len()
    grouped = events.groupby("customer_id")
    result = pd.DataFrame(
        {
            "second_of_minute": grouped["second_of_minute"].mean(),
            "millisecond": grouped["millisecond"].mean(),
            "id_first_digit": grouped["id_first_digit"].mean(),
            "id_last_digit": grouped["id_last_digit"].mean(),
            "id_length": grouped["id_length"].mean(),
            "row_position_spread": grouped["row_position"].std().fillna(0),
        }
    )
    transactions = per_table[1]
    local = transactions[~transactions["fiat_currency"].isin(["VND", "IDR"])]
    cents = (local["fiat_amount"] * 100).round().astype("int64")
    local = local.assign(
        fiat_trailing_zero=(cents % 1000 == 0).astype(float),
        usd_decimals=_decimals(local["usd_amount"]).reindex(local.index).astype(float),
        asset_decimals=_decimals(local["asset_amount"]).reindex(local.index),
    )
    by_customer = local.groupby("customer_id")
    result["fiat_trailing_zero"] = by_customer["fiat_trailing_zero"].mean()
    result["usd_decimals"] = by_customer["usd_decimals"].mean()
    result["asset_decimals"] = by_customer["asset_decimals"].mean()
    cases = cases.set_index("customer_id")
    cases["opened_second"] = (cases["opened_at"].astype("int64") // 1000) % 60
    cases["case_id_digit"] = cases["case_id"].str[-1].map(lambda c: int(c, 16))
    cases["queue_position"] = np.arange(len(cases)) / len(cases)
    return cases[["is_suspicious", "opened_second", "case_id_digit"]].join(result)


def test_build_has_many_cases(features):
    assert len(features) >= 200
    share = features["is_suspicious"].mean()
    assert 0.3 <= share <= 0.7


def _separating_columns(features: pd.DataFrame) -> list[str]:
    """Return the feature columns whose class distributions differ (Bonferroni-corrected)."""
    columns = [c for c in features.columns if c != "is_suspicious"]
    suspicious = features[features["is_suspicious"]]
    other = features[~features["is_suspicious"]]
    found = []
    for column in columns:
        a = suspicious[column].dropna()
        b = other[column].dropna()
        if a.nunique() <= 1 and b.nunique() <= 1:
            if a.iloc[0] != b.iloc[0]:
                found.append(column)
            continue
        if stats.mannwhitneyu(a, b).pvalue < ALPHA / len(columns):
            found.append(column)
    return found


def test_no_feature_separates_classes(features):
    assert _separating_columns(features) == []


def test_detector_finds_planted_artefact(features):
    planted = features.copy()
    rounded = planted["is_suspicious"] & (np.arange(len(planted)) % 2 == 0)
    planted.loc[rounded, "fiat_trailing_zero"] += 0.3
    assert _separating_columns(planted) == ["fiat_trailing_zero"]


def test_classifier_at_chance(features):
    columns = [c for c in features.columns if c != "is_suspicious"]
    x = features[columns].fillna(features[columns].median()).to_numpy(dtype=float)
    spread = x.std(axis=0)
    x = (x - x.mean(axis=0)) / np.where(spread > 0, spread, 1.0)
    y = features["is_suspicious"].to_numpy()
    correct = 0
    # Leave-one-out nearest centroid: no fitting beyond class means, so no overfitting.
    for i in range(len(y)):
        keep = np.arange(len(y)) != i
        centroid_true = x[keep & y].mean(axis=0)
        centroid_false = x[keep & ~y].mean(axis=0)
        guess = np.linalg.norm(x[i] - centroid_true) < np.linalg.norm(x[i] - centroid_false)
        correct += int(guess == y[i])
    n = len(y)
    chance = max(y.mean(), 1 - y.mean())
    upper = stats.binom.ppf(1 - ALPHA, n, chance) / n
    assert correct / n <= upper, f"accuracy {correct / n:.2f} above chance band {upper:.2f}"
