from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from triagelab.cases import write_bundle
from triagelab.dataset import DATA_TABLES, open_dataset
from triagelab.exceptions import DatasetError
from triagelab.scenarios import resolve_scenario
from triagelab.schema import KEY_COLUMNS, TABLES, validate
from triagelab.synthetic.build import build_dataset
from triagelab.synthetic.typologies import TYPOLOGIES


def test_row_counts_match_manifest(starter_build: Path) -> None:
    dataset = open_dataset(starter_build)
    counts = dataset.manifest["row_counts"]
    for table in DATA_TABLES:
        assert len(dataset.table(table)) == counts[table]
    assert counts["customers"] == 300
    assert counts["cases"] == 15
    assert counts["auth_events"] > 1000
    assert counts["transactions"] > 1000


@pytest.mark.parametrize("table", DATA_TABLES)
def test_tables_match_schema(starter_build: Path, table: str) -> None:
    frame = open_dataset(starter_build).table(table)
    validate(table, frame)
    expected = [
        name
        for name, column in TABLES[table].columns.items()
        if column.required or name in frame.columns
    ]
    assert list(frame.columns) == expected


def test_every_case_joins_the_key(starter_build: Path) -> None:
    dataset = open_dataset(starter_build)
    cases, labels = dataset.cases(), dataset.labels()
    assert set(cases["case_id"]) == set(labels["case_id"])
    customers = set(dataset.table("customers")["customer_id"])
    assert set(cases["customer_id"]) <= customers


def test_evidence_ids_exist(starter_build: Path) -> None:
    dataset = open_dataset(starter_build)
    ids = set()
    for table in ("auth_events", "transactions", "tickets"):
        ids |= set(dataset.table(table)["event_id"])
    labels = dataset.labels()
    for row in labels.itertuples():
        assert set(row.evidence_event_ids) <= ids
        if row.typology != "baseline":
            assert row.evidence_event_ids, row.typology


def test_key_flags_are_declared_by_typology(starter_build: Path) -> None:
    for row in open_dataset(starter_build).labels().itertuples():
        if row.typology == "baseline":
            assert row.flags == []
        else:
            assert set(row.flags) <= set(TYPOLOGIES[row.typology].flags)


def test_manifest_hashes_verify(starter_build: Path) -> None:
    open_dataset(starter_build).verify()


def test_changed_file_fails_verification(starter_copy: Path) -> None:
    target = starter_copy / "cases" / "cases.parquet"
    target.write_bytes(target.read_bytes() + b"x")
    with pytest.raises(DatasetError, match="does not match the manifest"):
        open_dataset(starter_copy).verify()


def test_build_twice_gives_identical_bytes(tmp_path: Path, starter_build: Path) -> None:
    again = build_dataset(resolve_scenario("starter"), tmp_path)
    first = json.loads((starter_build / "manifest.json").read_text())
    second = json.loads((again / "manifest.json").read_text())
    assert first["files"] == second["files"]
    assert first["fingerprint"] == second["fingerprint"]


def test_build_is_independent_of_timezone_and_locale(tmp_path: Path, starter_build: Path) -> None:
    env = {"TZ": "America/Los_Angeles", "LC_ALL": "C", "LANG": "C", "PATH": "/usr/bin:/bin"}
    code = (
        "from triagelab.scenarios import resolve_scenario;"
        "from triagelab.synthetic.build import build_dataset;"
        f"build_dataset(resolve_scenario('starter'), {str(tmp_path)!r})"
    )
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    first = json.loads((starter_build / "manifest.json").read_text())["files"]
    second = json.loads((tmp_path / "starter" / "manifest.json").read_text())["files"]
    assert first == second


def test_failed_build_keeps_earlier_build(
    starter_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = (starter_copy / "manifest.json").read_bytes()

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr("triagelab.synthetic.build.write_manifest", explode)
    with pytest.raises(RuntimeError, match="disk full"):
        build_dataset(resolve_scenario("starter"), starter_copy.parent)
    assert (starter_copy / "manifest.json").read_bytes() == before
    assert not list(starter_copy.parent.glob(".starter.partial-*"))


def test_bundle_has_no_key_anywhere(starter_build: Path, tmp_path: Path) -> None:
    bundle = write_bundle(starter_build, tmp_path)
    assert not (bundle / "key").exists()
    key_words = set(TYPOLOGIES) | {"is_suspicious", "expected_action", "typology", "explanation"}
    for path in bundle.rglob("*"):
        if not path.is_file():
            continue
        if path.suffix == ".parquet":
            columns = set(pq.read_schema(path).names)
            assert not columns & KEY_COLUMNS, path
            text = pd.read_parquet(path).astype(str).to_csv()
        else:
            text = path.read_text()
        for word in key_words:
            assert word not in text, f"{word} in {path}"
    bundled = open_dataset(bundle)
    bundled.verify()
    assert bundled.fingerprint == open_dataset(starter_build).fingerprint
    assert not bundled.has_key
    # With the seed, `triagelab build` would rebuild the key.
    assert "seed" not in bundled.manifest["scenario"]


def test_bundle_of_missing_folder_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="not found"):
        write_bundle(tmp_path / "nowhere", tmp_path / "out")


def test_rebuild_keeps_submissions(starter_copy: Path) -> None:
    submission = starter_copy / "submissions" / "kim.json"
    submission.parent.mkdir()
    submission.write_text('{"keep": "me"}')
    build_dataset(resolve_scenario("starter"), starter_copy.parent)
    assert submission.read_text() == '{"keep": "me"}'
    open_dataset(starter_copy).verify()


def test_rebuild_of_other_dataset_keeps_work(starter_copy: Path) -> None:
    submission = starter_copy / "submissions" / "kim.json"
    submission.parent.mkdir()
    submission.write_text('{"keep": "me"}')
    before = (starter_copy / "manifest.json").read_bytes()
    other = resolve_scenario("starter").with_overrides(seed=99)
    with pytest.raises(DatasetError, match="contains submissions") as caught:
        build_dataset(other, starter_copy.parent)
    assert caught.value.field == "--out"
    assert submission.read_text() == '{"keep": "me"}'
    assert (starter_copy / "manifest.json").read_bytes() == before
    assert not list(starter_copy.parent.glob(".starter.partial-*"))


def test_rebundle_keeps_trainee_submissions(starter_build: Path, tmp_path: Path) -> None:
    bundle = write_bundle(starter_build, tmp_path)
    saved = bundle / "submissions" / "kim.json"
    saved.parent.mkdir()
    saved.write_text("{}")
    write_bundle(starter_build, tmp_path)
    assert saved.read_text() == "{}"


def test_transfers_use_the_assets_chain(starter_build: Path) -> None:
    from triagelab.synthetic.assets import ASSET_CHAINS

    transactions = open_dataset(starter_build).table("transactions")
    transfers = transactions[transactions["tx_type"].isin(["crypto_withdrawal", "crypto_deposit"])]
    assert len(transfers) > 100
    wrong = [
        (asset, chain)
        for asset, chain in zip(transfers["asset"], transfers["chain"], strict=True)
        if chain not in ASSET_CHAINS[asset]
    ]
    assert wrong == []
