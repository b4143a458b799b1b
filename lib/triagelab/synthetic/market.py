"""Generate hourly market prices with the scenario's volatility episodes."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from triagelab.scenarios import Scenario
from triagelab.synthetic.assets import ASSET_NAMES, ASSET_WEIGHTS, ASSETS
from triagelab.synthetic.frames import TICKET_COLUMNS, TX_COLUMNS, build_frame
from triagelab.synthetic.population import Population
from triagelab.synthetic.rng import make_rng

# Prices start one day before the scenario so that the first day's trades have a price.
LEAD_HOURS = 24


def market_hours(scenario: Scenario) -> pd.DatetimeIndex:
    """Return the hourly UTC timestamps the market table covers."""
    start = pd.Timestamp(scenario.start_date, tz="UTC") - pd.Timedelta(hours=LEAD_HOURS)
    hours = scenario.days * 24 + LEAD_HOURS
    return pd.date_range(start, periods=hours, freq="h", unit="ms")


def generate_market(scenario: Scenario) -> pd.DataFrame:
    """Generate hourly prices per asset as a geometric random walk.

    Each volatility episode spreads its price move evenly over its hours and triples the
    asset's volatility meanwhile; congestion windows mark the hours in which a chain is slow.
    """
    hours = market_hours(scenario)
    frames = []
    for asset, spec in ASSETS.items():
        rng = make_rng(scenario.seed, "market", asset)
        vol = np.full(len(hours), spec["hourly_vol"])
        drift = np.zeros(len(hours))
        in_episode = np.zeros(len(hours), dtype=bool)
        for episode in scenario.market.volatility:
            if episode.asset not in (asset, "ALL"):
                continue
            mask = _window_mask(hours, episode.start, episode.hours)
            in_episode |= mask
            vol[mask] *= 3.0
            drift[mask] += np.log1p(episode.move) / episode.hours
        log_returns = drift + rng.normal(0.0, 1.0, len(hours)) * vol
        prices = spec["price"] * np.exp(np.cumsum(log_returns))
        frames.append(
            pd.DataFrame(
                {
                    "ts": hours,
                    "asset": asset,
                    "price_usd": np.round(prices, 6),
                    "volatility_episode": in_episode,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def congested_chains(scenario: Scenario, hours: pd.DatetimeIndex) -> dict[str, np.ndarray]:
    """Return, per chain named in a congestion window, a boolean mask over `hours`."""
    masks: dict[str, np.ndarray] = {}
    for window in scenario.market.congestion:
        mask = _window_mask(hours, window.start, window.hours)
        masks[window.chain] = masks.get(window.chain, np.zeros(len(hours), dtype=bool)) | mask
    return masks


def _window_mask(hours: pd.DatetimeIndex, start: dt.date, length: int) -> np.ndarray:
    begin = pd.Timestamp(start, tz="UTC")
    end = begin + pd.Timedelta(hours=length)
    return np.asarray((hours >= begin) & (hours < end))


def price_lookup(market: pd.DataFrame) -> tuple[pd.DatetimeIndex, dict[str, np.ndarray]]:
    """Return the market hours and, per asset, the array of hourly prices."""
    hours = pd.DatetimeIndex(market.loc[market["asset"] == "BTC", "ts"])
    prices = {
        asset: group["price_usd"].to_numpy() for asset, group in market.groupby("asset", sort=True)
    }
    return hours, prices


def story_market(scenario: Scenario) -> dict[str, tuple]:
    """Return the scenario's congestion windows and volatility episodes in epoch seconds.

    The keys match the `congestion` and `volatility` fields of a typology's story context.
    """
    congestion = tuple(
        (window.chain, start, start + window.hours * 3600)
        for window in scenario.market.congestion
        for start in (int(pd.Timestamp(window.start, tz="UTC").timestamp()),)
    )
    volatility = tuple(
        (start, start + episode.hours * 3600)
        for episode in scenario.market.volatility
        for start in (int(pd.Timestamp(episode.start, tz="UTC").timestamp()),)
    )
    return {"congestion": congestion, "volatility": volatility}


# Extra trades per customer during a volatility episode, as a multiple of the segment's
# usual buy and sell rate (illustrative: exchanges report volume spikes on big moves).
EPISODE_TRADE_MULTIPLIER = 2.0
# Trades in a fast market fail more often because the quoted price moves (illustrative).
EPISODE_FAILURE_RATE = 0.08
# Share of customers whose withdrawal was slowed by congestion who write to support
# (illustrative; the 7 May 2023 Bitcoin congestion made exchanges pause withdrawals).
CONGESTION_TICKET_SHARE = 0.6


def episode_trades(
    scenario: Scenario, population: Population, shard: int, daily_trade_rates: np.ndarray
) -> pd.DataFrame:
    """Generate the extra trades a shard's customers make in volatility episodes.

    Failed trades among them lead to tickets through the same follow-up path as any
    failed transaction, so ticket volume rises with the episode too.

    Parameters
    ----------
    scenario
        The scenario whose `market.volatility` episodes drive the response.
    population
        The shard's customers.
    shard
        Shard number; the random stream derives from the seed and this number only.
    daily_trade_rates
        Each customer's usual buys plus sells per day.

    Returns
    -------
    DataFrame
        Transaction rows in the layout `TX_COLUMNS`.
    """
    rng = make_rng(scenario.seed, "episode-trades", shard)
    customers = population.customers
    income = customers["declared_monthly_income_usd"].to_numpy(dtype=float)
    tx_frames = []
    for episode in scenario.market.volatility:
        start = int(pd.Timestamp(episode.start, tz="UTC").timestamp())
        expected = daily_trade_rates * EPISODE_TRADE_MULTIPLIER * episode.hours / 24
        owners = np.repeat(np.arange(len(customers)), rng.poisson(expected))
        n = len(owners)
        if n == 0:
            continue
        ts = start + rng.integers(0, episode.hours * 3600, n)
        # Falling prices bring more sells, rising prices more buys.
        sell_share = 0.7 if episode.move < 0 else 0.35
        tx_type = np.where(rng.random(n) < sell_share, "sell", "buy").astype(object)
        if episode.asset == "ALL":
            assets = np.array(ASSET_NAMES, dtype=object)[
                rng.choice(len(ASSET_NAMES), n, p=ASSET_WEIGHTS)
            ]
        else:
            assets = np.full(n, episode.asset, dtype=object)
        failed = rng.random(n) < EPISODE_FAILURE_RATE
        reason = np.full(n, None, dtype=object)
        reason[failed] = "price_moved"
        tx_frames.append(
            build_frame(
                TX_COLUMNS,
                {
                    "customer_id": customers["customer_id"].to_numpy()[owners],
                    "ts": ts,
                    "tx_type": tx_type,
                    "status": np.where(failed, "failed", "completed").astype(object),
                    "failure_reason": reason,
                    "asset": assets,
                    "usd_amount": income[owners] * 0.12 * rng.lognormal(0.0, 0.7, n),
                },
            )
        )
    return _concat(tx_frames, TX_COLUMNS)


def congestion_tickets(scenario: Scenario, transactions: pd.DataFrame, shard: int) -> pd.DataFrame:
    """Generate tickets about transfers slowed by a congested chain.

    A withdrawal or deposit that completed during a congestion window still took long to
    confirm, so a share of those customers ask where their coins are: "withdrawal pending"
    for withdrawals, "deposit not credited" for deposits.
    """
    rng = make_rng(scenario.seed, "congestion-tickets", shard)
    ts = transactions["ts"].to_numpy()
    chains = transactions["chain"].to_numpy()
    tx_type = transactions["tx_type"].to_numpy()
    slow = np.isin(tx_type, ["crypto_withdrawal", "crypto_deposit"]) & (
        transactions["status"].to_numpy() == "completed"
    )
    in_window = np.zeros(len(transactions), dtype=bool)
    for window in scenario.market.congestion:
        start = int(pd.Timestamp(window.start, tz="UTC").timestamp())
        in_window |= (chains == window.chain) & (ts >= start) & (ts < start + window.hours * 3600)
    rows = np.flatnonzero(slow & in_window)
    rows = rows[rng.random(len(rows)) < CONGESTION_TICKET_SHARE]
    return build_frame(
        TICKET_COLUMNS,
        {
            "customer_id": transactions["customer_id"].to_numpy(dtype=object)[rows],
            "ts": ts[rows] + rng.integers(1800, 4 * 3600, len(rows)),
            "category": np.where(
                tx_type[rows] == "crypto_withdrawal", "withdrawal_pending", "deposit_not_credited"
            ).astype(object),
        },
    )


def _concat(frames: list[pd.DataFrame], columns: dict) -> pd.DataFrame:
    if not frames:
        return build_frame(columns, {"ts": np.array([], dtype=np.int64)})
    return pd.concat(frames, ignore_index=True)
