"""Support KPIs for customers with and without behavioural flags, before and after a date."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from triagelab.alerts.detect import Tables, detect
from triagelab.alerts.rules import RulesError, RuleSet, load_rules
from triagelab.alerts.score import rule_matrix, weighted_scores
from triagelab.exceptions import ParameterError
from triagelab.reports.data import check_dataset_folder, read_report_table
from triagelab.scenarios import COUNTRY_CODES

logger = logging.getLogger(__name__)

# Shown in tables and findings where a group has no events to compute a value from.
NO_VALUE = "\N{EN DASH}"

REPORT_TABLES = ("customers", "auth_events", "transactions", "tickets")
FLAGGED = "with an alert"
NOT_FLAGGED = "without an alert"
# One colour per customer group in every chart of the report.
GROUP_COLOURS = {FLAGGED: "#c0392b", NOT_FLAGGED: "#7f8c8d"}
# Plain headers of the KPI table.
KPI_LABELS = {
    "period": "period",
    "flagged": "customers",
    "tickets": "tickets",
    "customers": "distinct customers",
    "first_response_min": "median first response (min)",
    "handle_time_min": "median handle time (min)",
    "first_contact_resolution": "first contact resolution",
    "csat": "mean CSAT (1-5)",
    "csat_responses": "CSAT responses",
    "churn": "churn",
    "churn_customers": "customers observable for churn",
}


@dataclass(frozen=True)
class SupportParameters:
    """Validated parameters of the support KPI report."""

    dataset: Path
    split_date: pd.Timestamp
    country: str
    churn_days: int
    rules: RuleSet


def validate_parameters(
    dataset: str, split_date: str, country: str, churn_days: int, rules: str
) -> SupportParameters:
    """Check the report's parameters before the event tables are read.

    Raises
    ------
    ParameterError
        Naming the parameter, its value and what is allowed.
    """
    root = check_dataset_folder(str(dataset), REPORT_TABLES)
    try:
        split = pd.Timestamp(dt.date.fromisoformat(str(split_date)), tz="UTC")
    except ValueError as err:
        raise ParameterError(
            f"parameter `split_date`: {split_date!r} is not a date in YYYY-MM-DD form",
            field="split_date",
            value=split_date,
        ) from err
    if country != "all" and country not in COUNTRY_CODES:
        raise ParameterError(
            f"parameter `country`: {country!r} is not one of all, {', '.join(COUNTRY_CODES)}",
            field="country",
            value=country,
        )
    if not isinstance(churn_days, int) or isinstance(churn_days, bool) or churn_days < 1:
        raise ParameterError(
            f"parameter `churn_days`: {churn_days!r} must be a whole number of 1 or more",
            field="churn_days",
            value=churn_days,
        )
    try:
        rule_set = load_rules(rules or None)
    except RulesError as err:
        raise ParameterError(f"parameter `rules`: {err}", field="rules", value=rules) from err
    tickets = read_report_table(root, "tickets", columns=["ts"])["ts"]
    if tickets.empty:
        raise ParameterError(
            f"parameter `dataset`: {dataset!r} has no tickets", field="dataset", value=dataset
        )
    first, last = tickets.min(), tickets.max()
    if not first < split <= last:
        raise ParameterError(
            f"parameter `split_date`: {split_date} leaves no tickets on one side; tickets run "
            f"from {first:%Y-%m-%d} to {last:%Y-%m-%d}",
            field="split_date",
            value=split_date,
        )
    if country != "all":
        present = set(read_report_table(root, "customers", columns=["country"])["country"])
        if country not in present:
            raise ParameterError(
                f"parameter `country`: no customers in {country!r} in this dataset; it has "
                f"{', '.join(sorted(present))}",
                field="country",
                value=country,
            )
    return SupportParameters(root, split, country, churn_days, rule_set)


def load(params: SupportParameters) -> pd.DataFrame:
    """Return the tickets in scope, tagged by period, flag status and churn."""
    customers = read_report_table(params.dataset, "customers")
    auth = read_report_table(params.dataset, "auth_events")
    tables = Tables(
        customers=customers,
        auth_events=auth.sort_values(["customer_id", "ts", "event_id"]).reset_index(drop=True),
        transactions=read_report_table(params.dataset, "transactions")
        .sort_values(["customer_id", "ts", "event_id"])
        .reset_index(drop=True),
        tickets=read_report_table(params.dataset, "tickets")
        .sort_values(["customer_id", "ts", "event_id"])
        .reset_index(drop=True),
    )
    hits = detect(tables, params.rules)
    # Flagged means alerted: the weighted score reaches the rule set's alert threshold.
    # Any single rule firing would flag far too many (new_device alone fires on about one
    # customer in six in sea-week).
    fired = pd.Index(sorted(hits["customer_id"].unique()), name="customer_id")
    scores = weighted_scores(rule_matrix(hits, params.rules, fired), params.rules)
    flagged = set(scores[scores >= params.rules.alert_threshold].index)
    tickets = tables.tickets.merge(customers[["customer_id", "country"]], on="customer_id")
    if params.country != "all":
        tickets = tickets[tickets["country"] == params.country]
    if tickets.empty:
        raise ParameterError(
            f"parameter `country`: no tickets from {params.country!r} customers",
            field="country",
            value=params.country,
        )
    tickets = tickets.assign(
        period=np.where(tickets["ts"] < params.split_date, "before", "after"),
        flagged=np.where(tickets["customer_id"].isin(flagged), FLAGGED, NOT_FLAGGED),
    )
    tickets = mark_churn(tickets, auth[["customer_id", "ts"]], params.churn_days)
    return tickets


def mark_churn(tickets: pd.DataFrame, auth: pd.DataFrame, churn_days: int) -> pd.DataFrame:
    """Add `churned` and `churn_observable` to each ticket.

    A ticket counts as churn when its customer has no auth event in the `churn_days` after
    it. Tickets closer than `churn_days` to the last auth event in the data cannot show
    churn yet and are not observable.
    """
    window = pd.Timedelta(days=churn_days)
    probe = tickets[["customer_id", "ts"]].copy()
    probe["order"] = np.arange(len(probe))
    later = auth.rename(columns={"ts": "next_auth"}).sort_values("next_auth")
    later["next_auth"] = later["next_auth"].astype(probe["ts"].dtype)
    merged = pd.merge_asof(
        probe.sort_values("ts"),
        later,
        left_on="ts",
        right_on="next_auth",
        by="customer_id",
        direction="forward",
        allow_exact_matches=False,
    ).sort_values("order")
    next_auth = merged["next_auth"].to_numpy()
    gap_ok = pd.notna(next_auth) & (next_auth <= (probe["ts"] + window).to_numpy())
    end = auth["ts"].max()
    return tickets.assign(
        churned=~gap_ok,
        churn_observable=(tickets["ts"] + window <= end).to_numpy(),
    )


def kpis(tickets: pd.DataFrame) -> pd.DataFrame:
    """Return the KPIs per period and flag status.

    Churn is the share of customers whose last observable ticket in the group was followed
    by no auth event within the churn window (see `mark_churn`).
    """
    rows = []
    for (period, flagged), group in tickets.groupby(["period", "flagged"]):
        observable = group[group["churn_observable"]]
        last = observable.sort_values("ts").drop_duplicates("customer_id", keep="last")
        rows.append(
            {
                "period": period,
                "flagged": flagged,
                "tickets": len(group),
                "customers": group["customer_id"].nunique(),
                "first_response_min": group["first_response_s"].median() / 60,
                "handle_time_min": group["handle_time_s"].median() / 60,
                "first_contact_resolution": group["first_contact_resolution"].mean(),
                "csat": group["csat"].astype("Float64").mean(),
                "csat_responses": int(group["csat"].notna().sum()),
                "churn": last["churned"].mean() if len(last) else np.nan,
                "churn_customers": len(last),
            }
        )
    table = pd.DataFrame(rows)
    table["period"] = pd.Categorical(table["period"], ["before", "after"], ordered=True)
    return table.sort_values(["period", "flagged"]).reset_index(drop=True)


def _share(value: float) -> str:
    return NO_VALUE if pd.isna(value) else f"{value:.0%}"


def _minutes(value: float) -> str:
    return NO_VALUE if pd.isna(value) else f"{value:.1f} min"


def _csat(value: float) -> str:
    return NO_VALUE if pd.isna(value) else f"{value:.2f}"


def findings(table: pd.DataFrame, params: SupportParameters) -> list[str]:
    """Return the report's findings as plain sentences, one per customer group."""
    lines = []
    split = f"{params.split_date:%Y-%m-%d}"
    for flagged in (FLAGGED, NOT_FLAGGED):
        subset = table[table["flagged"] == flagged].astype({"period": str}).set_index("period")
        if not {"before", "after"} <= set(subset.index):
            lines.append(f"Customers {flagged}: tickets on one side of {split} only.")
            continue
        before, after = subset.loc["before"], subset.loc["after"]
        lines.append(
            f"Customers {flagged}, before and after {split}: median first response "
            f"{_minutes(before['first_response_min'])} and "
            f"{_minutes(after['first_response_min'])}; median handle time "
            f"{_minutes(before['handle_time_min'])} and {_minutes(after['handle_time_min'])}; "
            f"first contact resolution {_share(before['first_contact_resolution'])} and "
            f"{_share(after['first_contact_resolution'])}; CSAT {_csat(before['csat'])} and "
            f"{_csat(after['csat'])}; churn within {params.churn_days} days "
            f"{_share(before['churn'])} of {int(before['churn_customers'])} customers and "
            f"{_share(after['churn'])} of {int(after['churn_customers'])}."
        )
    return lines


def kpi_table(table: pd.DataFrame) -> pd.DataFrame:
    """Return the KPI table with plain headers and formatted values, for display."""
    shown = pd.DataFrame(
        {
            "period": table["period"].astype(str),
            "flagged": table["flagged"],
            "tickets": table["tickets"].map(lambda value: f"{value:,}"),
            "customers": table["customers"].map(lambda value: f"{value:,}"),
            "first_response_min": table["first_response_min"].map(_minutes),
            "handle_time_min": table["handle_time_min"].map(_minutes),
            "first_contact_resolution": table["first_contact_resolution"].map(_share),
            "csat": table["csat"].map(_csat),
            "csat_responses": table["csat_responses"].map(lambda value: f"{value:,}"),
            "churn": table["churn"].map(_share),
            "churn_customers": table["churn_customers"].map(lambda value: f"{value:,}"),
        }
    )
    return shown.rename(columns=KPI_LABELS)
