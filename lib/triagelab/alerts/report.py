"""Plain-text output of an alert evaluation for the command line."""

from __future__ import annotations

import pandas as pd

from triagelab.alerts.evaluate import Evaluation
from triagelab.alerts.rules import RuleSet


def _table(frame: pd.DataFrame) -> str:
    return frame.to_string(index=False, float_format=lambda value: f"{value:.3f}")


def format_evaluation(evaluation: Evaluation, rules: RuleSet, *, budget: float | None) -> str:
    """Return the evaluation as the sections `triagelab alerts evaluate` prints."""
    at_threshold = evaluation.curve[evaluation.curve["threshold"] >= rules.alert_threshold]
    lines = [
        f"rule set `{rules.id}`: {len(rules.enabled)} rules, {evaluation.agents} agents, "
        f"{evaluation.days} days; positives are customers with a suspicious case, "
        "customers without a case are negatives",
        "",
        "per rule (an alert is a customer the rule fired on):",
        _table(evaluation.rules),
        "",
        "recall by typology (share of each suspicious typology's customers flagged):",
        evaluation.typology_recall.to_string(float_format=lambda value: f"{value:.2f}"),
        "",
        "threshold sweep of the weighted score (precision-recall curve):",
        _table(evaluation.curve),
    ]
    if not at_threshold.empty:
        row = at_threshold.iloc[-1]
        lines += [
            "",
            f"at the rule set's alert threshold {rules.alert_threshold:g}: {int(row['alerts'])} "
            f"alerts, precision {row['precision']:.2f}, recall {row['recall']:.2f}, "
            f"{row['alerts_per_agent_day']:.2f} alerts per agent-day",
        ]
    if budget is not None:
        row = evaluation.budget_row
        lines.append("")
        if row is None:
            lines.append(f"no threshold keeps alerts within {budget:g} per agent-day")
        else:
            lines.append(
                f"budget {budget:g} alerts per agent-day: threshold {row['threshold']:g} gives "
                f"{int(row['alerts'])} alerts, precision {row['precision']:.2f}, "
                f"recall {row['recall']:.2f}"
            )
    if evaluation.model is not None and evaluation.model_curve is not None:
        coefficients = pd.DataFrame(
            {"rule_id": evaluation.model.rule_ids, "coefficient": evaluation.model.coefficients}
        )
        lines += [
            "",
            "logistic model fitted on the --train build (intercept "
            f"{evaluation.model.intercept:.3f}):",
            _table(coefficients),
            "",
            "threshold sweep of the model probability on this build:",
            _table(evaluation.model_curve),
        ]
    return "\n".join(lines)
