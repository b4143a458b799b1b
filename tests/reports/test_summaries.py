from __future__ import annotations

from pathlib import Path

import pandas as pd

from triagelab.reports import alert_quality, support


def _kpi_row(period: str, flagged: str, first_response: float) -> dict[str, object]:
    return {
        "period": period,
        "flagged": flagged,
        "tickets": 10,
        "customers": 8,
        "first_response_min": first_response,
        "handle_time_min": 12.25,
        "first_contact_resolution": 0.5,
        "csat": 4.1,
        "csat_responses": 5,
        "churn": 0.25,
        "churn_customers": 8,
    }


def _params(tmp_path: Path) -> support.SupportParameters:
    from triagelab.alerts.rules import load_rules

    return support.SupportParameters(
        tmp_path, pd.Timestamp("2026-04-20", tz="UTC"), "all", 3, load_rules()
    )


def test_support_findings_use_one_decimal(tmp_path: Path) -> None:
    table = pd.DataFrame(
        [
            _kpi_row("before", support.FLAGGED, 2.6),
            _kpi_row("after", support.FLAGGED, 1.6),
            _kpi_row("before", support.NOT_FLAGGED, 3.0),
        ]
    )
    lines = support.findings(table, _params(tmp_path))
    assert "median first response 2.6 min and 1.6 min" in lines[0]
    assert "median handle time 12.2 min and 12.2 min" in lines[0]
    assert "churn within 3 days 25% of 8 customers and 25% of 8" in lines[0]
    assert lines[1] == "Customers without an alert: tickets on one side of 2026-04-20 only."


def test_kpi_table_has_plain_headers() -> None:
    row = _kpi_row("before", support.FLAGGED, float("nan"))
    shown = support.kpi_table(pd.DataFrame([row]))
    assert "churn_customers" not in shown.columns
    assert shown.loc[0, "customers observable for churn"] == "8"
    assert shown.loc[0, "median first response (min)"] == "\N{EN DASH}"


def test_alert_quality_compares_model_at_budget(
    starter_build: Path, starter_other_seed_build: Path
) -> None:
    params = alert_quality.validate_parameters(
        str(starter_build), "", 2, 0.5, str(starter_other_seed_build)
    )
    evaluation = alert_quality.run(params)
    lines = alert_quality.findings(evaluation, params)
    assert any(line.startswith("At the same budget of 0.5 alerts per agent-day") for line in lines)
    coefficients = alert_quality.coefficient_table(evaluation, params.rules)
    assert coefficients is not None
    assert list(coefficients["rule"]) == [rule.id for rule in params.rules.enabled]
    shown = alert_quality.rule_table(evaluation)
    silent = shown[shown["customers alerted"] == 0]
    assert (silent["precision"] == "no alerts").all()
    assert all("." not in weight or len(weight) <= 4 for weight in shown["weight"])


def test_alert_quality_without_model_has_no_comparison(starter_build: Path) -> None:
    params = alert_quality.validate_parameters(str(starter_build), "", 2, 0.5, "")
    evaluation = alert_quality.run(params)
    assert alert_quality.model_findings(evaluation, 0.5) == []
    assert alert_quality.coefficient_table(evaluation, params.rules) is None
