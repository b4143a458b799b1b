"""Risk scores per customer: a weighted sum of fired rules, or a fitted logistic model."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from triagelab.alerts.rules import RuleSet
from triagelab.exceptions import InputError

logger = logging.getLogger(__name__)

MODEL_SCHEMA = "triagelab.alert-model/1"


def rule_matrix(hits: pd.DataFrame, rules: RuleSet, customers: pd.Index) -> pd.DataFrame:
    """Return a 0/1 frame: one row per customer, one column per enabled rule that fired."""
    ids = [rule.id for rule in rules.enabled]
    fired = pd.crosstab(hits["customer_id"], hits["rule_id"]).clip(upper=1)
    return fired.reindex(index=customers, columns=ids, fill_value=0).astype(float)


def weighted_scores(matrix: pd.DataFrame, rules: RuleSet) -> pd.Series:
    """Return each customer's sum of the weights of the rules that fired."""
    weights = pd.Series({rule.id: rule.weight for rule in rules.enabled})
    return (matrix * weights.reindex(matrix.columns)).sum(axis=1).rename("score")


@dataclass(frozen=True)
class LogisticModel:
    """Logistic regression over the rule matrix, fitted on one build's answer key."""

    rule_ids: tuple[str, ...]
    coefficients: tuple[float, ...]
    intercept: float
    l2: float

    def scores(self, matrix: pd.DataFrame) -> pd.Series:
        """Return the modelled probability that each customer is suspicious."""
        features = matrix.reindex(columns=list(self.rule_ids), fill_value=0.0).to_numpy()
        logits = features @ np.asarray(self.coefficients) + self.intercept
        return pd.Series(1.0 / (1.0 + np.exp(-logits)), index=matrix.index, name="score")

    def to_json(self) -> str:
        """Serialize the model as JSON."""
        return json.dumps(
            {
                "schema": MODEL_SCHEMA,
                "coefficients": dict(zip(self.rule_ids, self.coefficients, strict=True)),
                "intercept": self.intercept,
                "l2": self.l2,
            },
            indent=2,
        )

    @classmethod
    def read(cls, path: Path) -> LogisticModel:
        """Read a model written by `to_json`.

        Raises
        ------
        InputError
            If the file is not a model of this schema.
        """
        try:
            raw = json.loads(path.read_text())
            if raw.get("schema") != MODEL_SCHEMA:
                raise ValueError(f"schema {raw.get('schema')!r}, expected {MODEL_SCHEMA!r}")
            coefficients = raw["coefficients"]
            return cls(
                tuple(coefficients),
                tuple(float(v) for v in coefficients.values()),
                float(raw["intercept"]),
                float(raw["l2"]),
            )
        except (OSError, ValueError, KeyError, AttributeError) as err:
            raise InputError(f"{path}: not a readable alert model ({err})", path=path) from err


def fit_logistic(
    matrix: pd.DataFrame, labels: pd.Series, *, l2: float = 1.0, iterations: int = 50
) -> LogisticModel:
    """Fit a logistic regression with an L2 penalty by Newton's method (IRLS).

    The penalty keeps coefficients finite when a rule separates the classes perfectly,
    which is common with a few dozen cases. The intercept is not penalized.
    """
    x = np.column_stack([np.ones(len(matrix)), matrix.to_numpy()])
    y = labels.reindex(matrix.index).fillna(False).astype(float).to_numpy()
    beta = np.zeros(x.shape[1])
    penalty = np.full(x.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(x @ beta)))
        gradient = x.T @ (y - p) - penalty * beta
        hessian = (x * (p * (1 - p))[:, None]).T @ x + np.diag(penalty) + 1e-9 * np.eye(len(beta))
        step = np.linalg.solve(hessian, gradient)
        beta += step
        if np.max(np.abs(step)) < 1e-8:
            break
    logger.info("fitted logistic model on %d customers, %d positive", len(y), int(y.sum()))
    return LogisticModel(
        tuple(matrix.columns), tuple(float(b) for b in beta[1:]), float(beta[0]), l2
    )
