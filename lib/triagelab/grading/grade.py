"""Grade the submissions of a built dataset against its answer key."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from triagelab.dataset import open_dataset
from triagelab.exceptions import SubmissionError
from triagelab.grading.scoring import score_cases, summarize
from triagelab.training.submission import load_submission

logger = logging.getLogger(__name__)


@dataclass
class GradeResult:
    """What grading wrote and what it had to reject."""

    summary: pd.DataFrame
    cases: pd.DataFrame
    scores_csv: Path
    rejected: list[tuple[Path, str]] = field(default_factory=list)


def grade_build(built: str | Path, out: str | Path | None = None) -> GradeResult:
    """Score every `submissions/*.json` of a build and write `grades/scores.csv`.

    A submission that cannot be read or was made for another dataset is listed in
    `rejected` with its reason; the others are still graded.
    """
    dataset = open_dataset(built)
    labels = dataset.labels()
    out_dir = Path(out) if out is not None else dataset.root / "grades"
    files = sorted((dataset.root / "submissions").glob("*.json"))
    if not files:
        raise SubmissionError(
            f"{dataset.root / 'submissions'}: no submission files (*.json) to grade",
            path=dataset.root / "submissions",
        )
    frames, rejected = [], []
    for path in files:
        try:
            submission = load_submission(path)
            if submission.dataset_fingerprint != dataset.fingerprint:
                raise SubmissionError(
                    f"{path}: made for dataset {submission.dataset_fingerprint}, not "
                    f"{dataset.fingerprint}",
                    path=path,
                    field="dataset_fingerprint",
                )
        except SubmissionError as err:
            logger.warning("rejected %s: %s", path, err)
            rejected.append((path, str(err)))
            continue
        frames.append(score_cases(labels, submission))
    if not frames:
        raise SubmissionError(f"{dataset.root}: no submission could be graded", path=dataset.root)
    cases = pd.concat(frames, ignore_index=True)
    summary = summarize(cases)
    out_dir.mkdir(parents=True, exist_ok=True)
    scores_csv = out_dir / "scores.csv"
    summary.to_csv(scores_csv, index=False)
    cases.to_csv(out_dir / "case_scores.csv", index=False)
    logger.info("graded %d submissions into %s", len(frames), scores_csv)
    return GradeResult(summary, cases, scores_csv, rejected)
