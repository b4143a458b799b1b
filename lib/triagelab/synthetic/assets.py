"""Crypto assets the exchange lists, the chains they move on, and their starting prices."""

from __future__ import annotations

# Illustrative starting prices in USD and hourly volatility (standard deviation of log
# returns); stablecoins barely move.
ASSETS: dict[str, dict[str, float]] = {
    "BTC": {"price": 65_000.0, "hourly_vol": 0.006, "decimals": 8},
    "ETH": {"price": 3_200.0, "hourly_vol": 0.008, "decimals": 8},
    "USDT": {"price": 1.0, "hourly_vol": 0.0002, "decimals": 6},
    "USDC": {"price": 1.0, "hourly_vol": 0.0002, "decimals": 6},
    "SOL": {"price": 150.0, "hourly_vol": 0.011, "decimals": 6},
    "XRP": {"price": 0.6, "hourly_vol": 0.010, "decimals": 6},
    "BNB": {"price": 580.0, "hourly_vol": 0.008, "decimals": 8},
}

# Chains each asset can be withdrawn on; the first is the default.
ASSET_CHAINS: dict[str, tuple[str, ...]] = {
    "BTC": ("bitcoin",),
    "ETH": ("ethereum",),
    "USDT": ("tron", "ethereum"),
    "USDC": ("ethereum", "solana"),
    "SOL": ("solana",),
    "XRP": ("xrp",),
    "BNB": ("bsc",),
}

ASSET_NAMES: tuple[str, ...] = tuple(ASSETS)
# How often retail customers in the region pick each asset (illustrative).
ASSET_WEIGHTS: tuple[float, ...] = (0.25, 0.15, 0.35, 0.07, 0.07, 0.07, 0.04)
