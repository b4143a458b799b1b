from __future__ import annotations

import os
import shutil
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
    assert ">NaN<" not in html
    assert "<th></th>" not in html
    assert "cases.noise" in html
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


def _move_to_bundles(exercise: Path) -> None:
    for path in sorted((exercise / "submissions").glob("*.json")):
        folder = exercise / "trainees" / path.stem / "submissions"
        folder.mkdir(exist_ok=True)
        path.rename(folder / path.name)


def test_grade_collects_from_bundles(exercise_copy: Path) -> None:
    simulate_cohort(exercise_copy, seed=3)
    expected = grade_exercise(exercise_copy).summary
    _move_to_bundles(exercise_copy)
    result = grade_exercise(exercise_copy)
    assert result.summary["score"].to_list() == expected["score"].to_list()
    assert result.rejected == []
    assert result.notes == []


def test_grade_takes_newer_of_two_copies(exercise_copy: Path) -> None:
    simulate_cohort(exercise_copy, seed=3)
    collected = exercise_copy / "submissions" / "ana.json"
    own = exercise_copy / "trainees" / "ana" / "submissions" / "ana.json"
    own.parent.mkdir()
    simulate_cohort(exercise_copy, seed=4)
    collected.rename(own)
    simulate_cohort(exercise_copy, seed=3)
    os.utime(collected, (1_700_000_000, 1_700_000_000))
    os.utime(own, (1_700_000_100, 1_700_000_100))
    result = grade_exercise(exercise_copy)
    assert len(result.notes) == 1
    path, reason = result.notes[0]
    assert path == own
    assert reason.startswith("graded trainees/ana/submissions/ana.json")
    assert "ignored submissions/ana.json" in reason
    problems = pd.read_csv(exercise_copy / "grades" / "problems.csv")
    assert problems.loc[problems["outcome"] == "note", "file"].to_list() == [
        "trainees/ana/submissions/ana.json"
    ]


def test_identical_copies_need_no_note(exercise_copy: Path) -> None:
    simulate_cohort(exercise_copy, seed=3)
    own = exercise_copy / "trainees" / "budi" / "submissions" / "budi.json"
    own.parent.mkdir()
    shutil.copy(exercise_copy / "submissions" / "budi.json", own)
    result = grade_exercise(exercise_copy)
    assert result.notes == []
    assert result.rejected == []


@pytest.mark.parametrize("mark", ["150", "-3", "nan", "sixty"])
def test_cli_pass_mark_out_of_range(exercise_copy: Path, mark: str) -> None:
    simulate_cohort(exercise_copy, seed=3)
    result = _cli("grade", str(exercise_copy), "--pass-mark", mark, "--no-html")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "--pass-mark" in result.stderr
    assert not (exercise_copy / "grades").exists()
    assert not (exercise_copy / "gradebook.sqlite").exists()


def test_grade_pass_mark_checked(exercise_copy: Path) -> None:
    from triagelab.exceptions import InputError

    simulate_cohort(exercise_copy, seed=3)
    with pytest.raises(InputError, match="pass mark 150"):
        grade_exercise(exercise_copy, pass_mark=150)
    assert not (exercise_copy / "grades").exists()


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("simulate-cohort", "{dir}", "--trainees", "0"), "--trainees"),
        (("simulate-cohort", "{dir}", "--seed", "-1"), "--seed"),
        (
            ("assign", "starter", "--roster", "r.csv", "--out", "{dir}/x", "--workers", "0"),
            "--workers",
        ),
    ],
)
def test_cli_counts_out_of_range(exercise_copy: Path, args: tuple[str, ...], option: str) -> None:
    result = _cli(*(arg.replace("{dir}", str(exercise_copy)) for arg in args))
    assert result.returncode == 2
    assert option in result.stderr
    assert not list((exercise_copy / "submissions").glob("*.json"))
    assert not (exercise_copy / "x").exists()


def test_cli_gradebook_export_usage() -> None:
    result = _cli("gradebook", "export", "--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: triagelab gradebook export ")
    assert "{export}" not in result.stdout


def test_cli_missing_submission_message(exercise_copy: Path) -> None:
    simulate_cohort(exercise_copy, seed=3)
    (exercise_copy / "submissions" / "budi.json").write_text("{")
    result = _cli("grade", str(exercise_copy), "--no-html")
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith("rejected budi.json: ")
    assert lines[1] == (
        "warning: roster trainee `budi` has no accepted submission (rejected: budi.json)"
    )
