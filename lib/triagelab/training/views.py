"""HTML pieces of the case view: profile card, timeline table, devices and counterparties."""

from __future__ import annotations

import html

import pandas as pd

from triagelab.vocab import FLAGS


def _table(header: list[str], rows: list[list[str]], css_class: str) -> str:
    head = "".join(f"<th style='text-align:left;padding-right:1em'>{h}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td style='padding-right:1em'>{cell}</td>" for cell in row) + "</tr>"
        for row in rows
    )
    return f"<table class='{css_class}'><tr>{head}</tr>{body}</table>"


def profile_html(case: pd.Series, customer: pd.Series) -> str:
    """Return the customer profile card of a case."""
    rows = {
        "Case": f"{case['case_id']} opened {case['opened_at']:%Y-%m-%d %H:%M} UTC "
        f"({case['alert_source']}, score {case['score']:.0f})",
        "Customer": f"{customer['full_name']} ({case['customer_id']})",
        "Country / time zone": f"{customer['country']} / {customer['home_timezone']}",
        "Born / occupation": f"{customer['birth_year']} / {customer['occupation']}",
        "Declared income": f"USD {customer['declared_monthly_income_usd']:,.0f} a month",
        "Segment / KYC tier": f"{customer['segment']} / {customer['kyc_tier']}",
        "Customer since": f"{customer['signup_at']:%Y-%m-%d}",
    }
    if "last_login_at" in customer.index:
        rows["Last login before this period"] = f"{customer['last_login_at']:%Y-%m-%d}"
    cells = "".join(
        f"<tr><th style='text-align:left;padding-right:1em'>{html.escape(k)}</th>"
        f"<td>{html.escape(str(v))}</td></tr>"
        for k, v in rows.items()
    )
    return (
        f"<div class='triagelab-profile' data-case='{html.escape(str(case['case_id']))}' "
        f"style='border:1px solid #ccc;padding:6px;border-radius:4px'><table>{cells}</table></div>"
    )


def case_header_html(case_id: str, opened_at: pd.Timestamp) -> str:
    """Return the heading of a case view, with the time its events are shown up to."""
    return (
        f"<h4 class='triagelab-case-header'>Case {html.escape(case_id)}: events up to "
        f"{opened_at:%Y-%m-%d %H:%M} UTC, when the case was opened</h4>"
    )


def case_view_html(case_id: str, header: str, profile: str, table: str, seen: str) -> str:
    """Return the whole case view (heading, profile card, timeline, devices) as one HTML value.

    One value reaches the page in one widget message, so the trainee never sees the profile
    card of one case above the timeline of another. `data-case` names the case it shows.
    """
    return (
        f"<div class='triagelab-case' data-case='{html.escape(case_id)}'>{header}{profile}"
        f"<div class='triagelab-timeline' style='max-height:340px;overflow:auto'>{table}</div>"
        f"{seen}</div>"
    )


def timeline_html(timeline: pd.DataFrame, highlight: set[str] | None = None) -> str:
    """Return the merged timeline as a table, local time first, evidence rows marked."""
    highlight = highlight or set()
    lines = []
    for row in timeline.itertuples():
        marked = row.event_id in highlight
        attributes = (
            " class='evidence' style='background:#ffe0e0;font-weight:bold'" if marked else ""
        )
        lines.append(
            f"<tr{attributes}><td>{row.local}</td><td>{row.utc}</td><td>{html.escape(row.kind)}</td>"
            f"<td>{html.escape(row.what)}</td><td>{html.escape(row.detail)}</td></tr>"
        )
    head = (
        "<tr><th>local</th><th>UTC</th><th>kind</th><th>event</th>"
        "<th>detail (fiat / USD amounts)</th></tr>"
    )
    return f"<table class='timeline'>{head}{''.join(lines)}</table>"


def seen_html(devices: pd.DataFrame, counterparties: pd.DataFrame, timezone: str) -> str:
    """Return the devices and counterparties a customer used, first use in local time."""

    def local(ts: pd.Timestamp) -> str:
        return f"{ts.tz_convert(timezone):%d %b %H:%M}"

    device_rows = [
        [
            html.escape(str(row.device_id)),
            html.escape(f"{row.device_model} ({row.os})"),
            html.escape(str(row.ip_countries)),
            local(row.first),
            str(row.events),
        ]
        for row in devices.itertuples()
    ]
    counterparty_rows = [
        [
            html.escape(str(row.counterparty)),
            html.escape(str(row.label)),
            html.escape(str(row.directions)),
            str(row.count),
            f"{row.usd_total:,.2f}",
            local(row.first),
        ]
        for row in counterparties.itertuples()
    ]
    devices_part = (
        _table(
            ["device", "model (OS)", "IP countries", "first use", "logins"],
            device_rows,
            "triagelab-devices",
        )
        if device_rows
        else "<i>no logins</i>"
    )
    counterparties_part = (
        _table(
            ["counterparty", "label", "transactions", "count", "USD total", "first"],
            counterparty_rows,
            "triagelab-counterparties",
        )
        if counterparty_rows
        else "<i>no counterparties</i>"
    )
    return f"<b>Devices seen</b>{devices_part}<b>Counterparties seen</b>{counterparties_part}"


def flag_glossary_html() -> str:
    """Return every flag's title, definition, window and threshold as a table."""
    rows = [
        [
            f"<b>{html.escape(flag.title)}</b>",
            html.escape(flag.definition),
            html.escape(flag.window),
            html.escape(flag.threshold),
        ]
        for flag in FLAGS
    ]
    return _table(["flag", "definition", "window", "threshold"], rows, "triagelab-glossary")
