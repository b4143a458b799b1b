from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from triagelab.alerts.rules import load_rules
from triagelab.cli import main
from triagelab.dataset import open_dataset
from triagelab.vocab import PRIORITIES


def test_jsonl_export_one_alert_per_line(starter_build: Path, tmp_path: Path) -> None:
    out = tmp_path / "alerts.jsonl"
    assert main(["-q", "alerts", "export", str(starter_build), "--out", str(out)]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines
    records = [json.loads(line) for line in lines]
    threshold = load_rules().alert_threshold
    known = (
        set(open_dataset(starter_build).table("transactions")["event_id"])
        | set(open_dataset(starter_build).table("auth_events")["event_id"])
        | set(open_dataset(starter_build).table("tickets")["event_id"])
    )
    for record in records:
        assert set(record) == {
            "alert_id",
            "customer_id",
            "priority",
            "score",
            "rule_ids",
            "first_seen",
            "last_seen",
            "summary",
            "event_ids",
        }
        assert record["score"] >= threshold
        assert record["priority"] in PRIORITIES
        assert record["rule_ids"]
        assert set(record["event_ids"]) <= known
    assert len({r["customer_id"] for r in records}) == len(records)
    ranks = [PRIORITIES.index(r["priority"]) for r in records]
    assert ranks == sorted(ranks)


def test_csv_export_matches_jsonl(starter_build: Path, tmp_path: Path) -> None:
    jsonl, table = tmp_path / "a.jsonl", tmp_path / "a.csv"
    main(["-q", "alerts", "export", str(starter_build), "--out", str(jsonl)])
    main(["-q", "alerts", "export", str(starter_build), "--out", str(table), "--format", "csv"])
    records = [json.loads(line) for line in jsonl.read_text().splitlines()]
    with table.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["customer_id"] for row in rows] == [r["customer_id"] for r in records]
    assert [row["event_ids"].split("|") for row in rows] == [r["event_ids"] for r in records]


def test_export_is_repeatable(starter_build: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "1.jsonl", tmp_path / "2.jsonl"
    main(["-q", "alerts", "export", str(starter_build), "--out", str(first)])
    main(["-q", "alerts", "export", str(starter_build), "--out", str(second)])
    assert first.read_bytes() == second.read_bytes()


def test_export_without_out_exits_2(
    starter_build: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["-q", "alerts", "export", str(starter_build)]) == 2
    assert "--out" in capsys.readouterr().err


def test_default_cutoffs_leave_room_for_every_priority() -> None:
    from triagelab.alerts.rules import load_rules

    rules = load_rules()
    # Only scores at or above alert_threshold become alerts, so each cutoff must be above it
    # for P1 to P4 all to be reachable, as docs/alerts.md describes.
    assert rules.alert_threshold < rules.priorities["P3"]
    assert rules.priority(rules.alert_threshold) == "P4"


def test_sea_week_export_uses_all_priorities(sea_week_build: Path, tmp_path: Path) -> None:
    from triagelab.alerts.detect import Tables
    from triagelab.alerts.export import build_alerts
    from triagelab.alerts.rules import load_rules
    from triagelab.dataset import open_dataset

    alerts = build_alerts(Tables.from_dataset(open_dataset(sea_week_build)), load_rules())
    assert set(alerts["priority"]) == {"P1", "P2", "P3", "P4"}
