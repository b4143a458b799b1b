from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from triagelab.exceptions import ScenarioError
from triagelab.scenarios import list_bundled, load_scenario

from .conftest import FIXTURES

SCENARIOS = FIXTURES / "scenarios"

BAD_FILES = [
    ("unknown_typology.yaml", "cases.typologies.0.name", "unknown typology `crypto_wizard`"),
    ("negative_count.yaml", "cases.typologies.0.count", "greater than or equal to 0"),
    ("unknown_country.yaml", "countries", "unknown country `XX`"),
    ("bad_date.yaml", "start_date", "valid date"),
    ("impossible_date.yaml", "start_date", "valid date"),
    ("shares_not_one.yaml", "countries", "must sum to 1"),
    ("more_cases_than_customers.yaml", "(top level)", "80 cases but has only 50 customers"),
]


def test_bundled_scenarios_load() -> None:
    bundled = list_bundled()
    assert "starter" in bundled
    for path in bundled.values():
        assert load_scenario(path).cases.total > 0


def test_starter_matches_its_description() -> None:
    starter = load_scenario(list_bundled()["starter"])
    assert 250 <= starter.customers <= 350
    assert len(starter.countries) >= 3
    assert starter.days == 14
    assert 12 <= starter.cases.total <= 18


@pytest.mark.parametrize(("name", "field", "message"), BAD_FILES)
def test_bad_scenario_names_field_and_value(name: str, field: str, message: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(SCENARIOS / name)
    assert caught.value.field == field
    assert message in str(caught.value)
    assert name in str(caught.value)


def test_invalid_yaml_is_one_line() -> None:
    with pytest.raises(ScenarioError, match="invalid YAML") as caught:
        load_scenario(SCENARIOS / "invalid_yaml.yaml")
    assert "\n" not in str(caught.value)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "triagelab.cli", *args], capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize("name", [name for name, _, _ in BAD_FILES])
def test_cli_validate_bad_file_exits_2(name: str) -> None:
    result = _cli("scenarios", "validate", str(SCENARIOS / name))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert name in lines[0]
    assert "Traceback" not in result.stderr


def test_cli_validate_good_file(tmp_path: Path) -> None:
    result = _cli("scenarios", "validate", str(SCENARIOS / "good_minimal.yaml"))
    assert result.returncode == 0, result.stderr
    assert "ok" in result.stdout


def test_cli_scenarios_list_shows_starter() -> None:
    result = _cli("scenarios", "list")
    assert result.returncode == 0
    assert "starter" in result.stdout


def test_build_noise_without_customers(tmp_path: Path) -> None:
    result = _cli("build", str(SCENARIOS / "all_dormant.yaml"), "--out", str(tmp_path))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "`cases.noise` is 3 but only 0 customers" in lines[0]
    assert not any(tmp_path.iterdir())
