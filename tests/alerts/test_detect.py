from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from triagelab.alerts.detect import DETECTORS, Tables, detect
from triagelab.alerts.rules import Rule, load_rules
from triagelab.dataset import open_dataset
from triagelab.vocab import FLAG_NAMES

from ..conftest import FIXTURES

T0 = pd.Timestamp("2026-03-02T00:00:00Z")


def _tables(transactions: list[dict], auth: list[dict] | None = None) -> Tables:
    customers = pd.DataFrame(
        {
            "customer_id": ["C1", "C2"],
            "country": ["SG", "MY"],
            "home_timezone": ["Asia/Singapore", "Asia/Kuala_Lumpur"],
            "full_name": ["Tan Wei Ling", "Aminah binti Yusof"],
            "declared_monthly_income_usd": [3000.0, 1000.0],
        }
    )
    tx_defaults = {
        "status": "completed",
        "usd_amount": 100.0,
        "fiat_amount": 130.0,
        "payer_name": None,
        "counterparty": None,
        "counterparty_label": None,
    }
    tx = pd.DataFrame([{**tx_defaults, **row} for row in transactions])
    tx["event_id"] = [f"T{i}" for i in range(len(tx))]
    auth_frame = pd.DataFrame(
        auth or [],
        columns=["customer_id", "ts", "event_type", "device_id", "ip_country", "event_id"],
    )
    tickets = pd.DataFrame(columns=["event_id", "customer_id", "ts", "message"])
    return Tables(customers, auth_frame, tx.sort_values(["customer_id", "ts"]), tickets)


def _minutes(n: float) -> pd.Timestamp:
    return T0 + pd.Timedelta(minutes=n)


def test_every_flag_has_a_detector() -> None:
    assert set(DETECTORS) == set(FLAG_NAMES)


def test_failed_burst_needs_threshold_inside_window() -> None:
    rule = Rule(id="burst", flag="failed_tx_burst", window="30min", threshold=3, weight=1)
    rows = [
        {"customer_id": "C1", "ts": _minutes(m), "tx_type": "buy", "status": "failed"}
        for m in (0, 10, 20)
    ] + [
        {"customer_id": "C2", "ts": _minutes(m), "tx_type": "buy", "status": "failed"}
        for m in (0, 40, 80)
    ]
    hits = DETECTORS["failed_tx_burst"](_tables(rows), rule)
    assert hits["customer_id"].tolist() == ["C1"]
    assert hits["event_ids"].iloc[0] == ["T0", "T1", "T2"]


def test_failed_login_burst_counts_only_failures() -> None:
    rule = Rule(id="stuffing", flag="failed_login_burst", window="1h", threshold=5, weight=1)
    auth = [
        {
            "customer_id": "C1",
            "ts": _minutes(m),
            "event_type": "login_failed",
            "device_id": "D1",
            "ip_country": "SG",
            "event_id": f"A{m}",
        }
        for m in (0, 5, 10, 15, 20)
    ] + [
        {
            "customer_id": "C2",
            "ts": _minutes(m),
            "event_type": "login_failed" if m % 2 else "login",
            "device_id": "D2",
            "ip_country": "MY",
            "event_id": f"B{m}",
        }
        # Four failed logins between successful ones: one short of the threshold.
        for m in range(0, 8)
    ]
    deposit = [{"customer_id": "C1", "ts": _minutes(0), "tx_type": "fiat_deposit"}]
    hits = DETECTORS["failed_login_burst"](_tables(deposit, auth), rule)
    assert hits["customer_id"].tolist() == ["C1"]
    assert hits["event_ids"].iloc[0] == ["A0", "A5", "A10", "A15", "A20"]


def test_withdrawal_after_change_respects_window() -> None:
    rule = Rule(
        id="ato", flag="withdrawal_after_credential_change", window="24h", threshold=1, weight=1
    )
    auth = [
        {
            "customer_id": c,
            "ts": T0,
            "event_type": "password_change",
            "device_id": "D",
            "ip_country": "SG",
            "event_id": f"A{c}",
        }
        for c in ("C1", "C2")
    ]
    rows = [
        {"customer_id": "C1", "ts": _minutes(60), "tx_type": "crypto_withdrawal"},
        {"customer_id": "C2", "ts": _minutes(60 * 30), "tx_type": "crypto_withdrawal"},
    ]
    hits = DETECTORS["withdrawal_after_credential_change"](_tables(rows, auth), rule)
    assert hits["customer_id"].tolist() == ["C1"]
    assert hits["event_ids"].iloc[0] == ["AC1", "T0"]


def test_deposit_then_withdrawal_needs_share() -> None:
    rule = Rule(
        id="pass", flag="deposit_then_immediate_withdrawal", window="2h", threshold=0.8, weight=1
    )
    rows = [
        {"customer_id": "C1", "ts": _minutes(0), "tx_type": "fiat_deposit", "usd_amount": 1000.0},
        {
            "customer_id": "C1",
            "ts": _minutes(30),
            "tx_type": "crypto_withdrawal",
            "usd_amount": 500.0,
        },
        {
            "customer_id": "C1",
            "ts": _minutes(60),
            "tx_type": "crypto_withdrawal",
            "usd_amount": 350.0,
        },
        {"customer_id": "C2", "ts": _minutes(0), "tx_type": "fiat_deposit", "usd_amount": 1000.0},
        {
            "customer_id": "C2",
            "ts": _minutes(30),
            "tx_type": "crypto_withdrawal",
            "usd_amount": 500.0,
        },
        {
            "customer_id": "C2",
            "ts": _minutes(200),
            "tx_type": "crypto_withdrawal",
            "usd_amount": 500.0,
        },
    ]
    hits = DETECTORS["deposit_then_immediate_withdrawal"](_tables(rows), rule)
    assert hits["customer_id"].tolist() == ["C1"]


def test_payer_mismatch_ignores_case_and_spacing() -> None:
    rule = Rule(id="payer", flag="payer_name_mismatch", threshold=1, weight=1)
    rows = [
        {
            "customer_id": "C1",
            "ts": _minutes(0),
            "tx_type": "fiat_deposit",
            "payer_name": "TAN  WEI LING",
        },
        {
            "customer_id": "C2",
            "ts": _minutes(0),
            "tx_type": "fiat_deposit",
            "payer_name": "Lim Boon Keng",
        },
    ]
    hits = DETECTORS["payer_name_mismatch"](_tables(rows), rule)
    assert hits["customer_id"].tolist() == ["C2"]


def test_many_payers_counts_distinct_names() -> None:
    rule = Rule(id="mule", flag="many_inbound_counterparties", window="7D", threshold=3, weight=1)
    payers = ["A One", "B Two", "A One", "C Three"]
    rows = [
        {"customer_id": "C1", "ts": _minutes(60 * i), "tx_type": "fiat_deposit", "payer_name": p}
        for i, p in enumerate(payers)
    ] + [
        {"customer_id": "C2", "ts": _minutes(60 * i), "tx_type": "fiat_deposit", "payer_name": p}
        for i, p in enumerate(["X", "X", "Y", "Y"])
    ]
    hits = DETECTORS["many_inbound_counterparties"](_tables(rows), rule)
    assert hits["customer_id"].tolist() == ["C1"]


def test_stricter_rules_fire_on_fewer_customers(starter_build: Path) -> None:
    tables = Tables.from_dataset(open_dataset(starter_build))
    loose = load_rules(FIXTURES / "rules" / "strict_burst.yaml")
    strict_rule = loose.rules[0].model_copy(update={"threshold": 4.0})
    strict = loose.model_copy(update={"rules": (strict_rule,)})
    assert (
        detect(tables, strict)["customer_id"].nunique()
        <= detect(tables, loose)["customer_id"].nunique()
    )


def test_detection_is_deterministic(starter_build: Path) -> None:
    tables = Tables.from_dataset(open_dataset(starter_build))
    first = detect(tables, load_rules())
    second = detect(tables, load_rules())
    pd.testing.assert_frame_equal(first, second)
    assert set(first.columns) == {"customer_id", "rule_id", "ts", "event_ids"}


@pytest.mark.parametrize(
    "rule_id", ["withdrawal_after_credential_change", "structuring_below_threshold"]
)
def test_hit_event_ids_exist(starter_build: Path, rule_id: str) -> None:
    dataset = open_dataset(starter_build)
    hits = detect(Tables.from_dataset(dataset), load_rules())
    ids = {e for row in hits[hits["rule_id"] == rule_id]["event_ids"] for e in row}
    assert ids
    known = set(dataset.table("transactions")["event_id"]) | set(
        dataset.table("auth_events")["event_id"]
    )
    assert ids <= known
