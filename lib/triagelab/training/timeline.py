"""One customer's merged event timeline: auth events, transactions and tickets."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from triagelab.dataset import Dataset

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


def customer_timeline(dataset: Dataset, customer_id: str, timezone: str) -> pd.DataFrame:
    """Return one customer's events, oldest first, with UTC and local times."""
    selector = [("customer_id", "==", customer_id)]
    parts = [
        _describe_auth(dataset.table("auth_events", filters=selector)),
        _describe_transactions(dataset.table("transactions", filters=selector)),
        _describe_tickets(dataset.table("tickets", filters=selector)),
    ]
    merged = pd.concat([p for p in parts if not p.empty], ignore_index=True)
    if merged.empty:
        return pd.DataFrame(columns=TIMELINE_COLUMNS)
    merged = merged.sort_values(["ts", "event_id"]).reset_index(drop=True)
    merged["utc"] = merged["ts"].dt.strftime("%Y-%m-%d %H:%M:%S")
    merged["local"] = merged["ts"].dt.tz_convert(timezone).dt.strftime("%a %d %b %H:%M")
    merged["detail"] = merged["detail"].str.replace(r"\s+", " ", regex=True).str.strip()
    return merged[[*TIMELINE_COLUMNS, "ts"]]


def timeline_chart(
    timeline: pd.DataFrame, timezone: str, highlight: set[str] | None = None
) -> Figure:
    """Draw the timeline as one row of points per event kind, in the customer's local time."""
    frame = timeline.assign(local_time=timeline["ts"].dt.tz_convert(timezone).dt.tz_localize(None))
    frame["label"] = frame["kind"] + ": " + frame["what"].str.split(" ").str[0]
    fig, ax = plt.subplots(figsize=(9, 3.2))
    if not frame.empty:
        sns.stripplot(
            data=frame,
            x="local_time",
            y="label",
            hue="kind",
            ax=ax,
            jitter=0.15,
            size=5,
            legend=False,
            native_scale=True,
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
