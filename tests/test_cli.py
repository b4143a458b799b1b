from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "triagelab.cli", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
    )


def test_flags_json_lists_definitions() -> None:
    result = _cli("flags", "--json")
    flags = json.loads(result.stdout)
    assert {"failed_tx_burst", "new_device", "structuring_below_threshold"} <= {
        f["name"] for f in flags
    }
    assert all(f["definition"] and f["window"] and f["threshold"] for f in flags)


def test_typologies_json_has_both_kinds() -> None:
    entries = json.loads(_cli("typologies", "--json").stdout)
    assert {e["kind"] for e in entries} == {"suspicious", "benign"}


def test_build_unknown_scenario_exits_2(tmp_path: Path) -> None:
    result = _cli("build", "no-such-scenario", "--out", str(tmp_path))
    assert result.returncode == 2
    assert "no-such-scenario" in result.stderr


def test_report_bad_parameter_exits_2(starter_build: Path, tmp_path: Path) -> None:
    result = _cli(
        "report",
        "weekly_behavior_shifts",
        "-p",
        "dataset",
        str(starter_build),
        "-p",
        "country",
        "ZZ",
        "--out",
        str(tmp_path),
    )
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("triagelab:")]
    assert len(errors) == 1
    assert "parameter `country`" in errors[0]
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_demo_end_to_end(tmp_path: Path) -> None:
    result = _cli("demo", "--out", str(tmp_path / "out"), cwd=Path(__file__).resolve().parents[1])
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(":", 1) for line in result.stdout.splitlines() if ":" in line)
    scores = Path(lines["scores CSV"].strip())
    report = Path(lines["report HTML"].strip())
    table = pd.read_csv(scores)
    assert 0 < table.loc[0, "score"] < 100
    assert "<img" in report.read_text()


def test_demo_replaces_its_own_work_after_an_update(tmp_path: Path) -> None:
    from triagelab.demo import DEMO_TRAINEE, _remove_earlier_demo_work

    built = tmp_path / "sea-week"
    (built / "submissions").mkdir(parents=True)
    (built / "grades").mkdir()
    (built / "submissions" / f"{DEMO_TRAINEE}.json").write_text("{}")
    _remove_earlier_demo_work(built)
    assert not (built / "submissions").exists()
    assert not (built / "grades").exists()


def test_demo_keeps_a_trainees_work(tmp_path: Path) -> None:
    from triagelab.demo import DEMO_TRAINEE, _remove_earlier_demo_work

    built = tmp_path / "sea-week"
    (built / "submissions").mkdir(parents=True)
    (built / "submissions" / f"{DEMO_TRAINEE}.json").write_text("{}")
    (built / "submissions" / "amira.json").write_text("{}")
    _remove_earlier_demo_work(built)
    assert (built / "submissions" / "amira.json").read_text() == "{}"
    assert (built / "submissions" / f"{DEMO_TRAINEE}.json").exists()
