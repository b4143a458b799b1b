"""Gradebook in SQLite: every graded exercise per trainee, to follow progress over time."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pandas as pd

from triagelab.exceptions import InputError

logger = logging.getLogger(__name__)

GRADE_COLUMNS = (
    "score",
    "cases",
    "decided",
    "flag_f1",
    "action_accuracy",
    "action_kappa",
    "priority_kappa",
    "brier",
    "median_seconds",
)
SCHEMA = """
CREATE TABLE IF NOT EXISTS exercises (
    exercise_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    scenario_id TEXT NOT NULL,
    pass_mark REAL NOT NULL,
    graded_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS grades (
    exercise_id TEXT NOT NULL REFERENCES exercises(exercise_id) ON DELETE CASCADE,
    trainee TEXT NOT NULL,
    score REAL NOT NULL,
    passed INTEGER NOT NULL,
    cases INTEGER NOT NULL,
    decided INTEGER NOT NULL,
    flag_f1 REAL,
    action_accuracy REAL,
    action_kappa REAL,
    priority_kappa REAL,
    brier REAL,
    median_seconds REAL,
    PRIMARY KEY (exercise_id, trainee)
);
"""


class GradebookError(InputError):
    """A gradebook file that is not a readable SQLite database."""


@contextmanager
def _connect(path: Path) -> Iterator[sqlite3.Connection]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(path)) as connection:
        try:
            connection.execute("PRAGMA foreign_keys = ON")
            connection.executescript(SCHEMA)
        except sqlite3.DatabaseError as err:
            raise GradebookError(
                f"{path}: not a usable gradebook ({err}); give another --gradebook path",
                path=path,
                field="--gradebook",
            ) from err
        yield connection


def record_exercise(
    path: str | Path,
    *,
    exercise_id: str,
    kind: str,
    source: str,
    scenario_id: str,
    pass_mark: float,
    graded_at: str,
    summary: pd.DataFrame,
) -> int:
    """Store one graded exercise, replacing its earlier rows, in a single transaction.

    Returns the number of trainee rows written.
    """
    rows = [
        (
            exercise_id,
            str(entry["trainee"]),
            float(entry["score"]),
            int(entry["score"] >= pass_mark),
            *(
                None if pd.isna(entry[column]) else float(entry[column])
                for column in GRADE_COLUMNS[1:]
            ),
        )
        for entry in summary.to_dict("records")
    ]
    with _connect(Path(path)) as connection, connection:
        connection.execute("DELETE FROM grades WHERE exercise_id = ?", (exercise_id,))
        connection.execute(
            "INSERT OR REPLACE INTO exercises VALUES (?, ?, ?, ?, ?, ?)",
            (exercise_id, kind, source, scenario_id, pass_mark, graded_at),
        )
        connection.executemany(
            "INSERT INTO grades (exercise_id, trainee, score, passed, cases, decided, flag_f1, "
            "action_accuracy, action_kappa, priority_kappa, brier, median_seconds) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    logger.info("recorded %d grades of %s in %s", len(rows), exercise_id, path)
    return len(rows)


def read_history(path: str | Path, trainee: str | None = None) -> pd.DataFrame:
    """Return every stored grade with its exercise, ordered by trainee and grading time."""
    path = Path(path)
    if not path.is_file():
        raise GradebookError(f"{path}: gradebook not found", path=path, field="--gradebook")
    query = (
        "SELECT g.trainee, e.exercise_id, e.scenario_id, e.kind, e.graded_at, e.pass_mark, "
        "g.score, g.passed, g.cases, g.decided, g.flag_f1, g.action_accuracy, g.action_kappa, "
        "g.priority_kappa, g.brier, g.median_seconds FROM grades g JOIN exercises e "
        "USING (exercise_id)"
    )
    parameters: tuple[str, ...] = ()
    if trainee is not None:
        query += " WHERE g.trainee = ?"
        parameters = (trainee,)
    query += " ORDER BY g.trainee, e.graded_at, e.exercise_id"
    with _connect(path) as connection:
        return pd.read_sql_query(query, connection, params=parameters)


def export_csv(path: str | Path, out: str | Path) -> Path:
    """Write the whole gradebook history to a CSV file."""
    history = read_history(path)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    history.to_csv(out, index=False)
    logger.info("exported %d grades to %s", len(history), out)
    return out
