"""Column layouts of the event tables and the finishing steps every row goes through.

Baseline activity and injected stories both build their rows through these functions, so
rounding, precision and formats are the same whichever produced a row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

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


# Text columns of the event tables are dictionary-encoded while a shard is built, so that
# repeated values (ids of the shard's customers, devices, vocabularies) are stored once.
CODED = pa.dictionary(pa.int32(), pa.string())
# Columns every event table carries until its rows get ids: the owner's row in the shard's
# population, the time in UTC epoch seconds and whether the row is evidence for a case.
WORK_COLUMNS: dict[str, pa.DataType] = {
    "owner": pa.int32(),
    "ts": pa.int64(),
    "evidence": pa.bool_(),
}


# Output columns that the working schema leaves out: `customer_id` follows from `owner`
# and is added when rows get their ids, and `ts` is a work column until then.
DERIVED_COLUMNS = frozenset({"customer_id", "ts"})


def work_schema(columns: Mapping[str, Any]) -> pa.Schema:
    """Return the Arrow schema of an event table while it is built, for a column layout.

    Columns whose default is a number are float64, all others are dictionary-encoded text.
    """
    fields = [pa.field(name, kind) for name, kind in WORK_COLUMNS.items()]
    for name, default in columns.items():
        if name in DERIVED_COLUMNS:
            continue
        fields.append(pa.field(name, pa.float64() if _is_number(default) else CODED))
    return pa.schema(fields)


def coded(
    indices: np.ndarray, dictionary: pa.Array | np.ndarray, valid: np.ndarray | None = None
) -> pa.DictionaryArray:
    """Return a dictionary-encoded text column: `dictionary[indices]`, null where not `valid`.

    Repeated values in `dictionary` are merged, so the returned dictionary is unique. With
    a repeated value pyarrow 26 falls back to plain encoding when writing Parquet and
    leaves unwritten bytes in the dictionary page, so the same rows gave different file
    bytes in different processes. A `dictionary` that is already a `pa.DictionaryArray`
    (see `encoded_text`) is taken as merged, which saves hashing it again for each column.
    """
    indices = np.asarray(indices, dtype=np.int32)
    mask = None
    if valid is not None:
        mask = ~np.asarray(valid, dtype=bool)
        indices = np.where(mask, 0, indices).astype(np.int32)
    encoded = encoded_text(dictionary)
    # Encoding distinct values keeps their order, so their positions are already the codes.
    if isinstance(dictionary, pa.DictionaryArray) or len(encoded.dictionary) < len(encoded):
        indices = encoded.indices.to_numpy()[indices].astype(np.int32)
    dictionary = encoded.dictionary
    index_array = pa.array(indices, type=pa.int32(), mask=mask)
    return pa.DictionaryArray.from_arrays(index_array, dictionary)


def encoded_text(values: pa.Array | np.ndarray | list[str]) -> pa.DictionaryArray:
    """Return text values dictionary-encoded, with each value once in the dictionary."""
    if isinstance(values, pa.DictionaryArray):
        return values
    if not isinstance(values, pa.Array):
        values = pa.array(np.asarray(values, dtype=object), type=pa.string())
    return values.dictionary_encode()


def coded_values(values: Any, length: int) -> pa.Array:
    """Return a dictionary-encoded text column from strings, an Arrow array or one scalar."""
    if isinstance(values, pa.DictionaryArray):
        return values
    if isinstance(values, pa.Array):
        return values.dictionary_encode()
    if values is None:
        return pa.nulls(length, type=CODED)
    if isinstance(values, str):
        return coded(np.zeros(length, dtype=np.int32), [values])
    text = pa.array(np.asarray(values, dtype=object), type=pa.string(), from_pandas=True)
    return text.dictionary_encode()


def event_table(
    columns: Mapping[str, Any],
    rows: Mapping[str, Any],
    *,
    owner: np.ndarray,
    ts: np.ndarray,
    evidence: np.ndarray | None = None,
) -> pa.Table:
    """Build an event table in its working schema, filling missing columns with their default.

    `rows` maps column names to arrays or scalars. Text may be given as strings, as Arrow
    arrays or already dictionary-encoded (see `coded`); numbers as float arrays or scalars.
    """
    unknown = set(rows) - (set(columns) - DERIVED_COLUMNS)
    if unknown:
        raise KeyError(f"columns not in the working layout: {sorted(unknown)}")
    length = len(owner)
    schema = work_schema(columns)
    arrays: list[pa.Array] = [
        pa.array(np.asarray(owner, dtype=np.int32), type=pa.int32()),
        pa.array(np.asarray(ts, dtype=np.int64), type=pa.int64()),
        pa.array(
            np.zeros(length, dtype=bool) if evidence is None else np.asarray(evidence, dtype=bool)
        ),
    ]
    for field in schema:
        if field.name in WORK_COLUMNS:
            continue
        value = rows.get(field.name, columns[field.name])
        if field.type == pa.float64():
            numbers = np.asarray(value, dtype=float)
            arrays.append(pa.array(np.broadcast_to(numbers, (length,)), type=pa.float64()))
        else:
            arrays.append(coded_values(value, length))
    return pa.Table.from_arrays(arrays, schema=schema)


def table_from_frame(
    columns: Mapping[str, Any], frame: pd.DataFrame, owner: np.ndarray
) -> pa.Table:
    """Convert rows built with `build_frame` (injected stories) to the working schema."""
    rows: dict[str, Any] = {}
    for name, default in columns.items():
        if name in DERIVED_COLUMNS:
            continue
        if _is_number(default):
            rows[name] = frame[name].to_numpy(dtype=float)
        else:
            rows[name] = frame[name].to_numpy(dtype=object)
    return event_table(
        columns,
        rows,
        owner=owner,
        ts=frame["ts"].to_numpy(dtype=np.int64),
        evidence=frame["evidence"].to_numpy(dtype=bool),
    )


def text_codes(table: pa.Table, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Return a dictionary column's codes (-1 for null) and its dictionary as numpy arrays.

    The table must have one chunk per column (`pa.Table.combine_chunks`).
    """
    column = table.column(name)
    if column.num_chunks == 0:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=object)
    chunk = column.chunk(0)
    codes = chunk.indices.fill_null(-1).to_numpy()
    dictionary = np.asarray(chunk.dictionary.to_numpy(zero_copy_only=False), dtype=object)
    return codes, dictionary


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
    return object_frame(data)


def object_frame(columns: Mapping[str, Any]) -> pd.DataFrame:
    """Build a frame keeping the text of numpy object arrays in object columns.

    pandas would convert such text to its Arrow-backed `str` dtype, and generation reads
    the columns back as numpy arrays, so each round trip would convert every value twice.
    Other values (pandas arrays, timestamps) are passed to pandas as they are.
    """
    return pd.DataFrame(
        {
            name: pd.Series(values, dtype=object, copy=False)
            if isinstance(values, np.ndarray) and values.dtype == object
            else values
            for name, values in columns.items()
        }
    )


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
    table: pa.Table,
    *,
    currencies: np.ndarray,
    usd_rate: Mapping[str, float],
    hours: pd.DatetimeIndex,
    prices: Mapping[str, np.ndarray],
) -> pa.Table:
    """Fill the fiat, USD and asset amounts of transaction rows and round them.

    Each row carries either a fiat amount (in the customer's currency) or a USD amount; the
    other is computed with the country's rate and the asset amount with the hour's price.
    `table` is in the working schema with one chunk per column, and `currencies` holds the
    currency of each owner row of the shard's population.
    """
    currency_names, currency_of_owner = np.unique(
        np.asarray(currencies, dtype=str), return_inverse=True
    )
    owner = table.column("owner").to_numpy()
    currency_index = currency_of_owner[owner]
    rate = np.array([usd_rate[c] for c in currency_names], dtype=float)[currency_index]
    fiat = table.column("fiat_amount").to_numpy()
    usd = table.column("usd_amount").to_numpy()
    usd = np.where(np.isnan(usd), fiat / rate, usd)
    fiat = np.where(np.isnan(fiat), usd * rate, fiat)
    zero_decimals = np.isin(currency_names, list(ZERO_DECIMAL_CURRENCIES))[currency_index]
    fiat = np.where(zero_decimals, np.round(fiat, 0), np.round(fiat, 2))
    usd = np.round(usd, 2)

    hour_seconds = hours.as_unit("s").asi8
    ts = table.column("ts").to_numpy()
    if len(hour_seconds) and np.all(np.diff(hour_seconds) == 3600):
        # Consecutive hours: the hour of a time is a division, not a search.
        hour_index = (ts - hour_seconds[0]) // 3600
    else:
        hour_index = np.searchsorted(hour_seconds, ts, side="right") - 1
    hour_index = np.clip(hour_index, 0, len(hours) - 1)
    asset_amount = np.full(len(table), np.nan)
    asset_codes, asset_names = text_codes(table, "asset")
    for code, asset in enumerate(asset_names):
        spec = ASSETS.get(asset)
        rows = asset_codes == code
        if spec is None or not rows.any():
            continue
        price = prices[asset][hour_index[rows]]
        asset_amount[rows] = np.round(usd[rows] / price, int(spec["decimals"]))

    table = table.set_column(
        table.schema.get_field_index("fiat_amount"), "fiat_amount", pa.array(fiat)
    )
    table = table.set_column(
        table.schema.get_field_index("usd_amount"), "usd_amount", pa.array(usd)
    )
    table = table.append_column("fiat_currency", coded(currency_index, currency_names))
    return table.append_column(
        "asset_amount", pa.array(asset_amount, mask=np.isnan(asset_amount), type=pa.float64())
    )
