"""Fixtures of the grading tests: a small exercise folder built once per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from triagelab.grading.variants import assign_exercise
from triagelab.scenarios import load_scenario

from ..conftest import FIXTURES


@pytest.fixture(scope="session")
def minimal_exercise(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Assign the minimal scenario to the three trainees of the good roster, once."""
    scenario = load_scenario(FIXTURES / "scenarios" / "good_minimal.yaml")
    out = tmp_path_factory.mktemp("exercises") / "week1"
    return assign_exercise(scenario, FIXTURES / "rosters" / "good.csv", out)


@pytest.fixture
def exercise_copy(minimal_exercise: Path, tmp_path: Path) -> Path:
    """Copy the minimal exercise for a test that adds submissions or grades."""
    target = tmp_path / minimal_exercise.name
    shutil.copytree(minimal_exercise, target)
    return target
