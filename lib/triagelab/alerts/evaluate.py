"""Alert quality against an answer key: precision, recall, false positives and workload."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from triagelab.alerts.detect import Tables, detect
from triagelab.alerts.rules import RuleSet
from triagelab.alerts.score import LogisticModel, fit_logistic, rule_matrix, weighted_scores
from triagelab.dataset import Dataset

logger = logging.getLogger(__name__)


@dataclass
class Detection:
    """A build's rule hits, rule matrix, ground truth and size, ready to evaluate."""

    hits: pd.DataFrame
    matrix: pd.DataFrame
    truth: pd.Series
    typology: pd.Series
    days: int


def ground_truth(dataset: Dataset, customers: pd.Index) -> tuple[pd.Series, pd.Series]:
    """Return per customer whether they are positive, and the typology of their case.

    A customer is positive when a case about them in key/labels.parquet is suspicious.
    Customers without a case are negatives: the generator gives them baseline activity only.
    """
    labels = dataset.labels()
    suspicious = labels.groupby("customer_id")["is_suspicious"].any()
    truth = suspicious.reindex(customers, fill_value=False).astype(bool)
    ranked = labels.sort_values("is_suspicious", ascending=False, kind="stable")
    typology = ranked.drop_duplicates("customer_id").set_index("customer_id")["typology"]
    return truth, typology.reindex(customers).fillna("no case")


def data_days(tables: Tables) -> int:
    """Return the number of calendar days the event tables span (at least 1)."""
    times = pd.concat([tables.auth_events["ts"], tables.transactions["ts"]])
    if times.empty:
        return 1
    return max(1, math.ceil((times.max() - times.min()) / pd.Timedelta(days=1)))


def run_detection(dataset: Dataset, rules: RuleSet) -> Detection:
    """Read a build, run the rules and attach its answer key."""
    tables = Tables.from_dataset(dataset)
    hits = detect(tables, rules)
    customers = pd.Index(tables.customers["customer_id"].sort_values(), name="customer_id")
    matrix = rule_matrix(hits, rules, customers)
    truth, typology = ground_truth(dataset, customers)
    return Detection(hits, matrix, truth, typology, data_days(tables))


def _rates(alerted: pd.Series, truth: pd.Series) -> dict[str, float]:
    tp = int((alerted & truth).sum())
    fp = int((alerted & ~truth).sum())
    positives, negatives = int(truth.sum()), int((~truth).sum())
    return {
        "alerts": int(alerted.sum()),
        "true_positives": tp,
        "precision": tp / (tp + fp) if tp + fp else float("nan"),
        "recall": tp / positives if positives else float("nan"),
        "false_positive_rate": fp / negatives if negatives else float("nan"),
    }


def per_rule(detection: Detection, rules: RuleSet, agents: int) -> pd.DataFrame:
    """Return each rule's alert count, precision, recall, false-positive rate and workload."""
    rows = []
    for rule in rules.enabled:
        alerted = detection.matrix[rule.id].astype(bool)
        rows.append(
            {
                "rule_id": rule.id,
                "weight": rule.weight,
                **_rates(alerted, detection.truth),
                "alerts_per_agent_day": alerted.sum() / (agents * detection.days),
            }
        )
    return pd.DataFrame(rows)


def recall_by_typology(detection: Detection, rules: RuleSet) -> pd.DataFrame:
    """Return, per rule and suspicious typology, the share of that typology's customers flagged."""
    positives = detection.truth[detection.truth].index
    typologies = detection.typology.reindex(positives)
    fired = detection.matrix.reindex(positives)
    table = fired.groupby(typologies.to_numpy()).mean().T
    table.index.name = "rule_id"
    return table.reindex([rule.id for rule in rules.enabled])


def sweep(scores: pd.Series, truth: pd.Series, *, agents: int, days: int) -> pd.DataFrame:
    """Return alerts, precision, recall and workload at every distinct score threshold.

    An alert is raised for each customer whose score is at or above the threshold; customers
    with a score of 0 never raise one.
    """
    thresholds = np.unique(scores[scores > 0].to_numpy())[::-1]
    rows = []
    for threshold in thresholds:
        rates = _rates(scores >= threshold, truth)
        rows.append(
            {
                "threshold": float(threshold),
                **rates,
                "alerts_per_agent_day": rates["alerts"] / (agents * days),
            }
        )
    return pd.DataFrame(rows)


def threshold_for_budget(curve: pd.DataFrame, budget: float) -> pd.Series | None:
    """Return the sweep row with the most recall whose alerts per agent-day fit `budget`."""
    within = curve[curve["alerts_per_agent_day"] <= budget]
    if within.empty:
        return None
    return within.sort_values(["recall", "threshold"], ascending=[False, False]).iloc[0]


@dataclass
class Evaluation:
    """Everything `triagelab alerts evaluate` reports about a rule set on one build."""

    rules: pd.DataFrame
    typology_recall: pd.DataFrame
    curve: pd.DataFrame
    budget_row: pd.Series | None
    scored: pd.DataFrame
    days: int
    agents: int
    model: LogisticModel | None = None
    model_curve: pd.DataFrame | None = None


def evaluate(
    dataset: Dataset,
    rules: RuleSet,
    *,
    budget: float | None = None,
    agents: int | None = None,
    train: Dataset | None = None,
) -> Evaluation:
    """Evaluate a rule set on a build with an answer key.

    With `train`, a logistic model is fitted on that build's key and scored on `dataset`,
    which should come from another seed so the evaluation is out of sample.
    """
    staff = agents or rules.agents
    detection = run_detection(dataset, rules)
    scores = weighted_scores(detection.matrix, rules)
    curve = sweep(scores, detection.truth, agents=staff, days=detection.days)
    scored = pd.DataFrame({"score": scores, "positive": detection.truth})
    evaluation = Evaluation(
        rules=per_rule(detection, rules, staff),
        typology_recall=recall_by_typology(detection, rules),
        curve=curve,
        budget_row=threshold_for_budget(curve, budget) if budget is not None else None,
        scored=scored,
        days=detection.days,
        agents=staff,
    )
    if train is not None:
        training = run_detection(train, rules)
        model = fit_logistic(training.matrix, training.truth)
        probabilities = model.scores(detection.matrix)
        evaluation.model = model
        evaluation.model_curve = sweep(
            probabilities.round(6), detection.truth, agents=staff, days=detection.days
        )
        evaluation.scored["model_score"] = probabilities
    return evaluation
