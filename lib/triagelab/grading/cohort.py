"""Cohort analytics: where a cohort of trainees goes wrong, and who needs coaching."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from triagelab.grading.measures import cohen_kappa
from triagelab.grading.scoring import NO_DECISION, per_flag
from triagelab.vocab import ACTIONS

logger = logging.getLogger(__name__)

# Share of trainees in the upper and lower groups of the discrimination index (Kelley, 1939).
EXTREME_GROUP_SHARE = 0.27
# A Brier score of 0.25 is what a trainee who always answers confidence 0.5 gets.
OVERCONFIDENT_BRIER = 0.3
LOW_FLAG_RECALL = 0.5
RUSHED_SECONDS = 30.0


def score_distribution(summary: pd.DataFrame) -> pd.Series:
    """Return count, mean, standard deviation and quantiles of the overall scores."""
    return summary["score"].describe()


def typology_accuracy(case_scores: pd.DataFrame) -> pd.DataFrame:
    """Return per typology the accuracy and the commonest wrong action (what it is taken for)."""
    grouped = case_scores.groupby("typology", sort=True)
    table = pd.DataFrame(
        {
            "suspicious": grouped["is_suspicious"].first(),
            "cases": grouped.size(),
            "action_accuracy": grouped["action_correct"].mean(),
            "flag_recall": grouped["flag_recall"].mean(),
            "called_suspicious": grouped["called_suspicious"].mean(),
            "mean_case_score": grouped["case_score"].mean(),
        }
    )
    wrong = case_scores[
        (case_scores["action"] != case_scores["expected_action"])
        & (case_scores["action"] != NO_DECISION)
    ]
    if len(wrong):
        commonest = wrong.groupby("typology")["action"].agg(lambda s: s.value_counts().index[0])
        share = wrong.groupby("typology").size() / grouped.size()
        table["commonest_wrong_action"] = commonest
        table["wrong_share"] = share
    else:
        table["commonest_wrong_action"] = None
        table["wrong_share"] = 0.0
    table["wrong_share"] = table["wrong_share"].fillna(0.0)
    return table.reset_index().sort_values("action_accuracy", kind="stable")


def flag_accuracy(case_scores: pd.DataFrame) -> pd.DataFrame:
    """Return the cohort's precision and recall per flag, pooled over every decision."""
    pooled = per_flag(case_scores.assign(cohort="all"), by="cohort")
    return pooled.drop(columns="cohort").sort_values("recall", kind="stable")


def item_analysis(case_scores: pd.DataFrame) -> pd.DataFrame:
    """Return difficulty and discrimination of each item.

    Difficulty is the mean case score on the item (higher is easier). The discrimination
    index is the mean item score of the top 27% of trainees by overall score minus that of
    the bottom 27%. The point-biserial column is the correlation between the item score and
    the trainee's mean score on the other items.
    """
    pivot = case_scores.pivot_table(
        index="trainee", columns="item", values="case_score", aggfunc="mean"
    )
    totals = pivot.mean(axis=1)
    order = totals.sort_values(kind="stable").index
    size = max(1, round(EXTREME_GROUP_SHARE * len(order)))
    lower, upper = order[:size], order[-size:]
    rows = []
    typology = case_scores.groupby("item")["typology"].first()
    for item in pivot.columns:
        scores = pivot[item]
        rest = (pivot.sum(axis=1) - scores.fillna(0)) / (pivot.notna().sum(axis=1) - 1)
        valid = scores.notna() & rest.notna()
        correlation = (
            float(np.corrcoef(scores[valid], rest[valid])[0, 1])
            if valid.sum() > 2 and scores[valid].std() > 0 and rest[valid].std() > 0
            else float("nan")
        )
        rows.append(
            {
                "item": item,
                "typology": typology[item],
                "trainees": int(scores.notna().sum()),
                "difficulty": float(scores.mean()),
                "discrimination": float(scores[upper].mean() - scores[lower].mean()),
                "point_biserial": correlation,
            }
        )
    return pd.DataFrame(rows).sort_values("difficulty", kind="stable").reset_index(drop=True)


def fleiss_kappa(case_scores: pd.DataFrame) -> float:
    """Return Fleiss' kappa of the chosen actions over items that every trainee decided."""
    decided = case_scores[case_scores["decided"]]
    counts = pd.crosstab(decided["item"], decided["action"]).reindex(
        columns=list(ACTIONS), fill_value=0
    )
    raters = counts.sum(axis=1)
    counts = counts[raters == raters.max()]
    n = int(raters.max()) if len(raters) else 0
    if n < 2 or counts.empty:
        return float("nan")
    table = counts.to_numpy(float)
    agreement = ((table * (table - 1)).sum(axis=1) / (n * (n - 1))).mean()
    shares = table.sum(axis=0) / table.sum()
    chance = float((shares**2).sum())
    if chance == 1.0:
        return 1.0
    return float((agreement - chance) / (1 - chance))


def pairwise_kappa(case_scores: pd.DataFrame, *, max_trainees: int = 60) -> pd.DataFrame:
    """Return Cohen's kappa on actions between each pair of trainees over shared items.

    Only the first `max_trainees` trainees (by id) are compared, since the table grows
    with the square of the cohort.
    """
    decided = case_scores[case_scores["decided"]]
    actions = decided.pivot(index="trainee", columns="item", values="action")
    actions = actions.iloc[:max_trainees]
    trainees = actions.index.to_list()
    matrix = pd.DataFrame(np.nan, index=trainees, columns=trainees)
    for position, first in enumerate(trainees):
        matrix.loc[first, first] = 1.0
        for second in trainees[position + 1 :]:
            both = actions.loc[first].notna() & actions.loc[second].notna()
            if both.sum() < 2:
                continue
            kappa = cohen_kappa(actions.loc[first][both], actions.loc[second][both], ACTIONS)
            matrix.loc[first, second] = matrix.loc[second, first] = kappa
    return matrix


def time_per_case(case_scores: pd.DataFrame) -> pd.DataFrame:
    """Return the median and quartiles of seconds per decided case, per typology."""
    decided = case_scores[case_scores["decided"] & case_scores["seconds"].notna()]
    grouped = decided.groupby("typology")["seconds"]
    return pd.DataFrame(
        {
            "median_seconds": grouped.median(),
            "q1_seconds": grouped.quantile(0.25),
            "q3_seconds": grouped.quantile(0.75),
        }
    ).reset_index()


def coaching(summary: pd.DataFrame, case_scores: pd.DataFrame, *, pass_mark: float) -> pd.DataFrame:
    """Return one row per trainee and reason for coaching; a trainee may have several."""
    rows: list[dict[str, str]] = []
    flags = per_flag(case_scores)
    flags = flags[flags["expected"] >= 2]
    flags_by_trainee = dict(tuple(flags.groupby("trainee", sort=False)))
    missed = case_scores[
        (case_scores["expected_action"] == "escalate_security")
        & case_scores["action"].isin(["close", "monitor"])
    ].groupby("trainee")["typology"]
    missed_count, missed_typologies = missed.size(), missed.agg(lambda s: sorted(set(s)))
    benign = case_scores[~case_scores["is_suspicious"] & case_scores["decided"]].groupby("trainee")[
        "called_suspicious"
    ]
    benign_count, benign_called = benign.size(), benign.sum()
    for entry in summary.itertuples():
        trainee = str(entry.trainee)
        reasons = []
        if entry.score < pass_mark:
            reasons.append(f"score {entry.score:.1f} is below the pass mark {pass_mark:g}")
        if missed_count.get(trainee, 0):
            reasons.append(
                f"closed or only monitored {missed_count[trainee]} case(s) that needed "
                f"escalate_security ({', '.join(missed_typologies[trainee])})"
            )
        seen, called = benign_count.get(trainee, 0), benign_called.get(trainee, 0)
        if seen >= 2 and called / seen >= 0.5:
            reasons.append(f"treated {int(called)} of {seen} benign look-alike cases as suspicious")
        own = flags_by_trainee.get(trainee, flags.iloc[:0])
        for flag in own[own["recall"] < LOW_FLAG_RECALL].itertuples():
            reasons.append(
                f"misses flag {flag.flag} (recall {flag.recall:.2f} over {flag.expected} cases)"
            )
        if pd.notna(entry.brier) and entry.brier > OVERCONFIDENT_BRIER:
            reasons.append(
                f"poorly calibrated confidence: Brier {entry.brier:.2f} (always answering 0.5 "
                "gives 0.25)"
            )
        if entry.decided < entry.cases:
            reasons.append(f"left {entry.cases - entry.decided} of {entry.cases} cases undecided")
        if pd.notna(entry.median_seconds) and entry.median_seconds < RUSHED_SECONDS:
            reasons.append(f"rushes: median {entry.median_seconds:.0f} s per case")
        rows.extend({"trainee": trainee, "reason": reason} for reason in reasons)
    return pd.DataFrame(rows, columns=["trainee", "reason"])
