"""Score trainee decisions against the answer key.

Per case: flag precision, recall and F1; whether the action matches; the priority distance
(steps between the chosen and the expected priority, divided by 3 so it lies in 0-1).
Per trainee, the overall score is 100 times the weighted mean over every case in the key,
a case without a decision scoring 0 on every part:

    case score = 0.4 * flag F1 + 0.4 * action correct + 0.2 * (1 - priority distance)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pandas as pd

from triagelab.training.submission import Submission
from triagelab.vocab import priority_rank

logger = logging.getLogger(__name__)

WEIGHTS = {"flag_f1": 0.4, "action_correct": 0.4, "priority_score": 0.2}
CASE_COLUMNS = [
    "trainee",
    "case_id",
    "decided",
    "flag_precision",
    "flag_recall",
    "flag_f1",
    "action_correct",
    "priority_distance",
    "priority_score",
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


def score_cases(labels: pd.DataFrame, submission: Submission) -> pd.DataFrame:
    """Return one row per case in the key with the trainee's part scores."""
    rows = []
    for key in labels.itertuples():
        decision = submission.decision_for(str(key.case_id))
        if decision is None:
            rows.append(
                {
                    "trainee": submission.trainee,
                    "case_id": key.case_id,
                    "decided": False,
                    "flag_precision": 0.0,
                    "flag_recall": 0.0,
                    "flag_f1": 0.0,
                    "action_correct": 0.0,
                    "priority_distance": 1.0,
                    "priority_score": 0.0,
                }
            )
            continue
        counts = flag_counts(set(decision.flags), set(key.flags))
        distance = abs(priority_rank(decision.priority) - priority_rank(key.expected_priority)) / 3
        rows.append(
            {
                "trainee": submission.trainee,
                "case_id": key.case_id,
                "decided": True,
                "flag_precision": counts.precision,
                "flag_recall": counts.recall,
                "flag_f1": counts.f1,
                "action_correct": float(decision.action == key.expected_action),
                "priority_distance": distance,
                "priority_score": 1 - distance,
            }
        )
    frame = pd.DataFrame(rows)
    frame["case_score"] = sum(frame[part] * weight for part, weight in WEIGHTS.items())
    return frame[CASE_COLUMNS]


def summarize(case_scores: pd.DataFrame) -> pd.DataFrame:
    """Return one row per trainee: decided cases, mean part scores and the 0-100 score."""
    grouped = case_scores.groupby("trainee", sort=True)
    summary = pd.DataFrame(
        {
            "cases": grouped.size(),
            "decided": grouped["decided"].sum().astype(int),
            "flag_f1": grouped["flag_f1"].mean(),
            "action_accuracy": grouped["action_correct"].mean(),
            "priority_distance": grouped["priority_distance"].mean(),
            "score": grouped["case_score"].mean() * 100,
        }
    )
    return summary.reset_index().round(3)
