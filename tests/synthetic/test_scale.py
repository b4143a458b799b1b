from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from triagelab.cli import main
from triagelab.dataset import open_dataset, read_table
from triagelab.exceptions import InputError, SchemaError
from triagelab.parquet import write_partitioned
from triagelab.scenarios import resolve_scenario
from triagelab.synthetic.build import (
    MIN_ROWS_PER_DATE_FILE,
    build_dataset,
    expected_rows_per_date_file,
    partition_scheme,
)
from triagelab.synthetic.engine import SHARD_SIZE, _time_order, generate_shard, plan_build
from triagelab.synthetic.engines import check_engine, run_tasks

# Three shards, the last one short, so that workers finish out of order.
CUSTOMERS = 2 * SHARD_SIZE + 700
DAYS = 3


def _scenario():
    return resolve_scenario("starter").with_overrides(seed=None, customers=CUSTOMERS, days=DAYS)


def _files(root: Path) -> dict[str, str]:
    return json.loads((root / "manifest.json").read_text())["files"]


@pytest.fixture(scope="module")
def one_worker_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_dataset(_scenario(), tmp_path_factory.mktemp("one"), workers=1)


@pytest.mark.slow
@pytest.mark.parametrize("workers", [2, 4])
def test_workers_give_identical_bytes(one_worker_build: Path, tmp_path: Path, workers: int) -> None:
    again = build_dataset(_scenario(), tmp_path, workers=workers)
    assert _files(again) == _files(one_worker_build)
    assert open_dataset(again).fingerprint == open_dataset(one_worker_build).fingerprint


@pytest.mark.slow
@pytest.mark.dask
def test_dask_engine_gives_identical_bytes(one_worker_build: Path, tmp_path: Path) -> None:
    pytest.importorskip("dask.distributed")
    again = build_dataset(_scenario(), tmp_path, workers=2, engine="dask")
    assert _files(again) == _files(one_worker_build)


@pytest.mark.slow
def test_repeat_build_matches_fresh_process(one_worker_build: Path, tmp_path: Path) -> None:
    """A build after other builds in one process equals a build in a fresh process.

    The fresh process runs with another hash seed, time zone and locale.
    """
    other = resolve_scenario("starter").with_overrides(seed=7, customers=SHARD_SIZE + 300, days=2)
    build_dataset(other, tmp_path / "other", workers=1)
    again = build_dataset(_scenario(), tmp_path / "again", workers=1)
    assert _files(again) == _files(one_worker_build)

    env = {**os.environ, "PYTHONHASHSEED": "4242", "TZ": "America/Lima", "LC_ALL": "C.UTF-8"}
    fresh_out = tmp_path / "fresh"
    command = [
        sys.executable,
        "-m",
        "triagelab.cli",
        "build",
        "starter",
        "--customers",
        str(CUSTOMERS),
        "--days",
        str(DAYS),
        "--out",
        str(fresh_out),
    ]
    subprocess.run(command, env=env, check=True, capture_output=True)
    assert _files(fresh_out / "starter") == _files(one_worker_build)


@pytest.mark.parametrize("table", ["auth_events", "transactions"])
def test_shard_dictionaries_are_unique(table: str) -> None:
    """Text dictionaries hold each value once, or Parquet bytes vary between processes."""
    plan = plan_build(_scenario())
    result = generate_shard(plan, plan.shard_count - 1)
    frame = getattr(result, table)
    for field in frame.schema:
        if not pa.types.is_dictionary(field.type):
            continue
        for chunk in frame.column(field.name).chunks:
            assert len(pc.unique(chunk.dictionary)) == len(chunk.dictionary), field.name


def test_event_tables_are_hive_partitioned(one_worker_build: Path) -> None:
    manifest = json.loads((one_worker_build / "manifest.json").read_text())
    layout = manifest["layout"]["event_tables"]
    assert layout == "month"
    auth = [name for name in manifest["files"] if name.startswith("data/auth_events/")]
    assert auth
    for name in auth:
        parts = name.split("/")
        assert parts[2].startswith("country="), name
        assert parts[3].startswith("month=2026-03"), name
        assert parts[4].startswith("part-"), name


def test_layout_follows_rows_per_file(monkeypatch: pytest.MonkeyPatch) -> None:
    plan = plan_build(_scenario())
    assert expected_rows_per_date_file(plan) < MIN_ROWS_PER_DATE_FILE
    assert partition_scheme(plan) == "month"
    monkeypatch.setattr(
        "triagelab.synthetic.build.MIN_ROWS_PER_DATE_FILE", expected_rows_per_date_file(plan)
    )
    assert partition_scheme(plan) == "date"
    small = plan_build(_scenario().with_overrides(customers=SHARD_SIZE))
    assert partition_scheme(small) == "none"


@pytest.mark.parametrize(
    ("scheme", "key", "value"), [("date", "date", "2026-03-31"), ("month", "month", "2026-04")]
)
def test_partitions_read_with_filters(tmp_path: Path, scheme: str, key: str, value: str) -> None:
    days = pd.date_range("2026-03-30", periods=6, freq="12h", tz="UTC")
    table = pa.table(
        {
            "event_id": pa.array([f"A{i}" for i in range(len(days))]),
            "ts": pa.array(days.as_unit("ms")),
            "device_id": pa.array(["D1", "D2"] * 3).dictionary_encode(),
        }
    )
    country = np.array(["SG", "MY"] * 3)
    write_partitioned(
        table, tmp_path / "auth_events", "part-00000.parquet", country=country, scheme=scheme
    )
    whole = read_table(tmp_path / "auth_events")
    assert sorted(whole["event_id"]) == sorted(f"A{i}" for i in range(len(days)))
    assert list(whole.columns) == ["event_id", "ts", "device_id"]
    picked = read_table(
        tmp_path / "auth_events", filters=[("country", "==", "MY"), (key, "==", value)]
    )
    expected = table.to_pandas()
    stamp = expected["ts"].dt.strftime("%Y-%m-%d" if scheme == "date" else "%Y-%m")
    expected = expected[(country == "MY") & (stamp == value).to_numpy()]
    assert sorted(picked["event_id"]) == sorted(expected["event_id"])
    assert len(picked) > 0


def test_manifest_lists_every_file(one_worker_build: Path) -> None:
    on_disk = {
        path.relative_to(one_worker_build).as_posix()
        for path in one_worker_build.rglob("*")
        if path.is_file() and path.name != "manifest.json"
    }
    assert set(_files(one_worker_build)) == on_disk
    open_dataset(one_worker_build).verify()


def test_partitioned_table_reads_whole(one_worker_build: Path) -> None:
    dataset = open_dataset(one_worker_build)
    auth = dataset.table("auth_events")
    assert len(auth) == dataset.manifest["row_counts"]["auth_events"]
    assert "country" not in auth.columns
    plain = pd.read_parquet(one_worker_build / "data" / "auth_events")
    assert len(plain) == len(auth)


def test_partitioned_table_filters(one_worker_build: Path) -> None:
    dataset = open_dataset(one_worker_build)
    customer = dataset.table("customers").iloc[-1]
    events = dataset.table("auth_events", filters=[("customer_id", "==", customer.customer_id)])
    assert set(events["customer_id"]) <= {customer.customer_id}
    by_country = dataset.table(
        "auth_events", columns=["customer_id", "country"], filters=[("country", "==", "SG")]
    )
    sg_customers = set(dataset.table("customers").query("country == 'SG'")["customer_id"])
    assert set(by_country["customer_id"]) <= sg_customers


@pytest.mark.parametrize("table", ["auth_events", "transactions", "tickets"])
def test_event_files_share_one_schema(one_worker_build: Path, table: str) -> None:
    paths = sorted((one_worker_build / "data" / table).rglob("*.parquet"))
    assert len(paths) > 1
    first = pq.read_schema(paths[0])
    for path in paths[1:]:
        assert pq.read_schema(path).equals(first, check_metadata=True), path


@pytest.mark.parametrize("table", ["auth_events", "transactions"])
def test_event_text_reads_as_strings(one_worker_build: Path, table: str) -> None:
    frame = open_dataset(one_worker_build).table(table)
    for column in ("event_id", "customer_id"):
        assert not isinstance(frame[column].dtype, pd.CategoricalDtype), column
        assert isinstance(frame[column].iloc[0], str), column
    assert str(frame["ts"].dtype) == "datetime64[ms, UTC]"


def test_unknown_engine_is_input_error() -> None:
    with pytest.raises(InputError, match="unknown engine"):
        list(run_tasks(abs, 1, engine="spark"))


def test_zero_workers_is_input_error() -> None:
    with pytest.raises(InputError, match="invalid `workers` 0"):
        run_tasks(abs, 1, workers=0)


def test_scheduler_without_dask_is_input_error() -> None:
    with pytest.raises(InputError, match="needs the dask engine"):
        list(run_tasks(abs, 1, scheduler="tcp://127.0.0.1:8786"))


@pytest.mark.parametrize(
    "address", ["not-an-address", "tcp://127.0.0.1", "tcp://127.0.0.1:0", "127.0.0.1:99999"]
)
def test_bad_scheduler_address_is_input_error(address: str) -> None:
    with pytest.raises(InputError, match="invalid `scheduler` address"):
        check_engine("dask", 1, address)


@pytest.mark.dask
def test_unreachable_scheduler_fails_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("dask.distributed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setattr("triagelab.synthetic.engines.CONNECT_TIMEOUT_S", 1)
    argv = ["build", "starter", "--days", "1", "--out", str(tmp_path), "--engine", "dask"]
    code = main([*argv, "--scheduler", f"tcp://127.0.0.1:{port}"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1
    assert "could not connect to the Dask scheduler" in err


def test_bad_workers_print_one_line_before_any_progress(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    customers = str(2 * SHARD_SIZE + 1)
    code = main(
        ["build", "starter", "--customers", customers, "--workers", "0", "--out", str(tmp_path)]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert err == "triagelab: error: invalid `workers` 0; expected 1 or more\n"


@pytest.mark.parametrize("rows", [0, 1, 5_000])
def test_time_order_matches_lexsort_of_its_keys(rows: int) -> None:
    rng = np.random.default_rng(3)
    ts = rng.integers(1_772_409_600, 1_772_409_600 + 3_600, rows)
    rank = rng.integers(0, 40, rows)
    group = rng.integers(0, 6, rows)
    order = _time_order(np.random.default_rng(11), ts, rank, 40, group=group)
    tiebreak = np.random.default_rng(11).permutation(rows)
    assert np.array_equal(order, np.lexsort((tiebreak, rank, ts, group)))
    assert np.array_equal(np.sort(order), np.arange(rows))


def test_time_order_long_window_lexsort() -> None:
    rng = np.random.default_rng(4)
    # Sixty bits of seconds leave no room for the other keys in one int64.
    ts = rng.integers(0, 1 << 60, 1_000)
    rank = rng.integers(0, 1_000, 1_000)
    order = _time_order(np.random.default_rng(12), ts, rank, 1_000)
    tiebreak = np.random.default_rng(12).permutation(1_000)
    assert np.array_equal(order, np.lexsort((tiebreak, rank, ts)))


@pytest.mark.parametrize("table", ["auth_events", "transactions"])
def test_partition_files_are_in_time_order(one_worker_build: Path, table: str) -> None:
    files = sorted((one_worker_build / "data" / table).rglob("*.parquet"))
    assert files
    for path in files:
        ts = pq.read_table(path, columns=["ts"]).column("ts").cast(pa.int64()).to_numpy()
        assert np.all(ts[1:] >= ts[:-1]), path


def test_customer_ids_are_unique_across_shards() -> None:
    plan = plan_build(_scenario())
    ids = np.concatenate(
        [generate_shard(plan, index).customers["customer_id"].to_numpy() for index in (0, 2)]
    )
    assert len(np.unique(ids)) == len(ids)


def test_build_with_one_customer_in_last_shard(tmp_path: Path) -> None:
    scenario = _scenario().with_overrides(customers=SHARD_SIZE + 1, days=2)
    built = build_dataset(scenario, tmp_path)
    dataset = open_dataset(built)
    assert dataset.manifest["row_counts"]["customers"] == SHARD_SIZE + 1
    assert len(dataset.table("tickets")) == dataset.manifest["row_counts"]["tickets"]


def test_bad_generated_rows_fail_with_exit_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A generated table that fails its schema is a fault of the generator, not bad input."""

    def reject(table: str, frame: pd.DataFrame) -> pd.DataFrame:
        raise SchemaError(f"{table}: column `ts`: 1 row not allowed")

    monkeypatch.setattr("triagelab.synthetic.build.validate", reject)
    code = main(["-q", "build", "starter", "--days", "1", "--out", str(tmp_path)])
    assert code == 1
    assert "failed the schema check" in capsys.readouterr().err
    assert not (tmp_path / "starter").exists()


@pytest.mark.slow
def test_interrupted_build_exits_130(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "triagelab.cli", "-q", "build", "starter"]
    command += ["--customers", "200000", "--days", "30", "--workers", "2", "--out", str(tmp_path)]
    child = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not any(tmp_path.glob(".starter.partial-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=60)
    assert child.returncode == 130, err
    assert err == "triagelab: interrupted\n"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("table", ["auth_events", "transactions"])
def test_file_dictionaries_are_sorted_and_used(one_worker_build: Path, table: str) -> None:
    """Dictionary order and unused values would show which values stories added."""
    for path in sorted((one_worker_build / "data" / table).rglob("*.parquet")):
        text = [
            field.name
            for field in pq.read_schema(path)
            if field.type == pa.string() and field.name != "event_id"
        ]
        data = pq.read_table(path, read_dictionary=text)
        for name in text:
            column = data.column(name).combine_chunks()
            values = column.dictionary.to_pylist()
            assert values == sorted(values), (path, name)
            assert set(values) == set(column.dictionary_decode().drop_null().to_pylist())
