"""One customer's merged event timeline: auth events, transactions and tickets."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from triagelab.dataset import Dataset

if TYPE_CHECKING:
    from matplotlib.figure import Figure

TIMELINE_COLUMNS = ["event_id", "utc", "local", "kind", "what", "detail", "usd_amount"]


def _describe_auth(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "event_id": frame["event_id"],
            "ts": frame["ts"],
            "kind": "auth",
            "what": frame["event_type"],
            "detail": frame["device_model"]
            + " ("
            + frame["device_id"]
            + "), IP "
            + frame["ip_address"]
            + " "
            + frame["ip_country"],
            "usd_amount": float("nan"),
        }
    )


def _describe_transactions(frame: pd.DataFrame) -> pd.DataFrame:
    amount = (
        frame["fiat_amount"].map("{:,.2f}".format)
        + " "
        + frame["fiat_currency"]
        + " / USD "
        + frame["usd_amount"].map("{:,.2f}".format)
    )
    asset = frame["asset"].fillna("") + " " + frame["chain"].fillna("")
    other = frame["counterparty"].fillna("") + " " + frame["counterparty_label"].fillna("")
    payer = ("payer " + frame["payer_name"]).fillna("")
    status = frame["status"] + (" (" + frame["failure_reason"] + ")").fillna("")
    return pd.DataFrame(
        {
            "event_id": frame["event_id"],
            "ts": frame["ts"],
            "kind": "transaction",
            "what": frame["tx_type"] + " " + status,
            "detail": amount
            + " "
            + asset.str.strip()
            + " "
            + frame["rail"].fillna("")
            + " "
            + payer
            + " "
            + other.str.strip(),
            "usd_amount": frame["usd_amount"],
        }
    )


def _describe_tickets(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "event_id": frame["event_id"],
            "ts": frame["ts"],
            "kind": "ticket",
            "what": "ticket " + frame["category"],
            "detail": "[" + frame["language"] + "] " + frame["message"],
            "usd_amount": float("nan"),
        }
    )


@dataclass(frozen=True)
class CustomerEvents:
    """One customer's rows of the three event tables, as stored (times in UTC)."""

    auth: pd.DataFrame
    transactions: pd.DataFrame
    tickets: pd.DataFrame


def read_customer_events(dataset: Dataset, customer_id: str) -> CustomerEvents:
    """Read one customer's auth events, transactions and tickets with a Parquet filter."""
    selector = [("customer_id", "==", customer_id)]
    return CustomerEvents(
        auth=dataset.table("auth_events", filters=selector),
        transactions=dataset.table("transactions", filters=selector),
        tickets=dataset.table("tickets", filters=selector),
    )


def read_queue_events(dataset: Dataset, customer_ids: list[str]) -> dict[str, CustomerEvents]:
    """Read the events of the given customers with one filtered read per table.

    The app calls this once, so moving between cases reads no Parquet file. A queue's
    customers are a small share of a dataset, so their rows fit in memory.
    """
    selector = [("customer_id", "in", sorted(set(customer_ids)))]
    tables = {
        name: dataset.table(name, filters=selector).groupby("customer_id", sort=False)
        for name in ("auth_events", "transactions", "tickets")
    }
    frames = {name: {key: part for key, part in grouped} for name, grouped in tables.items()}
    empty = {name: grouped.obj.iloc[:0] for name, grouped in tables.items()}
    return {
        customer_id: CustomerEvents(
            auth=frames["auth_events"].get(customer_id, empty["auth_events"]),
            transactions=frames["transactions"].get(customer_id, empty["transactions"]),
            tickets=frames["tickets"].get(customer_id, empty["tickets"]),
        )
        for customer_id in customer_ids
    }


def customer_timeline(
    dataset: Dataset, customer_id: str, timezone: str, events: CustomerEvents | None = None
) -> pd.DataFrame:
    """Return one customer's events, oldest first, with UTC and local times.

    Pass `events` when they were already read, to skip reading the tables again.
    """
    events = events or read_customer_events(dataset, customer_id)
    # An empty table is skipped before it is described: string arithmetic on its empty
    # columns would fail because pandas gives them a float dtype.
    parts = [
        describe(frame)
        for describe, frame in (
            (_describe_auth, events.auth),
            (_describe_transactions, events.transactions),
            (_describe_tickets, events.tickets),
        )
        if not frame.empty
    ]
    if not parts:
        return pd.DataFrame(columns=[*TIMELINE_COLUMNS, "ts"])
    merged = pd.concat(parts, ignore_index=True)
    merged = merged.sort_values(["ts", "event_id"]).reset_index(drop=True)
    merged["utc"] = merged["ts"].dt.strftime("%Y-%m-%d %H:%M:%S")
    merged["local"] = merged["ts"].dt.tz_convert(timezone).dt.strftime("%a %d %b %H:%M")
    merged["detail"] = merged["detail"].str.replace(r"\s+", " ", regex=True).str.strip()
    return merged[[*TIMELINE_COLUMNS, "ts"]]


def devices_seen(events: CustomerEvents) -> pd.DataFrame:
    """Return each device the customer logged in from, with its IP countries and first use."""
    auth = events.auth
    if auth.empty:
        return pd.DataFrame(
            columns=["device_id", "device_model", "os", "ip_countries", "first", "last", "events"]
        )
    grouped = auth.groupby("device_id", sort=False)
    frame = pd.DataFrame(
        {
            "device_model": grouped["device_model"].first(),
            "os": grouped["os"].first(),
            "ip_countries": grouped["ip_country"].agg(lambda c: ", ".join(sorted(set(c)))),
            "first": grouped["ts"].min(),
            "last": grouped["ts"].max(),
            "events": grouped.size(),
        }
    )
    return frame.sort_values("first").reset_index()


def counterparties_seen(events: CustomerEvents) -> pd.DataFrame:
    """Return each counterparty of the customer with its label, count and USD total."""
    frame = events.transactions.dropna(subset=["counterparty"])
    columns = ["counterparty", "label", "directions", "count", "usd_total", "first"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    grouped = frame.groupby("counterparty", sort=False)
    summary = pd.DataFrame(
        {
            "label": grouped["counterparty_label"].agg(
                lambda c: ", ".join(sorted({str(v) for v in c.dropna()}))
            ),
            "directions": grouped["tx_type"].agg(lambda c: ", ".join(sorted(set(c)))),
            "count": grouped.size(),
            "usd_total": grouped["usd_amount"].sum(),
            "first": grouped["ts"].min(),
        }
    )
    return summary.sort_values("first").reset_index()[columns]


def timeline_chart(
    timeline: pd.DataFrame, timezone: str, highlight: set[str] | None = None
) -> Figure:
    """Draw the timeline as one row of points per event type, in the customer's local time.

    The figure is built without pyplot and drawn on its own Agg canvas, so it needs no
    closing and several threads may each draw their own figure. In a local measurement
    `sns.scatterplot` drew a case in about half the time `sns.stripplot` took.
    """
    # Imported here because importing seaborn takes seconds (it loads scipy when installed)
    # and matplotlib a fraction of one, and the app shows the first case before its chart.
    import seaborn as sns
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    frame = timeline.assign(local_time=timeline["ts"].dt.tz_convert(timezone).dt.tz_localize(None))
    frame["label"] = frame["kind"] + ": " + frame["what"].str.split(" ").str[0]
    fig = Figure(figsize=(9, 3.2))
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    if not frame.empty:
        sns.scatterplot(
            data=frame,
            x="local_time",
            y="label",
            hue="kind",
            hue_order=["auth", "transaction", "ticket"],
            ax=ax,
            s=30,
            legend=False,
        )
        if highlight:
            marked = frame[frame["event_id"].isin(highlight)]
            ax.scatter(
                marked["local_time"],
                marked["label"],
                s=140,
                facecolors="none",
                edgecolors="crimson",
                linewidths=2,
                zorder=5,
            )
    ax.set_xlabel(f"local time ({timezone})")
    ax.set_ylabel("")
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


def timeline_png(
    timeline: pd.DataFrame, timezone: str, highlight: set[str] | None = None, dpi: int = 72
) -> bytes:
    """Draw the timeline chart and return it as PNG bytes."""
    buffer = io.BytesIO()
    timeline_chart(timeline, timezone, highlight).savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()
