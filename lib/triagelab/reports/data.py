"""Table reading for reports: built datasets or an analyst's own Parquet or CSV export.

A report folder holds, for each table it needs, one of
``data/<table>/`` (a Parquet dataset, plain or hive-partitioned, as `triagelab build`
writes), ``<table>.parquet``, ``<table>.csv``, ``data/<table>.parquet`` or
``data/<table>.csv``. Columns are named and typed as in `triagelab.schema`; times in CSV
are ISO 8601 and read as UTC.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.errors
import pyarrow.dataset as pads

from triagelab.exceptions import ParameterError, SchemaError
from triagelab.schema import TABLES, TIMESTAMP

logger = logging.getLogger(__name__)

Filter = tuple[str, str, Any]

# Expected form of a CSV time in messages. ISO 8601 times without a zone are read as UTC.
TIME_FORMAT = "an ISO 8601 UTC time such as 2026-04-06T08:15:00Z"
# Distinct bad values a message lists before it only counts the rest.
SHOWN_VALUES = 3


def failure_message(
    source: Path | str,
    column: str,
    bad: pd.Series,
    allowed: str,
    *,
    rows: bool = True,
) -> str:
    """Return a one-line message about the bad values of one column.

    `bad` contains the offending values, indexed by 0-based data row. The message names the
    file, the column, up to `SHOWN_VALUES` distinct values, the number of bad rows and
    what is allowed; with `rows`, each value's first data row counts from 1 after the header.
    """
    firsts = bad.astype(str).reset_index().drop_duplicates(bad.name or 0).head(SHOWN_VALUES)
    shown = []
    for position, value in zip(firsts.iloc[:, 0], firsts.iloc[:, 1], strict=True):
        text = "(empty)" if pd.isna(bad.loc[position]) else repr(str(value)[:60])
        shown.append(f"{text} (data row {int(position) + 1})" if rows else text)
    distinct = bad.astype(str).nunique()
    more = f" and {distinct - len(shown)} more" if distinct > len(shown) else ""
    count = f"{len(bad):,} row" + ("" if len(bad) == 1 else "s")
    return (
        f"{source}: column `{column}`: {count} not allowed: {', '.join(shown)}{more}; "
        f"expected {allowed}"
    )


def allowed_text(column: Any, check_name: str | None) -> str:
    """Return what a pandera column allows, for an error message."""
    for check in column.checks or []:
        if check.name != check_name:
            continue
        if check.name == "isin":
            return "one of " + ", ".join(map(str, check.statistics["allowed_values"]))
        if check.name == "greater_than_or_equal_to":
            return f"a number of at least {check.statistics['min_value']}"
    if check_name == "not_nullable":
        return "a value in every row (empty is not allowed)"
    if check_name == "field_uniqueness":
        return "a unique value in every row"
    if str(column.dtype) == str(TIMESTAMP):
        return TIME_FORMAT
    return f"values of type {column.dtype}"


def table_source(root: Path, table: str) -> Path | None:
    """Return the file or folder holding `table` under `root`, or None."""
    candidates = [
        root / "data" / table,
        root / f"{table}.parquet",
        root / f"{table}.csv",
        root / "data" / f"{table}.parquet",
        root / "data" / f"{table}.csv",
    ]
    for candidate in candidates:
        if candidate.is_dir() or candidate.is_file():
            return candidate
    return None


def check_dataset_folder(dataset: str, tables: tuple[str, ...]) -> Path:
    """Check that `dataset` is a folder with every table a report needs.

    Raises
    ------
    ParameterError
        Naming the `dataset` parameter and the tables that were not found.
    """
    root = Path(dataset)
    if not root.is_dir():
        raise ParameterError(
            f"parameter `dataset`: folder {dataset!r} not found; give a built dataset or a "
            "folder of your export",
            field="dataset",
            value=dataset,
        )
    missing = [table for table in tables if table_source(root, table) is None]
    if missing:
        raise ParameterError(
            f"parameter `dataset`: {dataset!r} has no table {', '.join(missing)}; expected "
            "data/<table>/ Parquet folders or <table>.csv / <table>.parquet files",
            field="dataset",
            value=dataset,
        )
    return root


def _apply_filters(frame: pd.DataFrame, filters: list[Filter]) -> pd.DataFrame:
    mask = pd.Series(True, index=frame.index)
    for column, op, value in filters:
        series = frame[column]
        if op == ">=":
            mask &= series >= value
        elif op == "<":
            mask &= series < value
        elif op == "==":
            mask &= series == value
        elif op == "in":
            mask &= series.isin(list(value))
        else:
            raise ValueError(f"filter operator {op!r} is not supported")
    return frame[mask]


def _read_csv(path: Path, table: str, columns: list[str] | None) -> pd.DataFrame:
    schema = TABLES[table]
    header = pd.read_csv(path, nrows=0).columns
    # Columns the schema marks as not required are read only when the export has them.
    wanted = columns or [
        name for name, column in schema.columns.items() if column.required or name in header
    ]
    missing = [name for name in wanted if name not in header]
    if missing:
        raise SchemaError(
            f"{path}: missing columns for `{table}`: {', '.join(missing)}",
            path=path,
            field=missing[0],
        )
    frame = pd.read_csv(path, usecols=wanted, dtype=str, keep_default_na=False, na_values=[""])
    for name in wanted:
        dtype = schema.columns[name].dtype
        text = str(dtype)
        if str(TIMESTAMP) in text or text.startswith("datetime64"):
            frame[name] = _parse_times(frame[name], path, name)
            continue
        try:
            if text == "bool":
                lowered = frame[name].str.lower()
                if not lowered.isin(["true", "false"]).all():
                    raise ValueError("expected true or false")
                frame[name] = lowered == "true"
            elif text in {"int64", "int8", "Int8"}:
                frame[name] = pd.to_numeric(frame[name]).astype(text)
            elif text == "float64":
                frame[name] = pd.to_numeric(frame[name]).astype(float)
        except (ValueError, TypeError) as err:
            parsed = (
                pd.to_numeric(frame[name], errors="coerce")
                if text != "bool"
                else frame[name].str.lower().where(frame[name].str.lower().isin(["true", "false"]))
            )
            bad = frame[name][parsed.isna() & frame[name].notna()]
            kind = "true or false" if text == "bool" else f"a number (type {text})"
            if bad.empty:
                raise SchemaError(
                    f"{path}: column `{name}` is not of type {text}", path=path, field=name
                ) from err
            raise SchemaError(
                failure_message(path, name, bad, kind), path=path, field=name, value=bad.iloc[0]
            ) from err
    return frame


def _parse_times(values: pd.Series, path: Path, name: str) -> pd.Series:
    """Parse a CSV column of ISO 8601 times as UTC, naming the rows that are not."""
    parsed = pd.to_datetime(values, utc=True, format="ISO8601", errors="coerce")
    bad = values[parsed.isna()]
    if not bad.empty:
        raise SchemaError(
            failure_message(path, name, bad, TIME_FORMAT),
            path=path,
            field=name,
            value=bad.iloc[0],
        )
    return parsed.astype(TIMESTAMP)


# Value checks on Parquet look at this many leading rows; types are checked on every row.
PARQUET_CHECK_ROWS = 10_000


def _check(frame: pd.DataFrame, table: str, source: Path, *, head: int | None) -> pd.DataFrame:
    """Validate `frame` against the table's schema; CSV frames keep their data-row index."""
    schema = TABLES[table]
    for name in frame.columns:
        if isinstance(frame[name].dtype, pd.CategoricalDtype):
            # Hive partition columns come back as categoricals.
            frame[name] = frame[name].astype(str)
    selected = [name for name in frame.columns if name in schema.columns]
    subset = schema.select_columns(selected)
    subset.unique = [name for name in (schema.unique or []) if name in selected] or None
    try:
        return subset.validate(frame, head=head, lazy=True)
    except pandera.errors.SchemaErrors as err:
        cases = err.failure_cases
        first = cases.iloc[0]
        column = str(first["column"]) if pd.notna(first["column"]) else "?"
        check = str(first["check"]).split("(")[0]
        same = cases[(cases["column"] == first["column"]) & (cases["check"] == first["check"])]
        bad = pd.Series(
            same["failure_case"].to_numpy(),
            index=same["index"].fillna(-1).astype(int).to_numpy(),
            name="value",
        )
        allowed = allowed_text(schema.columns[column], check) if column in schema.columns else ""
        # Checks of a whole column, such as its type, have no row.
        has_rows = source.suffix == ".csv" and bool(same["index"].notna().any())
        message = failure_message(
            source, column, bad, allowed or f"the `{table}` schema", rows=has_rows
        )
        raise SchemaError(message, path=source, field=column, value=bad.iloc[0]) from err


def read_report_table(
    root: Path,
    table: str,
    *,
    columns: list[str] | None = None,
    filters: list[Filter] | None = None,
) -> pd.DataFrame:
    """Read the `columns` of `table` under `root`, keeping rows that pass `filters`.

    Parquet sources are read with column projection and the filters pushed down, so only
    the needed partitions, row groups and columns are loaded. CSV files are read whole.

    Raises
    ------
    SchemaError
        Naming the file and the first missing or wrongly typed column.
    """
    source = table_source(root, table)
    if source is None:
        raise SchemaError(f"{root}: table `{table}` not found", path=root, field=table)
    if source.suffix == ".csv":
        filter_columns = [column for column, _, _ in filters or []]
        needed = list(dict.fromkeys([*columns, *filter_columns])) if columns else None
        frame = _apply_filters(_read_csv(source, table, needed), filters or [])
        if columns:
            frame = frame[columns]
    else:
        dataset = pads.dataset(source, format="parquet", partitioning="hive")
        present = set(dataset.schema.names)
        wanted = columns or [name for name in TABLES[table].columns if name in present]
        missing = [name for name in wanted if name not in present]
        if missing:
            raise SchemaError(
                f"{source}: missing columns for `{table}`: {', '.join(missing)}",
                path=source,
                field=missing[0],
            )
        frame = pd.read_parquet(source, columns=wanted, filters=filters or None)
    logger.info("read %d rows of %s from %s", len(frame), table, source)
    if source.suffix == ".csv":
        # The index stays the 0-based data row of the file, so messages can name the row.
        return _check(frame, table, source, head=None).reset_index(drop=True)
    checked = _check(frame.reset_index(drop=True), table, source, head=PARQUET_CHECK_ROWS)
    return checked
