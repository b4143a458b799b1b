"""Grade an exercise folder or a single build: scores, cohort report, scorecards, gradebook."""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from triagelab.dataset import open_dataset
from triagelab.exceptions import SubmissionError
from triagelab.grading.cohort import coaching
from triagelab.grading.gradebook import record_exercise
from triagelab.grading.integrity import CheckedCohort, check_submissions, similar_pairs
from triagelab.grading.scorecard import render_scorecard
from triagelab.grading.scoring import decisions_frame, key_for_trainees, score_decisions, summarize
from triagelab.grading.variants import is_exercise, open_exercise

logger = logging.getLogger(__name__)

DEFAULT_PASS_MARK = 60.0
GRADING_FILE = "grading.json"


@dataclass
class GradeResult:
    """Outcome of grading: scores, written files, rejected files and warnings."""

    summary: pd.DataFrame
    cases: pd.DataFrame
    scores_csv: Path
    rejected: list[tuple[Path, str]] = field(default_factory=list)
    warnings: list[tuple[Path, str]] = field(default_factory=list)
    similar: pd.DataFrame = field(default_factory=pd.DataFrame)
    coaching: pd.DataFrame = field(default_factory=pd.DataFrame)
    cohort_html: Path | None = None
    scorecards: dict[str, Path] = field(default_factory=dict)


@dataclass(frozen=True)
class _Context:
    root: Path
    exercise_id: str
    scenario_id: str
    kind: str


def grade_build(
    built: str | Path,
    out: str | Path | None = None,
    *,
    pass_mark: float = DEFAULT_PASS_MARK,
    gradebook: str | Path | None = None,
    render: bool = False,
) -> GradeResult:
    """Score every `submissions/*.json` of a build against its key and write `grades/`.

    A submission that cannot be read or was made for another dataset is listed in
    `rejected` with its reason; the others are still graded.
    """
    dataset = open_dataset(built)
    labels = dataset.labels()
    files = _submission_files(dataset.root)
    checked = check_submissions(files, dataset.fingerprint, set(labels["case_id"].astype(str)))
    key = key_for_trainees(labels, [s.trainee for s in checked.submissions])
    context = _Context(dataset.root, dataset.scenario_id, dataset.scenario_id, "build")
    return _finish(context, key, checked, out, pass_mark, gradebook, render)


def grade_exercise(
    directory: str | Path,
    out: str | Path | None = None,
    *,
    pass_mark: float = DEFAULT_PASS_MARK,
    gradebook: str | Path | None = None,
    render: bool = False,
) -> GradeResult:
    """Score each trainee's submission against the key of their own variant."""
    exercise = open_exercise(directory)
    files = _submission_files(exercise.root)
    fingerprints = {tid: variant.fingerprint for tid, variant in exercise.variants.items()}
    labels = {tid: exercise.labels(tid) for tid in exercise.variants}
    case_ids = {tid: set(frame["case_id"].astype(str)) for tid, frame in labels.items()}
    checked = check_submissions(files, fingerprints, case_ids)
    frames = []
    for submission in checked.submissions:
        trainee = submission.trainee
        frame = labels[trainee].merge(
            exercise.cases(trainee)[["case_id", "opened_at"]], on="case_id", how="left"
        )
        frame = frame.sort_values(["opened_at", "case_id"], kind="stable")
        position = frame.groupby("typology").cumcount() + 1
        frame["item"] = frame["typology"] + "#" + position.astype(str)
        frames.append(frame.assign(trainee=trainee))
    key = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    scenario_id = str(exercise.scenario["id"])
    context = _Context(exercise.root, exercise.exercise_id, scenario_id, "exercise")
    return _finish(context, key, checked, out, pass_mark, gradebook, render)


def grade_directory(
    directory: str | Path,
    out: str | Path | None = None,
    *,
    pass_mark: float = DEFAULT_PASS_MARK,
    gradebook: str | Path | None = None,
    render: bool = True,
) -> GradeResult:
    """Grade an exercise folder (with exercise.json) or a single build, whichever it is."""
    grade = grade_exercise if is_exercise(directory) else grade_build
    return grade(directory, out, pass_mark=pass_mark, gradebook=gradebook, render=render)


def _submission_files(root: Path) -> list[Path]:
    folder = root / "submissions"
    files = sorted(folder.glob("*.json"))
    if not files:
        raise SubmissionError(
            f"{folder}: no submission files (*.json) to grade", path=folder, field="submissions"
        )
    return files


def _finish(
    context: _Context,
    key: pd.DataFrame,
    checked: CheckedCohort,
    out: str | Path | None,
    pass_mark: float,
    gradebook: str | Path | None,
    render: bool,
) -> GradeResult:
    if not checked.submissions:
        reasons = "; ".join(f"{p.path.name}: {p.reason}" for p in checked.rejected)
        raise SubmissionError(
            f"{context.root}: no submission could be graded ({reasons})", path=context.root
        )
    cases = score_decisions(key, decisions_frame(checked.submissions))
    summary = summarize(cases)
    summary["passed"] = summary["score"] >= pass_mark
    similar = similar_pairs(cases)
    coach = coaching(summary, cases, pass_mark=pass_mark)

    out_dir = Path(out) if out is not None else context.root / "grades"
    out_dir.mkdir(parents=True, exist_ok=True)
    scores_csv = out_dir / "scores.csv"
    summary.to_csv(scores_csv, index=False)
    cases.to_csv(out_dir / "case_scores.csv", index=False)
    cases.to_parquet(out_dir / "case_scores.parquet", index=False)
    problems = pd.DataFrame(
        [
            {"file": p.path.name, "trainee": p.trainee, "outcome": outcome, "reason": p.reason}
            for outcome, found in (("rejected", checked.rejected), ("warning", checked.warnings))
            for p in found
        ],
        columns=["file", "trainee", "outcome", "reason"],
    )
    problems.to_csv(out_dir / "problems.csv", index=False)
    similar.to_csv(out_dir / "similar.csv", index=False)
    coach.to_csv(out_dir / "coaching.csv", index=False)
    graded_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    info = {
        "exercise": context.exercise_id,
        "scenario": context.scenario_id,
        "kind": context.kind,
        "source": str(context.root),
        "pass_mark": pass_mark,
        "graded_at": graded_at,
    }
    (out_dir / GRADING_FILE).write_text(json.dumps(info, indent=2) + "\n")
    logger.info("graded %d submissions into %s", len(summary), scores_csv)

    if gradebook is not None:
        record_exercise(
            gradebook,
            exercise_id=context.exercise_id,
            kind=context.kind,
            source=str(context.root.resolve()),
            scenario_id=context.scenario_id,
            pass_mark=pass_mark,
            graded_at=graded_at,
            summary=summary,
        )
    result = GradeResult(
        summary,
        cases,
        scores_csv,
        [(p.path, p.reason) for p in checked.rejected],
        [(p.path, p.reason) for p in checked.warnings],
        similar,
        coach,
    )
    if render:
        _render(result, context, out_dir, pass_mark)
    return result


def _render(result: GradeResult, context: _Context, out_dir: Path, pass_mark: float) -> None:
    from triagelab.reports.runner import notebooks_dir, run_notebook

    for entry in result.summary.to_dict("records"):
        trainee = str(entry["trainee"])
        reasons = result.coaching.loc[result.coaching["trainee"] == trainee, "reason"].to_list()
        result.scorecards[trainee] = render_scorecard(
            trainee,
            entry,
            result.cases,
            reasons,
            exercise=context.exercise_id,
            pass_mark=pass_mark,
            target=out_dir / "scorecards" / f"{trainee}.html",
        )
    notebook = notebooks_dir() / "trainer" / "cohort_grading.ipynb"
    _, html = run_notebook(
        notebook,
        {"exercise": str(context.root), "grades": str(out_dir), "pass_mark": float(pass_mark)},
        out_dir,
        stem="cohort",
    )
    result.cohort_html = html


def load_grades(grades: str | Path) -> dict[str, pd.DataFrame | dict[str, object]]:
    """Read what grading wrote into a grades folder, for the cohort notebook."""
    folder = Path(grades)
    return {
        "info": json.loads((folder / GRADING_FILE).read_text()),
        "summary": pd.read_csv(folder / "scores.csv"),
        "cases": pd.read_parquet(folder / "case_scores.parquet"),
        "problems": pd.read_csv(folder / "problems.csv"),
        "similar": pd.read_csv(folder / "similar.csv"),
        "coaching": pd.read_csv(folder / "coaching.csv"),
    }
