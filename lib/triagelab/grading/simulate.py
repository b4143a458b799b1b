"""Simulated trainees: plausible but imperfect submissions for demos and tests."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from triagelab.dataset import open_dataset
from triagelab.exceptions import InputError
from triagelab.grading.variants import is_exercise, open_exercise
from triagelab.synthetic.rng import make_rng
from triagelab.training.submission import Decision, Submission, atomic_write_text
from triagelab.vocab import ACTIONS, FLAG_NAMES, PRIORITIES

logger = logging.getLogger(__name__)

# Simulated sessions start at a fixed time so that the same seed gives the same file.
SESSION_START = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
# Skills of a simulated cohort follow Beta(5, 2.5): mean 0.67, most between 0.4 and 0.9.
SKILL_BETA = (5.0, 2.5)


@cache
def look_alikes() -> dict[str, tuple[str, str]]:
    """Return, per typology, the expected action and priority of its closest look-alike.

    The look-alike of a suspicious typology is the benign typology that shares most of its
    flags, and the other way round; this is the mistake a trainee who misreads the case makes.
    """
    from triagelab.synthetic.typologies import TYPOLOGIES

    entries = [typology.to_dict() for typology in TYPOLOGIES.values()]
    result = {}
    for entry in entries:
        others = [other for other in entries if other["kind"] != entry["kind"]]
        if not others:
            continue
        closest = max(others, key=lambda other: len(set(other["flags"]) & set(entry["flags"])))
        result[entry["name"]] = (closest["expected_action"], closest["expected_priority"])
    return result


def draw_skills(count: int, seed: int) -> np.ndarray:
    """Draw `count` trainee skills in 0-1 from the cohort's skill distribution."""
    return make_rng(seed, "skills").beta(*SKILL_BETA, size=count)


def simulate_submission(
    labels: pd.DataFrame,
    *,
    exercise: str,
    trainee: str,
    fingerprint: str,
    skill: float = 0.75,
    seed: int = 0,
) -> Submission:
    """Generate a trainee's submission whose quality grows with `skill` in 0-1.

    A trainee reads each case right with probability `skill`. A case read right gets the
    key's action and priority, each expected flag with probability `0.5 + skill / 2` and a
    stray flag with probability `(1 - skill) / 2`. A case read wrong is taken for its
    look-alike: a benign traveller is escalated like a takeover, a takeover closed like a
    traveller. Confidence is higher on cases read right, and weaker trainees are
    over-confident on the rest. Time per case is log-normal with a median of
    `40 + 150 * skill` seconds. A trainee of skill 1 reproduces the key with confidence 1.
    """
    rng = make_rng(seed, "simulate", trainee)
    confusions = look_alikes()
    clock = SESSION_START
    decisions = []
    for key in labels.itertuples():
        expected = set(key.flags)
        if skill >= 1.0:
            flags, confidence = expected, 1.0
            action, priority = key.expected_action, key.expected_priority
        elif rng.random() < skill:
            flags = {flag for flag in expected if rng.random() < 0.5 + skill / 2}
            if rng.random() < (1 - skill) / 2:
                flags.add(str(rng.choice(FLAG_NAMES)))
            action, priority = key.expected_action, key.expected_priority
            if rng.random() < (1 - skill) / 3:
                priority = _shift_priority(priority, rng)
            confidence = float(np.clip(rng.normal(0.6 + 0.35 * skill, 0.1), 0.05, 1.0))
        else:
            flags = {flag for flag in expected if rng.random() < skill / 2}
            flags.update(str(f) for f in rng.choice(FLAG_NAMES, size=rng.integers(0, 3)))
            if key.typology in confusions and rng.random() < 0.7:
                action, priority = confusions[key.typology]
            else:
                action, priority = str(rng.choice(ACTIONS)), str(rng.choice(PRIORITIES))
            confidence = float(np.clip(rng.normal(0.8 - 0.3 * skill, 0.15), 0.05, 1.0))
        seconds = float(rng.lognormal(np.log(40 + 150 * skill), 0.5)) if skill < 1 else 120.0
        opened = clock + dt.timedelta(seconds=float(rng.integers(5, 30)))
        clock = opened + dt.timedelta(seconds=round(seconds))
        decisions.append(
            Decision(
                case_id=str(key.case_id),
                flags=sorted(flags),
                action=action,
                priority=priority,
                confidence=round(confidence, 2),
                rationale=f"simulated trainee {trainee}",
                opened_at=opened.isoformat(),
                decided_at=clock.isoformat(),
            )
        )
    return Submission(
        exercise=exercise,
        trainee=trainee,
        dataset_fingerprint=fingerprint,
        decisions=decisions,
        submitted=True,
    )


def _shift_priority(priority: str, rng: np.random.Generator) -> str:
    rank = PRIORITIES.index(priority) + int(rng.choice([-1, 1]))
    return PRIORITIES[min(max(rank, 0), len(PRIORITIES) - 1)]


def random_submission(
    labels: pd.DataFrame, *, exercise: str, trainee: str, fingerprint: str, seed: int
) -> Submission:
    """Generate a submission of uniform random guesses, the chance level of the scoring.

    Each flag is ticked with probability 1/2, the action and the priority are uniform over
    their vocabularies and the confidence is uniform in 0-1.
    """
    rng = make_rng(seed, "random-trainee", trainee)
    decisions = [
        Decision(
            case_id=str(case_id),
            flags=[flag for flag in FLAG_NAMES if rng.random() < 0.5],
            action=str(rng.choice(ACTIONS)),
            priority=str(rng.choice(PRIORITIES)),
            confidence=float(rng.random()),
        )
        for case_id in labels["case_id"]
    ]
    return Submission(
        exercise=exercise, trainee=trainee, dataset_fingerprint=fingerprint, decisions=decisions
    )


def simulate_cohort(
    directory: str | Path, *, trainees: int | None = None, seed: int = 0
) -> list[Path]:
    """Write simulated submissions of mixed skill into `directory/submissions/`.

    For an exercise folder the roster's trainees answer their own variants (the first
    `trainees` of them when given); for a single build `trainees` synthetic ids
    `trainee-001`, ... answer the same cases.

    Raises
    ------
    InputError
        When `trainees` is missing for a single build, or is not positive.
    """
    root = Path(directory)
    if trainees is not None and trainees < 1:
        raise InputError(
            f"--trainees {trainees}: expected a positive number", field="--trainees", value=trainees
        )
    written = []
    if is_exercise(root):
        exercise = open_exercise(root)
        ids = list(exercise.variants)[:trainees] if trainees else list(exercise.variants)
        skills = draw_skills(len(ids), seed)
        for trainee_id, skill in zip(ids, skills, strict=True):
            submission = simulate_submission(
                exercise.labels(trainee_id),
                exercise=exercise.exercise_id,
                trainee=trainee_id,
                fingerprint=exercise.variants[trainee_id].fingerprint,
                skill=float(skill),
                seed=seed,
            )
            written.append(_write(root, submission))
        return written
    if trainees is None:
        raise InputError(
            f"{root}: a single build has no roster; give --trainees N", field="--trainees"
        )
    dataset = open_dataset(root)
    labels = dataset.labels()
    ids = [f"trainee-{number:03d}" for number in range(1, trainees + 1)]
    for trainee_id, skill in zip(ids, draw_skills(trainees, seed), strict=True):
        submission = simulate_submission(
            labels,
            exercise=dataset.scenario_id,
            trainee=trainee_id,
            fingerprint=dataset.fingerprint,
            skill=float(skill),
            seed=seed,
        )
        written.append(_write(root, submission))
    return written


def _write(root: Path, submission: Submission) -> Path:
    path = root / "submissions" / f"{submission.trainee}.json"
    atomic_write_text(path, submission.to_json())
    return path


def write_submissions(root: Path, submissions: Iterable[Submission]) -> list[Path]:
    """Write submissions into `root/submissions/<trainee>.json`."""
    return [_write(root, submission) for submission in submissions]
