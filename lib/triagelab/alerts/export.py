"""Alert export for a ticketing system's bulk import: JSON Lines or CSV, one alert per customer."""

from __future__ import annotations

import csv
import io
import json
import logging
from pathlib import Path

import pandas as pd

from triagelab.alerts.detect import Tables, detect
from triagelab.alerts.rules import RuleSet
from triagelab.alerts.score import rule_matrix, weighted_scores
from triagelab.dataset import Dataset
from triagelab.exceptions import InputError
from triagelab.training.submission import atomic_write_text
from triagelab.vocab import FLAGS_BY_NAME

logger = logging.getLogger(__name__)

EXPORT_FORMATS = ("jsonl", "csv")
CSV_COLUMNS = (
    "alert_id",
    "customer_id",
    "priority",
    "score",
    "rule_ids",
    "first_seen",
    "last_seen",
    "summary",
    "event_ids",
)


def build_alerts(tables: Tables, rules: RuleSet) -> pd.DataFrame:
    """Return one alert per customer whose weighted score reaches the rule set's threshold.

    Alerts are ordered by priority, then by falling score, then by customer id, so the
    same build and rules give the same file.
    """
    hits = detect(tables, rules)
    customers = pd.Index(sorted(hits["customer_id"].unique()), name="customer_id")
    scores = weighted_scores(rule_matrix(hits, rules, customers), rules)
    alerted = scores[scores >= rules.alert_threshold]
    hits = hits[hits["customer_id"].isin(alerted.index)]
    rule_order = {rule.id: i for i, rule in enumerate(rules.enabled)}
    flags = {rule.id: rule.flag for rule in rules.enabled}
    rows = []
    for customer, group in hits.groupby("customer_id", sort=True):
        fired = sorted(group["rule_id"].unique(), key=rule_order.__getitem__)
        counts = group["rule_id"].value_counts()
        summary = "; ".join(
            f"{FLAGS_BY_NAME[flags[rule_id]].title} ({counts[rule_id]}x)" for rule_id in fired
        )
        event_ids = sorted({event for ids in group["event_ids"] for event in ids})
        score = float(alerted[customer])
        rows.append(
            {
                "customer_id": customer,
                "priority": rules.priority(score),
                "score": round(score, 3),
                "rule_ids": fired,
                "first_seen": group["ts"].min().isoformat(),
                "last_seen": group["ts"].max().isoformat(),
                "summary": summary,
                "event_ids": event_ids,
            }
        )
    alerts = pd.DataFrame(rows, columns=[c for c in CSV_COLUMNS if c != "alert_id"])
    alerts = alerts.sort_values(
        ["priority", "score", "customer_id"], ascending=[True, False, True], kind="stable"
    ).reset_index(drop=True)
    alerts.insert(0, "alert_id", [f"AL{i + 1:05d}" for i in range(len(alerts))])
    return alerts


def to_jsonl(alerts: pd.DataFrame) -> str:
    """Return the alerts as JSON Lines: one JSON object per line."""
    lines = [json.dumps(record, ensure_ascii=False) for record in alerts.to_dict("records")]
    return "".join(f"{line}\n" for line in lines)


def to_csv(alerts: pd.DataFrame) -> str:
    """Return the alerts as CSV; list fields are joined with `|`."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for record in alerts.to_dict("records"):
        record["rule_ids"] = "|".join(record["rule_ids"])
        record["event_ids"] = "|".join(record["event_ids"])
        writer.writerow(record)
    return buffer.getvalue()


def export_alerts(dataset: Dataset, rules: RuleSet, out: Path, fmt: str = "jsonl") -> int:
    """Write the alerts of a build to `out` atomically and return how many were written.

    Raises
    ------
    InputError
        For a format other than jsonl or csv.
    """
    if fmt not in EXPORT_FORMATS:
        raise InputError(
            f"format {fmt!r} is not supported; use {' or '.join(EXPORT_FORMATS)}",
            field="format",
            value=fmt,
        )
    alerts = build_alerts(Tables.from_dataset(dataset), rules)
    text = to_jsonl(alerts) if fmt == "jsonl" else to_csv(alerts)
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out, text)
    logger.info("wrote %d alerts to %s", len(alerts), out)
    return len(alerts)
