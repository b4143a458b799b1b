"""Grade an exercise folder or a single build: scores, cohort report, scorecards, gradebook."""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from triagelab.dataset import open_dataset
from triagelab.exceptions import InputError, SubmissionError
from triagelab.grading.cohort import coaching
from triagelab.grading.gradebook import record_exercise
from triagelab.grading.integrity import CheckedCohort, Problem, check_submissions, similar_pairs
from triagelab.grading.scorecard import render_scorecard
from triagelab.grading.scoring import decisions_frame, key_for_trainees, score_decisions, summarize
from triagelab.grading.variants import Exercise, is_exercise, open_exercise

logger = logging.getLogger(__name__)

DEFAULT_PASS_MARK = 60.0
GRADING_FILE = "grading.json"


@dataclass
class GradeResult:
    """Outcome of grading: scores, written files, rejected files, warnings and notes.

    `notes` explains which of two differing copies of a submission was graded.
    """

    summary: pd.DataFrame
    cases: pd.DataFrame
    scores_csv: Path
    rejected: list[tuple[Path, str]] = field(default_factory=list)
    warnings: list[tuple[Path, str]] = field(default_factory=list)
    similar: pd.DataFrame = field(default_factory=pd.DataFrame)
    coaching: pd.DataFrame = field(default_factory=pd.DataFrame)
    cohort_html: Path | None = None
    scorecards: dict[str, Path] = field(default_factory=dict)
    notes: list[tuple[Path, str]] = field(default_factory=list)


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
    check_pass_mark(pass_mark)
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
    """Score each trainee's submission against the key of their own variant.

    The submission files are those of `collect_submission_files`: the exercise's
    `submissions/` folder and each trainee's own file in their bundle.
    """
    check_pass_mark(pass_mark)
    exercise = open_exercise(directory)
    files, notes = collect_submission_files(exercise)
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
    return _finish(context, key, checked, out, pass_mark, gradebook, render, notes)


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


def check_pass_mark(pass_mark: float) -> float:
    """Return `pass_mark` if it is a score from 0 to 100.

    Raises
    ------
    InputError
        For a value outside 0-100 or NaN.
    """
    if not 0 <= pass_mark <= 100:
        raise InputError(
            f"pass mark {pass_mark!r} is out of range; allowed: 0 to 100",
            field="pass_mark",
            value=pass_mark,
        )
    return pass_mark


def _submission_files(root: Path) -> list[Path]:
    folder = root / "submissions"
    files = sorted(folder.glob("*.json"))
    if not files:
        raise SubmissionError(
            f"{folder}: no submission files (*.json) to grade", path=folder, field="submissions"
        )
    return files


def collect_submission_files(exercise: Exercise) -> tuple[list[Path], list[Problem]]:
    """Return the submission files to grade in an exercise folder, and notes on the choice.

    The files are every `submissions/*.json` of the exercise plus, for each roster trainee,
    the file the app wrote in their bundle, `trainees/<id>/submissions/<id>.json`. When
    both `submissions/<id>.json` and the bundle's file exist and differ, the one modified
    last is graded and a note names both; identical copies need no note.

    Raises
    ------
    SubmissionError
        When neither place has a submission file.
    """
    folder = exercise.root / "submissions"
    by_name = {path.name: path for path in sorted(folder.glob("*.json"))}
    notes = []
    for trainee in exercise.variants:
        own = exercise.bundle_dir(trainee) / "submissions" / f"{trainee}.json"
        if not own.is_file():
            continue
        collected = by_name.get(own.name)
        if collected is None:
            logger.info("collected %s from the trainee's bundle", own)
            by_name[own.name] = own
            continue
        if collected.read_bytes() == own.read_bytes():
            continue
        newer, older = (
            (own, collected)
            if own.stat().st_mtime_ns > collected.stat().st_mtime_ns
            else (collected, own)
        )
        by_name[own.name] = newer
        message = (
            f"graded {_relative(newer, exercise.root)} (modified {_modified(newer)}), "
            f"the newer of two differing files; ignored {_relative(older, exercise.root)} "
            f"(modified {_modified(older)})"
        )
        logger.warning("%s", message)
        notes.append(Problem(newer, message, trainee))
    if not by_name:
        raise SubmissionError(
            f"{exercise.root}: no submission files to grade, neither in submissions/*.json "
            "nor in trainees/<id>/submissions/<id>.json",
            path=folder,
            field="submissions",
        )
    return [by_name[name] for name in sorted(by_name)], notes


def _relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def display_path(path: Path, root: Path) -> str:
    """Return how reports name a submission file: its name when it is in `root/submissions`.

    Files found elsewhere under `root`, such as a trainee's bundle, keep their path relative
    to `root` so that two files of the same name stay apart; an empty path stays empty.
    """
    if path == Path():
        return ""
    if path.parent == root / "submissions":
        return path.name
    if path.is_relative_to(root):
        return _relative(path, root)
    return str(path)


def _modified(path: Path) -> str:
    stamp = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
    return stamp.isoformat(timespec="seconds")


def _finish(
    context: _Context,
    key: pd.DataFrame,
    checked: CheckedCohort,
    out: str | Path | None,
    pass_mark: float,
    gradebook: str | Path | None,
    render: bool,
    notes: list[Problem] | None = None,
) -> GradeResult:
    notes = notes or []
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
            {
                "file": display_path(p.path, context.root),
                "trainee": p.trainee,
                "outcome": outcome,
                "reason": p.reason,
            }
            for outcome, found in (
                ("rejected", checked.rejected),
                ("warning", checked.warnings),
                ("note", notes),
            )
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
        notes=[(p.path, p.reason) for p in notes],
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
