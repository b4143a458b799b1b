"""Tests for the pure-Python Keccak-256."""

import hashlib

import numpy as np
import pytest
from eth_hash.auto import keccak as reference_keccak

from triagelab.synthetic.keccak import keccak256

# Lengths around the 136-byte rate, where padding spills into a second block.
BOUNDARY_LENGTHS = [0, 1, 55, 56, 134, 135, 136, 137, 271, 272, 273, 1000]


@pytest.mark.parametrize("length", BOUNDARY_LENGTHS)
def test_keccak_matches_eth_hash_at_block_boundaries(length: int) -> None:
    data = np.random.default_rng(length).bytes(length)
    assert keccak256(data) == reference_keccak(data)


def test_keccak_matches_eth_hash_on_random_inputs() -> None:
    rng = np.random.default_rng(2024)
    for length in rng.integers(0, 600, size=200):
        data = rng.bytes(int(length))
        assert keccak256(data) == reference_keccak(data), f"length {length}"


def test_keccak_empty_input_digest() -> None:
    expected = "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    assert keccak256(b"").hex() == expected


def test_keccak_differs_from_sha3_256() -> None:
    data = b"triagelab"
    assert keccak256(data) != hashlib.sha3_256(data).digest()


def test_keccak_digest_is_32_bytes() -> None:
    assert len(keccak256(b"\x00" * 500)) == 32
