"""Interim address strings until the chain-valid generator lands."""

from __future__ import annotations

import numpy as np

CHAINS = ("bitcoin", "ethereum", "tron", "solana", "xrp", "bsc")


def make_addresses(chain: str, n: int, rng: np.random.Generator) -> list[str]:
    """Generate `n` address strings for a chain."""
    raw = rng.integers(0, 16, size=(n, 40))
    text = ["".join("0123456789abcdef"[d] for d in row) for row in raw]
    return ["0x" + t for t in text]


def make_tx_hashes(chain: str, n: int, rng: np.random.Generator) -> list[str]:
    """Generate `n` transaction hashes."""
    return [f"{v:016x}" * 4 for v in rng.integers(0, 2**62, size=n)]


def make_lookalike(address: str, chain: str, rng: np.random.Generator) -> str:
    """Generate an address sharing the first and last 4 characters with `address`."""
    middle = make_addresses(chain, 1, rng)[0][6:-4]
    return address[:6] + middle[: len(address) - 10] + address[-4:]
