"""Encoders of many addresses at once against the one-at-a-time encoders."""

from __future__ import annotations

import numpy as np
import pytest

from triagelab.synthetic.address_encoding import (
    BITCOIN_ALPHABET,
    RIPPLE_ALPHABET,
    b58check_encode,
    b58check_encode_many,
    b58encode,
    b58encode_many,
    segwit_v0_address,
    segwit_v0_addresses,
)


def _rows(length: int) -> np.ndarray:
    """Random rows plus rows with leading zero bytes and all-zero rows."""
    rows = np.random.default_rng(length).integers(0, 256, size=(2_000, length), dtype=np.uint8)
    rows[:40, : min(3, length)] = 0
    rows[40:50] = 0
    rows[50:70, :1] = 0
    return rows


@pytest.mark.parametrize("length", [1, 2, 20, 21, 25, 32, 64])
@pytest.mark.parametrize("alphabet", [BITCOIN_ALPHABET, RIPPLE_ALPHABET])
def test_b58encode_many_matches_one(length: int, alphabet: str) -> None:
    rows = _rows(length)
    expected = [b58encode(row.tobytes(), alphabet) for row in rows]
    assert b58encode_many(rows, alphabet) == expected


@pytest.mark.parametrize("length", [21, 25])
def test_b58check_encode_many_matches_one(length: int) -> None:
    rows = _rows(length)
    expected = [b58check_encode(row.tobytes()) for row in rows]
    assert b58check_encode_many(rows) == expected


def test_segwit_addresses_match_one() -> None:
    rows = _rows(20)
    expected = [segwit_v0_address("bc", row.tobytes()) for row in rows]
    assert segwit_v0_addresses("bc", rows) == expected


def test_many_encoders_accept_no_rows() -> None:
    assert b58encode_many(np.zeros((0, 32), dtype=np.uint8)) == []
    assert b58check_encode_many(np.zeros((0, 21), dtype=np.uint8)) == []
    assert segwit_v0_addresses("bc", np.zeros((0, 20), dtype=np.uint8)) == []
