from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from triagelab.dataset import open_dataset
from triagelab.grading.grade import GradeResult, grade_build, grade_exercise
from triagelab.grading.integrity import similar_pairs
from triagelab.grading.scoring import decisions_frame, key_for_trainees, score_decisions
from triagelab.grading.simulate import simulate_cohort, simulate_submission
from triagelab.grading.variants import open_exercise
from triagelab.training.submission import atomic_write_text

from ..conftest import FIXTURES

BAD = FIXTURES / "submissions"


def _place(fixture: str, folder: Path, fingerprint: str, case_id: str) -> None:
    text = (BAD / fixture).read_bytes()
    text = text.replace(b"{fingerprint}", fingerprint.encode()).replace(
        b"{case_id}", case_id.encode()
    )
    (folder / fixture).write_bytes(text)


@pytest.fixture
def build_with_bad_files(starter_copy: Path) -> Path:
    dataset = open_dataset(starter_copy)
    case_id = str(dataset.labels()["case_id"].iloc[0])
    folder = starter_copy / "submissions"
    folder.mkdir(exist_ok=True)
    for fixture in sorted(path.name for path in BAD.glob("*.json")):
        _place(fixture, folder, dataset.fingerprint, case_id)
    simulate_cohort(starter_copy, trainees=3, seed=1)
    return starter_copy


EXPECTED_REASONS = {
    "truncated.json": "not valid JSON",
    "not_text.json": "not valid JSON",
    "wrong_shape.json": "valid dictionary",
    "unknown_flag.json": "unknown flag `sixth_sense`",
    "unknown_action.json": "unknown action `freeze_forever`",
    "duplicate_case.json": "duplicate case id",
    "other_dataset.json": "made for dataset 00000000000000000000000000000000",
}


def test_bad_files_rejected_with_reasons(build_with_bad_files: Path) -> None:
    result = grade_build(build_with_bad_files)
    reasons = {path.name: reason for path, reason in result.rejected}
    assert set(reasons) == set(EXPECTED_REASONS)
    for name, fragment in EXPECTED_REASONS.items():
        assert fragment in reasons[name], name


def test_rest_of_cohort_still_graded(build_with_bad_files: Path) -> None:
    result = grade_build(build_with_bad_files)
    graded = set(result.summary["trainee"])
    assert graded == {"trainee-001", "trainee-002", "trainee-003", "stranger"}


def test_unknown_case_is_a_warning(build_with_bad_files: Path) -> None:
    result = grade_build(build_with_bad_files)
    warnings = [reason for path, reason in result.warnings if path.name == "unknown_case.json"]
    assert any("case-00000000" in reason and "ignored" in reason for reason in warnings)
    assert "file name differs from its trainee `stranger`" in warnings
    stranger = result.summary.set_index("trainee").loc["stranger"]
    assert stranger["decided"] == 1


def test_problems_file_lists_everything(build_with_bad_files: Path) -> None:
    grade_build(build_with_bad_files)
    problems = pd.read_csv(build_with_bad_files / "grades" / "problems.csv")
    assert set(problems.loc[problems["outcome"] == "rejected", "file"]) == set(EXPECTED_REASONS)
    assert "unknown_case.json" in set(problems.loc[problems["outcome"] == "warning", "file"])


def test_copied_variant_submission_named(exercise_copy: Path) -> None:
    simulate_cohort(exercise_copy, seed=2)
    folder = exercise_copy / "submissions"
    copied = (folder / "ana.json").read_text().replace('"trainee": "ana"', '"trainee": "budi"')
    (folder / "budi.json").write_text(copied)
    result = grade_exercise(exercise_copy)
    reasons = {path.name: reason for path, reason in result.rejected}
    assert "variant of trainee `ana`" in reasons["budi.json"]
    assert set(result.summary["trainee"]) == {"ana", "cheng"}


def test_copied_cases_with_own_fingerprint(exercise_copy: Path) -> None:
    simulate_cohort(exercise_copy, seed=2)
    exercise = open_exercise(exercise_copy)
    folder = exercise_copy / "submissions"
    text = (folder / "ana.json").read_text().replace('"trainee": "ana"', '"trainee": "budi"')
    text = text.replace(exercise.variants["ana"].fingerprint, exercise.variants["budi"].fingerprint)
    (folder / "budi.json").write_text(text)
    result = grade_exercise(exercise_copy)
    warnings = {path.name: reason for path, reason in result.warnings}
    assert "variant of trainee `ana`" in warnings["budi.json"]
    budi = result.summary.set_index("trainee").loc["budi"]
    assert budi["decided"] == 0
    assert budi["score"] == 0.0


def test_trainee_off_roster_rejected(exercise_copy: Path) -> None:
    simulate_cohort(exercise_copy, seed=2)
    folder = exercise_copy / "submissions"
    shutil.copy(folder / "cheng.json", folder / "zed.json")
    text = (folder / "zed.json").read_text().replace('"trainee": "cheng"', '"trainee": "zed"')
    (folder / "zed.json").write_text(text)
    result = grade_exercise(exercise_copy)
    reasons = {path.name: reason for path, reason in result.rejected}
    assert "not on the exercise roster" in reasons["zed.json"]


def test_missing_submission_warned(exercise_copy: Path) -> None:
    simulate_cohort(exercise_copy, trainees=2, seed=2)
    result = grade_exercise(exercise_copy)
    warnings = {trainee: reason for trainee, reason in _warnings_by_trainee(result)}
    assert warnings["cheng"] == "roster trainee `cheng` has no accepted submission"


def test_missing_submission_names_rejected_file(exercise_copy: Path) -> None:
    simulate_cohort(exercise_copy, seed=2)
    (exercise_copy / "submissions" / "budi.json").write_text('{"schema": "triagelab.sub')
    result = grade_exercise(exercise_copy)
    warnings = dict(_warnings_by_trainee(result))
    assert warnings["budi"] == (
        "roster trainee `budi` has no accepted submission (rejected: budi.json)"
    )


def _warnings_by_trainee(result: GradeResult) -> list[tuple[str, str]]:
    problems = pd.read_csv(result.scores_csv.parent / "problems.csv", keep_default_na=False)
    warned = problems[problems["outcome"] == "warning"]
    return list(zip(warned["trainee"], warned["reason"], strict=True))


def test_near_identical_submissions_reported(starter_build: Path) -> None:
    dataset = open_dataset(starter_build)
    labels = dataset.labels()
    weak = simulate_submission(
        labels, exercise="s", trainee="alice", fingerprint=dataset.fingerprint, skill=0.3, seed=4
    )
    twin = weak.model_copy(update={"trainee": "bob"})
    others = [
        simulate_submission(
            labels, exercise="s", trainee=f"t{i}", fingerprint=dataset.fingerprint, skill=0.6
        )
        for i in range(4)
    ]
    submissions = [weak, twin, *others]
    cases = score_decisions(
        key_for_trainees(labels, [s.trainee for s in submissions]), decisions_frame(submissions)
    )
    pairs = similar_pairs(cases)
    assert list(zip(pairs["trainee_a"], pairs["trainee_b"], strict=True)) == [("alice", "bob")]
    assert pairs.loc[0, "identical_share"] == 1.0


def test_perfect_trainees_not_reported(starter_build: Path) -> None:
    dataset = open_dataset(starter_build)
    labels = dataset.labels()
    submissions = [
        simulate_submission(labels, exercise="s", trainee=name, fingerprint="f", skill=1.0)
        for name in ("p1", "p2")
    ]
    cases = score_decisions(key_for_trainees(labels, ["p1", "p2"]), decisions_frame(submissions))
    assert similar_pairs(cases).empty


def test_no_gradable_submission_is_input_error(starter_copy: Path) -> None:
    from triagelab.exceptions import SubmissionError

    atomic_write_text(starter_copy / "submissions" / "x.json", "{")
    with pytest.raises(SubmissionError, match="no submission could be graded"):
        grade_build(starter_copy)
