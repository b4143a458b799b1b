"""Alert quality report: volume, precision and workload per rule, and threshold tuning."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from triagelab.alerts.evaluate import Evaluation, evaluate, threshold_for_budget
from triagelab.alerts.rules import RulesError, RuleSet, load_rules
from triagelab.dataset import Dataset, open_dataset
from triagelab.exceptions import DatasetError, ParameterError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AlertQualityParameters:
    """Validated parameters of the alert quality report."""

    dataset: Dataset
    rules: RuleSet
    agents: int
    budget: float
    train: Dataset | None


def _open_with_key(value: str, name: str) -> Dataset:
    try:
        dataset = open_dataset(value)
    except DatasetError as err:
        raise ParameterError(f"parameter `{name}`: {err}", field=name, value=value) from err
    if not dataset.has_key:
        raise ParameterError(
            f"parameter `{name}`: {value!r} has no answer key (key/labels.parquet); alert "
            "quality needs a full build, not a trainee bundle",
            field=name,
            value=value,
        )
    return dataset


def validate_parameters(
    dataset: str, rules: str, agents: int, budget: float, train_dataset: str
) -> AlertQualityParameters:
    """Check the report's parameters before any data is read.

    Raises
    ------
    ParameterError
        Naming the parameter, its value and what is allowed.
    """
    built = _open_with_key(str(dataset), "dataset")
    try:
        rule_set = load_rules(rules or None)
    except RulesError as err:
        raise ParameterError(f"parameter `rules`: {err}", field="rules", value=rules) from err
    if not isinstance(agents, int) or isinstance(agents, bool) or agents < 1:
        raise ParameterError(
            f"parameter `agents`: {agents!r} must be a whole number of 1 or more",
            field="agents",
            value=agents,
        )
    if not isinstance(budget, int | float) or isinstance(budget, bool) or budget <= 0:
        raise ParameterError(
            f"parameter `budget`: {budget!r} must be a number of alerts per agent-day above 0",
            field="budget",
            value=budget,
        )
    train = _open_with_key(str(train_dataset), "train_dataset") if train_dataset else None
    if train is not None and Path(train.root).resolve() == Path(built.root).resolve():
        raise ParameterError(
            "parameter `train_dataset`: it is the evaluated dataset itself; give a build of "
            "another seed so the model is measured out of sample",
            field="train_dataset",
            value=train_dataset,
        )
    return AlertQualityParameters(built, rule_set, agents, float(budget), train)


def run(params: AlertQualityParameters) -> Evaluation:
    """Evaluate the rule set on the dataset, fitting the model on the training build if given."""
    return evaluate(
        params.dataset,
        params.rules,
        budget=params.budget,
        agents=params.agents,
        train=params.train,
    )


def findings(evaluation: Evaluation, params: AlertQualityParameters) -> list[str]:
    """Return the report's findings as plain sentences."""
    rules = params.rules
    curve = evaluation.curve
    lines = []
    current = curve[curve["threshold"] >= rules.alert_threshold]
    if current.empty:
        lines.append(f"No customer reaches the alert threshold of {rules.alert_threshold:g}.")
    else:
        row = current.iloc[-1]
        lines.append(
            f"At the current alert threshold ({rules.alert_threshold:g}) the rules raise "
            f"{int(row['alerts'])} alerts in {evaluation.days} days: precision "
            f"{row['precision']:.0%}, recall {row['recall']:.0%}, "
            f"{row['alerts_per_agent_day']:.2f} alerts per agent-day with {params.agents} agents."
        )
    budget_row = evaluation.budget_row
    if budget_row is None:
        lines.append(f"No threshold keeps the load within {params.budget:g} alerts per agent-day.")
    else:
        lines.append(
            f"Within the budget of {params.budget:g} alerts per agent-day, threshold "
            f"{budget_row['threshold']:g} gives the most recall: {budget_row['recall']:.0%} at "
            f"{budget_row['precision']:.0%} precision."
        )
    per_rule = evaluation.rules
    noisy = per_rule[per_rule["alerts"] > 0].sort_values("false_positive_rate", ascending=False)
    if not noisy.empty:
        top = noisy.iloc[0]
        lines.append(
            f"The noisiest rule is `{top['rule_id']}`: {int(top['alerts'])} customers, "
            f"false-positive rate {top['false_positive_rate']:.1%}, precision "
            f"{top['precision']:.0%}."
        )
    silent = per_rule[per_rule["alerts"] == 0]["rule_id"].tolist()
    if silent:
        lines.append(f"Rules that never fired on this data: {', '.join(silent)}.")
    lines.extend(model_findings(evaluation, params.budget))
    return lines


def model_findings(evaluation: Evaluation, budget: float) -> list[str]:
    """Compare the logistic model with the weighted sum at the same alert budget.

    Returns no sentence when the report fitted no model.
    """
    if evaluation.model is None or evaluation.model_curve is None:
        return []
    model_row = threshold_for_budget(evaluation.model_curve, budget)
    weighted_row = evaluation.budget_row
    if model_row is None or weighted_row is None:
        return [
            f"Within the budget of {budget:g} alerts per agent-day, "
            + ("the logistic model" if model_row is None else "the weighted sum")
            + " has no threshold, so the two scores cannot be compared at this budget."
        ]
    gap = model_row["recall"] - weighted_row["recall"]
    verdict = (
        "the same recall as"
        if abs(gap) < 1e-9
        else ("more recall than" if gap > 0 else "less recall than")
    )
    return [
        f"At the same budget of {budget:g} alerts per agent-day, the logistic model fitted on "
        f"the training build gives {verdict} the weighted sum: recall "
        f"{model_row['recall']:.0%} at {model_row['precision']:.0%} precision with "
        f"{int(model_row['alerts'])} alerts, against {weighted_row['recall']:.0%} at "
        f"{weighted_row['precision']:.0%} with {int(weighted_row['alerts'])} alerts."
    ]


def coefficient_table(evaluation: Evaluation, rules: RuleSet) -> pd.DataFrame | None:
    """Return each rule's weight and fitted logistic coefficient, or None without a model.

    A coefficient is the change in log-odds of being suspicious when the rule fires.
    """
    if evaluation.model is None:
        return None
    coefficients = dict(zip(evaluation.model.rule_ids, evaluation.model.coefficients, strict=True))
    return pd.DataFrame(
        {
            "rule": [rule.id for rule in rules.enabled],
            "weight in the rule file": [rule.weight for rule in rules.enabled],
            "logistic coefficient": [coefficients.get(rule.id, 0.0) for rule in rules.enabled],
        }
    )


def _percent(value: float, digits: int) -> str:
    return "no alerts" if pd.isna(value) else f"{value:.{digits}%}"


def rule_table(evaluation: Evaluation) -> pd.DataFrame:
    """Return the per-rule numbers with plain headers and formatted values, for display.

    Precision of a rule that never fired reads "no alerts" rather than a missing number.
    """
    table = evaluation.rules.sort_values(["alerts", "rule_id"], ascending=[False, True])
    return pd.DataFrame(
        {
            "rule": table["rule_id"],
            "weight": table["weight"].map(lambda value: f"{value:g}"),
            "customers alerted": table["alerts"].astype(int),
            "true positives": table["true_positives"].astype(int),
            "precision": table["precision"].map(lambda value: _percent(value, 0)),
            "recall": table["recall"].map(lambda value: _percent(value, 0)),
            "false-positive rate": table["false_positive_rate"].map(
                lambda value: _percent(value, 1)
            ),
            "alerts per agent-day": table["alerts_per_agent_day"].map(lambda v: f"{v:.2f}"),
        }
    ).reset_index(drop=True)


def curve_long(evaluation: Evaluation) -> pd.DataFrame:
    """Return the weighted and model sweeps in one frame, for the precision-recall chart."""
    frames = [evaluation.curve.assign(score="weighted sum")]
    if evaluation.model_curve is not None:
        frames.append(evaluation.model_curve.assign(score="logistic model"))
    return pd.concat(frames, ignore_index=True)
