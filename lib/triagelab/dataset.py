"""Built datasets on disk: layout, manifest, fingerprint, atomic writing and reading."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from triagelab.exceptions import DatasetError

logger = logging.getLogger(__name__)

MANIFEST = "manifest.json"
EVENT_TABLES = ("auth_events", "transactions", "tickets")
DATA_TABLES = ("customers", *EVENT_TABLES, "market")
TRAINEE_DIRS = ("data", "cases")
KEY_DIR = "key"
MANIFEST_SCHEMA = "triagelab.manifest/1"
PARTITION_SCHEMES = ("date", "month")
# Columns with min/max statistics in event files built as Arrow tables: the ones readers
# filter on. Statistics on every text column cost about a third of the write time.
STATISTICS_COLUMNS = ["customer_id", "ts"]
# Columns of event files built as Arrow tables that are written without Parquet dictionary
# encoding: nearly every value is distinct, so the writer would build a dictionary only to
# fall back to plain encoding. Skipping it makes writing about 15% faster.
PLAIN_COLUMNS = frozenset({"event_id", "ts"})


def sha256_file(path: Path) -> str:
    """Return the hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_parquet(frame: pd.DataFrame | pa.Table, path: Path) -> None:
    """Write a frame or an Arrow table as one Parquet file, byte for byte repeatable.

    A frame is written with its pandas metadata and without its index. An Arrow table is
    written without any schema metadata, so its dictionary-encoded text columns read back
    as plain strings and every file of a table has the same Parquet schema.
    """
    if isinstance(frame, pd.DataFrame):
        _write_table(_from_pandas(frame), path, from_pandas=True)
    else:
        _write_table(plain_text(frame), path, from_pandas=False)


def plain_text(table: pa.Table) -> pa.Table:
    """Cast the dictionary-encoded columns of a table to their plain value type.

    pyarrow writes an Arrow dictionary into the Parquet dictionary page as it is, unused
    values included, so a slice of a shard-wide dictionary column would carry the whole
    shard's devices or IPs. Plain text lets the Parquet writer build a dictionary of the
    values each file holds.
    """
    fields = [
        pa.field(field.name, field.type.value_type) if pa.types.is_dictionary(field.type) else field
        for field in table.schema
    ]
    return table.cast(pa.schema(fields, metadata=table.schema.metadata))


def _from_pandas(frame: pd.DataFrame) -> pa.Table:
    # Text columns may have pandas' `str` dtype (large_string in Arrow) or object dtype
    # (string), depending on how a shard built them. Both are written as object and string,
    # so every file of a table has the same schema and pandas metadata.
    text = [name for name in frame.columns if pd.api.types.is_string_dtype(frame[name].dtype)]
    frame = frame.astype(dict.fromkeys(text, object))
    table = pa.Table.from_pandas(frame, preserve_index=False)
    fields = [
        pa.field(field.name, pa.string()) if pa.types.is_large_string(field.type) else field
        for field in table.schema
    ]
    return table.cast(pa.schema(fields, metadata=table.schema.metadata))


def _write_table(table: pa.Table, path: Path, *, from_pandas: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if from_pandas:
        pq.write_table(table, path, compression="zstd", write_statistics=True)
    else:
        pq.write_table(
            table.replace_schema_metadata(None),
            path,
            compression="zstd",
            use_dictionary=[name for name in table.column_names if name not in PLAIN_COLUMNS],
            write_statistics=STATISTICS_COLUMNS,
            store_schema=False,
        )


def table_to_frame(table: pa.Table) -> pd.DataFrame:
    """Convert an Arrow table to a frame, with dictionary-encoded text as plain strings.

    The frame has the dtypes that reading the table back from Parquet gives.
    """
    fields = [
        pa.field(field.name, field.type.value_type) if pa.types.is_dictionary(field.type) else field
        for field in table.schema
    ]
    return table.cast(pa.schema(fields)).to_pandas()


def write_partitioned(
    frame: pd.DataFrame | pa.Table,
    folder: Path,
    name: str,
    *,
    country: np.ndarray | pd.Categorical,
    scheme: str,
) -> None:
    """Write an event table as hive partitions `country=XX/date=YYYY-MM-DD/<name>` or by month.

    Parameters
    ----------
    frame
        Event rows with a UTC `ts` column, as a frame or an Arrow table (see
        `write_parquet` for how each is written).
    folder
        The table's folder, such as `data/auth_events`.
    name
        File name inside each partition, such as `part-00003.parquet`.
    country
        The owning customer's country for each row, as strings or as a categorical, which
        saves comparing strings on large tables.
    scheme
        `date` for one folder per UTC day, `month` for one per month (`month=YYYY-MM`).

    The partition values are folder names only, not columns inside the files. Rows keep
    their order inside each partition.
    """
    if scheme not in PARTITION_SCHEMES:
        raise ValueError(f"unknown partition scheme {scheme!r}; expected date or month")
    unit = "D" if scheme == "date" else "M"
    from_pandas = isinstance(frame, pd.DataFrame)
    if isinstance(frame, pd.DataFrame):
        epoch_ms = frame["ts"].array.asi8
        table = _from_pandas(frame)
    else:
        epoch_ms = frame.column("ts").cast(pa.int64()).to_numpy()
        table = frame
    period = epoch_ms.astype("datetime64[ms]").astype(f"datetime64[{unit}]").astype(np.int64)
    if isinstance(country, pd.Categorical):
        codes, code_of_row = np.asarray(country.categories, dtype=str), country.codes
    else:
        codes, code_of_row = np.unique(np.asarray(country, dtype=str), return_inverse=True)
    first_period = int(period.min()) if len(period) else 0
    span = int(period.max()) - first_period + 1 if len(period) else 1
    key = code_of_row.astype(np.int64) * span + (period - first_period)
    order = np.argsort(key, kind="stable")
    key = key[order]
    if not np.array_equal(order, np.arange(len(order))):
        table = table.take(pa.array(order))
    if not from_pandas:
        # Cast after the take, which then moves dictionary indices instead of text.
        table = plain_text(table)
    bounds = np.flatnonzero(np.diff(key)) + 1
    for start, stop in zip(np.r_[0, bounds], np.r_[bounds, len(key)], strict=True):
        if stop <= start:
            continue
        code = codes[key[start] // span]
        label = str(np.array(key[start] % span + first_period, dtype=f"datetime64[{unit}]"))
        path = folder / f"country={code}" / f"{scheme}={label}" / name
        _write_table(table.slice(start, stop - start), path, from_pandas=from_pandas)


def file_hashes(root: Path) -> dict[str, str]:
    """Return the SHA-256 of every file under `root` except the manifest, by relative path."""
    hashes = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.name != MANIFEST:
            hashes[path.relative_to(root).as_posix()] = sha256_file(path)
    return hashes


def fingerprint(hashes: dict[str, str]) -> str:
    """Return the hash of the trainee-visible files: everything under data/ and cases/."""
    digest = hashlib.sha256()
    for name, value in sorted(hashes.items()):
        if name.split("/", 1)[0] in TRAINEE_DIRS:
            digest.update(f"{name}\0{value}\n".encode())
    return digest.hexdigest()[:32]


def write_manifest(root: Path, info: dict[str, Any]) -> dict[str, Any]:
    """Hash the files under `root` and write the manifest beside them."""
    hashes = file_hashes(root)
    manifest = {
        "schema": MANIFEST_SCHEMA,
        **info,
        "files": hashes,
        "fingerprint": fingerprint(hashes),
    }
    (root / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


# Entries that `triagelab build` and `bundle` write. Anything else in a dataset folder is work
# done with it (submissions, grades, a gradebook, a roster), kept when the folder is rebuilt.
GENERATED_ENTRIES = frozenset({MANIFEST, "data", "cases", KEY_DIR})


def _fingerprint_of(folder: Path) -> str | None:
    try:
        return str(json.loads((folder / MANIFEST).read_text())["fingerprint"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _carry_over_work(target: Path, staging: Path) -> None:
    """Move the work kept in an earlier build at `target` into the new one at `staging`.

    Raises
    ------
    DatasetError
        If the earlier folder contains work but is not the same dataset, so the work would no
        longer match. Nothing is moved or replaced then.
    """
    work = sorted(p for p in target.iterdir() if p.name not in GENERATED_ENTRIES)
    if not work:
        return
    old, new = _fingerprint_of(target), _fingerprint_of(staging)
    if old is None or old != new:
        names = ", ".join(p.name for p in work)
        raise DatasetError(
            f"{target}: contains {names}, made for dataset {old or 'unknown'}, and the new build "
            f"is {new}; move them away or write the build to another --out",
            path=target,
            field="--out",
        )
    for path in work:
        path.rename(staging / path.name)
    logger.info("kept %s from the earlier build at %s", ", ".join(p.name for p in work), target)


@contextmanager
def atomic_folder(target: Path) -> Iterator[Path]:
    """Yield a temporary folder next to `target` and move it into place on success.

    A failure leaves `target` as it was: the temporary folder is removed and an earlier
    build at `target` is untouched. On success an earlier build is replaced, and the work kept
    in it (submissions, grades, anything not generated) moves into the new folder when both
    have the same fingerprint. When they differ, `DatasetError` is raised and nothing changes.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".{target.name}.partial-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    try:
        yield staging
        if target.exists():
            _carry_over_work(target, staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    retired = target.parent / f".{target.name}.old-{os.getpid()}"
    if target.exists():
        target.rename(retired)
    staging.rename(target)
    if retired.exists():
        shutil.rmtree(retired)


@dataclass
class Dataset:
    """A built dataset or a trainee bundle on disk."""

    root: Path
    manifest: dict[str, Any]

    @property
    def scenario_id(self) -> str:
        """Id of the scenario the dataset was built from."""
        return str(self.manifest["scenario"]["id"])

    @property
    def fingerprint(self) -> str:
        """Hash of the trainee-visible files."""
        return str(self.manifest["fingerprint"])

    @property
    def has_key(self) -> bool:
        """True for a full build, False for a trainee bundle."""
        return (self.root / KEY_DIR / "labels.parquet").is_file()

    def table(
        self, name: str, *, columns: list[str] | None = None, filters: Any = None
    ) -> pd.DataFrame:
        """Read one data table (`customers`, `auth_events`, ...), optionally filtered."""
        if name not in DATA_TABLES:
            raise DatasetError(
                f"unknown table `{name}`; tables are {', '.join(DATA_TABLES)}",
                field="table",
                value=name,
            )
        return read_table(self.root / "data" / name, columns=columns, filters=filters)

    def cases(self) -> pd.DataFrame:
        """Read the case queue."""
        return pd.read_parquet(self.root / "cases" / "cases.parquet")

    def labels(self) -> pd.DataFrame:
        """Read the answer key; only a full build has one."""
        path = self.root / KEY_DIR / "labels.parquet"
        if not path.is_file():
            raise DatasetError(f"{self.root}: no answer key (key/labels.parquet)", path=self.root)
        labels = pd.read_parquet(path)
        for column in ("flags", "evidence_event_ids"):
            labels[column] = labels[column].map(list)
        return labels

    def verify(self) -> None:
        """Check every file listed in the manifest against its SHA-256.

        Raises
        ------
        DatasetError
            Naming the first missing or changed file.
        """
        for name, expected in self.manifest["files"].items():
            path = self.root / name
            if not path.is_file():
                raise DatasetError(
                    f"{self.root}: file `{name}` listed in the manifest is missing",
                    path=self.root,
                    field=name,
                )
            if sha256_file(path) != expected:
                raise DatasetError(
                    f"{self.root}: file `{name}` does not match the manifest; the bundle was "
                    "changed after it was built: rebuild or re-copy it",
                    path=self.root,
                    field=name,
                )
        if fingerprint(self.manifest["files"]) != self.fingerprint:
            raise DatasetError(
                f"{self.root}: manifest fingerprint does not match its files",
                path=self.root,
                field="fingerprint",
            )


def read_table(
    folder: Path, *, columns: list[str] | None = None, filters: Any = None
) -> pd.DataFrame:
    """Read a Parquet dataset folder (plain or hive-partitioned) into one frame.

    Partition keys (`country`, `date`, `month`) can be used in `filters` and are returned
    only when named in `columns`, so a partitioned table has the same columns as a flat one.
    """
    if columns is None and any(path.is_dir() for path in folder.iterdir()):
        first = next(iter(sorted(folder.rglob("*.parquet"))))
        columns = pq.read_schema(first).names
    return pd.read_parquet(folder, columns=columns, filters=filters)


def open_dataset(path: str | Path) -> Dataset:
    """Open a built dataset or bundle folder.

    Raises
    ------
    DatasetError
        If the folder or its manifest is missing or unreadable.
    """
    root = Path(path)
    if not root.is_dir():
        raise DatasetError(
            f"{root}: dataset folder not found; build one with `triagelab build`", path=root
        )
    manifest_path = root / MANIFEST
    if not manifest_path.is_file():
        raise DatasetError(
            f"{root}: not a built dataset (no {MANIFEST}); point at the folder `triagelab build` "
            "printed",
            path=root,
        )
    try:
        manifest = json.loads(manifest_path.read_text())
    except json.JSONDecodeError as err:
        raise DatasetError(f"{manifest_path}: invalid JSON ({err})", path=manifest_path) from err
    if manifest.get("schema") != MANIFEST_SCHEMA:
        raise DatasetError(
            f"{manifest_path}: schema {manifest.get('schema')!r}, expected {MANIFEST_SCHEMA!r}",
            path=manifest_path,
            field="schema",
        )
    return Dataset(root, manifest)
