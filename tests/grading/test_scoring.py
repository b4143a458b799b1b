from __future__ import annotations

import itertools
from math import comb
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from triagelab.dataset import open_dataset
from triagelab.grading.grade import grade_build
from triagelab.grading.measures import cohen_kappa, flag_mask, popcount
from triagelab.grading.scoring import (
    ACTION_COST,
    WEIGHTS,
    action_confusion,
    action_credit,
    decisions_frame,
    flag_counts,
    key_for_trainees,
    per_flag,
    score_cases,
    score_decisions,
    summarize,
)
from triagelab.grading.simulate import random_submission, simulate_submission
from triagelab.training.submission import Submission, atomic_write_text
from triagelab.vocab import ACTIONS, FLAG_NAMES, PRIORITIES


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
    cases = score_cases(labels, _submission(starter_build, 1.0))
    summary = summarize(cases)
    assert summary.loc[0, "score"] == 100.0
    assert summary.loc[0, "flag_f1"] == 1.0
    assert summary.loc[0, "action_accuracy"] == 1.0
    assert summary.loc[0, "action_kappa"] == 1.0
    assert summary.loc[0, "priority_kappa"] == 1.0
    assert summary.loc[0, "brier"] == 0.0
    flags = per_flag(cases)
    assert len(flags) > 0
    assert (flags["precision"] == 1.0).all()
    assert (flags["recall"] == 1.0).all()


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


def test_skill_orders_scores(starter_build: Path) -> None:
    labels = open_dataset(starter_build).labels()
    means = []
    for skill in (0.2, 0.5, 0.9):
        submissions = [_submission(starter_build, skill, f"t{i}") for i in range(20)]
        key = key_for_trainees(labels, [s.trainee for s in submissions])
        # Each simulated trainee draws from its own stream, keyed by the trainee id.
        means.append(summarize(score_decisions(key, decisions_frame(submissions)))["score"].mean())
    assert means[0] < means[1] < means[2]


def _expected_f1(expected: int, total: int) -> float:
    """Compute the exact mean F1 when each of `total` flags is ticked with probability 1/2."""
    mean = 0.0
    for tp, fp in itertools.product(range(expected + 1), range(total - expected + 1)):
        weight = comb(expected, tp) * comb(total - expected, fp) / 2**total
        fn = expected - tp
        counts = flag_counts(set(range(tp + fp)), set(range(fp, fp + tp + fn)))
        mean += weight * counts.f1
    return mean


def _chance_score(labels: pd.DataFrame) -> float:
    """Compute the expected score of uniform random guessing from the documented formulas."""
    per_case = []
    for key in labels.itertuples():
        f1 = _expected_f1(len(key.flags), len(FLAG_NAMES))
        action = np.mean([action_credit(key.expected_action, chosen) for chosen in ACTIONS])
        rank = PRIORITIES.index(key.expected_priority)
        priority = np.mean([1 - abs(r - rank) / 3 for r in range(len(PRIORITIES))])
        # Confidence is uniform in 0-1, so E[(c - right)^2] is 1/3 whether right or wrong.
        calibration = 2 / 3
        per_case.append(
            WEIGHTS["flag_f1"] * f1
            + WEIGHTS["action_credit"] * action
            + WEIGHTS["priority_score"] * priority
            + WEIGHTS["calibration"] * calibration
        )
    return 100 * float(np.mean(per_case))


def test_random_submissions_score_near_chance(starter_build: Path) -> None:
    dataset = open_dataset(starter_build)
    labels = dataset.labels()
    submissions = [
        random_submission(
            labels, exercise="starter", trainee=f"r{seed}", fingerprint="f", seed=seed
        )
        for seed in range(300)
    ]
    key = key_for_trainees(labels, [s.trainee for s in submissions])
    scores = summarize(score_decisions(key, decisions_frame(submissions)))["score"]
    chance = _chance_score(labels)
    standard_error = scores.std() / np.sqrt(len(scores))
    assert 20 < chance < 60
    assert abs(scores.mean() - chance) < 4 * standard_error
    assert scores.max() < 85


def test_cost_matrix_worst_is_closed_takeover() -> None:
    worst = max(
        (cost, expected, chosen)
        for expected, row in ACTION_COST.items()
        for chosen, cost in row.items()
    )
    assert worst == (1.0, "escalate_security", "close")
    assert ACTION_COST["close"]["escalate_security"] <= 0.3
    assert all(ACTION_COST[action][action] == 0.0 for action in ACTIONS)


def test_cost_matrix_under_reaction_costs_more() -> None:
    assert ACTION_COST["escalate_security"]["close"] > ACTION_COST["close"]["escalate_security"]
    assert ACTION_COST["escalate_compliance"]["close"] > ACTION_COST["close"]["escalate_compliance"]


def test_flag_counts_empty_sides() -> None:
    assert flag_counts(set(), set()).f1 == 1.0
    assert flag_counts({"new_device"}, set()).f1 == 0.0
    assert flag_counts(set(), {"new_device"}).f1 == 0.0
    counts = flag_counts({"new_device", "credential_change"}, {"new_device"})
    assert counts.precision == 0.5
    assert counts.recall == 1.0


def test_vectorized_flags_match_scalar() -> None:
    rng = np.random.default_rng(5)
    rows = []
    for number in range(200):
        expected = sorted({str(f) for f in rng.choice(FLAG_NAMES, rng.integers(0, 5))})
        chosen = sorted({str(f) for f in rng.choice(FLAG_NAMES, rng.integers(0, 5))})
        rows.append((f"case-{number}", expected, chosen))
    key = pd.DataFrame(
        {
            "trainee": "t",
            "case_id": [r[0] for r in rows],
            "typology": "x",
            "is_suspicious": True,
            "flags": [r[1] for r in rows],
            "expected_action": "close",
            "expected_priority": "P4",
        }
    )
    submission = Submission(
        exercise="x",
        trainee="t",
        dataset_fingerprint="f",
        decisions=[
            {"case_id": r[0], "flags": r[2], "action": "close", "priority": "P4", "confidence": 1}
            for r in rows
        ],
    )
    scored = score_decisions(key, decisions_frame([submission]))
    for row, (_, expected, chosen) in zip(scored.itertuples(), rows, strict=True):
        counts = flag_counts(set(chosen), set(expected))
        assert row.flag_precision == pytest.approx(counts.precision)
        assert row.flag_recall == pytest.approx(counts.recall)
        assert row.flag_f1 == pytest.approx(counts.f1)


def test_popcount_counts_bits() -> None:
    masks = np.array([0, 1, 3, flag_mask(FLAG_NAMES), 2**40 + 7], dtype=np.int64)
    assert popcount(masks).tolist() == [0, 1, 2, len(FLAG_NAMES), 4]


def test_cohen_kappa_known_values() -> None:
    # Two raters, 50 items: 20 yes/yes, 15 no/no, 5 yes/no, 10 no/yes gives kappa 0.4.
    first = ["yes"] * 25 + ["no"] * 25
    second = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert cohen_kappa(first, second, ["yes", "no"]) == pytest.approx(0.4)
    assert cohen_kappa(first, first, ["yes", "no"]) == 1.0
    assert cohen_kappa(["P1"] * 3, ["P1"] * 3, PRIORITIES, weights="linear") == 1.0


def test_weighted_kappa_credits_near_misses() -> None:
    key = ["P1", "P2", "P3", "P4"] * 5
    near = ["P2", "P1", "P4", "P3"] * 5
    far = ["P4", "P3", "P2", "P1"] * 5
    near_kappa = cohen_kappa(near, key, PRIORITIES, weights="linear")
    far_kappa = cohen_kappa(far, key, PRIORITIES, weights="linear")
    assert near_kappa > far_kappa
    assert cohen_kappa(near, key, PRIORITIES) < near_kappa


def test_action_confusion_diagonal_for_perfect(starter_build: Path) -> None:
    labels = open_dataset(starter_build).labels()
    table = action_confusion(score_cases(labels, _submission(starter_build, 1.0)))
    assert int(np.trace(table.to_numpy())) == len(labels)
    assert table.to_numpy().sum() == len(labels)


def test_time_spent_in_seconds(starter_build: Path) -> None:
    labels = open_dataset(starter_build).labels()
    cases = score_cases(labels, _submission(starter_build, 0.7))
    assert (cases["seconds"] > 0).all()
    assert cases["seconds"].median() < 3600


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
