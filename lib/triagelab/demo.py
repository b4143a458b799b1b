"""The end-to-end demo: build, bundle, a simulated trainee, grading and a report."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

from triagelab.cases import write_bundle
from triagelab.dataset import open_dataset
from triagelab.exceptions import TriagelabError
from triagelab.grading.grade import grade_build
from triagelab.grading.simulate import simulate_submission
from triagelab.reports.runner import run_report
from triagelab.scenarios import resolve_scenario
from triagelab.synthetic.build import build_dataset
from triagelab.training.submission import atomic_write_text

logger = logging.getLogger(__name__)

DEMO_SCENARIO = "sea-week"
DEMO_TRAINEE = "demo-trainee"


@dataclass(frozen=True)
class DemoResult:
    """Paths the demo wrote and the grading summary it printed."""

    built: Path
    bundle: Path
    scores_csv: Path
    report_html: Path
    summary: str


def _remove_earlier_demo_work(built: Path) -> None:
    """Delete what an earlier demo wrote into its build, when nobody else's work is there.

    A rebuild refuses to replace a folder that holds work made for another dataset, which an
    update of triagelab can produce. The demo's own simulated submission and its grades are
    not such work; a real trainee's submission keeps the folder as it is.
    """
    submissions = built / "submissions"
    if not submissions.is_dir():
        return
    others = [p for p in submissions.iterdir() if not p.name.startswith(DEMO_TRAINEE)]
    if others:
        return
    shutil.rmtree(submissions)
    shutil.rmtree(built / "grades", ignore_errors=True)
    (built / "gradebook.sqlite").unlink(missing_ok=True)
    logger.info("removed the earlier demo submission and grades from %s", built)


def run_demo(out: Path) -> DemoResult:
    """Run the main job on the default scenario and return what it wrote."""
    scenario = resolve_scenario(DEMO_SCENARIO)
    _remove_earlier_demo_work(out / scenario.id)
    built = build_dataset(scenario, out)
    bundle = write_bundle(built, out / "bundles")
    dataset = open_dataset(built)
    submission = simulate_submission(
        dataset.labels(),
        exercise=scenario.id,
        trainee=DEMO_TRAINEE,
        fingerprint=dataset.fingerprint,
        skill=0.7,
        seed=scenario.seed,
    )
    atomic_write_text(built / "submissions" / f"{DEMO_TRAINEE}.json", submission.to_json())
    graded = grade_build(built)
    # The report compares the third week (the second in a two-week scenario) with the weeks
    # before it, because sea-week's sell-off and congestion fall in its third week.
    report_week = max(1, scenario.days // 7 - 2)
    week_start = scenario.start_date + dt.timedelta(weeks=report_week)
    _, report_html = run_report(
        "weekly_behavior_shifts",
        {
            "dataset": str(built),
            "week_start": week_start.isoformat(),
            "baseline_weeks": str(report_week),
            "country": "all",
        },
        out / "reports",
    )
    if report_html is None:
        raise TriagelabError("the weekly report was executed but not rendered to HTML")
    return DemoResult(
        built, bundle, graded.scores_csv, report_html, graded.summary.to_string(index=False)
    )
