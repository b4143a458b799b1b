"""Exercise folders: one variant of a scenario per trainee, with the trainer's keys."""

from __future__ import annotations

import csv
import json
import logging
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from triagelab.cases import write_bundle
from triagelab.dataset import Dataset, atomic_folder, open_dataset
from triagelab.exceptions import DatasetError, InputError
from triagelab.scenarios import Scenario, parse_scenario
from triagelab.synthetic.build import build_dataset
from triagelab.synthetic.rng import derive_seed

logger = logging.getLogger(__name__)

EXERCISE_FILE = "exercise.json"
EXERCISE_SCHEMA = "triagelab.exercise/1"
# Trainee ids name folders and files, so they keep to characters safe on every file system.
TRAINEE_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
SEED_MODULUS = 2**31
# The trainee app restricts sign-in to the ids in this file of the folder it serves.
BUNDLE_ROSTER = "roster.csv"


class RosterError(InputError):
    """A roster file that is missing, lacks a column or has an invalid trainee id."""


@dataclass(frozen=True)
class Trainee:
    """One row of a roster: the id used in file names, and an optional display name."""

    trainee_id: str
    name: str = ""


@dataclass(frozen=True)
class Variant:
    """One trainee's variant of the exercise scenario."""

    trainee_id: str
    name: str
    seed: int
    fingerprint: str


@dataclass(frozen=True)
class Exercise:
    """An exercise folder written by `assign_exercise`."""

    root: Path
    exercise_id: str
    scenario: dict[str, Any]
    variants: dict[str, Variant]

    def bundle_dir(self, trainee_id: str) -> Path:
        """Return the folder of a trainee's bundle."""
        return self.root / "trainees" / trainee_id

    def labels(self, trainee_id: str) -> pd.DataFrame:
        """Read the answer key of a trainee's variant."""
        path = self.root / "key" / trainee_id / "labels.parquet"
        if not path.is_file():
            raise DatasetError(
                f"{path}: answer key of trainee `{trainee_id}` is missing", path=path
            )
        labels = pd.read_parquet(path)
        for column in ("flags", "evidence_event_ids"):
            labels[column] = labels[column].map(list)
        return labels

    def cases(self, trainee_id: str) -> pd.DataFrame:
        """Read the case queue of a trainee's variant."""
        return pd.read_parquet(self.bundle_dir(trainee_id) / "cases" / "cases.parquet")


def variant_seed(scenario_seed: int, trainee_id: str) -> int:
    """Return the seed of a trainee's variant, derived from the scenario seed and the id."""
    return derive_seed(scenario_seed, "variant", trainee_id) % SEED_MODULUS


def read_roster(path: str | Path) -> list[Trainee]:
    """Read a roster CSV with a `trainee_id` column and an optional `name` column.

    Raises
    ------
    RosterError
        Naming the file, the field and the value when the file is missing or unreadable,
        lacks `trainee_id`, or has an empty, duplicate or unsafe id.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as err:
        raise RosterError(f"{path}: roster file not found", path=path) from err
    except (IsADirectoryError, UnicodeDecodeError) as err:
        raise RosterError(f"{path}: not a readable CSV file ({err})", path=path) from err
    reader = csv.DictReader(text.splitlines())
    columns = [column.strip() for column in reader.fieldnames or []]
    if "trainee_id" not in columns:
        raise RosterError(
            f"{path}: column `trainee_id` is missing; the header has {columns or 'no columns'}",
            path=path,
            field="trainee_id",
        )
    trainees: list[Trainee] = []
    seen: set[str] = set()
    for line, row in enumerate(reader, start=2):
        row = {(key or "").strip(): (value or "") for key, value in row.items()}
        trainee_id = row["trainee_id"].strip()
        field = f"trainee_id (line {line})"
        if not trainee_id:
            raise RosterError(f"{path}: {field} is empty", path=path, field=field, value="")
        if not TRAINEE_ID_PATTERN.match(trainee_id):
            raise RosterError(
                f"{path}: {field} `{trainee_id}` is not safe as a file name; use letters, "
                "digits, '.', '_' or '-', starting with a letter or digit, at most 64 characters",
                path=path,
                field=field,
                value=trainee_id,
            )
        if trainee_id in seen:
            raise RosterError(
                f"{path}: {field} `{trainee_id}` appears twice; every trainee needs its own id",
                path=path,
                field=field,
                value=trainee_id,
            )
        seen.add(trainee_id)
        trainees.append(Trainee(trainee_id, row.get("name", "").strip()))
    if not trainees:
        raise RosterError(f"{path}: the roster lists no trainees", path=path, field="trainee_id")
    return trainees


def write_roster(path: str | Path, trainees: list[Trainee]) -> Path:
    """Write a roster CSV with the header `trainee_id,name`, readable by `read_roster`."""
    path = Path(path)
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(["trainee_id", "name"])
        writer.writerows([trainee.trainee_id, trainee.name] for trainee in trainees)
    return path


def assign_exercise(
    scenario: Scenario, roster: str | Path, out: str | Path, *, workers: int = 1
) -> Path:
    """Build one variant of `scenario` per trainee and write the exercise folder `out`.

    Each variant uses the scenario with the seed `variant_seed(scenario.seed, trainee_id)`,
    so every trainee gets the same typology mix and subtlety with other customers and case
    order. Each bundle `trainees/<id>/` gets a `roster.csv` listing only that trainee, so
    the app signs in nobody else there, and its manifest names the exercise (the folder
    name of `out`). The folder is written to a temporary place and moved into place at the end.

    Raises
    ------
    RosterError
        For a bad roster; nothing is written.
    InputError
        When `out` already exists and is not empty, so earlier submissions are never lost.
    """
    trainees = read_roster(roster)
    target = Path(out)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InputError(
            f"{target}: exercise folder already exists and is not empty; choose another --out "
            "or remove it",
            path=target,
            field="--out",
            value=str(target),
        )
    variants = []
    with (
        atomic_folder(target) as staging,
        tempfile.TemporaryDirectory(prefix=".builds-", dir=staging.parent) as scratch,
    ):
        for trainee in trainees:
            seed = variant_seed(scenario.seed, trainee.trainee_id)
            variant = scenario.with_overrides(seed=seed)
            built = build_dataset(variant, Path(scratch) / trainee.trainee_id, workers=workers)
            bundle = write_bundle(
                built, Path(scratch) / "bundles" / trainee.trainee_id, exercise=target.name
            )
            bundle_dir = _mkparent(staging / "trainees" / trainee.trainee_id)
            bundle.rename(bundle_dir)
            write_roster(bundle_dir / BUNDLE_ROSTER, [trainee])
            key_dir = staging / "key" / trainee.trainee_id
            key_dir.mkdir(parents=True)
            shutil.copy2(built / "key" / "labels.parquet", key_dir / "labels.parquet")
            fingerprint = open_dataset(built).fingerprint
            variants.append(Variant(trainee.trainee_id, trainee.name, seed, fingerprint))
            logger.info("built variant of %s (seed %d)", trainee.trainee_id, seed)
        (staging / "submissions").mkdir()
        document = {
            "schema": EXERCISE_SCHEMA,
            "exercise": target.name,
            "scenario": scenario.model_dump(mode="json"),
            "roster": str(Path(roster).name),
            "trainees": [variant.__dict__ for variant in variants],
        }
        (staging / EXERCISE_FILE).write_text(json.dumps(document, indent=2) + "\n")
    logger.info("wrote exercise %s for %d trainees", target, len(variants))
    return target


def _mkparent(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def is_exercise(path: str | Path) -> bool:
    """Return True when `path` is an exercise folder (it has exercise.json)."""
    return (Path(path) / EXERCISE_FILE).is_file()


def open_exercise(path: str | Path) -> Exercise:
    """Read an exercise folder's exercise.json.

    Raises
    ------
    DatasetError
        When the file is missing, not JSON or of another schema.
    """
    root = Path(path)
    document_path = root / EXERCISE_FILE
    try:
        document = json.loads(document_path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise DatasetError(
            f"{root}: not an exercise folder (no {EXERCISE_FILE}); create one with "
            "`triagelab assign`",
            path=root,
        ) from err
    except json.JSONDecodeError as err:
        raise DatasetError(f"{document_path}: invalid JSON ({err})", path=document_path) from err
    if document.get("schema") != EXERCISE_SCHEMA:
        raise DatasetError(
            f"{document_path}: schema {document.get('schema')!r}, expected {EXERCISE_SCHEMA!r}",
            path=document_path,
            field="schema",
            value=document.get("schema"),
        )
    variants = {entry["trainee_id"]: Variant(**entry) for entry in document["trainees"]}
    parse_scenario(document["scenario"], source=document_path)
    return Exercise(root, str(document["exercise"]), document["scenario"], variants)


def variant_dataset(exercise: Exercise, trainee_id: str) -> Dataset:
    """Open a trainee's bundle inside an exercise folder."""
    return open_dataset(exercise.bundle_dir(trainee_id))
