"""Score trainee decisions against the answer key, per case and per trainee.

The formulas are documented in docs/scoring.md. In short, per case:

    case score = 0.35 * flag F1 + 0.35 * action credit + 0.15 * priority score
                 + 0.15 * calibration

and a trainee's overall score is 100 times the mean case score over every case of the key,
a case without a decision scoring 0 on every part.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from triagelab.grading.measures import FLAG_BITS, flag_masks, kappa_by_group, popcount
from triagelab.training.submission import Submission
from triagelab.vocab import ACTIONS, PRIORITIES

logger = logging.getLogger(__name__)

WEIGHTS = {"flag_f1": 0.35, "action_credit": 0.35, "priority_score": 0.15, "calibration": 0.15}

# Cost of choosing the column's action when the key expects the row's action, in 0-1.
# Doing too little on a real threat costs more than doing too much on a benign case:
# closing an account takeover lets the attacker drain it (cost 1, the maximum), while
# escalating a traveller to security costs a short review and an annoyed customer (0.3).
# Holding a benign customer's funds (restrict_and_verify) costs more than a review, and
# contacting a customer under a compliance suspicion risks tipping them off.
ACTION_COST: dict[str, dict[str, float]] = {
    "close": {
        "close": 0.0,
        "monitor": 0.1,
        "contact_customer": 0.2,
        "restrict_and_verify": 0.4,
        "escalate_security": 0.3,
        "escalate_compliance": 0.3,
    },
    "monitor": {
        "close": 0.3,
        "monitor": 0.0,
        "contact_customer": 0.1,
        "restrict_and_verify": 0.3,
        "escalate_security": 0.2,
        "escalate_compliance": 0.2,
    },
    "contact_customer": {
        "close": 0.5,
        "monitor": 0.3,
        "contact_customer": 0.0,
        "restrict_and_verify": 0.2,
        "escalate_security": 0.2,
        "escalate_compliance": 0.2,
    },
    "restrict_and_verify": {
        "close": 0.9,
        "monitor": 0.7,
        "contact_customer": 0.5,
        "restrict_and_verify": 0.0,
        "escalate_security": 0.2,
        "escalate_compliance": 0.3,
    },
    "escalate_security": {
        "close": 1.0,
        "monitor": 0.9,
        "contact_customer": 0.7,
        "restrict_and_verify": 0.4,
        "escalate_security": 0.0,
        "escalate_compliance": 0.5,
    },
    "escalate_compliance": {
        "close": 0.9,
        "monitor": 0.7,
        "contact_customer": 0.6,
        "restrict_and_verify": 0.4,
        "escalate_security": 0.4,
        "escalate_compliance": 0.0,
    },
}
_COST_MATRIX = np.array([[ACTION_COST[e][c] for c in ACTIONS] for e in ACTIONS])

# Actions that treat a case as suspicious; `close` and `monitor` do not act on it.
SUSPICIOUS_ACTIONS = frozenset(
    {"contact_customer", "restrict_and_verify", "escalate_security", "escalate_compliance"}
)
NO_DECISION = "(none)"

KEY_COLUMNS = [
    "trainee",
    "case_id",
    "typology",
    "is_suspicious",
    "flags",
    "expected_action",
    "expected_priority",
]
DECISION_COLUMNS = [
    "trainee",
    "case_id",
    "flags",
    "action",
    "priority",
    "confidence",
    "rationale",
    "opened_at",
    "decided_at",
]
CASE_COLUMNS = [
    "trainee",
    "case_id",
    "item",
    "typology",
    "is_suspicious",
    "decided",
    "expected_action",
    "action",
    "expected_priority",
    "priority",
    "expected_mask",
    "chosen_mask",
    "flag_precision",
    "flag_recall",
    "flag_f1",
    "action_correct",
    "action_credit",
    "priority_distance",
    "priority_score",
    "confidence",
    "called_suspicious",
    "brier",
    "calibration",
    "seconds",
    "case_score",
]


@dataclass(frozen=True)
class FlagCounts:
    """True positives, false positives and false negatives of one case's flags."""

    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        """Share of the chosen flags that are in the key; 1 when none were chosen or expected."""
        if self.tp + self.fp == 0:
            return 1.0 if self.fn == 0 else 0.0
        return self.tp / (self.tp + self.fp)

    @property
    def recall(self) -> float:
        """Share of the key's flags that were chosen; 1 when the key has none."""
        if self.tp + self.fn == 0:
            return 1.0 if self.fp == 0 else 0.0
        return self.tp / (self.tp + self.fn)

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall (1 when both sides are empty)."""
        p, r = self.precision, self.recall
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def flag_counts(chosen: set[str], expected: set[str]) -> FlagCounts:
    """Count the agreement between chosen and expected flags."""
    return FlagCounts(len(chosen & expected), len(chosen - expected), len(expected - chosen))


def action_credit(expected: str, chosen: str) -> float:
    """Return the credit, 1 minus the cost, of choosing `chosen` when `expected` is right."""
    return 1.0 - ACTION_COST[expected][chosen]


def decisions_frame(submissions: Iterable[Submission]) -> pd.DataFrame:
    """Return every decision of the submissions as one row, with the trainee's id."""
    rows = [
        (
            submission.trainee,
            decision.case_id,
            decision.flags,
            decision.action,
            decision.priority,
            decision.confidence,
            decision.rationale,
            decision.opened_at,
            decision.decided_at,
        )
        for submission in submissions
        for decision in submission.decisions
    ]
    return pd.DataFrame(rows, columns=DECISION_COLUMNS)


def key_for_trainees(labels: pd.DataFrame, trainees: Iterable[str]) -> pd.DataFrame:
    """Repeat one answer key for each trainee, as for a single build graded by a cohort."""
    frames = [labels.assign(trainee=trainee) for trainee in trainees]
    if not frames:
        return pd.DataFrame(columns=[*KEY_COLUMNS, "item"])
    return pd.concat(frames, ignore_index=True)


def _seconds(opened: pd.Series, decided: pd.Series) -> np.ndarray:
    start = pd.to_datetime(opened, utc=True, errors="coerce", format="ISO8601")
    end = pd.to_datetime(decided, utc=True, errors="coerce", format="ISO8601")
    return (end - start).dt.total_seconds().to_numpy(float)


def _f1_parts(expected: np.ndarray, chosen: np.ndarray) -> tuple[np.ndarray, ...]:
    tp = popcount(expected & chosen).astype(float)
    fp = popcount(chosen & ~expected).astype(float)
    fn = popcount(expected & ~chosen).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(tp + fp == 0, np.where(fn == 0, 1.0, 0.0), tp / (tp + fp))
        recall = np.where(tp + fn == 0, np.where(fp == 0, 1.0, 0.0), tp / (tp + fn))
        f1 = np.where(precision + recall == 0, 0.0, 2 * precision * recall / (precision + recall))
    return precision, recall, f1


def score_decisions(key: pd.DataFrame, decisions: pd.DataFrame) -> pd.DataFrame:
    """Return one row per key row (trainee and case) with the part scores and the case score.

    `key` has the `KEY_COLUMNS` and optionally `item`, the name under which cases are
    compared across trainees; `decisions` has the `DECISION_COLUMNS`. Decisions on cases
    that are not in the key are ignored here; `grade` reports them.
    """
    frame = key.copy()
    if "item" not in frame:
        frame["item"] = frame["case_id"]
    frame = frame[[*KEY_COLUMNS, "item"]]
    decided_rows = decisions.rename(columns={"flags": "chosen_flags"})
    frame = frame.merge(decided_rows, on=["trainee", "case_id"], how="left", validate="1:1")
    decided = frame["action"].notna().to_numpy()

    expected_mask = flag_masks(frame["flags"])
    chosen_mask = np.where(decided, flag_masks(frame["chosen_flags"].where(decided, None)), 0)
    precision, recall, f1 = _f1_parts(expected_mask, chosen_mask)

    action_index = {action: position for position, action in enumerate(ACTIONS)}
    expected_action = frame["expected_action"].map(action_index).to_numpy(np.int64)
    chosen_action = frame["action"].map(action_index).fillna(0).to_numpy(np.int64)
    credit = 1.0 - _COST_MATRIX[expected_action, chosen_action]

    rank = {priority: position for position, priority in enumerate(PRIORITIES)}
    expected_rank = frame["expected_priority"].map(rank).to_numpy(float)
    chosen_rank = frame["priority"].map(rank).to_numpy(float)
    distance = np.abs(chosen_rank - expected_rank) / (len(PRIORITIES) - 1)

    confidence = frame["confidence"].to_numpy(float)
    called = frame["action"].isin(SUSPICIOUS_ACTIONS).to_numpy()
    suspicious = frame["is_suspicious"].astype(bool).to_numpy()
    p_suspicious = np.where(called, confidence, 1.0 - confidence)
    brier = (p_suspicious - suspicious) ** 2

    out = pd.DataFrame(
        {
            "trainee": frame["trainee"].astype(str),
            "case_id": frame["case_id"].astype(str),
            "item": frame["item"].astype(str),
            "typology": frame["typology"].astype(str),
            "is_suspicious": suspicious,
            "decided": decided,
            "expected_action": frame["expected_action"].astype(str),
            "action": frame["action"].fillna(NO_DECISION).astype(str),
            "expected_priority": frame["expected_priority"].astype(str),
            "priority": frame["priority"].fillna(NO_DECISION).astype(str),
            "expected_mask": expected_mask,
            "chosen_mask": chosen_mask,
            "flag_precision": np.where(decided, precision, 0.0),
            "flag_recall": np.where(decided, recall, 0.0),
            "flag_f1": np.where(decided, f1, 0.0),
            "action_correct": np.where(decided, expected_action == chosen_action, False).astype(
                float
            ),
            "action_credit": np.where(decided, credit, 0.0),
            "priority_distance": np.where(decided, distance, 1.0),
            "priority_score": np.where(decided, 1.0 - distance, 0.0),
            "confidence": confidence,
            "called_suspicious": called,
            "brier": np.where(decided, brier, np.nan),
            "calibration": np.where(decided, 1.0 - brier, 0.0),
            "seconds": np.where(decided, _seconds(frame["opened_at"], frame["decided_at"]), np.nan),
        }
    )
    out["case_score"] = sum(out[part] * weight for part, weight in WEIGHTS.items())
    return out[CASE_COLUMNS]


def score_cases(labels: pd.DataFrame, submission: Submission) -> pd.DataFrame:
    """Return one row per case in the key with one trainee's part scores."""
    key = key_for_trainees(labels, [submission.trainee])
    return score_decisions(key, decisions_frame([submission]))


def summarize(case_scores: pd.DataFrame) -> pd.DataFrame:
    """Return one row per trainee: decided cases, mean part scores, kappas and the 0-100 score.

    `action_kappa` is Cohen's kappa of the chosen against the expected actions and
    `priority_kappa` the linearly weighted kappa of the priorities, both over decided cases.
    """
    grouped = case_scores.groupby("trainee", sort=True)
    summary = pd.DataFrame(
        {
            "cases": grouped.size(),
            "decided": grouped["decided"].sum().astype(int),
            "flag_precision": grouped["flag_precision"].mean(),
            "flag_recall": grouped["flag_recall"].mean(),
            "flag_f1": grouped["flag_f1"].mean(),
            "action_accuracy": grouped["action_correct"].mean(),
            "action_credit": grouped["action_credit"].mean(),
            "priority_distance": grouped["priority_distance"].mean(),
            "brier": grouped["brier"].mean(),
            "median_seconds": grouped["seconds"].median(),
            "score": grouped["case_score"].mean() * 100,
        }
    )
    decided = case_scores[case_scores["decided"]]
    summary["action_kappa"] = kappa_by_group(
        decided["trainee"], decided["action"], decided["expected_action"], ACTIONS
    )
    summary["priority_kappa"] = kappa_by_group(
        decided["trainee"],
        decided["priority"],
        decided["expected_priority"],
        PRIORITIES,
        weights="linear",
    )
    return summary.reset_index().round(4)


def per_flag(case_scores: pd.DataFrame, *, by: str = "trainee") -> pd.DataFrame:
    """Return precision and recall per flag, pooled over cases, for each value of `by`.

    Only flags that the key expects or the trainee chose appear; precision is NaN for a
    flag never chosen and recall NaN for a flag never expected.
    """
    expected = case_scores["expected_mask"].to_numpy(np.int64)
    chosen = case_scores["chosen_mask"].to_numpy(np.int64)
    frames = []
    for flag, bit in FLAG_BITS.items():
        frames.append(
            pd.DataFrame(
                {
                    by: case_scores[by].to_numpy() if by else "all",
                    "flag": flag,
                    "expected": (expected & bit) != 0,
                    "chosen": (chosen & bit) != 0,
                }
            )
        )
    long = pd.concat(frames, ignore_index=True)
    long["tp"] = long["expected"] & long["chosen"]
    counts = long.groupby([by, "flag"], sort=True)[["expected", "chosen", "tp"]].sum()
    counts = counts[(counts["expected"] > 0) | (counts["chosen"] > 0)].astype(int)
    with np.errstate(divide="ignore", invalid="ignore"):
        counts["precision"] = counts["tp"] / counts["chosen"].where(counts["chosen"] > 0)
        counts["recall"] = counts["tp"] / counts["expected"].where(counts["expected"] > 0)
    return counts.reset_index()


def action_confusion(case_scores: pd.DataFrame) -> pd.DataFrame:
    """Return counts of expected (rows) against chosen (columns) actions."""
    chosen_order = [*ACTIONS, NO_DECISION]
    table = pd.crosstab(case_scores["expected_action"], case_scores["action"])
    return table.reindex(index=list(ACTIONS), columns=chosen_order, fill_value=0)
