from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from triagelab.grading.cohort import (
    coaching,
    flag_accuracy,
    fleiss_kappa,
    item_analysis,
    pairwise_kappa,
    time_per_case,
    typology_accuracy,
)
from triagelab.grading.grade import grade_build, grade_exercise
from triagelab.grading.gradebook import GradebookError, export_csv, read_history
from triagelab.grading.simulate import simulate_cohort


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "triagelab.cli", "-q", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_exercise_items_are_typology_positions(exercise_copy: Path) -> None:
    simulate_cohort(exercise_copy, seed=3)
    result = grade_exercise(exercise_copy)
    assert set(result.cases["item"]) == {"account_takeover#1", "traveller#1", "baseline#1"}
    assert result.cases.groupby("trainee").size().to_dict() == {"ana": 3, "budi": 3, "cheng": 3}


def test_regrade_replaces_gradebook_rows(exercise_copy: Path, tmp_path: Path) -> None:
    book = tmp_path / "book.sqlite"
    simulate_cohort(exercise_copy, seed=3)
    grade_exercise(exercise_copy, gradebook=book)
    simulate_cohort(exercise_copy, seed=4)
    second = grade_exercise(exercise_copy, gradebook=book)
    history = read_history(book)
    assert len(history) == 3
    stored = history.set_index("trainee")["score"]
    expected = second.summary.set_index("trainee")["score"]
    assert stored.to_dict() == pytest.approx(expected.to_dict())


def test_gradebook_follows_trainee_across_exercises(
    exercise_copy: Path, starter_copy: Path, tmp_path: Path
) -> None:
    book = tmp_path / "book.sqlite"
    simulate_cohort(exercise_copy, seed=3)
    grade_exercise(exercise_copy, gradebook=book)
    simulate_cohort(starter_copy, trainees=2, seed=3)
    grade_build(starter_copy, gradebook=book)
    history = read_history(book)
    assert set(history["exercise_id"]) == {"week1", "starter"}
    assert len(read_history(book, "ana")) == 1
    out = export_csv(book, tmp_path / "export" / "history.csv")
    assert len(pd.read_csv(out)) == 5


def test_gradebook_failed_write_keeps_rows(exercise_copy: Path, tmp_path: Path) -> None:
    book = tmp_path / "book.sqlite"
    simulate_cohort(exercise_copy, seed=3)
    grade_exercise(exercise_copy, gradebook=book)
    with sqlite3.connect(book) as connection:
        connection.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON grades WHEN NEW.trainee = 'cheng' "
            "BEGIN SELECT RAISE(ABORT, 'refused'); END"
        )
    with pytest.raises(sqlite3.IntegrityError):
        grade_exercise(exercise_copy, gradebook=book)
    assert len(read_history(book)) == 3


def test_corrupt_gradebook_is_input_error(exercise_copy: Path, tmp_path: Path) -> None:
    book = tmp_path / "book.sqlite"
    book.write_bytes(b"not a database at all" * 100)
    simulate_cohort(exercise_copy, seed=3)
    with pytest.raises(GradebookError, match="not a usable gradebook"):
        grade_exercise(exercise_copy, gradebook=book)
    assert book.read_bytes() == b"not a database at all" * 100


def test_cohort_analytics_on_build(starter_copy: Path) -> None:
    simulate_cohort(starter_copy, trainees=12, seed=5)
    result = grade_build(starter_copy)
    cases = result.cases
    typologies = typology_accuracy(cases)
    assert set(typologies["typology"]) == set(cases["typology"])
    assert typologies["action_accuracy"].between(0, 1).all()
    flags = flag_accuracy(cases)
    assert flags["recall"].dropna().between(0, 1).all()
    items = item_analysis(cases)
    assert len(items) == cases["case_id"].nunique()
    assert items["difficulty"].between(0, 1).all()
    assert items["discrimination"].between(-1, 1).all()
    assert items["discrimination"].mean() > 0
    matrix = pairwise_kappa(cases)
    assert matrix.shape == (12, 12)
    assert (matrix.to_numpy().diagonal() == 1).all()
    assert -1 <= fleiss_kappa(cases) <= 1
    assert (time_per_case(cases)["median_seconds"] > 0).all()


def test_coaching_gives_reasons(starter_copy: Path) -> None:
    simulate_cohort(starter_copy, trainees=8, seed=5)
    result = grade_build(starter_copy)
    table = coaching(result.summary, result.cases, pass_mark=101)
    assert set(table["trainee"]) == set(result.summary["trainee"])
    assert table["reason"].str.len().gt(10).all()
    assert table["reason"].str.contains("below the pass mark").sum() == 8


def test_simulate_cohort_single_build_needs_count(starter_copy: Path) -> None:
    from triagelab.exceptions import InputError

    with pytest.raises(InputError, match="--trainees"):
        simulate_cohort(starter_copy)


def test_simulated_cohort_has_mixed_skill(starter_copy: Path) -> None:
    simulate_cohort(starter_copy, trainees=20, seed=6)
    scores = grade_build(starter_copy).summary["score"]
    assert scores.max() - scores.min() > 20
    assert scores.min() > 10


def test_simulated_confusion_escalates_travellers(starter_copy: Path) -> None:
    simulate_cohort(starter_copy, trainees=30, seed=6)
    cases = grade_build(starter_copy).cases
    travellers = cases[(cases["typology"] == "traveller") & (cases["action"] != "close")]
    assert len(travellers)
    assert travellers["action"].value_counts().index[0] == "escalate_security"


@pytest.mark.notebook
@pytest.mark.slow
def test_cli_grade_exercise_writes_reports(exercise_copy: Path, tmp_path: Path) -> None:
    assert _cli("simulate-cohort", str(exercise_copy)).returncode == 0
    result = _cli("grade", str(exercise_copy), "--pass-mark", "50")
    assert result.returncode == 0, result.stderr
    assert "ana" in result.stdout
    grades = exercise_copy / "grades"
    html = (grades / "cohort.html").read_text()
    assert "Score distribution" in html
    assert html.count("<img") >= 4
    assert "import " not in html
    for trainee in ("ana", "budi", "cheng"):
        card = (grades / "scorecards" / f"{trainee}.html").read_text()
        assert f"Scorecard: {trainee}" in card
        assert "feedback" in card
    assert (exercise_copy / "gradebook.sqlite").is_file()
    export = _cli(
        "gradebook",
        "export",
        str(exercise_copy / "gradebook.sqlite"),
        "--out",
        str(tmp_path / "book.csv"),
    )
    assert export.returncode == 0, export.stderr
    assert set(pd.read_csv(tmp_path / "book.csv")["trainee"]) == {"ana", "budi", "cheng"}


def test_cli_grade_single_build_no_html(starter_copy: Path, tmp_path: Path) -> None:
    simulate_cohort(starter_copy, trainees=2, seed=1)
    result = _cli("grade", str(starter_copy), "--no-html", "--gradebook", str(tmp_path / "b.db"))
    assert result.returncode == 0, result.stderr
    assert "trainee-001" in result.stdout
    assert (tmp_path / "b.db").is_file()
    assert not (starter_copy / "grades" / "cohort.html").exists()


def test_cli_gradebook_missing_exits_2(tmp_path: Path) -> None:
    result = _cli("gradebook", "export", str(tmp_path / "none.sqlite"), "--out", "x.csv")
    assert result.returncode == 2
    assert "gradebook not found" in result.stderr


def test_cli_grade_without_submissions_exits_2(exercise_copy: Path) -> None:
    result = _cli("grade", str(exercise_copy))
    assert result.returncode == 2
    assert "no submission files" in result.stderr
