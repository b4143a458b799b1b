"""Weekly behaviour shifts: one week's behaviour rates against its baseline weeks."""

from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from triagelab.exceptions import ParameterError
from triagelab.reports.data import check_dataset_folder, read_report_table
from triagelab.scenarios import COUNTRY_CODES

logger = logging.getLogger(__name__)

# Shown in tables and findings where a group has no events to compute a value from.
NO_VALUE = "\N{EN DASH}"

# Local hours counted as "off hours" for logins: midnight to 05:59.
OFF_HOURS = range(0, 6)
REPORT_TABLES = ("customers", "auth_events", "transactions", "tickets")
# Grouping columns the shifts are reported by.
BREAKDOWNS = ("country", "segment")
# |z| above this marks a shift as significant (two-sided, about p < 0.01).
Z_SIGNIFICANT = 2.58
# A rate on fewer events than this, in the week or in the baseline, is not tested for
# significance and not drawn: a handful of events swings it by tens of points.
MIN_EVENTS = 30
# Days of a customer's history, from their first login in the data, during which every
# device and withdrawal address they use is taken as already known.
WARMUP_DAYS = 7
# Earlier logins a customer needs before a login can count as from a new device. Customers
# log in about 1.4 times a day and use their second device for about 15% of logins, so
# after 20 logins 0.85**20, about 4%, of second devices are still unseen.
MIN_PRIOR_LOGINS = 20
# Earlier crypto withdrawals a customer needs before one can count as to a new address.
MIN_PRIOR_WITHDRAWALS = 1
# Transaction types that bring money or crypto into the account.
INFLOW_TYPES = ("fiat_deposit", "crypto_deposit", "p2p_sell")


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
    check_week_in_data(params, *data_span(root))
    return params


def _weeks(count: int) -> str:
    return f"{count} week" if count == 1 else f"{count} weeks"


def check_week_in_data(params: WeeklyParameters, first: pd.Timestamp, last: pd.Timestamp) -> None:
    """Check that the baseline and the 7-day week fall inside the days `first` to `last`.

    Raises
    ------
    ParameterError
        Naming what runs outside the data and the week_start values that fit.
    """
    week = f"{params.week_start:%Y-%m-%d}"
    span = f"the data covers {first:%Y-%m-%d} to {last:%Y-%m-%d}"
    earliest = first + pd.Timedelta(weeks=params.baseline_weeks)
    latest = last - pd.Timedelta(days=6)
    fits = (
        f"with {_weeks(params.baseline_weeks)} of baseline, use a week_start from "
        f"{earliest:%Y-%m-%d} to {latest:%Y-%m-%d}"
    )
    if earliest > latest:
        most = (latest - first).days // 7
        fits = (
            f"the data is too short for {_weeks(params.baseline_weeks)} of baseline and a "
            f"reported week; use at most {_weeks(most)} of baseline"
            if most >= 1
            else "the data is too short for one baseline week and a reported week"
        )
    if params.week_start > last:
        problem = f"week {week} starts after the data ends"
    elif params.week_end > last + pd.Timedelta(days=1):
        problem = f"the 7-day week from {week} runs past the end of the data"
    elif params.week_start < first:
        problem = f"week {week} starts before the data"
    elif params.baseline_start < first:
        problem = (
            f"{_weeks(params.baseline_weeks)} of baseline before {week} would start "
            f"{params.baseline_start:%Y-%m-%d}, before the data"
        )
    else:
        return
    raise ParameterError(
        f"parameter `week_start`: {problem}; {span}; {fits}",
        field="week_start",
        value=week,
    )


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
    # Warm-up and first use are judged on each customer's history from the start of the data.
    tables["history"] = read_report_table(
        params.dataset,
        "auth_events",
        columns=["event_id", "customer_id", "device_id", "ts"],
        filters=[("event_type", "==", "login"), ("ts", "<", params.week_end)],
    )
    tables["withdrawal_history"] = read_report_table(
        params.dataset,
        "transactions",
        columns=["event_id", "customer_id", "counterparty", "ts"],
        filters=[("tx_type", "==", "crypto_withdrawal"), ("ts", "<", params.week_end)],
    )
    return tables


# Columns each event table contributes; the report reads no others.
TABLE_COLUMNS = {
    "auth_events": ["event_id", "customer_id", "ts", "event_type", "device_id"],
    "transactions": ["event_id", "customer_id", "ts", "tx_type", "status"],
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


def established_rows(events: pd.DataFrame, first_seen: pd.Series, min_prior: int) -> np.ndarray:
    """Mark the events of customers with an established history at the time of the event.

    `events` must be sorted by customer and time. A customer is established once their first
    login in the data lies at least `WARMUP_DAYS` back and they have at least `min_prior`
    earlier events in `events`.
    """
    prior = events.groupby("customer_id").cumcount().to_numpy()
    since_ms = events["ts"].astype("int64").to_numpy() - (
        events["customer_id"].map(first_seen.astype("int64")).to_numpy()
    )
    warmup_ms = pd.Timedelta(days=WARMUP_DAYS) // pd.Timedelta(milliseconds=1)
    return (prior >= min_prior) & (since_ms >= warmup_ms)


def _history_flags(tables: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the established logins and withdrawals, each with its new-device or address flag."""
    logins = tables["history"].sort_values(["customer_id", "ts", "event_id"], kind="stable")
    first_login = logins.groupby("customer_id")["ts"].min()
    logins = logins.assign(
        established=established_rows(logins, first_login, MIN_PRIOR_LOGINS),
        new_device=~logins.duplicated(["customer_id", "device_id"]).to_numpy(),
    )
    withdrawals = tables["withdrawal_history"].sort_values(
        ["customer_id", "ts", "event_id"], kind="stable"
    )
    withdrawals = withdrawals.assign(
        established=established_rows(withdrawals, first_login, MIN_PRIOR_WITHDRAWALS),
        to_new_address=~withdrawals.duplicated(["customer_id", "counterparty"]).to_numpy(),
    )
    return logins, withdrawals


def flag_events(tables: dict[str, pd.DataFrame]) -> list[Metric]:
    """Return each behaviour metric's name, its events and the boolean column of hits.

    Each metric's events are its denominator: every transaction, every login, the logins
    and withdrawals of established customers (see `established_rows`), and every inflow.
    """
    auth = tables["auth_events"]
    logins = auth[auth["event_type"] == "login"].copy()
    local_hour = local_hours(logins["ts"], logins["home_timezone"])
    logins["off_hours"] = np.isin(local_hour, list(OFF_HOURS))
    # A device or address first used during a customer's warm-up is taken as already known.
    # The data starts in the middle of each customer's history, so without the warm-up a
    # second phone or a usual wallet would look new the first time it appears.
    login_history, withdrawal_history = _history_flags(tables)
    known = login_history[login_history["established"]].set_index("event_id")["new_device"]
    device_logins = logins[logins["event_id"].isin(known.index)].copy()
    device_logins["new_device"] = device_logins["event_id"].map(known).astype(bool)
    tx = tables["transactions"].copy()
    tx["failed"] = tx["status"] == "failed"
    known_addresses = withdrawal_history[withdrawal_history["established"]].set_index("event_id")[
        "to_new_address"
    ]
    withdrawals = tx[tx["event_id"].isin(known_addresses.index)].copy()
    withdrawals["to_new_address"] = withdrawals["event_id"].map(known_addresses).astype(bool)
    inflows = tx[tx["tx_type"].isin(INFLOW_TYPES)].copy()
    inflows["p2p_in"] = inflows["tx_type"] == "p2p_sell"
    return [
        ("failed transaction rate", tx, "failed"),
        ("off-hours logins", logins, "off_hours"),
        ("new-device logins", device_logins, "new_device"),
        ("withdrawals to new addresses", withdrawals, "to_new_address"),
        ("P2P share of inflows", inflows, "p2p_in"),
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
    """Return each metric's week rate against its baseline rate, with z and significance.

    A shift is tested only when the week and the baseline each have at least `MIN_EVENTS`
    events. Otherwise `tested` is False and the shift is never significant.
    """
    wide = rates.pivot_table(
        index=["metric", "group"], columns="period", values=["hits", "events"], fill_value=0
    )
    rows = []
    for (metric, group), values in wide.iterrows():
        hits_w, n_w = int(values.get(("hits", "week"), 0)), int(values.get(("events", "week"), 0))
        hits_b = int(values.get(("hits", "baseline"), 0))
        n_b = int(values.get(("events", "baseline"), 0))
        z = two_proportion_z(hits_w, n_w, hits_b, n_b)
        tested = min(n_w, n_b) >= MIN_EVENTS
        rows.append(
            {
                "metric": metric,
                "group": group,
                "week_rate": hits_w / n_w if n_w else np.nan,
                "baseline_rate": hits_b / n_b if n_b else np.nan,
                "week_hits": hits_w,
                "week_events": n_w,
                "baseline_hits": hits_b,
                "baseline_events": n_b,
                "z": round(z, 2),
                "tested": tested,
                "significant": tested and abs(z) >= Z_SIGNIFICANT,
            }
        )
    return pd.DataFrame(rows)


def ticket_mix(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Return the share of each ticket category per period."""
    tickets = tables["tickets"]
    mix = tickets.groupby(["period", "category"]).size().rename("tickets").reset_index()
    mix["share"] = mix["tickets"] / mix.groupby("period")["tickets"].transform("sum")
    return mix


def _rate_text(rate: float, hits: int, events: int) -> str:
    return f"{rate:.1%} ({hits:,} of {events:,})" if events else "no events"


def findings(table: pd.DataFrame) -> list[str]:
    """Return the significant shifts as plain sentences, largest first.

    A last sentence names the groups whose rates rest on too few events to be tested.
    """
    significant = table[table["significant"]].copy()
    significant = significant.reindex(significant["z"].abs().sort_values(ascending=False).index)
    lines = []
    for row in significant.itertuples():
        direction = "rose" if row.z > 0 else "fell"
        lines.append(
            f"{row.group}: {row.metric} {direction} to "
            f"{_rate_text(row.week_rate, row.week_hits, row.week_events)} from "
            f"{_rate_text(row.baseline_rate, row.baseline_hits, row.baseline_events)} "
            f"(z = {row.z:+.1f})."
        )
    if not lines:
        lines.append("No shift is significant at the 1% level this week.")
    untested = table[~table["tested"]]
    if not untested.empty:
        names = [
            f"{row.group} {row.metric} ({row.week_events:,} in the week, "
            f"{row.baseline_events:,} in the baseline)"
            for row in untested.itertuples()
        ]
        lines.append(
            f"Not tested, fewer than {MIN_EVENTS} events in the week or the baseline: "
            + "; ".join(names)
            + "."
        )
    return lines


def findings_markdown(by_group: dict[str, pd.DataFrame], params: WeeklyParameters) -> str:
    """Return the report's findings section as Markdown, one sub-heading per breakdown."""
    scope = "all countries" if params.country == "all" else params.country
    weeks = "week" if params.baseline_weeks == 1 else "weeks"
    parts = [
        "## Findings",
        f"Week of {params.week_start:%Y-%m-%d} against {params.baseline_weeks} baseline "
        f"{weeks}, {scope}. A shift is significant when a two-proportion z-test gives |z| "
        f"of {Z_SIGNIFICANT} or more (about p < 0.01) and the week and the baseline each "
        f"have at least {MIN_EVENTS} events.",
    ]
    for by, table in by_group.items():
        parts.append(f"### By {by}")
        parts.append("\n".join(f"- {line}" for line in findings(table)))
    # Markdown ends a list only at a blank line, so every block is separated by one.
    return "\n\n".join(parts) + "\n"


# Plain labels for the chart legends and the shift table.
PERIOD_LABELS = {"baseline_rate": "baseline weeks", "week_rate": "reported week"}


def chart_frame(table: pd.DataFrame) -> pd.DataFrame:
    """Return the rates to draw, one row per metric, group and period, with event counts.

    Rates on fewer than `MIN_EVENTS` events are left out (NaN), so a tiny group never
    shows as a tall bar.
    """
    frames = []
    for column, label in PERIOD_LABELS.items():
        events = "baseline_events" if column == "baseline_rate" else "week_events"
        part = table[["metric", "group", column, events]].rename(
            columns={column: "rate", events: "events"}
        )
        part["period"] = label
        part.loc[part["events"] < MIN_EVENTS, "rate"] = np.nan
        frames.append(part)
    return pd.concat(frames, ignore_index=True)


# One colour per period in every chart of the report.
PERIOD_COLOURS = {"baseline weeks": "#9aa5b1", "reported week": "#1f6fb2"}


def draw_rates(table: pd.DataFrame, by: str) -> Figure:
    """Draw each metric's baseline and week rate per group, each bar labelled with its count.

    Rates on fewer than `MIN_EVENTS` events get no bar, only their count, so a tiny group
    never shows as a tall bar.
    """
    long = chart_frame(table)
    metrics = list(dict.fromkeys(long["metric"]))
    groups = sorted(long["group"].unique())
    columns = min(3, len(metrics))
    rows = math.ceil(len(metrics) / columns)
    figure, axes = plt.subplots(
        rows, columns, figsize=(4.6 * columns, 3.4 * rows), squeeze=False, layout="constrained"
    )
    width = 0.4
    positions = np.arange(len(groups))
    for ax, metric in zip(axes.flat, metrics, strict=False):
        subset = long[long["metric"] == metric]
        offsets = (-width / 2, width / 2)
        for offset, (period, colour) in zip(offsets, PERIOD_COLOURS.items(), strict=True):
            part = subset[subset["period"] == period].set_index("group").reindex(groups)
            rates = part["rate"].to_numpy(dtype=float)
            bars = ax.bar(
                positions + offset, np.nan_to_num(rates), width, color=colour, label=period
            )
            labels = [
                f"n={int(n):,}" if not np.isnan(r) else f"n={int(n):,}, not drawn"
                for r, n in zip(rates, part["events"].fillna(0), strict=True)
            ]
            ax.bar_label(bars, labels=labels, fontsize=6, rotation=90, padding=2)
        ax.set_title(metric)
        ax.set_xticks(positions, groups, rotation=30, ha="right")
        ax.set_xlabel(by)
        ax.set_ylabel("share of events")
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.margins(y=0.35)
    for ax in list(axes.flat)[len(metrics) :]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncols=2, frameon=False)
    return figure


def shift_table(by_group: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Return every shift with plain column headers and formatted numbers, for display."""
    frame = pd.concat([table.assign(breakdown=by) for by, table in by_group.items()])
    frame = frame.sort_values(["breakdown", "metric", "group"])

    def rate(value: float, hits: int, events: int) -> str:
        return NO_VALUE if not events else f"{value:.1%} ({hits:,}/{events:,})"

    return pd.DataFrame(
        {
            "breakdown": frame["breakdown"],
            "metric": frame["metric"],
            "group": frame["group"],
            "baseline weeks": [
                rate(v, h, n)
                for v, h, n in zip(
                    frame["baseline_rate"],
                    frame["baseline_hits"],
                    frame["baseline_events"],
                    strict=True,
                )
            ],
            "reported week": [
                rate(v, h, n)
                for v, h, n in zip(
                    frame["week_rate"], frame["week_hits"], frame["week_events"], strict=True
                )
            ],
            "z": [
                f"{z:+.2f}" if tested else "not tested"
                for z, tested in zip(frame["z"], frame["tested"], strict=True)
            ],
            "significant": np.where(frame["significant"], "yes", "no"),
        }
    ).reset_index(drop=True)
