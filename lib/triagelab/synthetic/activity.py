"""Generate the everyday activity of a shard's customers: logins, transactions and tickets."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from triagelab.synthetic.addresses import make_addresses
from triagelab.synthetic.assets import ASSET_CHAINS, ASSET_NAMES, ASSET_WEIGHTS
from triagelab.synthetic.facts import rail_names
from triagelab.synthetic.frames import AUTH_COLUMNS, TICKET_COLUMNS, TX_COLUMNS, build_frame
from triagelab.synthetic.population import DEVICE_MODELS, Population, hex_ids

DAY = 86_400


@dataclass(frozen=True)
class SegmentRates:
    """Expected events per customer per day, and the spread of the daily rhythm in hours."""

    logins: float
    fiat_deposits: float
    buys: float
    sells: float
    crypto_withdrawals: float
    crypto_deposits: float
    fiat_withdrawals: float
    p2p: float
    rhythm_spread: float


# Illustrative rates: no exchange publishes per-segment activity.
SEGMENT_RATES: dict[str, SegmentRates] = {
    "mobile_daily": SegmentRates(1.6, 0.08, 0.25, 0.10, 0.04, 0.03, 0.03, 0.0, 2.0),
    "salary_saver": SegmentRates(0.5, 0.0, 0.10, 0.02, 0.01, 0.0, 0.01, 0.0, 2.5),
    "regular_saver": SegmentRates(0.4, 0.14, 0.14, 0.01, 0.01, 0.01, 0.0, 0.0, 2.5),
    "active_trader": SegmentRates(4.0, 0.2, 1.6, 1.3, 0.10, 0.10, 0.08, 0.0, 3.5),
    "dormant_holder": SegmentRates(0.01, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.5),
    "p2p_user": SegmentRates(1.0, 0.02, 0.25, 0.15, 0.05, 0.04, 0.02, 0.3, 2.5),
}
FAILURE_RATE = 0.03
FAILURE_REASONS: dict[str, tuple[str, ...]] = {
    "fiat_deposit": ("rail_timeout", "name_mismatch", "below_minimum"),
    "fiat_withdrawal": ("bank_rejected", "rail_timeout"),
    "buy": ("insufficient_balance", "price_moved"),
    "sell": ("insufficient_balance", "price_moved"),
    "crypto_withdrawal": ("insufficient_balance", "network_congestion", "address_invalid"),
    "crypto_deposit": ("network_congestion",),
    "p2p_buy": ("counterparty_timeout",),
    "p2p_sell": ("counterparty_timeout",),
}


@dataclass
class Window:
    """The scenario's time window in UTC epoch seconds."""

    start: int
    end: int

    @property
    def days(self) -> int:
        """Length of the window in whole days."""
        return (self.end - self.start) // DAY


def event_times(
    rng: np.random.Generator,
    owners: np.ndarray,
    population: Population,
    window: Window,
    spread: np.ndarray,
) -> np.ndarray:
    """Draw UTC epoch seconds around each owner's daily rhythm in their home time zone."""
    day = rng.integers(0, window.days, len(owners))
    local_hour = (population.rhythm_hour[owners] + rng.normal(0, 1, len(owners)) * spread) % 24
    utc_hour = local_hour - population.offsets_hours[owners]
    return (window.start + day * DAY + np.round(utc_hour * 3600)).astype(np.int64)


def addresses_for_chains(chains: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Generate one fresh address for each entry of `chains`, valid for that chain."""
    result = np.empty(len(chains), dtype=object)
    for chain in sorted(set(chains.tolist())):
        rows = np.flatnonzero(chains == chain)
        result[rows] = make_addresses(chain, len(rows), rng)
    return result


def _counts(rng: np.random.Generator, rates: np.ndarray, days: int) -> np.ndarray:
    return rng.poisson(rates * days)


def _owners(counts: np.ndarray) -> np.ndarray:
    return np.repeat(np.arange(len(counts)), counts)


def generate_logins(
    rng: np.random.Generator, population: Population, window: Window
) -> pd.DataFrame:
    """Generate logins on the customer's own devices and networks, a few with typos first."""
    segments = population.customers["segment"].to_numpy()
    rates = np.array([SEGMENT_RATES[s].logins for s in segments])
    spread = np.array([SEGMENT_RATES[s].rhythm_spread for s in segments])
    owners = _owners(_counts(rng, rates, window.days))
    ts = event_times(rng, owners, population, window, spread[owners])
    device_slot = (rng.random(len(owners)) < 0.15).astype(int)
    ip_slot = (rng.random(len(owners)) < 0.4).astype(int)
    typo = rng.random(len(owners)) < 0.04
    owners = np.concatenate([owners, owners[typo]])
    ts = np.concatenate([ts, ts[typo] - rng.integers(8, 90, typo.sum())])
    device_slot = np.concatenate([device_slot, device_slot[typo]])
    ip_slot = np.concatenate([ip_slot, ip_slot[typo]])
    event_type = np.array(["login"] * (len(owners) - typo.sum()) + ["login_failed"] * typo.sum())
    return auth_rows(population, owners, ts, event_type, device_slot, ip_slot)


def auth_rows(
    population: Population,
    owners: np.ndarray,
    ts: np.ndarray,
    event_type: np.ndarray,
    device_slot: np.ndarray,
    ip_slot: np.ndarray,
) -> pd.DataFrame:
    """Build auth-event rows on the owners' own devices and IPs."""
    model_index = population.device_models[owners, device_slot]
    models = np.array([m for m, _ in DEVICE_MODELS], dtype=object)[model_index]
    systems = np.array([o for _, o in DEVICE_MODELS], dtype=object)[model_index]
    customers = population.customers
    return build_frame(
        AUTH_COLUMNS,
        {
            "customer_id": customers["customer_id"].to_numpy()[owners],
            "ts": ts,
            "event_type": np.asarray(event_type, dtype=object),
            "device_id": population.devices[owners, device_slot],
            "device_model": models,
            "os": systems,
            "ip_address": population.ips[owners, ip_slot],
            "ip_country": customers["country"].to_numpy()[owners],
        },
    )


def _payday_times(
    rng: np.random.Generator, population: Population, window: Window
) -> tuple[np.ndarray, np.ndarray]:
    """Salary savers deposit on the 25th-28th of the month, or the 15th and 30th in PH."""
    customers = population.customers
    savers = np.flatnonzero(customers["segment"].to_numpy() == "salary_saver")
    days = pd.date_range(pd.Timestamp(window.start, unit="s"), periods=window.days, freq="D")
    day_of_month = days.day.to_numpy()
    pay_day = rng.integers(25, 29, len(savers))
    in_ph = customers["country"].to_numpy()[savers] == "PH"
    paid = np.where(
        in_ph[:, None],
        np.isin(day_of_month, (15, 30))[None, :],
        day_of_month[None, :] == pay_day[:, None],
    )
    saver_index, offset = np.nonzero(paid)
    owners = savers[saver_index]
    hour = (population.rhythm_hour[owners] + rng.normal(0, 1.5, len(owners))) % 24
    local = window.start + offset * DAY + hour * 3600
    ts = np.round(local - population.offsets_hours[owners] * 3600)
    return owners.astype(np.int64), ts.astype(np.int64)


def generate_transactions(
    rng: np.random.Generator,
    population: Population,
    window: Window,
    congested: dict[str, np.ndarray],
    hours_start: int,
) -> pd.DataFrame:
    """Generate deposits, trades, withdrawals and P2P orders for a shard's customers."""
    customers = population.customers
    segments = customers["segment"].to_numpy()
    income = customers["declared_monthly_income_usd"].to_numpy(dtype=float)
    spread = np.array([SEGMENT_RATES[s].rhythm_spread for s in segments])
    frames = []
    plan = (
        ("fiat_deposit", "fiat_deposits", 0.25),
        ("buy", "buys", 0.12),
        ("sell", "sells", 0.10),
        ("crypto_withdrawal", "crypto_withdrawals", 0.30),
        ("crypto_deposit", "crypto_deposits", 0.20),
        ("fiat_withdrawal", "fiat_withdrawals", 0.25),
        ("p2p_buy", "p2p", 0.08),
        ("p2p_sell", "p2p", 0.08),
    )
    for tx_type, rate_name, income_share in plan:
        rates = np.array([getattr(SEGMENT_RATES[s], rate_name) for s in segments])
        if tx_type.startswith("p2p"):
            rates = rates / 2
        owners = _owners(_counts(rng, rates, window.days))
        ts = event_times(rng, owners, population, window, spread[owners])
        if tx_type == "fiat_deposit":
            pay_owners, pay_ts = _payday_times(rng, population, window)
            owners = np.concatenate([owners, pay_owners])
            ts = np.concatenate([ts, pay_ts])
        n = len(owners)
        if n == 0:
            continue
        usd = income[owners] * income_share * rng.lognormal(0.0, 0.7, n)
        rows: dict[str, object] = {
            "customer_id": customers["customer_id"].to_numpy()[owners],
            "ts": ts,
            "tx_type": tx_type,
            "usd_amount": usd,
        }
        if tx_type in {"fiat_deposit", "fiat_withdrawal"}:
            rails = np.empty(n, dtype=object)
            countries = customers["country"].to_numpy()[owners]
            for code in sorted(set(countries.tolist())):
                options = rail_names(code)
                idx = np.flatnonzero(countries == code)
                rails[idx] = np.array(options, dtype=object)[
                    rng.integers(0, len(options), len(idx))
                ]
            rows["rail"] = rails
            rows["payer_name"] = customers["full_name"].to_numpy()[owners]
            rows["counterparty"] = "own_bank_account"
        else:
            asset_index = rng.choice(len(ASSET_NAMES), n, p=ASSET_WEIGHTS)
            assets = np.array(ASSET_NAMES, dtype=object)[asset_index]
            rows["asset"] = assets
            if tx_type in {"crypto_withdrawal", "crypto_deposit"}:
                own = rng.random(n) < 0.85
                chains = np.array([ASSET_CHAINS[a][0] for a in assets], dtype=object)
                wallet_chain = population.wallet_chains[owners]
                chains[own] = wallet_chain[own]
                rows["chain"] = chains
                counterparty = population.wallets[owners].copy()
                counterparty[~own] = addresses_for_chains(chains[~own], rng)
                rows["counterparty"] = counterparty
                label = np.full(n, None, dtype=object)
                label[own] = "whitelisted"
                rows["counterparty_label"] = label
            elif tx_type.startswith("p2p"):
                rows["counterparty"] = hex_ids(rng, n, "P2P-", 8)
                rows["rail"] = "p2p_bank_transfer"
        frame = build_frame(TX_COLUMNS, rows)
        frames.append(_apply_failures(frame, rng, congested, hours_start))
    return pd.concat(frames, ignore_index=True) if frames else build_frame(TX_COLUMNS, {"ts": []})


def _apply_failures(
    frame: pd.DataFrame,
    rng: np.random.Generator,
    congested: dict[str, np.ndarray],
    hours_start: int,
) -> pd.DataFrame:
    n = len(frame)
    fail_p = np.full(n, FAILURE_RATE)
    chains = frame["chain"].to_numpy()
    hour = (frame["ts"].to_numpy() - hours_start) // 3600
    for chain, mask in congested.items():
        rows = (chains == chain) & (hour >= 0) & (hour < len(mask))
        rows[rows] = mask[hour[rows]]
        fail_p[rows] = 0.25
    failed = rng.random(n) < fail_p
    tx_type = frame["tx_type"].iat[0] if n else "buy"
    reasons = np.array(FAILURE_REASONS[tx_type], dtype=object)
    reason = reasons[rng.integers(0, len(reasons), n)]
    congested_rows = np.zeros(n, dtype=bool)
    for chain, mask in congested.items():
        rows = (chains == chain) & (hour >= 0) & (hour < len(mask))
        rows[rows] = mask[hour[rows]]
        congested_rows |= rows
    reason = np.where(
        congested_rows
        & np.isin(reason, ["network_congestion"], invert=True)
        & (rng.random(n) < 0.8),
        "network_congestion",
        reason,
    )
    frame["status"] = np.where(failed, "failed", "completed")
    failure_reason = np.full(n, None, dtype=object)
    failure_reason[failed] = reason[failed]
    frame["failure_reason"] = failure_reason
    return frame


def generate_tickets(
    rng: np.random.Generator, population: Population, transactions: pd.DataFrame, window: Window
) -> pd.DataFrame:
    """Generate tickets: some customers write after a failed transaction, others ask anything."""
    customers = population.customers
    failed = transactions[transactions["status"] == "failed"]
    follow = failed[rng.random(len(failed)) < 0.35]
    category_of = {
        "fiat_deposit": "deposit_not_credited",
        "crypto_deposit": "deposit_not_credited",
        "crypto_withdrawal": "withdrawal_pending",
        "fiat_withdrawal": "withdrawal_pending",
        "p2p_buy": "p2p_dispute",
        "p2p_sell": "p2p_dispute",
        "buy": "fees",
        "sell": "fees",
    }
    followups = build_frame(
        TICKET_COLUMNS,
        {
            "customer_id": follow["customer_id"].to_numpy(dtype=object),
            "ts": follow["ts"].to_numpy() + rng.integers(300, 4 * 3600, len(follow)),
            "category": follow["tx_type"].map(category_of).to_numpy(dtype=object),
        },
    )
    general_rate = 0.01
    owners = _owners(rng.poisson(general_rate * window.days, len(customers)))
    spread = np.full(len(owners), 3.0)
    categories = np.array(
        ["kyc", "account_locked_2fa", "fees", "other", "scam_report"], dtype=object
    )
    general = build_frame(
        TICKET_COLUMNS,
        {
            "customer_id": customers["customer_id"].to_numpy()[owners],
            "ts": event_times(rng, owners, population, window, spread),
            "category": categories[
                rng.choice(len(categories), len(owners), p=(0.3, 0.2, 0.2, 0.25, 0.05))
            ],
        },
    )
    return pd.concat([followups, general], ignore_index=True)
