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
        try:
            if str(TIMESTAMP) in text or text.startswith("datetime64"):
                frame[name] = pd.to_datetime(frame[name], utc=True, format="ISO8601").astype(
                    TIMESTAMP
                )
            elif text == "bool":
                lowered = frame[name].str.lower()
                if not lowered.isin(["true", "false"]).all():
                    raise ValueError("expected true or false")
                frame[name] = lowered == "true"
            elif text in {"int64", "int8", "Int8"}:
                frame[name] = pd.to_numeric(frame[name]).astype(text)
            elif text == "float64":
                frame[name] = pd.to_numeric(frame[name]).astype(float)
        except (ValueError, TypeError) as err:
            raise SchemaError(
                f"{path}: column `{name}` is not of type {text} ({err})".replace("\n", " "),
                path=path,
                field=name,
            ) from err
    return frame


# Value checks on Parquet look at this many leading rows; types are checked on every row.
PARQUET_CHECK_ROWS = 10_000


def _check(frame: pd.DataFrame, table: str, source: Path, *, head: int | None) -> pd.DataFrame:
    schema = TABLES[table]
    for name in frame.columns:
        if isinstance(frame[name].dtype, pd.CategoricalDtype):
            # Hive partition columns come back as categoricals.
            frame[name] = frame[name].astype(str)
    selected = [name for name in frame.columns if name in schema.columns]
    subset = schema.select_columns(selected)
    subset.unique = [name for name in (schema.unique or []) if name in selected] or None
    try:
        return subset.validate(frame, head=head, lazy=False)
    except pandera.errors.SchemaError as err:
        column = getattr(err, "column_name", None) or "?"
        raise SchemaError(
            f"{source}: column `{column}` does not match the `{table}` schema: "
            f"{str(err).splitlines()[0]}",
            path=source,
            field=str(column),
        ) from err


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
    head = None if source.suffix == ".csv" else PARQUET_CHECK_ROWS
    return _check(frame.reset_index(drop=True), table, source, head=head)
