from __future__ import annotations

from pathlib import Path

import pytest

from triagelab.dataset import open_dataset
from triagelab.grading.grade import grade_build
from triagelab.grading.scoring import flag_counts, score_cases, summarize
from triagelab.grading.simulate import simulate_submission
from triagelab.training.submission import Submission, atomic_write_text


def _submission(build: Path, skill: float, trainee: str = "t1") -> Submission:
    dataset = open_dataset(build)
    return simulate_submission(
        dataset.labels(),
        exercise="starter",
        trainee=trainee,
        fingerprint=dataset.fingerprint,
        skill=skill,
        seed=3,
    )


def test_perfect_submission_scores_100(starter_build: Path) -> None:
    labels = open_dataset(starter_build).labels()
    summary = summarize(score_cases(labels, _submission(starter_build, 1.0)))
    assert summary.loc[0, "score"] == pytest.approx(100.0)
    assert summary.loc[0, "flag_f1"] == pytest.approx(1.0)
    assert summary.loc[0, "action_accuracy"] == pytest.approx(1.0)


def test_empty_submission_scores_0(starter_build: Path) -> None:
    dataset = open_dataset(starter_build)
    empty = Submission(exercise="starter", trainee="t0", dataset_fingerprint=dataset.fingerprint)
    summary = summarize(score_cases(dataset.labels(), empty))
    assert summary.loc[0, "score"] == 0.0
    assert summary.loc[0, "decided"] == 0


def test_imperfect_submission_in_between(starter_build: Path) -> None:
    labels = open_dataset(starter_build).labels()
    score = summarize(score_cases(labels, _submission(starter_build, 0.6))).loc[0, "score"]
    assert 20 < score < 95


def test_flag_counts_empty_sides() -> None:
    assert flag_counts(set(), set()).f1 == 1.0
    assert flag_counts({"new_device"}, set()).f1 == 0.0
    assert flag_counts(set(), {"new_device"}).f1 == 0.0
    counts = flag_counts({"new_device", "credential_change"}, {"new_device"})
    assert counts.precision == 0.5
    assert counts.recall == 1.0


def test_grade_build_writes_csv_and_rejects_foreign(starter_copy: Path) -> None:
    folder = starter_copy / "submissions"
    good = _submission(starter_copy, 0.8, "good")
    atomic_write_text(folder / "good.json", good.to_json())
    foreign = good.model_copy(update={"trainee": "other", "dataset_fingerprint": "0" * 32})
    atomic_write_text(folder / "other.json", foreign.to_json())
    (folder / "broken.json").write_text('{"schema": "triagelab.submission/1", "exer')
    result = grade_build(starter_copy)
    assert list(result.summary["trainee"]) == ["good"]
    assert result.scores_csv.is_file()
    reasons = {path.name: reason for path, reason in result.rejected}
    assert "not valid JSON" in reasons["broken.json"]
    assert "made for dataset" in reasons["other.json"]
