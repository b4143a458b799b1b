"""Generate the customers of one shard, with the devices, IPs and wallets they normally use."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from triagelab.synthetic.addresses import make_addresses
from triagelab.synthetic.facts import currency_code, time_zones
from triagelab.synthetic.frames import object_frame
from triagelab.synthetic.ids import distinct_ids, hex_ids
from triagelab.synthetic.names import name_pool

DEVICE_MODELS: tuple[tuple[str, str], ...] = (
    ("Samsung Galaxy A54", "Android 14"),
    ("Samsung Galaxy S23", "Android 14"),
    ("OPPO A78", "Android 13"),
    ("vivo Y36", "Android 13"),
    ("Xiaomi Redmi Note 13", "Android 14"),
    ("realme C55", "Android 13"),
    ("iPhone 13", "iOS 17"),
    ("iPhone 15", "iOS 17"),
    ("Windows PC / Chrome", "Windows 11"),
    ("MacBook / Safari", "macOS 14"),
)
OCCUPATIONS: tuple[str, ...] = (
    "student",
    "office worker",
    "engineer",
    "teacher",
    "nurse",
    "business owner",
    "freelancer",
    "driver",
    "sales staff",
    "civil servant",
    "retiree",
)
# Declared monthly income in USD per occupation: (low, high), illustrative.
INCOME_USD: dict[str, tuple[float, float]] = {
    "student": (150, 600),
    "office worker": (600, 2_500),
    "engineer": (1_200, 5_000),
    "teacher": (500, 2_000),
    "nurse": (500, 2_200),
    "business owner": (1_000, 10_000),
    "freelancer": (400, 3_000),
    "driver": (350, 1_200),
    "sales staff": (400, 1_800),
    "civil servant": (500, 2_200),
    "retiree": (300, 1_500),
}
KYC_TIERS = (1, 2, 3)


@dataclass
class Population:
    """Customers of one shard plus the identifiers they normally use.

    The arrays are aligned with the rows of `customers`.
    """

    customers: pd.DataFrame
    devices: np.ndarray  # (n, 2) device ids: primary, secondary
    device_models: np.ndarray  # (n, 2) indexes into DEVICE_MODELS
    ips: np.ndarray  # (n, 2) home IP addresses: home broadband, mobile carrier
    wallets: np.ndarray  # (n,) the customer's own external wallet address
    wallet_chains: np.ndarray  # (n,) chain of that wallet
    rhythm_hour: np.ndarray  # (n,) local hour around which the customer is active
    offsets_hours: np.ndarray  # (n,) UTC offset of the home time zone, in hours


def random_ipv4(rng: np.random.Generator, n: int) -> np.ndarray:
    """Generate public-looking IPv4 addresses (first octet 14-223, skipping private ranges)."""
    octets = rng.integers(0, 256, size=(n, 4))
    octets[:, 0] = rng.integers(14, 224, size=n)
    octets[octets[:, 0] == 127, 0] = 118
    octets[octets[:, 0] == 10, 0] = 113
    octets[(octets[:, 0] == 172) | (octets[:, 0] == 192), 0] = 115
    parts = [pa.array(octets[:, i]).cast(pa.string()) for i in range(4)]
    joined = pc.binary_join_element_wise(*parts, ".")
    return np.asarray(joined.to_numpy(zero_copy_only=False), dtype=object)


def generate_population(
    *,
    rng: np.random.Generator,
    seed: int,
    shard: int,
    first_row: int,
    countries: np.ndarray,
    segments: np.ndarray,
    start: pd.Timestamp,
) -> Population:
    """Generate the customers of one shard.

    Parameters
    ----------
    rng
        The shard's generator.
    seed
        The scenario seed, for the name pools.
    shard
        Shard number, for the name pools.
    first_row
        Row of the shard's first customer in the whole population, for the customer ids.
    countries, segments
        Country code and segment of each customer, drawn for the whole population at once
        so that case planning can see them.
    start
        First instant of the scenario; signup dates fall before it.
    """
    n = len(countries)
    # NOTE: one draw per customer is taken and not used, so the shard's later draws
    # (devices, IPs, activity) give the samples that docs/alerts.md and the weekly report
    # tests measure. Customer ids come from `distinct_ids`, which never repeats an id.
    rng.integers(0, 2**63, size=n, dtype=np.int64)
    customer_ids = np.asarray(
        distinct_ids(seed, "customers", np.arange(first_row, first_row + n), "C", 10).to_numpy(
            zero_copy_only=False
        ),
        dtype=object,
    )

    name_columns = ("first_name", "last_name", "full_name", "gender")
    names = {column: np.empty(n, dtype=object) for column in name_columns}
    timezones = np.empty(n, dtype=object)
    offsets = np.zeros(n)
    currencies = np.empty(n, dtype=object)
    for code in sorted(set(countries.tolist())):
        rows = np.flatnonzero(countries == code)
        pool = name_pool(code, len(rows), seed=int(rng.integers(0, 2**31)) + shard)
        for column in name_columns:
            names[column][rows] = pool[column].to_numpy(dtype=object)
        zones, weights = zip(*time_zones(code), strict=True)
        picked = rng.choice(len(zones), size=len(rows), p=np.array(weights) / sum(weights))
        timezones[rows] = np.array(zones, dtype=object)[picked]
        for zone_index, zone in enumerate(zones):
            offset = pd.Timestamp(start).tz_convert(zone).utcoffset()
            assert offset is not None
            offsets[rows[picked == zone_index]] = offset.total_seconds() / 3600
        currencies[rows] = currency_code(code)

    age = np.clip(rng.normal(33, 10, n), 18, 75).round().astype(int)
    occupation_index = rng.integers(0, len(OCCUPATIONS), n)
    occupation_index[age < 24] = OCCUPATIONS.index("student")
    occupation_index[age > 62] = OCCUPATIONS.index("retiree")
    occupation = np.array(OCCUPATIONS, dtype=object)[occupation_index]
    low = np.array([INCOME_USD[o][0] for o in occupation])
    high = np.array([INCOME_USD[o][1] for o in occupation])
    income = np.round(low + (high - low) * rng.beta(2, 3, n), -1)
    signup_days = rng.integers(30, 1500, n)
    signup_days[segments == "dormant_holder"] += 200
    signup_at = (
        start
        - pd.to_timedelta(signup_days, unit="D")
        + pd.to_timedelta(rng.integers(0, 86_400, n), unit="s")
    )
    kyc = rng.choice(KYC_TIERS, size=n, p=(0.15, 0.65, 0.20))

    customers = object_frame(
        {
            "customer_id": customer_ids,
            "country": countries,
            "home_timezone": timezones,
            "currency": currencies,
            "first_name": names["first_name"],
            "last_name": names["last_name"],
            "full_name": names["full_name"],
            "gender": names["gender"],
            "birth_year": start.year - age,
            "occupation": occupation,
            "declared_monthly_income_usd": income,
            "segment": segments,
            "kyc_tier": kyc.astype(np.int8),
            "signup_at": signup_at.astype("datetime64[ms, UTC]"),
        }
    )
    device_models = rng.integers(0, len(DEVICE_MODELS), size=(n, 2))
    chain_choice = np.array(["tron", "ethereum", "bitcoin", "solana"], dtype=object)
    wallet_chains = chain_choice[rng.integers(0, len(chain_choice), n)]
    wallets = np.empty(n, dtype=object)
    for chain in sorted(set(wallet_chains.tolist())):
        rows = np.flatnonzero(wallet_chains == chain)
        wallets[rows] = make_addresses(chain, len(rows), rng)
    rhythm = rng.normal(20.5, 2.5, n) % 24
    # Active customers last logged in during the days before the window; dormant holders
    # 90 to 400 days before it, and never before the day after they signed up.
    idle_seconds = rng.integers(0, 3 * 86_400, n)
    dormant = segments == "dormant_holder"
    idle_seconds[dormant] = rng.integers(90 * 86_400, 400 * 86_400, int(dormant.sum()))
    latest = start - pd.to_timedelta(idle_seconds, unit="s")
    earliest = signup_at + pd.Timedelta(days=1)
    last_login_at = latest.where(latest > earliest, earliest)
    customers["last_login_at"] = last_login_at.astype("datetime64[ms, UTC]")
    return Population(
        customers=customers,
        devices=hex_ids(rng, 2 * n, "D", 12).reshape(n, 2),
        device_models=device_models,
        ips=random_ipv4(rng, 2 * n).reshape(n, 2),
        wallets=wallets,
        wallet_chains=wallet_chains,
        rhythm_hour=rhythm,
        offsets_hours=offsets,
    )
