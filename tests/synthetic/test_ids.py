from __future__ import annotations

import numpy as np
import pytest

from triagelab.synthetic.ids import distinct_ids, hex_array, hex_id_array


@pytest.mark.parametrize("width", [8, 10, 15, 16])
def test_hex_array_matches_python_formatting(width: int) -> None:
    values = np.random.default_rng(5).integers(0, 2**63, 2_000, dtype=np.int64).astype(np.uint64)
    values[:3] = [0, 1, 2**64 - 1]
    expected = [f"X{int(value) % 16**width:0{width}x}" for value in values]
    assert hex_array(values, "X", width).to_pylist() == expected


def test_hex_id_array_is_repeatable() -> None:
    first = hex_id_array(np.random.default_rng(3), 500, "A", 15).to_pylist()
    again = hex_id_array(np.random.default_rng(3), 500, "A", 15).to_pylist()
    assert first == again
    assert all(len(value) == 16 and value.startswith("A") for value in first)


def test_distinct_ids_unique_and_seeded() -> None:
    rows = np.arange(0, 300_000)
    ids = distinct_ids(7, "customers", rows, "C", 10).to_pylist()
    assert len(set(ids)) == len(ids)
    assert all(len(value) == 11 and value.startswith("C") for value in ids[:100])
    again = distinct_ids(7, "customers", rows[123:456], "C", 10).to_pylist()
    assert again == ids[123:456]
    other = distinct_ids(8, "customers", rows[:1000], "C", 10).to_pylist()
    assert len(set(other) & set(ids[:1000])) == 0
    # Consecutive rows share no visible pattern: their ids start with many different digits.
    assert len({value[1] for value in ids[:64]}) >= 12


def test_distinct_ids_permute_range() -> None:
    rows = np.arange(0, 1 << 16)
    ids = distinct_ids(3, "x", rows, "", 4).to_pylist()
    assert sorted(ids) == [f"{value:04x}" for value in range(1 << 16)]
