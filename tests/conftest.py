"""Shared fixtures: built datasets are made once per session and reused read-only."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from triagelab.scenarios import load_scenario, resolve_scenario
from triagelab.synthetic.build import build_dataset

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def starter_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the bundled starter scenario once; tests must not change it."""
    return build_dataset(resolve_scenario("starter"), tmp_path_factory.mktemp("builds"))


@pytest.fixture(scope="session")
def sea_week_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the demo scenario once; tests must not change it."""
    return build_dataset(resolve_scenario("sea-week"), tmp_path_factory.mktemp("sea-week"))


@pytest.fixture(scope="session")
def minimal_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the smallest valid fixture scenario once."""
    scenario = load_scenario(FIXTURES / "scenarios" / "good_minimal.yaml")
    return build_dataset(scenario, tmp_path_factory.mktemp("minimal"))


@pytest.fixture
def starter_copy(starter_build: Path, tmp_path: Path) -> Path:
    """Copy the starter build for a test that changes it."""
    target = tmp_path / starter_build.name
    shutil.copytree(starter_build, target)
    return target


@pytest.fixture(scope="session")
def starter_other_seed_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the starter scenario with another seed, to fit models out of sample."""
    scenario = resolve_scenario("starter").with_overrides(seed=11)
    return build_dataset(scenario, tmp_path_factory.mktemp("starter-seed-11"))


@pytest.fixture(scope="session")
def minimal_two_week_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the minimal fixture scenario over 15 days, long enough for a weekly baseline."""
    scenario = load_scenario(FIXTURES / "scenarios" / "good_minimal.yaml").with_overrides(days=15)
    return build_dataset(scenario, tmp_path_factory.mktemp("minimal-15d"))
