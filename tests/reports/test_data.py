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
    expected = (
        r"column `usd_amount`: 1 row not allowed: .about ten. \(data row 4\); expected a number"
    )
    with pytest.raises(SchemaError, match=expected) as raised:
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


def test_bad_category_is_one_line() -> None:
    with pytest.raises(SchemaError) as raised:
        read_report_table(EXPORTS / "bad_category", "transactions")
    message = str(raised.value)
    assert "\n" not in message
    assert len(message) < 400
    assert message.startswith(f"{EXPORTS / 'bad_category' / 'transactions.csv'}: column `tx_type`")
    assert "29 rows not allowed" in message
    assert "'Deposit' (data row 10), 'withdraw' (data row 19), 'p2p' (data row 50)" in message
    assert message.count("withdraw'") == 1
    assert "expected one of fiat_deposit, fiat_withdrawal, buy" in message
    assert raised.value.field == "tx_type"


def test_bad_timestamp_is_one_line() -> None:
    with pytest.raises(SchemaError) as raised:
        read_report_table(EXPORTS / "bad_timestamp", "auth_events")
    message = str(raised.value)
    assert "\n" not in message
    assert "column `ts`: 2 rows not allowed" in message
    assert "'06/04/2026 08:15' (data row 5), '2026-04-06 25:00' (data row 9)" in message
    assert "expected an ISO 8601 UTC time such as 2026-04-06T08:15:00Z" in message
    assert "dayfirst" not in message
    assert "format=" not in message
    assert "position" not in message


def test_bad_value_rows_survive_time_filter() -> None:
    # The filter drops rows before the bad one; the row number is still the file's.
    with pytest.raises(SchemaError, match=r"'Deposit' \(data row 10\)"):
        read_report_table(
            EXPORTS / "bad_category",
            "transactions",
            columns=["tx_type"],
            filters=[("ts", ">=", pd.Timestamp("2000-01-01", tz="UTC"))],
        )


def test_bad_export_exits_2_from_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from triagelab.cli import main

    code = main(
        [
            "-q",
            "report",
            "weekly_behavior_shifts",
            "-p",
            "dataset",
            str(EXPORTS / "bad_timestamp"),
            "-p",
            "week_start",
            "2026-03-09",
            "-p",
            "baseline_weeks",
            "1",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "data row 5" in err


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
