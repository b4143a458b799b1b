"""Small helpers shared by the typology stories."""

from __future__ import annotations

import numpy as np

from triagelab.synthetic.activity import addresses_for_chains
from triagelab.synthetic.frames import humanize_amounts
from triagelab.synthetic.population import DEVICE_MODELS, hex_ids, random_ipv4
from triagelab.synthetic.typologies.base import StoryContext

# Countries logins come from when they are not the home country.
FOREIGN_COUNTRIES: tuple[str, ...] = ("JP", "KR", "AU", "HK", "TW", "AE", "GB", "US", "NG", "RU")
REGIONAL_COUNTRIES: tuple[str, ...] = ("SG", "MY", "TH", "VN", "ID", "PH")


def new_device(ctx: StoryContext) -> tuple[str, int]:
    """Return a fresh device id and a device-model index for it."""
    return str(hex_ids(ctx.rng, 1, "D", 12)[0]), int(ctx.rng.integers(0, len(DEVICE_MODELS)))


def new_ip(ctx: StoryContext) -> str:
    """Return a fresh public IPv4 address."""
    return str(random_ipv4(ctx.rng, 1)[0])


def new_address(ctx: StoryContext, chain: str) -> str:
    """Return a fresh address on `chain`."""
    return str(addresses_for_chains(np.array([chain], dtype=object), ctx.rng)[0])


def human_amount(ctx: StoryContext, value: float) -> float:
    """Round one amount the way baseline amounts are rounded."""
    return float(humanize_amounts(np.array([value]), ctx.rng)[0])


def pick_foreign_country(ctx: StoryContext, pool: tuple[str, ...] = FOREIGN_COUNTRIES) -> str:
    """Return a country other than the customer's home country."""
    options = [c for c in pool if c != ctx.customer["country"]]
    return options[int(ctx.rng.integers(0, len(options)))]


def clamp(ctx: StoryContext, ts: int) -> int:
    """Keep a timestamp inside the scenario window."""
    return int(min(max(ts, ctx.window.start), ctx.window.end - 1))


def other_names(ctx: StoryContext, count: int) -> list[str]:
    """Return full names of `count` other customers in the shard, as unrelated payers."""
    names = ctx.population.customers["full_name"].to_numpy()
    others = np.flatnonzero(np.arange(len(names)) != ctx.row)
    picked = ctx.rng.choice(others, size=min(count, len(others)), replace=False)
    return [str(names[i]) for i in picked]
