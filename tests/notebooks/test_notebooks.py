from __future__ import annotations

from pathlib import Path

import nbformat
import papermill
import pytest

from triagelab.reports.runner import declared_parameters, run_report

from ..conftest import REPO

NOTEBOOKS = sorted((REPO / "notebooks").rglob("*.ipynb"))
pytestmark = pytest.mark.notebook


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_committed_without_outputs(notebook: Path) -> None:
    node = nbformat.read(notebook, as_version=4)
    tagged = [c for c in node.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    for cell in node.cells:
        if cell.cell_type == "code":
            assert cell.outputs == []
            assert cell.execution_count is None


def test_triage_notebook_runs(starter_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "triage.ipynb"
    papermill.execute_notebook(
        str(REPO / "notebooks/training/triage_exercise.ipynb"), str(out),
        parameters={"dataset": str(starter_copy), "trainee": "nb-trainee", "mode": "practice"},
        kernel_name="python3", progress_bar=False,
    )
    executed = nbformat.read(out, as_version=4)
    widget_outputs = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs
                      if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert widget_outputs


def test_weekly_report_parameters_have_types_and_help() -> None:
    declared = declared_parameters(REPO / "notebooks/reports/weekly_behavior_shifts.ipynb")
    assert declared["baseline_weeks"]["inferred_type_name"] == "int"
    for name in ("dataset", "week_start", "baseline_weeks", "country"):
        assert declared[name]["help"], name


def test_weekly_report_renders_html_without_code(starter_build: Path, tmp_path: Path) -> None:
    executed, html = run_report(
        "weekly_behavior_shifts",
        {"dataset": str(starter_build), "week_start": "2026-03-09", "baseline_weeks": "1",
         "country": "all"},
        tmp_path,
    )
    assert html is not None
    text = html.read_text()
    assert "Findings" in text
    assert text.count("<img") >= 2
    assert "validate_parameters" not in text
    assert "import " not in text
