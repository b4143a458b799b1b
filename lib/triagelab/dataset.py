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

import pandas as pd
import pyarrow.parquet as pq

from triagelab.exceptions import DatasetError

logger = logging.getLogger(__name__)

MANIFEST = "manifest.json"
EVENT_TABLES = ("auth_events", "transactions", "tickets")
DATA_TABLES = ("customers", *EVENT_TABLES, "market")
TRAINEE_DIRS = ("data", "cases")
KEY_DIR = "key"
MANIFEST_SCHEMA = "triagelab.manifest/1"


def sha256_file(path: Path) -> str:
    """Return the hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


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
