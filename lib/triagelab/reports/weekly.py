"""Weekly behaviour shifts: one week's behaviour rates against its baseline weeks."""

from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from triagelab.dataset import read_table
from triagelab.exceptions import ParameterError
from triagelab.scenarios import COUNTRY_CODES

logger = logging.getLogger(__name__)

# Local hours counted as "off hours" for logins: midnight to 05:59.
OFF_HOURS = range(0, 6)
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
    root = Path(dataset)
    if not (root / "data").is_dir():
        raise ParameterError(
            f"parameter `dataset`: {dataset!r} has no data/ folder; give a built dataset folder",
            field="dataset",
            value=dataset,
        )
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
    ts = read_table(root / "data" / "auth_events", columns=["ts"])["ts"]
    return ts.min().normalize(), ts.max().normalize()


def load_period(params: WeeklyParameters) -> dict[str, pd.DataFrame]:
    """Read the baseline and report weeks of each event table, tagged by period."""
    customers = read_table(
        params.dataset / "data" / "customers",
        columns=["customer_id", "country", "segment", "home_timezone"],
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
    for name in ("auth_events", "transactions", "tickets"):
        frame = read_table(params.dataset / "data" / name, filters=window)
        frame = frame.merge(customers, on="customer_id", how="inner")
        frame["period"] = np.where(frame["ts"] >= params.week_start, "week", "baseline")
        tables[name] = frame
    tables["history"] = read_table(
        params.dataset / "data" / "auth_events",
        columns=["customer_id", "device_id", "ts"],
        filters=[("ts", "<", params.week_end)],
    )
    return tables


def behaviour_rates(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Return, per period and country, the events and hits behind each behaviour rate."""
    auth = tables["auth_events"]
    logins = auth[auth["event_type"] == "login"].copy()
    local_hour = [
        ts.tz_convert(tz).hour for ts, tz in zip(logins["ts"], logins["home_timezone"], strict=True)
    ]
    logins["off_hours"] = np.isin(local_hour, list(OFF_HOURS))
    first_seen = tables["history"].groupby(["customer_id", "device_id"])["ts"].min()
    logins["new_device"] = (
        logins.set_index(["customer_id", "device_id"]).index.map(first_seen) == logins["ts"]
    )
    tx = tables["transactions"].copy()
    tx["failed"] = tx["status"] == "failed"
    withdrawals = tx[tx["tx_type"] == "crypto_withdrawal"].copy()
    withdrawals["to_new_address"] = withdrawals["counterparty_label"].isna()
    p2p = tx.assign(p2p_in=tx["tx_type"] == "p2p_sell")
    metrics = [
        ("failed transaction rate", tx, "failed"),
        ("off-hours logins", logins, "off_hours"),
        ("new-device logins", logins, "new_device"),
        ("withdrawals to new addresses", withdrawals, "to_new_address"),
        ("P2P inflow share", p2p, "p2p_in"),
    ]
    rows = []
    for metric, frame, column in metrics:
        grouped = frame.groupby(["period", "country"])[column].agg(["sum", "count"])
        for (period, country), values in grouped.iterrows():
            rows.append(
                {
                    "metric": metric,
                    "period": period,
                    "country": country,
                    "hits": int(values["sum"]),
                    "events": int(values["count"]),
                }
            )
    return pd.DataFrame(rows)


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
        index=["metric", "country"], columns="period", values=["hits", "events"], fill_value=0
    )
    rows = []
    for (metric, country), values in wide.iterrows():
        hits_w, n_w = int(values.get(("hits", "week"), 0)), int(values.get(("events", "week"), 0))
        hits_b = int(values.get(("hits", "baseline"), 0))
        n_b = int(values.get(("events", "baseline"), 0))
        z = two_proportion_z(hits_w, n_w, hits_b, n_b)
        rows.append(
            {
                "metric": metric,
                "country": country,
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
            f"{row.country}: {row.metric} {direction} to {row.week_rate:.1%} from "
            f"{row.baseline_rate:.1%} (z = {row.z:+.1f})."
        )
    return lines or ["No shift is significant at the 1% level this week."]
