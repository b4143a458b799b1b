"""Weekly behaviour shifts: one week's behaviour rates against its baseline weeks."""

from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from triagelab.exceptions import ParameterError
from triagelab.reports.data import check_dataset_folder, read_report_table
from triagelab.scenarios import COUNTRY_CODES

logger = logging.getLogger(__name__)

# Local hours counted as "off hours" for logins: midnight to 05:59.
OFF_HOURS = range(0, 6)
REPORT_TABLES = ("customers", "auth_events", "transactions", "tickets")
# Grouping columns the shifts are reported by.
BREAKDOWNS = ("country", "segment")
# |z| above this marks a shift as significant (two-sided, about p < 0.01).
Z_SIGNIFICANT = 2.58


@dataclass(frozen=True)
class WeeklyParameters:
    """Validated parameters of the weekly report."""

    dataset: Path
    week_start: pd.Timestamp
    baseline_weeks: int
    country: str

    @property
    def week_end(self) -> pd.Timestamp:
        """First instant after the reported week."""
        return self.week_start + pd.Timedelta(days=7)

    @property
    def baseline_start(self) -> pd.Timestamp:
        """First instant of the baseline."""
        return self.week_start - pd.Timedelta(weeks=self.baseline_weeks)


def validate_parameters(
    dataset: str, week_start: str, baseline_weeks: int, country: str
) -> WeeklyParameters:
    """Check the report's parameters before any data is read.

    Raises
    ------
    ParameterError
        Naming the parameter, its value and what is allowed.
    """
    root = check_dataset_folder(str(dataset), REPORT_TABLES)
    try:
        start = pd.Timestamp(dt.date.fromisoformat(str(week_start)), tz="UTC")
    except ValueError as err:
        raise ParameterError(
            f"parameter `week_start`: {week_start!r} is not a date in YYYY-MM-DD form",
            field="week_start",
            value=week_start,
        ) from err
    if not isinstance(baseline_weeks, int) or baseline_weeks < 1:
        raise ParameterError(
            f"parameter `baseline_weeks`: {baseline_weeks!r} must be a whole number of 1 or more",
            field="baseline_weeks",
            value=baseline_weeks,
        )
    if country != "all" and country not in COUNTRY_CODES:
        raise ParameterError(
            f"parameter `country`: {country!r} is not one of all, {', '.join(COUNTRY_CODES)}",
            field="country",
            value=country,
        )
    params = WeeklyParameters(root, start, baseline_weeks, country)
    if country != "all":
        present = read_report_table(root, "customers", columns=["country"])["country"].unique()
        if country not in set(present):
            raise ParameterError(
                f"parameter `country`: no customers in {country!r} in this dataset; it has "
                f"{', '.join(sorted(present))}",
                field="country",
                value=country,
            )
    first, last = data_span(root)
    if params.week_end > last + pd.Timedelta(days=1) or params.week_start < first:
        raise ParameterError(
            f"parameter `week_start`: week {week_start} is outside the data, which covers "
            f"{first:%Y-%m-%d} to {last:%Y-%m-%d}",
            field="week_start",
            value=week_start,
        )
    if params.baseline_start < first - pd.Timedelta(days=1):
        raise ParameterError(
            f"parameter `baseline_weeks`: {baseline_weeks} weeks before {week_start} starts "
            f"before the data ({first:%Y-%m-%d}); use fewer baseline weeks",
            field="baseline_weeks",
            value=baseline_weeks,
        )
    return params


def data_span(root: Path) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return the first and last day with auth events."""
    ts = read_report_table(root, "auth_events", columns=["ts"])["ts"]
    if ts.empty:
        raise ParameterError(
            f"parameter `dataset`: {str(root)!r} has no auth events", field="dataset", value=root
        )
    return ts.min().normalize(), ts.max().normalize()


def load_period(params: WeeklyParameters) -> dict[str, pd.DataFrame]:
    """Read the baseline and report weeks of each event table, tagged by period."""
    customers = read_report_table(
        params.dataset, "customers", columns=["customer_id", "country", "segment", "home_timezone"]
    )
    if params.country != "all":
        customers = customers[customers["country"] == params.country]
    if customers.empty:
        raise ParameterError(
            f"parameter `country`: no customers in {params.country!r} in this dataset",
            field="country",
            value=params.country,
        )
    window = [("ts", ">=", params.baseline_start), ("ts", "<", params.week_end)]
    tables = {}
    for name, columns in TABLE_COLUMNS.items():
        frame = read_report_table(params.dataset, name, columns=columns, filters=window)
        frame = frame.merge(customers, on="customer_id", how="inner")
        frame["period"] = np.where(frame["ts"] >= params.week_start, "week", "baseline")
        tables[name] = frame
    if not (tables["auth_events"]["period"] == "week").any():
        raise ParameterError(
            f"parameter `week_start`: no logins in the week of {params.week_start:%Y-%m-%d} for "
            f"country {params.country!r}; pick a week with activity",
            field="week_start",
            value=f"{params.week_start:%Y-%m-%d}",
        )
    tables["history"] = read_report_table(
        params.dataset,
        "auth_events",
        columns=["customer_id", "device_id", "ts"],
        filters=[("event_type", "==", "login"), ("ts", "<", params.week_end)],
    )
    return tables


# Columns each event table contributes; the report reads no others.
TABLE_COLUMNS = {
    "auth_events": ["customer_id", "ts", "event_type", "device_id"],
    "transactions": ["customer_id", "ts", "tx_type", "status", "counterparty_label"],
    "tickets": ["customer_id", "ts", "category"],
}


def local_hours(ts: pd.Series, zones: pd.Series) -> np.ndarray:
    """Return the hour of each UTC time in the matching IANA time zone."""
    hours = np.zeros(len(ts), dtype=np.int64)
    zone_values = zones.to_numpy()
    for zone in pd.unique(zone_values):
        mask = zone_values == zone
        hours[mask] = ts[mask].dt.tz_convert(str(zone)).dt.hour.to_numpy()
    return hours


Metric = tuple[str, pd.DataFrame, str]


def flag_events(tables: dict[str, pd.DataFrame]) -> list[Metric]:
    """Return each behaviour metric's name, its events and the boolean column of hits."""
    auth = tables["auth_events"]
    logins = auth[auth["event_type"] == "login"].copy()
    local_hour = local_hours(logins["ts"], logins["home_timezone"])
    logins["off_hours"] = np.isin(local_hour, list(OFF_HOURS))
    # The data starts mid-history, so each customer's first login shows the device they
    # already had; only devices first used after that count as new.
    # NOTE: a customer's second and third usual devices still look new the first time they
    # appear, so the first week of a dataset overstates new-device logins.
    history = tables["history"]
    first_seen = history.groupby(["customer_id", "device_id"])["ts"].min()
    first_login = history.groupby("customer_id")["ts"].min()
    keys = pd.MultiIndex.from_frame(logins[["customer_id", "device_id"]])
    # Compare as int64 milliseconds: tz-aware to_numpy() would build an object array.
    login_ms = logins["ts"].astype("int64").to_numpy()
    first_use_ms = first_seen.astype("int64").reindex(keys).to_numpy()
    first_login_ms = logins["customer_id"].map(first_login.astype("int64")).to_numpy()
    logins["new_device"] = (first_use_ms == login_ms) & (first_login_ms < login_ms)
    tx = tables["transactions"].copy()
    tx["failed"] = tx["status"] == "failed"
    withdrawals = tx[tx["tx_type"] == "crypto_withdrawal"].copy()
    withdrawals["to_new_address"] = withdrawals["counterparty_label"].isna()
    p2p = tx.assign(p2p_in=tx["tx_type"] == "p2p_sell")
    return [
        ("failed transaction rate", tx, "failed"),
        ("off-hours logins", logins, "off_hours"),
        ("new-device logins", logins, "new_device"),
        ("withdrawals to new addresses", withdrawals, "to_new_address"),
        ("P2P inflow share", p2p, "p2p_in"),
    ]


def behaviour_rates(
    tables: dict[str, pd.DataFrame], by: str = "country", metrics: list[Metric] | None = None
) -> pd.DataFrame:
    """Return, per period and `by` group, the events and hits behind each behaviour rate.

    The group column of the result is named `group`; `by` is `country` or `segment`. Pass
    the output of `flag_events` as `metrics` to reuse it across breakdowns.
    """
    if metrics is None:
        metrics = flag_events(tables)
    rows = []
    for metric, frame, column in metrics:
        grouped = frame.groupby(["period", by], observed=True)[column].agg(["sum", "count"])
        for (period, group), values in grouped.iterrows():
            rows.append(
                {
                    "metric": metric,
                    "period": period,
                    "group": group,
                    "hits": int(values["sum"]),
                    "events": int(values["count"]),
                }
            )
    return pd.DataFrame(rows, columns=["metric", "period", "group", "hits", "events"])


def two_proportion_z(hits_a: int, n_a: int, hits_b: int, n_b: int) -> float:
    """Return the z statistic comparing two proportions (0 when undefined)."""
    if n_a == 0 or n_b == 0:
        return 0.0
    pooled = (hits_a + hits_b) / (n_a + n_b)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    return 0.0 if se == 0 else (hits_a / n_a - hits_b / n_b) / se


def shifts(rates: pd.DataFrame) -> pd.DataFrame:
    """Return each metric's week rate against its baseline rate, with z and significance."""
    wide = rates.pivot_table(
        index=["metric", "group"], columns="period", values=["hits", "events"], fill_value=0
    )
    rows = []
    for (metric, group), values in wide.iterrows():
        hits_w, n_w = int(values.get(("hits", "week"), 0)), int(values.get(("events", "week"), 0))
        hits_b = int(values.get(("hits", "baseline"), 0))
        n_b = int(values.get(("events", "baseline"), 0))
        z = two_proportion_z(hits_w, n_w, hits_b, n_b)
        rows.append(
            {
                "metric": metric,
                "group": group,
                "week_rate": hits_w / n_w if n_w else np.nan,
                "baseline_rate": hits_b / n_b if n_b else np.nan,
                "week_events": n_w,
                "baseline_events": n_b,
                "z": round(z, 2),
                "significant": abs(z) >= Z_SIGNIFICANT,
            }
        )
    return pd.DataFrame(rows)


def ticket_mix(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Return the share of each ticket category per period."""
    tickets = tables["tickets"]
    mix = tickets.groupby(["period", "category"]).size().rename("tickets").reset_index()
    mix["share"] = mix["tickets"] / mix.groupby("period")["tickets"].transform("sum")
    return mix


def findings(table: pd.DataFrame) -> list[str]:
    """Return the significant shifts as plain sentences, largest first."""
    significant = table[table["significant"]].copy()
    significant = significant.reindex(significant["z"].abs().sort_values(ascending=False).index)
    lines = []
    for row in significant.itertuples():
        direction = "rose" if row.z > 0 else "fell"
        lines.append(
            f"{row.group}: {row.metric} {direction} to {row.week_rate:.1%} from "
            f"{row.baseline_rate:.1%} (z = {row.z:+.1f})."
        )
    return lines or ["No shift is significant at the 1% level this week."]
