"""Generate hourly market prices with the scenario's volatility episodes."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from triagelab.scenarios import Scenario
from triagelab.synthetic.assets import ASSETS
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
