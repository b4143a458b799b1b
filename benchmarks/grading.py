"""Time the scoring of a large cohort: 500 trainees x 60 cases, without HTML rendering.

Run with `python benchmarks/grading.py`. The key is synthetic (random typologies from the
catalogue) so the benchmark needs no build; submissions come from the simulator.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np
import pandas as pd

from triagelab.grading.cohort import coaching, item_analysis, typology_accuracy
from triagelab.grading.integrity import similar_pairs
from triagelab.grading.scoring import decisions_frame, key_for_trainees, score_decisions, summarize
from triagelab.grading.simulate import draw_skills, simulate_submission
from triagelab.synthetic.typologies import TYPOLOGIES


def make_labels(cases: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    catalogue = [typology.to_dict() for typology in TYPOLOGIES.values()]
    picks = [catalogue[i] for i in rng.integers(0, len(catalogue), cases)]
    return pd.DataFrame(
        {
            "case_id": [f"case-{number:08x}" for number in range(cases)],
            "typology": [p["name"] for p in picks],
            "is_suspicious": [p["kind"] == "suspicious" for p in picks],
            "flags": [list(p["flags"]) for p in picks],
            "expected_action": [p["expected_action"] for p in picks],
            "expected_priority": [p["expected_priority"] for p in picks],
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trainees", type=int, default=500)
    parser.add_argument("--cases", type=int, default=60)
    args = parser.parse_args()

    labels = make_labels(args.cases, 0)
    skills = draw_skills(args.trainees, 0)
    submissions = [
        simulate_submission(
            labels, exercise="bench", trainee=f"t{i:04d}", fingerprint="f", skill=float(s)
        )
        for i, s in enumerate(skills)
    ]
    start = time.perf_counter()
    key = key_for_trainees(labels, [s.trainee for s in submissions])
    cases = score_decisions(key, decisions_frame(submissions))
    summary = summarize(cases)
    scored = time.perf_counter()
    typology_accuracy(cases)
    item_analysis(cases)
    similar_pairs(cases)
    coaching(summary, cases, pass_mark=60)
    analysed = time.perf_counter()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}"
    )
    print(f"{args.trainees} trainees x {args.cases} cases = {len(cases)} case rows")
    print(f"scoring + per-trainee summary: {scored - start:.2f} s")
    print(f"cohort analytics (typologies, items, similarity, coaching): {analysed - scored:.2f} s")
    print(f"total without HTML: {analysed - start:.2f} s")


if __name__ == "__main__":
    main()
