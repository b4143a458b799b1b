"""Seed derivation: every random stream comes from the scenario seed and a fixed path of names."""

from __future__ import annotations

import hashlib

import numpy as np


def derive_seed(seed: int, *path: str | int) -> int:
    """Return a 64-bit seed derived from a base seed and a path such as ("shard", 3).

    The derivation hashes the path's text, so it is the same on every machine and in
    every process, whatever the order in which shards run.
    """
    text = ":".join([str(seed), *map(str, path)])
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "little")


def make_rng(seed: int, *path: str | int) -> np.random.Generator:
    """Return a numpy generator seeded from `derive_seed(seed, *path)`."""
    return np.random.default_rng(derive_seed(seed, *path))
