from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import papermill
import pytest

from triagelab.exceptions import SchemaError
from triagelab.reports.data import read_report_table
from triagelab.reports.runner import run_report

from ..conftest import FIXTURES

EXPORTS = FIXTURES / "exports"


def test_csv_export_reads_with_schema_types() -> None:
    frame = read_report_table(EXPORTS / "csv_export", "tickets")
    assert str(frame["ts"].dtype) == "datetime64[ms, UTC]"
    assert frame["first_contact_resolution"].dtype == bool
    assert str(frame["csat"].dtype) == "Int8"


def test_csv_filters_match_parquet(minimal_two_week_build: Path) -> None:
    window = [("ts", ">=", pd.Timestamp("2026-03-09", tz="UTC"))]
    from_csv = read_report_table(EXPORTS / "csv_export", "auth_events", filters=window)
    assert len(from_csv) > 0
    assert (from_csv["ts"] >= window[0][2]).all()


def test_missing_column_is_named() -> None:
    with pytest.raises(SchemaError, match="missing columns for `transactions`: status") as raised:
        read_report_table(EXPORTS / "missing_column", "transactions")
    assert raised.value.field == "status"


def test_wrong_type_is_named(tmp_path: Path) -> None:
    export = tmp_path / "export"
    shutil.copytree(EXPORTS / "csv_export", export)
    frame = pd.read_csv(export / "transactions.csv", dtype=str)
    frame.loc[3, "usd_amount"] = "about ten"
    frame.to_csv(export / "transactions.csv", index=False)
    with pytest.raises(SchemaError, match="column `usd_amount` is not of type float64") as raised:
        read_report_table(export, "transactions")
    assert raised.value.field == "usd_amount"


def test_out_of_vocabulary_value_is_named(tmp_path: Path) -> None:
    export = tmp_path / "export"
    shutil.copytree(EXPORTS / "csv_export", export)
    frame = pd.read_csv(export / "customers.csv", dtype=str)
    frame.loc[0, "country"] = "Singapore"
    frame.to_csv(export / "customers.csv", index=False)
    with pytest.raises(SchemaError, match="column `country`"):
        read_report_table(export, "customers")


@pytest.mark.notebook
@pytest.mark.slow
def test_weekly_report_runs_on_csv_export(tmp_path: Path) -> None:
    _, html = run_report(
        "weekly_behavior_shifts",
        {
            "dataset": str(EXPORTS / "csv_export"),
            "week_start": "2026-03-09",
            "baseline_weeks": "1",
            "country": "all",
        },
        tmp_path,
    )
    assert html is not None
    assert "Findings" in html.read_text(encoding="utf-8")


@pytest.mark.notebook
@pytest.mark.slow
def test_report_on_export_missing_column_names_it(tmp_path: Path) -> None:
    with pytest.raises(papermill.PapermillExecutionError) as raised:
        run_report(
            "weekly_behavior_shifts",
            {
                "dataset": str(EXPORTS / "missing_column"),
                "week_start": "2026-03-09",
                "baseline_weeks": "1",
                "country": "all",
            },
            tmp_path,
            html=False,
        )
    assert raised.value.ename == "SchemaError"
    assert "transactions.csv: missing columns for `transactions`: status" in raised.value.evalue
