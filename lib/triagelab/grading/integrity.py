"""Submission checks before scoring, and detection of copied or near-identical submissions."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from triagelab.exceptions import SubmissionError
from triagelab.training.submission import Submission, load_submission

logger = logging.getLogger(__name__)

# Two trainees are reported when at least this share of their shared items has the same
# action, priority and flags, and at least `MIN_SHARED_ERRORS` of those identical answers
# are wrong: good trainees agree with each other because they agree with the key, so only
# shared mistakes point to copying.
SIMILARITY_SHARE = 0.9
MIN_SHARED_ERRORS = 2
MIN_SHARED_ITEMS = 5


@dataclass(frozen=True)
class Problem:
    """A submission file that was rejected or graded with a warning, and why."""

    path: Path
    reason: str
    trainee: str = ""


@dataclass
class CheckedCohort:
    """Submissions that passed the checks, and the problems found on the way."""

    submissions: list[Submission] = field(default_factory=list)
    paths: dict[str, Path] = field(default_factory=dict)
    rejected: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def check_submissions(
    files: Sequence[Path],
    fingerprints: Mapping[str, str] | str,
    case_ids: Mapping[str, set[str]] | set[str],
) -> CheckedCohort:
    """Load each file and keep the submissions that can be graded.

    `fingerprints` and `case_ids` map each roster trainee to their variant's fingerprint
    and case ids; for a single build they are one fingerprint and one set for everybody.
    A file is rejected, with its reason, when it cannot be read or validated (corrupt,
    truncated, unknown flag or action), when it was made for another dataset, when it
    repeats a case id, when its trainee is not on the roster or already handed in
    another file. Decisions on cases outside the trainee's variant are dropped with a
    warning; the rest of the file is graded. A roster trainee without an accepted file
    gets a warning whose `path` is empty.
    """
    cohort = CheckedCohort()
    roster = None if isinstance(fingerprints, str) else fingerprints
    owners = {} if roster is None else {value: key for key, value in roster.items()}
    for path in files:
        try:
            submission = load_submission(path)
        except SubmissionError as err:
            _reject(cohort, path, str(err))
            continue
        trainee = submission.trainee
        if roster is not None and trainee not in roster:
            _reject(cohort, path, f"trainee `{trainee}` is not on the exercise roster", trainee)
            continue
        if trainee in cohort.paths:
            _reject(
                cohort,
                path,
                f"trainee `{trainee}` already handed in {cohort.paths[trainee].name}",
                trainee,
            )
            continue
        expected = fingerprints if isinstance(fingerprints, str) else fingerprints[trainee]
        if submission.dataset_fingerprint != expected:
            owner = owners.get(submission.dataset_fingerprint)
            detail = (
                f"; it matches the variant of trainee `{owner}`, so it was probably copied"
                if owner and owner != trainee
                else ""
            )
            _reject(
                cohort,
                path,
                f"made for dataset {submission.dataset_fingerprint}, not {expected}{detail}",
                trainee,
            )
            continue
        repeated = [
            case
            for case, count in Counter(d.case_id for d in submission.decisions).items()
            if count > 1
        ]
        if repeated:
            _reject(
                cohort,
                path,
                f"duplicate case id `{repeated[0]}` ({len(repeated)} case id(s) have more "
                "than one decision); keep one decision per case",
                trainee,
            )
            continue
        known = case_ids if isinstance(case_ids, set) else case_ids[trainee]
        unknown = sorted({d.case_id for d in submission.decisions} - known)
        if unknown:
            message = (
                f"{len(unknown)} decision(s) on cases not in this trainee's exercise, ignored: "
                f"{', '.join(unknown[:3])}{' ...' if len(unknown) > 3 else ''}"
            )
            source = _variant_owner(unknown, case_ids, trainee)
            if source:
                message += f"; they belong to the variant of trainee `{source}` (copied?)"
            cohort.warnings.append(Problem(path, message, trainee))
            logger.warning("%s: %s", path, message)
            decisions = [d for d in submission.decisions if d.case_id in known]
            submission = submission.model_copy(update={"decisions": decisions})
        if path.stem != trainee:
            cohort.warnings.append(
                Problem(path, f"file name differs from its trainee `{trainee}`", trainee)
            )
        cohort.submissions.append(submission)
        cohort.paths[trainee] = path
    if roster is not None:
        for trainee in sorted(set(roster) - set(cohort.paths)):
            # An unreadable file names no trainee, so its file name is taken as the id.
            rejected = [
                p.path.name
                for p in cohort.rejected
                if p.trainee == trainee or (not p.trainee and p.path.stem == trainee)
            ]
            message = f"roster trainee `{trainee}` has no accepted submission"
            if rejected:
                message += f" (rejected: {', '.join(rejected)})"
            cohort.warnings.append(Problem(Path(), message, trainee))
    return cohort


def _variant_owner(
    unknown: list[str], case_ids: Mapping[str, set[str]] | set[str], trainee: str
) -> str:
    """Return the other trainee whose variant contains most of `unknown`, if any."""
    if isinstance(case_ids, set):
        return ""
    overlaps = {
        other: len(ids.intersection(unknown)) for other, ids in case_ids.items() if other != trainee
    }
    best = max(overlaps, key=lambda other: overlaps[other], default="")
    return best if best and overlaps[best] * 2 >= len(unknown) else ""


def _reject(cohort: CheckedCohort, path: Path, reason: str, trainee: str = "") -> None:
    reason = reason.removeprefix(f"{path}: ")
    logger.warning("rejected %s: %s", path, reason)
    cohort.rejected.append(Problem(path, reason, trainee))


def similar_pairs(case_scores: pd.DataFrame) -> pd.DataFrame:
    """Return pairs of trainees whose answers are identical on most shared items.

    Items are compared by their `item` name (the case id in a single build, the typology
    and position in an exercise of variants). A pair is reported when the share of identical
    answers (action, priority and flags) reaches `SIMILARITY_SHARE` and at least
    `MIN_SHARED_ERRORS` of the identical answers are wrong.
    """
    decided = case_scores[case_scores["decided"]]
    columns = ["trainee_a", "trainee_b", "shared_items", "identical_share", "shared_errors"]
    if decided["trainee"].nunique() < 2:
        return pd.DataFrame(columns=[*columns, "reason"])
    answer = (
        decided["action"] + "|" + decided["priority"] + "|" + decided["chosen_mask"].astype(str)
    )
    wrong = (decided["action"] != decided["expected_action"]) | (
        decided["chosen_mask"] != decided["expected_mask"]
    )
    table = pd.DataFrame(
        {"trainee": decided["trainee"], "item": decided["item"], "answer": answer, "wrong": wrong}
    )
    answers = table.pivot(index="trainee", columns="item", values="answer")
    wrongs = table.pivot(index="trainee", columns="item", values="wrong").fillna(False)
    trainees = answers.index.to_list()
    n = len(trainees)
    shared = np.zeros((n, n), dtype=np.int64)
    identical = np.zeros((n, n), dtype=np.int64)
    identical_wrong = np.zeros((n, n), dtype=np.int64)
    for item in answers.columns:
        codes, _ = pd.factorize(answers[item])
        present = codes >= 0
        both = present[:, None] & present[None, :]
        same = both & (codes[:, None] == codes[None, :])
        is_wrong = wrongs[item].to_numpy(bool)
        shared += both
        identical += same
        identical_wrong += same & is_wrong[:, None]
    upper = np.triu(np.ones((n, n), dtype=bool), k=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(shared > 0, identical / shared, 0.0)
    hits = (
        upper
        & (shared >= MIN_SHARED_ITEMS)
        & (share >= SIMILARITY_SHARE)
        & (identical_wrong >= MIN_SHARED_ERRORS)
    )
    rows = []
    for i, j in zip(*np.nonzero(hits), strict=True):
        rows.append(
            {
                "trainee_a": trainees[i],
                "trainee_b": trainees[j],
                "shared_items": int(shared[i, j]),
                "identical_share": round(float(share[i, j]), 3),
                "shared_errors": int(identical_wrong[i, j]),
                "reason": (
                    f"identical answers on {identical[i, j]} of {shared[i, j]} items, "
                    f"{identical_wrong[i, j]} of them the same mistake"
                ),
            }
        )
    return pd.DataFrame(rows, columns=[*columns, "reason"])
