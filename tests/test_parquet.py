from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from triagelab.parquet import _periods, compact_dictionaries, write_parquet


def _devices(indices: list[int | None], size: int = 5) -> pa.DictionaryArray:
    dictionary = pa.array([f"D{i}" for i in range(size)])
    return pa.DictionaryArray.from_arrays(pa.array(indices, type=pa.int32()), dictionary)


def test_compact_dictionaries_keeps_values_and_drops_unused() -> None:
    table = pa.table({"device_id": _devices([3, None, 1, 3, None]), "n": [1, 2, 3, 4, 5]})
    compact = compact_dictionaries(table)
    column = compact.column("device_id").chunk(0)
    assert column.dictionary.to_pylist() == ["D1", "D3"]
    assert column.to_pylist() == ["D3", None, "D1", "D3", None]
    assert compact.column("n").to_pylist() == [1, 2, 3, 4, 5]


def test_compact_dictionaries_sort_values() -> None:
    """A story's values appended last to a shard dictionary do not stay last in a file."""
    shard = pa.array(["D7", "D2", "D9", "A1-story", "A0-story"])
    rows = pa.DictionaryArray.from_arrays(pa.array([4, 0, 3, 2, 0], type=pa.int32()), shard)
    column = compact_dictionaries(pa.table({"device_id": rows})).column("device_id").chunk(0)
    assert column.dictionary.to_pylist() == ["A0-story", "A1-story", "D7", "D9"]
    assert column.to_pylist() == ["A0-story", "D7", "A1-story", "D9", "D7"]


def test_small_dictionaries_drop_unused_values() -> None:
    table = pa.table({"ip_country": _devices([3, 1], size=5)})
    column = compact_dictionaries(table).column("ip_country").chunk(0)
    assert column.dictionary.to_pylist() == ["D1", "D3"]
    assert column.to_pylist() == ["D3", "D1"]


def test_file_dictionary_page_is_sorted(tmp_path: Path) -> None:
    shard = pa.array(["D7", "D2", "D9", "A1-story"])
    rows = pa.DictionaryArray.from_arrays(pa.array([3, 0, 2, 0], type=pa.int32()), shard)
    write_parquet(pa.table({"device_id": rows}), tmp_path / "part.parquet")
    back = pq.read_table(tmp_path / "part.parquet", read_dictionary=["device_id"])
    assert back.column("device_id").chunk(0).dictionary.to_pylist() == ["A1-story", "D7", "D9"]


def test_compact_dictionaries_of_a_slice() -> None:
    table = pa.table({"device_id": _devices([0, 1, 2, 3, 4, 0])}).slice(2, 3)
    column = compact_dictionaries(table).column("device_id").chunk(0)
    assert column.dictionary.to_pylist() == ["D2", "D3", "D4"]
    assert column.to_pylist() == ["D2", "D3", "D4"]


def test_dictionary_columns_read_back_as_plain_text(tmp_path: Path) -> None:
    table = pa.table({"event_id": ["A1", "A2", "A3"], "device_id": _devices([4, None, 4])})
    write_parquet(table, tmp_path / "part.parquet")
    back = pq.read_table(tmp_path / "part.parquet")
    assert back.schema.field("device_id").type == pa.string()
    assert back.column("device_id").to_pylist() == ["D4", None, "D4"]
    file = pq.ParquetFile(tmp_path / "part.parquet")
    dictionary_page = file.metadata.row_group(0).column(1).dictionary_page_offset
    assert dictionary_page is not None


WRITE_LARGE_DICTIONARY = """
import hashlib, sys
import numpy as np, pyarrow as pa
from pathlib import Path
from triagelab.parquet import write_parquet
# Allocate and fill memory first, so that unwritten bytes would differ between runs.
filler = [np.full(1 << 20, int(sys.argv[2]), dtype=np.uint8) for _ in range(int(sys.argv[2]))]
values = pa.array([f"203.0.{i // 256}.{i % 256}/{i}" for i in range(120_000)])
indices = pa.array(np.random.default_rng(5).integers(0, 120_000, 400_000).astype(np.int32))
table = pa.table({"ip_address": pa.DictionaryArray.from_arrays(indices, values)})
write_parquet(table.slice(1_000, 300_000), Path(sys.argv[1]))
"""


def test_large_dictionary_bytes_repeat(tmp_path: Path) -> None:
    """A dictionary larger than the Parquet page limit is written the same way every time."""
    digests = set()
    for filler in ("0", "7", "40"):
        path = tmp_path / f"ip-{filler}.parquet"
        subprocess.run(
            [sys.executable, "-c", WRITE_LARGE_DICTIONARY, str(path), filler], check=True
        )
        digests.add(hashlib.sha256(path.read_bytes()).hexdigest())
    assert len(digests) == 1
    back = pq.read_table(tmp_path / "ip-0.parquet").column("ip_address")
    assert len(back) == 300_000
    assert len(np.unique(back.to_numpy(zero_copy_only=False))) > 100_000


@pytest.mark.parametrize("unit", ["D", "M"])
def test_periods_match_numpy_calendar(unit: str) -> None:
    stamps = np.random.default_rng(2).integers(-(10**12), 3 * 10**12, 20_000)
    stamps[:3] = [0, -1, 1_772_409_600_000]
    expected = stamps.astype("datetime64[ms]").astype(f"datetime64[{unit}]").astype(np.int64)
    assert np.array_equal(_periods(stamps, unit), expected)


def test_compact_dictionaries_of_chunks_with_own_dictionaries() -> None:
    first = pa.table({"device_id": _devices([1, 2])})
    second = pa.table(
        {
            "device_id": pa.DictionaryArray.from_arrays(
                pa.array([0, 0], type=pa.int32()),
                pa.array([f"E{i}" for i in range(5)]),
            )
        }
    )
    column = compact_dictionaries(pa.concat_tables([first, second])).column("device_id")
    assert column.num_chunks == 1
    assert column.chunk(0).dictionary.to_pylist() == ["D1", "D2", "E0"]
    assert column.to_pylist() == ["D1", "D2", "E0", "E0"]


def test_empty_text_columns_are_written_as_text(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"event_id": np.array([], dtype=object), "n": np.array([], dtype=np.int64)}
    )
    write_parquet(frame, tmp_path / "empty.parquet")
    schema = pq.read_schema(tmp_path / "empty.parquet")
    assert schema.field("event_id").type == pa.string()
    assert schema.field("n").type == pa.int64()
