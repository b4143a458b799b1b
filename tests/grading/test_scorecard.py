"""Scorecard rows: right or wrong by action, priority and flags, with calibration apart."""

from __future__ import annotations

import re
from pathlib import Path

from triagelab.dataset import open_dataset
from triagelab.grading.scorecard import decision_correct, render_scorecard
from triagelab.grading.scoring import score_cases, summarize
from triagelab.grading.simulate import simulate_submission
from triagelab.training.submission import Submission


def _key_with_confidence(starter_build: Path, confidence: float) -> Submission:
    dataset = open_dataset(starter_build)
    perfect = simulate_submission(
        dataset.labels(),
        exercise="starter",
        trainee="ana",
        fingerprint=dataset.fingerprint,
        skill=1.0,
    )
    decisions = [d.model_copy(update={"confidence": confidence}) for d in perfect.decisions]
    return perfect.model_copy(update={"decisions": decisions})


def _render(starter_build: Path, submission: Submission, tmp_path: Path) -> str:
    labels = open_dataset(starter_build).labels()
    cases = score_cases(labels, submission)
    summary = summarize(cases).iloc[0].to_dict()
    path = render_scorecard(
        "ana", summary, cases, [], exercise="starter", pass_mark=60, target=tmp_path / "a.html"
    )
    return path.read_text()


def test_right_answers_unsure_are_correct(starter_build: Path, tmp_path: Path) -> None:
    submission = _key_with_confidence(starter_build, 0.6)
    labels = open_dataset(starter_build).labels()
    cases = score_cases(labels, submission)
    assert cases["case_score"].lt(0.999).all()
    assert all(decision_correct(row) for row in cases.itertuples())
    html = _render(starter_build, submission, tmp_path)
    assert html.count('<tr class="right">') == len(labels)
    assert '<tr class="wrong">' not in html
    assert "<td>0.60</td>" in html


def test_wrong_flags_mark_row_wrong(starter_build: Path, tmp_path: Path) -> None:
    submission = _key_with_confidence(starter_build, 1.0)
    first = submission.decisions[0]
    changed = first.model_copy(update={"flags": [*first.flags, "new_device"]})
    if "new_device" in first.flags:
        changed = first.model_copy(update={"flags": [f for f in first.flags if f != "new_device"]})
    submission = submission.model_copy(update={"decisions": [changed, *submission.decisions[1:]]})
    html = _render(starter_build, submission, tmp_path)
    assert html.count('<tr class="wrong">') == 1
    wrong_row = re.search(r'<tr class="wrong">.*?</tr>', html, re.DOTALL)
    assert wrong_row is not None
    assert first.case_id in wrong_row.group(0)


def test_routine_cases_explained_once(starter_build: Path, tmp_path: Path) -> None:
    html = _render(starter_build, _key_with_confidence(starter_build, 1.0), tmp_path)
    assert html.count("cases.noise") == 1
    assert "<td>baseline</td>" in html
    assert "<td>escalate_<wbr>security</td>" in html


def test_case_table_wraps_feedback(starter_build: Path, tmp_path: Path) -> None:
    html = _render(starter_build, _key_with_confidence(starter_build, 1.0), tmp_path)
    assert 'table class="cases"' in html
    assert "width: 100%" in html
    assert html.count('<td class="feedback">') == len(open_dataset(starter_build).labels())
