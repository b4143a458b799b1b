"""App settings that need no heavy imports: modes, trainee ids, roster and environment."""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass
from pathlib import Path

from triagelab.exceptions import InputError

MODES: tuple[str, ...] = ("practice", "exam")
ROSTER = "roster.csv"
# Environment variables `triagelab app` sets for the notebook, because Voila cannot pass
# papermill parameters.
ENV_DATASET = "TRIAGELAB_DATASET"
ENV_MODE = "TRIAGELAB_MODE"
ENV_TRAINEE = "TRIAGELAB_TRAINEE"
# Voila sets this to "True" in the kernels it starts ahead of page requests (Voila 0.5).
ENV_VOILA_PREHEAT = "VOILA_PREHEAT"
# Trainee ids name the submission file, so they may not contain path separators.
TRAINEE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@dataclass(frozen=True)
class Settings:
    """Dataset folder, mode and optional trainee id that the trainee notebook opens."""

    dataset: str
    mode: str
    trainee: str


def settings_from_environment(dataset: str, mode: str, trainee: str) -> Settings:
    """Return the notebook parameters, each replaced by its environment variable when set."""
    return Settings(
        dataset=os.environ.get(ENV_DATASET) or dataset,
        mode=os.environ.get(ENV_MODE) or mode,
        trainee=os.environ.get(ENV_TRAINEE) or trainee,
    )


def wait_for_page_request() -> bool:
    """Block a kernel that Voila started ahead of time until a page request takes it.

    Return True if the kernel waited. Outside such a kernel (a plain Voila kernel, Jupyter,
    papermill) return False at once, without importing Voila, which takes seconds.
    """
    if os.environ.get(ENV_VOILA_PREHEAT) != "True":
        return False
    from voila.utils import wait_for_request

    wait_for_request()
    return True


def check_mode(mode: str, field: str = "mode") -> str:
    """Return `mode`, or raise `InputError` if it is not `practice` or `exam`."""
    if mode not in MODES:
        raise InputError(
            f"{field} `{mode}` is not one of {', '.join(MODES)}", field=field, value=mode
        )
    return mode


def check_trainee_id(trainee: str) -> str:
    """Return the trainee id without surrounding spaces, or raise `InputError` if invalid."""
    trainee = trainee.strip()
    if not trainee:
        raise InputError("trainee id is empty; give the id from your roster", field="trainee")
    if not TRAINEE_ID.fullmatch(trainee):
        raise InputError(
            f"trainee id `{trainee}` is invalid; use 1 to 64 letters, digits, `.`, `_` or `-`, "
            "starting with a letter or digit",
            field="trainee",
            value=trainee,
        )
    return trainee


def read_roster(folder: Path) -> dict[str, str] | None:
    """Read `roster.csv` of a dataset folder: trainee id to display name, or None if absent.

    The file has a header row with a `trainee_id` column (the roster format `triagelab
    assign` reads; a `trainee` column is accepted too) and an optional `name` column.

    Raises
    ------
    InputError
        If the file has no trainee id column or an invalid id.
    """
    path = folder / ROSTER
    if not path.is_file():
        return None
    with path.open(newline="", encoding="utf-8") as stream:
        reader = csv.DictReader(stream)
        fields = reader.fieldnames or []
        column = next((name for name in ("trainee_id", "trainee") if name in fields), None)
        if column is None:
            raise InputError(
                f"{path}: no `trainee_id` column in the header row; found {fields}",
                path=path,
                field="trainee_id",
            )
        roster = {}
        for row in reader:
            trainee = check_trainee_id(row[column] or "")
            roster[trainee] = (row.get("name") or "").strip()
    return roster
