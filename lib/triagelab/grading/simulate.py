"""Simulated trainees: plausible but imperfect submissions for demos and tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from triagelab.synthetic.rng import make_rng
from triagelab.training.submission import Decision, Submission
from triagelab.vocab import ACTIONS, FLAG_NAMES, PRIORITIES

FIXED_TIME = "2026-01-01T00:00:00+00:00"


def simulate_submission(
    labels: pd.DataFrame,
    *,
    exercise: str,
    trainee: str,
    fingerprint: str,
    skill: float = 0.75,
    seed: int = 0,
) -> Submission:
    """Generate a trainee's submission that agrees with the key with probability `skill`.

    A trainee of skill 1 copies the key; of skill 0 answers at random. Each flag is seen
    with probability `skill`, a wrong flag is added with probability `(1 - skill) / 2`, and
    the action and priority match the key with probability `skill`.
    """
    rng = make_rng(seed, "simulate", trainee)
    decisions = []
    for key in labels.itertuples():
        expected = set(key.flags)
        seen = {f for f in expected if rng.random() < skill}
        if rng.random() < (1 - skill) / 2:
            seen.add(str(rng.choice(FLAG_NAMES)))
        action = key.expected_action if rng.random() < skill else str(rng.choice(ACTIONS))
        priority = key.expected_priority if rng.random() < skill else str(rng.choice(PRIORITIES))
        right = action == key.expected_action
        confidence = float(np.clip(rng.normal(0.75 if right else 0.55, 0.15), 0.05, 0.95))
        decisions.append(
            Decision(
                case_id=str(key.case_id),
                flags=sorted(seen),
                action=action,
                priority=priority,
                confidence=round(confidence, 2),
                rationale="simulated trainee",
                opened_at=FIXED_TIME,
                decided_at=FIXED_TIME,
            )
        )
    return Submission(
        exercise=exercise,
        trainee=trainee,
        dataset_fingerprint=fingerprint,
        decisions=decisions,
        submitted=True,
    )
