"""Small helpers shared by the typology stories."""

from __future__ import annotations

import numpy as np

from triagelab.synthetic.activity import addresses_for_chains
from triagelab.synthetic.facts import rail_names, usd_rate
from triagelab.synthetic.ids import hex_ids
from triagelab.synthetic.population import DEVICE_MODELS, random_ipv4
from triagelab.synthetic.typologies.base import StoryContext

# Countries logins come from when they are not the home country.
FOREIGN_COUNTRIES: tuple[str, ...] = ("JP", "KR", "AU", "HK", "TW", "AE", "GB", "US", "NG", "RU")
REGIONAL_COUNTRIES: tuple[str, ...] = ("SG", "MY", "TH", "VN", "ID", "PH")
# Rail of P2P orders, where the buyer pays the seller's bank account directly. It matches
# the value the baseline activity writes, so a story's P2P orders look like everyone else's.
P2P_RAIL = "p2p_bank_transfer"


def new_device(ctx: StoryContext) -> tuple[str, int]:
    """Return a fresh device id and a device-model index for it."""
    return str(hex_ids(ctx.rng, 1, "D", 12)[0]), int(ctx.rng.integers(0, len(DEVICE_MODELS)))


def new_ip(ctx: StoryContext) -> str:
    """Return a fresh public IPv4 address."""
    return str(random_ipv4(ctx.rng, 1)[0])


def new_address(ctx: StoryContext, chain: str) -> str:
    """Return a fresh address on `chain`."""
    return str(addresses_for_chains(np.array([chain], dtype=object), ctx.rng)[0])


def pick_foreign_country(ctx: StoryContext, pool: tuple[str, ...] = FOREIGN_COUNTRIES) -> str:
    """Return a country other than the customer's home country."""
    options = [c for c in pool if c != ctx.customer["country"]]
    return options[int(ctx.rng.integers(0, len(options)))]


def clamp(ctx: StoryContext, ts: int) -> int:
    """Move a timestamp into the scenario window by whole days.

    Shifting by days keeps the local hour and the second of the minute, so a moved event
    looks like any other; pinning it to the window's edge would stack events on one second.
    """
    ts = int(ts)
    while ts >= ctx.window.end:
        ts -= 86_400
    while ts < ctx.window.start:
        ts += 86_400
    return ts


def other_names(ctx: StoryContext, count: int) -> list[str]:
    """Return full names of `count` other customers in the shard, as unrelated payers."""
    names = ctx.population.customers["full_name"].to_numpy()
    others = np.flatnonzero(np.arange(len(names)) != ctx.row)
    picked = ctx.rng.choice(others, size=min(count, len(others)), replace=False)
    return [str(names[i]) for i in picked]


def other_rows(ctx: StoryContext, count: int) -> list[int]:
    """Return rows of `count` other customers of the shard who play no case."""
    n = len(ctx.population.customers)
    free = [i for i in range(n) if i != ctx.row and i not in ctx.case_rows]
    picked = ctx.rng.choice(len(free), size=min(count, len(free)), replace=False)
    return sorted(free[int(i)] for i in picked)


def own_wallet(ctx: StoryContext) -> tuple[str, str]:
    """Return the customer's own external wallet address and its chain."""
    return str(ctx.population.wallets[ctx.row]), str(ctx.population.wallet_chains[ctx.row])


def rail_of(ctx: StoryContext) -> str:
    """Return one of the fiat rails of the customer's country."""
    options = rail_names(str(ctx.customer["country"]))
    return options[int(ctx.rng.integers(0, len(options)))]


def usd_rate_of(ctx: StoryContext) -> float:
    """Return local currency units per US dollar for the customer's country."""
    return usd_rate(str(ctx.customer["country"]))


def usual_hour(ctx: StoryContext, spread: float = 1.5) -> float:
    """Return a local hour near the customer's usual daily rhythm."""
    return float((ctx.population.rhythm_hour[ctx.row] + ctx.rng.normal(0, spread)) % 24)


def night_hour(ctx: StoryContext) -> float:
    """Return a local hour between 01:30 and 04:30, when this region's customers sleep."""
    return float(ctx.rng.uniform(1.5, 4.5))
