"""Per-trainee HTML scorecards with per-case feedback, rendered with a jinja2 template."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import jinja2
import markupsafe
import pandas as pd

from triagelab.grading.scoring import NO_DECISION, per_flag
from triagelab.vocab import FLAG_NAMES

logger = logging.getLogger(__name__)

# Typology value in the key for a case of routine activity with no story injected.
ROUTINE_TYPOLOGY = "baseline"


def _breakable(name: str) -> markupsafe.Markup:
    """Escape an identifier and let the browser wrap it after each underscore."""
    return markupsafe.escape(name).replace("_", markupsafe.Markup("_<wbr>"))


_ENVIRONMENT = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
_ENVIRONMENT.filters["breakable"] = _breakable
TEMPLATE = _ENVIRONMENT.from_string(
    """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Scorecard {{ trainee }}</title>
<style>
body { font-family: sans-serif; margin: 2em; max-width: 70em; }
table { border-collapse: collapse; margin-bottom: 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
table.cases { width: 100%; }
table.cases td.id { white-space: nowrap; }
table.cases td.feedback { min-width: 14em; overflow-wrap: anywhere; }
.wrong { background: #fde8e8; } .right { background: #e8f6e8; }
</style></head><body>
<h1>Scorecard: {{ trainee }}</h1>
<p>Exercise <b>{{ exercise }}</b>. Score <b>{{ "%.1f"|format(score) }}</b> of 100
({{ "passed" if passed else "not passed" }}; pass mark {{ pass_mark }}).
Decided {{ decided }} of {{ cases }} cases.</p>
<table><tr><th>measure</th><th>value</th></tr>
{% for name, value in measures %}<tr><td>{{ name }}</td><td>{{ value }}</td></tr>{% endfor %}
</table>
{% if reasons %}<h2>What to work on</h2><ul>
{% for reason in reasons %}<li>{{ reason }}</li>{% endfor %}</ul>{% endif %}
<h2>Flags</h2>
<table><tr><th>flag</th><th>in the key</th><th>you ticked</th><th>precision</th><th>recall</th></tr>
{% for row in flags %}<tr><td>{{ row.flag }}</td><td>{{ row.expected }}</td>
<td>{{ row.chosen }}</td><td>{{ row.precision }}</td><td>{{ row.recall }}</td></tr>{% endfor %}
</table>
<h2>Cases</h2>
<p>A row is green when the action, the priority and the flags all match the key, whatever
the confidence; calibration (1 minus the Brier score of the confidence) is shown apart.
{% if routine %}Cases of type <code>baseline</code> show routine activity only, with no
story behind them; scenario files count them as <code>cases.noise</code>.{% endif %}</p>
<table class="cases"><tr><th>case</th><th>what it was</th><th>your action</th><th>expected</th>
<th>priority (expected)</th><th>decision</th><th>confidence</th><th>calibration</th>
<th>score</th><th>feedback</th></tr>
{% for row in rows %}<tr class="{{ 'right' if row.correct else 'wrong' }}">
<td class="id">{{ row.case_id }}</td><td>{{ row.typology|breakable }}</td>
<td>{{ row.action|breakable }}</td><td>{{ row.expected_action|breakable }}</td>
<td>{{ row.priority }} ({{ row.expected_priority }})</td>
<td>{{ "correct" if row.correct else "wrong" }}</td><td>{{ row.confidence }}</td>
<td>{{ row.calibration }}</td><td>{{ row.score }}</td>
<td class="feedback">{{ row.feedback }}</td></tr>
{% endfor %}</table></body></html>
"""
)


def _names(mask: int) -> list[str]:
    return [name for index, name in enumerate(FLAG_NAMES) if mask & (1 << index)]


def decision_correct(row: Any) -> bool:
    """Return True when a scored case row has the key's action, priority and flags.

    Confidence plays no part: a right decision made with confidence 0.6 is still right,
    and its calibration is reported on its own.
    """
    return bool(
        row.decided
        and row.action == row.expected_action
        and row.priority == row.expected_priority
        and int(row.chosen_mask) == int(row.expected_mask)
    )


def case_feedback(row: Any) -> str:
    """Return one sentence of feedback on a scored case row."""
    if not row.decided:
        return "No decision on this case."
    parts = []
    missed = _names(int(row.expected_mask) & ~int(row.chosen_mask))
    extra = _names(int(row.chosen_mask) & ~int(row.expected_mask))
    if row.action != row.expected_action:
        parts.append(f"The expected action was {row.expected_action}, not {row.action}.")
    if missed:
        parts.append(f"Missed flags: {', '.join(missed)}.")
    if extra:
        parts.append(f"Flags not supported by the evidence: {', '.join(extra)}.")
    if row.priority != row.expected_priority:
        parts.append(f"Priority should be {row.expected_priority}.")
    if row.called_suspicious != row.is_suspicious and row.confidence >= 0.8:
        parts.append(f"Confidence {row.confidence:.2f} on a wrong call.")
    return " ".join(parts) or "Correct."


def render_scorecard(
    trainee: str,
    summary_row: dict[str, Any],
    case_scores: pd.DataFrame,
    reasons: list[str],
    *,
    exercise: str,
    pass_mark: float,
    target: Path,
) -> Path:
    """Write one trainee's scorecard to `target` and return its path."""
    cases = case_scores[case_scores["trainee"] == trainee]
    flags = per_flag(cases)
    measures = [
        ("flag precision / recall / F1", _triple(summary_row, "flag")),
        ("action accuracy", _fmt(summary_row["action_accuracy"])),
        ("action credit (cost matrix)", _fmt(summary_row["action_credit"])),
        ("Cohen's kappa, actions", _fmt(summary_row["action_kappa"])),
        ("weighted kappa, priorities", _fmt(summary_row["priority_kappa"])),
        ("mean priority distance", _fmt(summary_row["priority_distance"])),
        ("Brier score of confidence", _fmt(summary_row["brier"])),
        ("median seconds per case", _fmt(summary_row["median_seconds"], 0)),
    ]
    rows = [
        {
            "case_id": row.case_id,
            "typology": row.typology,
            "action": row.action,
            "expected_action": row.expected_action,
            "priority": row.priority,
            "expected_priority": row.expected_priority,
            "confidence": "" if row.action == NO_DECISION else _fmt(row.confidence, 2),
            "calibration": _fmt(row.calibration, 2) if row.decided else "",
            "score": _fmt(row.case_score * 100, 0),
            "correct": decision_correct(row),
            "feedback": case_feedback(row),
        }
        for row in cases.itertuples()
    ]
    html = TEMPLATE.render(
        trainee=trainee,
        exercise=exercise,
        score=float(summary_row["score"]),
        passed=float(summary_row["score"]) >= pass_mark,
        pass_mark=f"{pass_mark:g}",
        decided=int(summary_row["decided"]),
        cases=int(summary_row["cases"]),
        measures=measures,
        reasons=reasons,
        flags=[
            {
                "flag": row.flag,
                "expected": row.expected,
                "chosen": row.chosen,
                "precision": _fmt(row.precision),
                "recall": _fmt(row.recall),
            }
            for row in flags.itertuples()
        ],
        rows=rows,
        routine=bool((cases["typology"] == ROUTINE_TYPOLOGY).any()),
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")
    return target


def _fmt(value: Any, digits: int = 3) -> str:
    return "n/a" if value is None or pd.isna(value) else f"{float(value):.{digits}f}"


def _triple(row: dict[str, Any], prefix: str) -> str:
    return " / ".join(_fmt(row[f"{prefix}_{part}"]) for part in ("precision", "recall", "f1"))
