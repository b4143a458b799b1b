from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from triagelab.dataset import open_dataset
from triagelab.exceptions import InputError
from triagelab.grading.variants import (
    RosterError,
    assign_exercise,
    open_exercise,
    read_roster,
    variant_seed,
)
from triagelab.scenarios import load_scenario

from ..conftest import FIXTURES

ROSTERS = FIXTURES / "rosters"
SCENARIO = FIXTURES / "scenarios" / "good_minimal.yaml"


def test_exercise_folder_layout(minimal_exercise: Path) -> None:
    document = json.loads((minimal_exercise / "exercise.json").read_text())
    assert [t["trainee_id"] for t in document["trainees"]] == ["ana", "budi", "cheng"]
    assert (minimal_exercise / "submissions").is_dir()
    for trainee in ("ana", "budi", "cheng"):
        bundle = open_dataset(minimal_exercise / "trainees" / trainee)
        bundle.verify()
        assert not bundle.has_key
        assert not (minimal_exercise / "trainees" / trainee / "key").exists()
        assert (minimal_exercise / "key" / trainee / "labels.parquet").is_file()


def test_bundles_never_contain_labels(minimal_exercise: Path) -> None:
    files = list((minimal_exercise / "trainees").rglob("*"))
    assert not [path for path in files if "labels" in path.name or path.name == "key"]


def test_variants_share_mix_not_cases(minimal_exercise: Path) -> None:
    exercise = open_exercise(minimal_exercise)
    labels = {tid: exercise.labels(tid) for tid in exercise.variants}
    mixes = {tid: sorted(frame["typology"]) for tid, frame in labels.items()}
    assert len({tuple(mix) for mix in mixes.values()}) == 1
    case_sets = [set(frame["case_id"]) for frame in labels.values()]
    assert not case_sets[0] & case_sets[1]
    customers = [set(exercise.cases(tid)["customer_id"]) for tid in exercise.variants]
    assert customers[0] != customers[1]
    fingerprints = {variant.fingerprint for variant in exercise.variants.values()}
    assert len(fingerprints) == 3


def test_variant_seed_recorded_and_derived(minimal_exercise: Path) -> None:
    exercise = open_exercise(minimal_exercise)
    seeds = {tid: variant.seed for tid, variant in exercise.variants.items()}
    assert seeds["ana"] == variant_seed(7, "ana")
    assert len(set(seeds.values())) == 3
    assert variant_seed(7, "ana") != variant_seed(8, "ana")
    manifest = json.loads((minimal_exercise / "trainees" / "ana" / "manifest.json").read_text())
    # The seed would let a trainee rebuild the key; only the trainer's files record it.
    assert "seed" not in manifest["scenario"]


def test_assign_is_deterministic(minimal_exercise: Path, tmp_path: Path) -> None:
    again = assign_exercise(load_scenario(SCENARIO), ROSTERS / "good.csv", tmp_path / "week1")
    first = open_exercise(minimal_exercise).variants
    second = open_exercise(again).variants
    assert first == second


def test_roster_reads_ids_and_names() -> None:
    trainees = read_roster(ROSTERS / "good.csv")
    assert [t.trainee_id for t in trainees] == ["ana", "budi", "cheng"]
    assert trainees[0].name == "Ana"


@pytest.mark.parametrize(
    ("name", "field", "value"),
    [
        ("missing_column.csv", "trainee_id", None),
        ("duplicate_id.csv", "trainee_id (line 4)", "ana"),
        ("empty_id.csv", "trainee_id (line 3)", ""),
        ("unsafe_id.csv", "trainee_id (line 3)", "../etc"),
        ("no_rows.csv", "trainee_id", None),
    ],
)
def test_bad_roster_names_field_and_value(name: str, field: str, value: str | None) -> None:
    with pytest.raises(RosterError) as caught:
        read_roster(ROSTERS / name)
    assert caught.value.path == ROSTERS / name
    assert caught.value.field == field
    assert caught.value.value == value
    assert name in str(caught.value)


def test_missing_roster_file(tmp_path: Path) -> None:
    with pytest.raises(RosterError, match="roster file not found"):
        read_roster(tmp_path / "absent.csv")


def test_bad_roster_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "exercise"
    with pytest.raises(RosterError):
        assign_exercise(load_scenario(SCENARIO), ROSTERS / "duplicate_id.csv", out)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_assign_keeps_existing_exercise(minimal_exercise: Path, exercise_copy: Path) -> None:
    (exercise_copy / "submissions" / "ana.json").write_text("{}")
    with pytest.raises(InputError, match="already exists"):
        assign_exercise(load_scenario(SCENARIO), ROSTERS / "good.csv", exercise_copy)
    assert (exercise_copy / "submissions" / "ana.json").read_text() == "{}"


def test_cli_assign_bad_roster_exits_2(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "triagelab.cli",
            "-q",
            "assign",
            str(SCENARIO),
            "--roster",
            str(ROSTERS / "unsafe_id.csv"),
            "--out",
            str(tmp_path / "ex"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "unsafe_id.csv" in result.stderr
    assert "../etc" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "ex").exists()


def test_cli_assign_writes_exercise(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "triagelab.cli",
            "-q",
            "assign",
            str(SCENARIO),
            "--roster",
            str(ROSTERS / "good.csv"),
            "--out",
            str(tmp_path / "ex"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert open_exercise(tmp_path / "ex").exercise_id == "ex"
    labels = pd.read_parquet(tmp_path / "ex" / "key" / "budi" / "labels.parquet")
    assert len(labels) == 3


def test_bundle_roster_lists_only_its_trainee(minimal_exercise: Path) -> None:
    for trainee in ("ana", "budi", "cheng"):
        roster = minimal_exercise / "trainees" / trainee / "roster.csv"
        lines = roster.read_text(encoding="utf-8").splitlines()
        assert lines == ["trainee_id,name", f"{trainee},{trainee.capitalize()}"]


def test_bundle_sign_in_rejects_other_ids(exercise_copy: Path) -> None:
    from triagelab.training.launcher import TriageLauncher

    bundle = exercise_copy / "trainees" / "ana"
    launcher = TriageLauncher(bundle, mode="exam")
    assert launcher.sign_in("budi") is None
    assert "not on the roster" in launcher.message.value
    assert not (bundle / "submissions" / "budi.json").exists()
    assert launcher.sign_in("ana") is not None


def test_bundle_manifest_names_exercise(minimal_exercise: Path) -> None:
    for trainee in ("ana", "budi", "cheng"):
        manifest = json.loads(
            (minimal_exercise / "trainees" / trainee / "manifest.json").read_text()
        )
        assert manifest["exercise"] == "week1"
        assert manifest["bundle"] is True


def test_write_bundle_without_exercise(starter_build: Path, tmp_path: Path) -> None:
    from triagelab.cases import write_bundle

    bundle = write_bundle(starter_build, tmp_path)
    manifest = json.loads((bundle / "manifest.json").read_text())
    assert "exercise" not in manifest
    named = write_bundle(starter_build, tmp_path / "named", exercise="drill-3")
    assert json.loads((named / "manifest.json").read_text())["exercise"] == "drill-3"
    assert open_dataset(named).fingerprint == open_dataset(bundle).fingerprint
