"""Column layouts of the event tables and the finishing steps every row goes through.

Baseline activity and injected stories both build their rows through these functions, so
rounding, precision and formats are the same whichever produced a row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from triagelab.synthetic.assets import ASSETS

AUTH_COLUMNS: dict[str, Any] = {
    "customer_id": None,
    "ts": 0,
    "event_type": "login",
    "device_id": None,
    "device_model": None,
    "os": None,
    "ip_address": None,
    "ip_country": None,
}
TX_COLUMNS: dict[str, Any] = {
    "customer_id": None,
    "ts": 0,
    "tx_type": None,
    "status": "completed",
    "failure_reason": None,
    "asset": None,
    "chain": None,
    "fiat_amount": np.nan,
    "usd_amount": np.nan,
    "rail": None,
    "payer_name": None,
    "counterparty": None,
    "counterparty_label": None,
}
TICKET_COLUMNS: dict[str, Any] = {
    "customer_id": None,
    "ts": 0,
    "category": None,
    "channel": "chat",
    "language": "en",
    "message": None,
}
# Currencies quoted without minor units in the region's apps.
ZERO_DECIMAL_CURRENCIES = frozenset({"VND", "IDR"})
CRYPTO_TX_TYPES = frozenset(
    {"crypto_deposit", "crypto_withdrawal", "buy", "sell", "p2p_buy", "p2p_sell"}
)


def build_frame(columns: Mapping[str, Any], rows: Mapping[str, Any]) -> pd.DataFrame:
    """Build a frame with every column of a layout, filling missing ones with their default.

    `rows` maps column names to arrays or scalars; its length is taken from the first array.
    """
    length = next((len(v) for v in rows.values() if isinstance(v, np.ndarray | list)), 1)
    data: dict[str, Any] = {}
    for name, default in columns.items():
        value = rows.get(name, default)
        if isinstance(value, np.ndarray | list):
            data[name] = np.asarray(value, dtype=object if _is_text(value) else None)
        else:
            data[name] = np.full(length, value, dtype=object if not _is_number(value) else None)
    unknown = set(rows) - set(columns) - {"evidence"}
    if unknown:
        raise KeyError(f"columns not in the layout: {sorted(unknown)}")
    data["evidence"] = np.asarray(rows.get("evidence", np.zeros(length, dtype=bool)), dtype=bool)
    if data["evidence"].shape == ():
        data["evidence"] = np.full(length, bool(data["evidence"]))
    return pd.DataFrame(data)


def _is_text(values: np.ndarray | list[Any]) -> bool:
    array = np.asarray(values)
    return array.dtype.kind in {"U", "O", "S"}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)


def humanize_amounts(values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Round amounts the way people type them: most to a round step, some left exact.

    Two thirds of the values are floored to one or five units of their second digit
    (4,873 becomes 4,800 or 4,500), the rest keep two decimals.
    """
    values = np.asarray(values, dtype=float)
    positive = np.where(values > 0, values, 1.0)
    magnitude = 10.0 ** (np.floor(np.log10(positive)) - 1)
    step = np.where(rng.random(len(values)) < 0.5, magnitude, magnitude * 5)
    rounded = np.floor(values / step) * step
    keep_exact = rng.random(len(values)) < 1 / 3
    return np.where(keep_exact | (rounded <= 0), np.round(values, 2), rounded)


def finalize_transactions(
    frame: pd.DataFrame,
    *,
    currency: pd.Series,
    usd_rate: Mapping[str, float],
    hours: pd.DatetimeIndex,
    prices: Mapping[str, np.ndarray],
) -> pd.DataFrame:
    """Fill the fiat, USD and asset amounts of transaction rows and round them.

    Each row carries either a fiat amount (in the customer's currency) or a USD amount; the
    other is computed with the country's rate and the asset amount with the hour's price.
    """
    frame = frame.copy()
    cur = frame["customer_id"].map(currency).to_numpy()
    rate = np.array([usd_rate[c] for c in cur])
    fiat = frame["fiat_amount"].to_numpy(dtype=float)
    usd = frame["usd_amount"].to_numpy(dtype=float)
    usd = np.where(np.isnan(usd), fiat / rate, usd)
    fiat = np.where(np.isnan(fiat), usd * rate, fiat)
    zero_decimals = np.isin(cur, list(ZERO_DECIMAL_CURRENCIES))
    fiat = np.where(zero_decimals, np.round(fiat, 0), np.round(fiat, 2))
    frame["fiat_currency"] = cur
    frame["fiat_amount"] = fiat
    frame["usd_amount"] = np.round(usd, 2)

    hour_seconds = hours.as_unit("s").asi8
    hour_index = np.searchsorted(hour_seconds, frame["ts"].to_numpy(), side="right") - 1
    hour_index = np.clip(hour_index, 0, len(hours) - 1)
    asset_amount = np.full(len(frame), np.nan)
    assets = frame["asset"].to_numpy()
    for asset, spec in ASSETS.items():
        rows = assets == asset
        if rows.any():
            price = prices[asset][hour_index[rows]]
            asset_amount[rows] = np.round(usd[rows] / price, int(spec["decimals"]))
    frame["asset_amount"] = asset_amount
    return frame
