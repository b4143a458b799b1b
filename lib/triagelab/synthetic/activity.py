"""Generate the everyday activity of a shard's customers: logins, transactions and tickets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from triagelab.synthetic.addresses import make_addresses
from triagelab.synthetic.assets import ASSET_CHAINS, ASSET_NAMES, ASSET_WEIGHTS
from triagelab.synthetic.facts import rail_names
from triagelab.synthetic.frames import (
    AUTH_COLUMNS,
    TICKET_COLUMNS,
    TX_COLUMNS,
    build_frame,
    coded,
    encoded_text,
    event_table,
    text_codes,
)
from triagelab.synthetic.ids import hex_id_array
from triagelab.synthetic.population import DEVICE_MODELS, Population

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


def segment_rates(segments: np.ndarray, rate: str) -> np.ndarray:
    """Return each customer's `rate` (a `SegmentRates` field) from their segment."""
    code, names = pd.factorize(np.asarray(segments, dtype=object))
    return np.array([getattr(SEGMENT_RATES[name], rate) for name in names], dtype=float)[code]


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
    rng: np.random.Generator,
    population: Population,
    window: Window,
    *,
    text: dict[str, Any] | None = None,
) -> pa.Table:
    """Generate logins on the customer's own devices and networks, a few with typos first.

    `text` is `population_text(population)` when the caller has it already. Returns the
    rows in the working schema of `triagelab.synthetic.frames.event_table`.
    """
    segments = population.customers["segment"].to_numpy()
    rates = segment_rates(segments, "logins")
    spread = segment_rates(segments, "rhythm_spread")
    owners = _owners(_counts(rng, rates, window.days))
    ts = event_times(rng, owners, population, window, spread[owners])
    device_slot = (rng.random(len(owners)) < 0.15).astype(int)
    ip_slot = (rng.random(len(owners)) < 0.4).astype(int)
    typo = rng.random(len(owners)) < 0.04
    owners = np.concatenate([owners, owners[typo]])
    ts = np.concatenate([ts, ts[typo] - rng.integers(8, 90, typo.sum())])
    device_slot = np.concatenate([device_slot, device_slot[typo]])
    ip_slot = np.concatenate([ip_slot, ip_slot[typo]])
    failed = np.arange(len(owners)) >= len(owners) - typo.sum()
    event_type = coded(failed.astype(np.int32), ["login", "login_failed"])
    return auth_rows(
        population,
        owners,
        ts,
        event_type,
        device_slot,
        ip_slot,
        text=text or population_text(population),
    )


def auth_rows(
    population: Population,
    owners: np.ndarray,
    ts: np.ndarray,
    event_type: pa.Array,
    device_slot: np.ndarray,
    ip_slot: np.ndarray,
    *,
    text: dict[str, Any],
) -> pa.Table:
    """Build auth-event rows on the owners' own devices and IPs (`text`: `population_text`)."""
    model_index = population.device_models[owners, device_slot]
    country_names, country_of_owner = text["countries"]
    return event_table(
        AUTH_COLUMNS,
        {
            "event_type": event_type,
            "device_id": coded(owners * 2 + device_slot, text["devices"]),
            "device_model": coded(model_index, [m for m, _ in DEVICE_MODELS]),
            "os": coded(model_index, [o for _, o in DEVICE_MODELS]),
            "ip_address": coded(owners * 2 + ip_slot, text["ips"]),
            "ip_country": coded(country_of_owner[owners], country_names),
        },
        owner=owners,
        ts=ts,
    )


def population_text(population: Population) -> dict[str, Any]:
    """Return the population's text columns as encoded Arrow arrays, to index by owner row.

    Devices and IPs are flattened to two entries per customer (`2 * owner + slot`);
    `countries` is the sorted country codes and each owner's index into them.
    """
    customers = population.customers
    countries = customers["country"].to_numpy(dtype=str)
    return {
        "full_name": encoded_text(customers["full_name"].to_numpy(dtype=object)),
        "devices": encoded_text(population.devices.reshape(-1)),
        "ips": encoded_text(population.ips.reshape(-1)),
        "wallets": pa.array(population.wallets, pa.string()),
        "countries": np.unique(countries, return_inverse=True),
    }


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
    *,
    text: dict[str, Any] | None = None,
) -> pa.Table:
    """Generate deposits, trades, withdrawals and P2P orders for a shard's customers.

    `text` is `population_text(population)` when the caller has it already. Returns the
    rows in the working schema of `triagelab.synthetic.frames.event_table`, one chunk per
    column.
    """
    customers = population.customers
    segments = customers["segment"].to_numpy()
    income = customers["declared_monthly_income_usd"].to_numpy(dtype=float)
    spread = segment_rates(segments, "rhythm_spread")
    text = text or population_text(population)
    country_names, country_of_owner = text["countries"]
    chain_names = sorted(
        {chains[0] for chains in ASSET_CHAINS.values()} | set(population.wallet_chains)
    )
    asset_chain = np.array([chain_names.index(ASSET_CHAINS[a][0]) for a in ASSET_NAMES])
    wallet_chain = np.array(
        [chain_names.index(c) for c in population.wallet_chains], dtype=np.int64
    )
    assets_by_chain = [
        [i for i, asset in enumerate(ASSET_NAMES) if chain in ASSET_CHAINS[asset]]
        for chain in chain_names
    ]
    tables = []
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
        rates = segment_rates(segments, rate_name)
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
            "tx_type": tx_type,
            "usd_amount": usd,
        }
        chain_codes = np.full(n, -1)
        if tx_type in {"fiat_deposit", "fiat_withdrawal"}:
            rows["rail"] = _rails(rng, country_of_owner[owners], country_names)
            rows["payer_name"] = coded(owners, text["full_name"])
            rows["counterparty"] = "own_bank_account"
        else:
            asset_index = rng.choice(len(ASSET_NAMES), n, p=ASSET_WEIGHTS)
            if tx_type in {"crypto_withdrawal", "crypto_deposit"}:
                own = rng.random(n) < 0.85
                chain_codes = asset_chain[asset_index]
                chain_codes[own] = wallet_chain[owners[own]]
                # A transfer to or from the customer's own wallet moves an asset that lives
                # on that wallet's chain (USDT or USDC on ethereum, never BTC).
                for code, assets_on_chain in enumerate(assets_by_chain):
                    rows_on_chain = np.flatnonzero(own & (chain_codes == code))
                    if len(rows_on_chain) and assets_on_chain:
                        pick = rng.integers(0, len(assets_on_chain), len(rows_on_chain))
                        asset_index[rows_on_chain] = np.array(assets_on_chain)[pick]
            rows["asset"] = coded(asset_index, ASSET_NAMES)
            if tx_type in {"crypto_withdrawal", "crypto_deposit"}:
                rows["chain"] = coded(chain_codes, chain_names)
                fresh = addresses_for_chains(
                    np.array(chain_names, dtype=object)[chain_codes[~own]], rng
                )
                wallets = text["wallets"]
                counterparty_index = owners.copy()
                counterparty_index[~own] = len(wallets) + np.arange(len(fresh))
                rows["counterparty"] = coded(
                    counterparty_index, pa.concat_arrays([wallets, pa.array(fresh, pa.string())])
                )
                rows["counterparty_label"] = coded(np.zeros(n), ["whitelisted"], valid=own)
            elif tx_type.startswith("p2p"):
                ids = hex_id_array(rng, n, "P2P-", 8)
                rows["counterparty"] = coded(np.arange(n), ids)
                rows["rail"] = "p2p_bank_transfer"
        hour = (ts - hours_start) // 3600
        rows["status"], rows["failure_reason"] = _failures(
            rng, tx_type, chain_codes, chain_names, hour, congested
        )
        tables.append(event_table(TX_COLUMNS, rows, owner=owners, ts=ts))
    if not tables:
        return event_table(TX_COLUMNS, {}, owner=np.zeros(0), ts=np.zeros(0))
    return pa.concat_tables(tables).unify_dictionaries().combine_chunks()


def _rails(
    rng: np.random.Generator, country_index: np.ndarray, country_names: np.ndarray
) -> pa.DictionaryArray:
    """Pick a fiat rail of each row's country, uniformly among the country's rails."""
    names: list[str] = []
    codes = np.zeros(len(country_index), dtype=np.int64)
    for index, code in enumerate(country_names):
        options = rail_names(str(code))
        rows = np.flatnonzero(country_index == index)
        codes[rows] = len(names) + rng.integers(0, len(options), len(rows))
        names.extend(options)
    return coded(codes, names)


def _failures(
    rng: np.random.Generator,
    tx_type: str,
    chain_codes: np.ndarray,
    chain_names: list[str],
    hour: np.ndarray,
    congested: dict[str, np.ndarray],
) -> tuple[pa.DictionaryArray, pa.DictionaryArray]:
    """Draw which transactions fail and why; congested chains fail more, mostly by congestion.

    Returns the `status` and `failure_reason` columns.
    """
    n = len(chain_codes)
    fail_p = np.full(n, FAILURE_RATE)
    congested_rows = np.zeros(n, dtype=bool)
    for chain, mask in congested.items():
        if chain not in chain_names:
            continue
        rows = (chain_codes == chain_names.index(chain)) & (hour >= 0) & (hour < len(mask))
        rows[rows] = mask[hour[rows]]
        congested_rows |= rows
    fail_p[congested_rows] = 0.25
    failed = rng.random(n) < fail_p
    reasons = list(FAILURE_REASONS[tx_type])
    reason = rng.integers(0, len(reasons), n)
    if "network_congestion" not in reasons:
        reasons.append("network_congestion")
    congestion = reasons.index("network_congestion")
    reason = np.where(
        congested_rows & (reason != congestion) & (rng.random(n) < 0.8), congestion, reason
    )
    status = coded(failed.astype(np.int32), ["completed", "failed"])
    return status, coded(reason, reasons, valid=failed)


def generate_tickets(
    rng: np.random.Generator, population: Population, transactions: pa.Table, window: Window
) -> pd.DataFrame:
    """Generate tickets: some customers write after a failed transaction, others ask anything.

    `transactions` is the baseline of `generate_transactions`, in its working schema.
    """
    customers = population.customers
    status, status_names = text_codes(transactions, "status")
    tx_type, tx_type_names = text_codes(transactions, "tx_type")
    is_failed = status_names[status] == "failed"
    failed = pd.DataFrame(
        {
            "customer_id": customers["customer_id"].to_numpy()[
                transactions.column("owner").to_numpy()[is_failed]
            ],
            "ts": transactions.column("ts").to_numpy()[is_failed],
            "tx_type": tx_type_names[tx_type[is_failed]],
        }
    )
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
