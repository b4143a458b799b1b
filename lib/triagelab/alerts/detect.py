"""Vectorized detectors: one per flag, each returning the events that trip a rule."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from triagelab.alerts.rules import Rule, RuleSet
from triagelab.dataset import Dataset
from triagelab.vocab import HIGH_RISK_LABELS

logger = logging.getLogger(__name__)

HIT_COLUMNS = ["customer_id", "rule_id", "ts", "event_ids"]
CUSTOMER_COLUMNS = [
    "customer_id",
    "country",
    "home_timezone",
    "full_name",
    "declared_monthly_income_usd",
]
CREDENTIAL_EVENTS = ("password_change", "2fa_change", "email_change", "phone_change")
WITHDRAWALS = ("crypto_withdrawal", "fiat_withdrawal")
DEPOSITS = ("fiat_deposit", "crypto_deposit")
# Scam-coaching words in the ticket languages of the six countries (en, ms, id, th, vi, fil).
SCAM_WORDING = re.compile(
    r"mentor|guaranteed|investment group|tax|cukai|pajak|thuế|ภาษี|กลุ่มลงทุน|thầy",
    re.IGNORECASE,
)


@dataclass
class Tables:
    """The data tables the detectors read, with times sorted per customer."""

    customers: pd.DataFrame
    auth_events: pd.DataFrame
    transactions: pd.DataFrame
    tickets: pd.DataFrame

    @classmethod
    def from_dataset(cls, dataset: Dataset) -> Tables:
        """Read the four tables of a built dataset."""
        customers = dataset.table("customers")
        # `last_login_at` is optional: builds and exports without it still load.
        wanted = [*CUSTOMER_COLUMNS, "last_login_at"]
        return cls(
            customers=customers[[name for name in wanted if name in customers.columns]],
            auth_events=_sorted(dataset.table("auth_events")),
            transactions=_sorted(dataset.table("transactions")),
            tickets=_sorted(
                dataset.table("tickets", columns=["event_id", "customer_id", "ts", "message"])
            ),
        )


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["customer_id", "ts", "event_id"], kind="stable").reset_index(
        drop=True
    )


def _hits(frame: pd.DataFrame, rule: Rule, ids: pd.Series | None = None) -> pd.DataFrame:
    """Shape rows of events into hits with one event id each, or with the lists in `ids`."""
    if frame.empty:
        return pd.DataFrame(columns=HIT_COLUMNS)
    event_ids = ids if ids is not None else frame["event_id"].map(lambda value: [value])
    return pd.DataFrame(
        {
            "customer_id": frame["customer_id"].to_numpy(),
            "rule_id": rule.id,
            "ts": frame["ts"].to_numpy(),
            "event_ids": list(event_ids),
        }
    )


def _rolling_count(frame: pd.DataFrame, window: pd.Timedelta) -> np.ndarray:
    """Return, for each row, the rows of the same customer within `window` up to it."""
    ones = pd.Series(1.0, index=pd.DatetimeIndex(frame["ts"]))
    counts = ones.groupby(frame["customer_id"].to_numpy()).rolling(window).sum()
    # groupby().rolling() returns rows grouped by customer; frames here are sorted that way.
    return counts.to_numpy()


def _window_ids(frame: pd.DataFrame, window: pd.Timedelta, counts: np.ndarray) -> pd.Series:
    """Return the event ids inside the window that ends at each row."""
    ids = frame["event_id"].to_numpy()
    positions = np.arange(len(frame))
    return pd.Series(
        [list(ids[p - int(c) + 1 : p + 1]) for p, c in zip(positions, counts, strict=True)],
        index=frame.index,
    )


def failed_tx_burst(tables: Tables, rule: Rule) -> pd.DataFrame:
    """Find bursts of failed transactions inside the rule's window."""
    failed = tables.transactions[tables.transactions["status"] == "failed"].reset_index(drop=True)
    if failed.empty:
        return _hits(failed, rule)
    counts = _rolling_count(failed, rule.window_delta)
    tripped = counts >= rule.threshold
    return _hits(failed[tripped], rule, _window_ids(failed, rule.window_delta, counts)[tripped])


def failed_login_burst(tables: Tables, rule: Rule) -> pd.DataFrame:
    """Find bursts of failed logins inside the rule's window."""
    auth = tables.auth_events
    failed = auth[auth["event_type"] == "login_failed"].reset_index(drop=True)
    if failed.empty:
        return _hits(failed, rule)
    counts = _rolling_count(failed, rule.window_delta)
    tripped = counts >= rule.threshold
    return _hits(failed[tripped], rule, _window_ids(failed, rule.window_delta, counts)[tripped])


def new_device(tables: Tables, rule: Rule) -> pd.DataFrame:
    """Find logins from a device the customer had not used, once their history is established.

    The data starts in the middle of each customer's history, so their usual devices show
    up for the first time inside it. A device is new only when the customer has at least
    `threshold` earlier logins and their first login in the data lies at least
    `options.warmup_days` (default 7) days back; devices first used before then are known.
    """
    logins = tables.auth_events[tables.auth_events["event_type"] == "login"].reset_index(drop=True)
    prior_logins = logins.groupby("customer_id").cumcount()
    first_login = logins.groupby("customer_id")["ts"].transform("min")
    warmup = pd.Timedelta(days=float(rule.options.get("warmup_days", 7)))
    established = (prior_logins >= rule.threshold) & (logins["ts"] - first_login >= warmup)
    first_use = ~logins.duplicated(["customer_id", "device_id"])
    return _hits(logins[first_use & established], rule)


def unusual_hour_login(tables: Tables, rule: Rule) -> pd.DataFrame:
    """Find logins at a local hour at least `options.hours` away from every earlier login hour."""
    logins = tables.auth_events[tables.auth_events["event_type"] == "login"].reset_index(drop=True)
    zones = logins[["customer_id"]].merge(
        tables.customers[["customer_id"]].assign(tz=_home_zones(tables.customers)),
        on="customer_id",
        how="left",
    )["tz"]
    hour = pd.Series(0, index=logins.index)
    for zone in zones.dropna().unique():
        mask = (zones == zone).to_numpy()
        hour[mask] = logins.loc[mask, "ts"].dt.tz_convert(zone).dt.hour.to_numpy()
    tolerance = int(rule.options.get("hours", 2))
    # Expand each login to the hours within the tolerance. A login is unusual when no earlier
    # login of the customer fell in any of those hours.
    expanded = pd.concat(
        [
            pd.DataFrame(
                {"row": logins.index, "customer_id": logins["customer_id"], "hour": (hour + d) % 24}
            )
            for d in range(-tolerance, tolerance + 1)
        ]
    )
    first_row = expanded.groupby(["customer_id", "hour"])["row"].transform("min")
    seen_before = (first_row < expanded["row"]).groupby(expanded["row"]).any()
    prior_logins = logins.groupby("customer_id").cumcount()
    unusual = ~seen_before.reindex(logins.index).to_numpy() & (prior_logins >= rule.threshold)
    return _hits(logins[unusual], rule)


def _home_zones(customers: pd.DataFrame) -> pd.Series:
    if "home_timezone" in customers:
        return customers["home_timezone"]
    from triagelab.synthetic.countries import load_countries

    zones = {code: profile.timezones.zones[0].zone for code, profile in load_countries().items()}
    return customers["country"].map(zones)


def new_country_or_impossible_travel(tables: Tables, rule: Rule) -> pd.DataFrame:
    """Find logins from a new IP country, or from two countries within the rule's window."""
    logins = tables.auth_events[tables.auth_events["event_type"] == "login"].reset_index(drop=True)
    prior_logins = logins.groupby("customer_id").cumcount()
    new_country = ~logins.duplicated(["customer_id", "ip_country"]) & (
        prior_logins >= rule.threshold
    )
    previous = logins.groupby("customer_id")[["ts", "ip_country"]].shift()
    travel = (previous["ip_country"].notna()) & (previous["ip_country"] != logins["ip_country"])
    travel &= (logins["ts"] - previous["ts"]) <= rule.window_delta
    return _hits(logins[new_country | travel], rule)


def credential_change(tables: Tables, rule: Rule) -> pd.DataFrame:
    """Find credential changes: password, two-factor method, e-mail or phone."""
    auth = tables.auth_events
    return _hits(auth[auth["event_type"].isin(CREDENTIAL_EVENTS)], rule)


def withdrawal_after_credential_change(tables: Tables, rule: Rule) -> pd.DataFrame:
    """Find withdrawals within the rule's window after a credential change."""
    changes = tables.auth_events[tables.auth_events["event_type"].isin(CREDENTIAL_EVENTS)]
    tx = tables.transactions
    withdrawals = tx[tx["tx_type"].isin(WITHDRAWALS) & (tx["status"] != "failed")]
    if changes.empty or withdrawals.empty:
        return _hits(withdrawals.iloc[0:0], rule)
    paired = pd.merge_asof(
        withdrawals.sort_values("ts"),
        changes[["customer_id", "ts", "event_id"]]
        .rename(columns={"event_id": "change_id", "ts": "change_ts"})
        .sort_values("change_ts"),
        left_on="ts",
        right_on="change_ts",
        by="customer_id",
        direction="backward",
        tolerance=rule.window_delta,
    ).dropna(subset=["change_id"])
    ids = pd.Series(
        [[c, w] for c, w in zip(paired["change_id"], paired["event_id"], strict=True)],
        index=paired.index,
    )
    return _hits(paired, rule, ids)


def large_withdrawal_new_address(tables: Tables, rule: Rule) -> pd.DataFrame:
    """Find withdrawals of `threshold` times the customer's median amount to a first-time address.

    The median is over the customer's completed transactions of every type, so a customer
    whose first withdrawal drains the account is still compared with their usual size.
    """
    tx = tables.transactions
    completed = tx[tx["status"] == "completed"]
    median = completed.groupby("customer_id")["usd_amount"].median()
    withdrawals = tx[(tx["tx_type"] == "crypto_withdrawal") & (tx["status"] != "failed")]
    first_time = ~withdrawals.duplicated(["customer_id", "counterparty"]) & (
        withdrawals["counterparty_label"].isna()
    )
    reference = withdrawals["customer_id"].map(median)
    minimum = float(rule.options.get("min_usd", 0))
    large = (withdrawals["usd_amount"] >= rule.threshold * reference) & (
        withdrawals["usd_amount"] >= minimum
    )
    return _hits(withdrawals[first_time & large], rule)


def deposit_then_immediate_withdrawal(tables: Tables, rule: Rule) -> pd.DataFrame:
    """Find deposits of which at least `threshold` (a share) leaves within the rule's window."""
    tx = tables.transactions[tables.transactions["status"] == "completed"]
    deposits = tx[tx["tx_type"].isin(DEPOSITS)]
    outflows = tx[tx["tx_type"].isin(WITHDRAWALS)][["customer_id", "ts", "usd_amount"]].copy()
    if deposits.empty or outflows.empty:
        return _hits(deposits.iloc[0:0], rule)
    outflows["cumulative"] = outflows.groupby("customer_id")["usd_amount"].cumsum()
    outflows = outflows.sort_values("ts")

    def cumulative_at(times: pd.Series) -> np.ndarray:
        probe = pd.DataFrame(
            {"customer_id": deposits["customer_id"].to_numpy(), "at": times.to_numpy()}
        )
        probe["at"] = probe["at"].astype(outflows["ts"].dtype)
        probe["order"] = np.arange(len(probe))
        merged = pd.merge_asof(
            probe.sort_values("at"),
            outflows[["customer_id", "ts", "cumulative"]],
            left_on="at",
            right_on="ts",
            by="customer_id",
            direction="backward",
        ).sort_values("order")
        return merged["cumulative"].fillna(0.0).to_numpy()

    window = rule.window_delta
    leaving = cumulative_at(deposits["ts"] + window) - cumulative_at(deposits["ts"])
    tripped = leaving >= rule.threshold * deposits["usd_amount"].to_numpy()
    return _hits(deposits[tripped & (deposits["usd_amount"].to_numpy() > 0)], rule)


def structuring_below_threshold(tables: Tables, rule: Rule) -> pd.DataFrame:
    """Find `threshold` or more fiat deposits just under the reporting threshold in a window.

    "Just under" is between `options.lower` (default 0.8) and 1 times the local-currency
    threshold that `triagelab.synthetic.facts.structuring_threshold` gives per country.
    """
    from triagelab.synthetic.facts import structuring_threshold

    tx = tables.transactions
    deposits = tx[(tx["tx_type"] == "fiat_deposit") & (tx["status"] != "failed")]
    country = deposits["customer_id"].map(tables.customers.set_index("customer_id")["country"])
    limits = {code: structuring_threshold(code) for code in country.dropna().unique()}
    limit = country.map(limits).astype(float)
    lower = float(rule.options.get("lower", 0.8))
    near = deposits[
        (deposits["fiat_amount"] >= lower * limit) & (deposits["fiat_amount"] < limit)
    ].reset_index(drop=True)
    if near.empty:
        return _hits(near, rule)
    counts = _rolling_count(near, rule.window_delta)
    tripped = counts >= rule.threshold
    return _hits(near[tripped], rule, _window_ids(near, rule.window_delta, counts)[tripped])


def many_inbound_counterparties(tables: Tables, rule: Rule) -> pd.DataFrame:
    """Find `threshold` or more distinct payers first seen within the rule's window.

    A payer is the name on a fiat deposit other than the holder's own, or the counterparty
    of a P2P sale. Counting first appearances keeps the check vectorized and never
    overcounts the distinct payers in a window.
    """
    tx = tables.transactions
    names = tx["customer_id"].map(tables.customers.set_index("customer_id")["full_name"])
    third_party = (tx["tx_type"] == "fiat_deposit") & tx["payer_name"].notna()
    third_party &= tx["payer_name"].str.casefold() != names.str.casefold()
    p2p = (tx["tx_type"] == "p2p_sell") & tx["counterparty"].notna()
    inbound = tx[third_party | p2p].copy()
    inbound["payer"] = inbound["payer_name"].where(inbound["tx_type"] == "fiat_deposit")
    inbound["payer"] = inbound["payer"].fillna(inbound["counterparty"])
    first = inbound[~inbound.duplicated(["customer_id", "payer"])].reset_index(drop=True)
    if first.empty:
        return _hits(first, rule)
    counts = _rolling_count(first, rule.window_delta)
    tripped = counts >= rule.threshold
    return _hits(first[tripped], rule, _window_ids(first, rule.window_delta, counts)[tripped])


def payer_name_mismatch(tables: Tables, rule: Rule) -> pd.DataFrame:
    """Find fiat deposits whose payer name is not the account holder's name."""
    tx = tables.transactions
    deposits = tx[(tx["tx_type"] == "fiat_deposit") & tx["payer_name"].notna()]
    holder = deposits["customer_id"].map(tables.customers.set_index("customer_id")["full_name"])
    normalized = deposits["payer_name"].str.casefold().str.split().str.join(" ")
    mismatch = normalized != holder.str.casefold().str.split().str.join(" ")
    return _hits(deposits[mismatch], rule)


def dormant_reactivation(tables: Tables, rule: Rule) -> pd.DataFrame:
    """Find logins after a gap of at least the rule's window with no auth event.

    A customer's first auth event in the data is measured from the customer's
    `last_login_at`, the last login before the data starts, where the customers table
    has that column; without it, the first event has no gap.
    """
    auth = tables.auth_events
    previous = auth.groupby("customer_id")["ts"].shift()
    if "last_login_at" in tables.customers.columns:
        last_login = tables.customers.set_index("customer_id")["last_login_at"]
        before_data = auth["customer_id"].map(last_login).astype(auth["ts"].dtype)
        previous = previous.fillna(before_data)
    gap = auth["ts"] - previous
    return _hits(auth[(auth["event_type"] == "login") & (gap >= rule.window_delta)], rule)


def profile_inconsistent_activity(tables: Tables, rule: Rule) -> pd.DataFrame:
    """Find deposits that bring the window's deposited USD to `threshold` times declared income."""
    tx = tables.transactions
    deposits = tx[tx["tx_type"].isin(DEPOSITS) & (tx["status"] == "completed")].reset_index(
        drop=True
    )
    if deposits.empty:
        return _hits(deposits, rule)
    amounts = pd.Series(deposits["usd_amount"].to_numpy(), index=pd.DatetimeIndex(deposits["ts"]))
    total = amounts.groupby(deposits["customer_id"].to_numpy()).rolling(rule.window_delta).sum()
    income = deposits["customer_id"].map(
        tables.customers.set_index("customer_id")["declared_monthly_income_usd"]
    )
    tripped = total.to_numpy() >= rule.threshold * income.to_numpy()
    first = ~pd.Series(tripped).groupby(deposits["customer_id"]).cumsum().gt(1).to_numpy()
    return _hits(deposits[tripped & first], rule)


def high_risk_counterparty(tables: Tables, rule: Rule) -> pd.DataFrame:
    """Find transfers with a counterparty whose label is in `options.labels`."""
    labels = rule.options.get("labels", list(HIGH_RISK_LABELS))
    tx = tables.transactions
    return _hits(tx[tx["counterparty_label"].isin(labels)], rule)


def lookalike_address(tables: Tables, rule: Rule) -> pd.DataFrame:
    """Find withdrawals to an address sharing its first and last characters with an earlier one.

    `threshold` is the number of characters compared at each end.
    """
    width = int(rule.threshold)
    tx = tables.transactions
    out = tx[(tx["tx_type"] == "crypto_withdrawal") & tx["counterparty"].notna()].copy()
    out["ends"] = out["counterparty"].str[:width] + "…" + out["counterparty"].str[-width:]
    first_address = ~out.duplicated(["customer_id", "counterparty"])
    ends_seen = out.duplicated(["customer_id", "ends"])
    return _hits(out[first_address & ends_seen], rule)


def shared_device_or_ip(tables: Tables, rule: Rule) -> pd.DataFrame:
    """Find logins on a device id used by `threshold` or more customers."""
    auth = tables.auth_events
    users = auth.groupby("device_id")["customer_id"].transform("nunique")
    shared = auth[users >= rule.threshold]
    return _hits(shared[~shared.duplicated(["customer_id", "device_id"])], rule)


def escalating_deposits_one_address(tables: Tables, rule: Rule) -> pd.DataFrame:
    """Find `threshold` or more growing withdrawals in a row to one address within the window.

    The victim sends each withdrawal as a deposit into a fake investment platform.
    """
    tx = tables.transactions
    out = tx[(tx["tx_type"] == "crypto_withdrawal") & tx["counterparty"].notna()].copy()
    keys = [out["customer_id"], out["counterparty"]]
    previous = out.groupby(keys)[["usd_amount", "ts"]].shift()
    grows = (out["usd_amount"] > previous["usd_amount"]) & (
        out["ts"] - previous["ts"] <= rule.window_delta
    )
    run_id = (~grows).cumsum()
    run_length = grows.groupby(run_id).cumsum() + 1
    return _hits(out[run_length >= rule.threshold], rule)


def scam_wording_ticket(tables: Tables, rule: Rule) -> pd.DataFrame:
    """Find tickets whose message contains scam-coaching words."""
    tickets = tables.tickets
    return _hits(tickets[tickets["message"].str.contains(SCAM_WORDING, na=False)], rule)


DETECTORS: dict[str, Callable[[Tables, Rule], pd.DataFrame]] = {
    "failed_tx_burst": failed_tx_burst,
    "failed_login_burst": failed_login_burst,
    "unusual_hour_login": unusual_hour_login,
    "new_device": new_device,
    "new_country_or_impossible_travel": new_country_or_impossible_travel,
    "credential_change": credential_change,
    "withdrawal_after_credential_change": withdrawal_after_credential_change,
    "large_withdrawal_new_address": large_withdrawal_new_address,
    "deposit_then_immediate_withdrawal": deposit_then_immediate_withdrawal,
    "structuring_below_threshold": structuring_below_threshold,
    "many_inbound_counterparties": many_inbound_counterparties,
    "dormant_reactivation": dormant_reactivation,
    "profile_inconsistent_activity": profile_inconsistent_activity,
    "high_risk_counterparty": high_risk_counterparty,
    "lookalike_address": lookalike_address,
    "shared_device_or_ip": shared_device_or_ip,
    "payer_name_mismatch": payer_name_mismatch,
    "escalating_deposits_one_address": escalating_deposits_one_address,
    "scam_wording_ticket": scam_wording_ticket,
}


def detect(tables: Tables, rules: RuleSet) -> pd.DataFrame:
    """Run every enabled rule and return its hits: customer, rule id, time and event ids."""
    frames = []
    for rule in rules.enabled:
        hits = DETECTORS[rule.flag](tables, rule)
        logger.info("rule %s: %d hits", rule.id, len(hits))
        frames.append(hits)
    hits = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=HIT_COLUMNS)
    return hits.sort_values(["customer_id", "ts", "rule_id"], kind="stable").reset_index(drop=True)
