from __future__ import annotations

import re
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


# Analyst reports: each runs on two scenarios, checks parameters in its first code cell and
# renders HTML without code.
REPORTS = {
    "weekly_behavior_shifts": {"week_start": "2026-03-09", "baseline_weeks": "1", "country": "all"},
    "alert_quality": {"agents": "2", "budget": "0.5"},
    "support_kpis": {"split_date": "2026-03-09", "country": "all", "churn_days": "3"},
}


def _assert_html_without_code(html: Path) -> None:
    text = html.read_text(encoding="utf-8")
    assert "Findings" in text
    assert text.count("<img") >= 2
    code_cells = re.findall(r'class="jp-Cell jp-CodeCell([^"]*)"', text)
    assert len(code_cells) >= 5
    for classes in code_cells:
        assert "jp-mod-noInput" in classes
    assert "hl-ipython3" not in text
    assert "validate_parameters" not in text
    assert "import " not in text


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(REPORTS))
def test_report_runs_on_starter(name: str, starter_build: Path, tmp_path: Path) -> None:
    _, html = run_report(name, {"dataset": str(starter_build), **REPORTS[name]}, tmp_path)
    assert html is not None
    _assert_html_without_code(html)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(REPORTS))
def test_report_runs_on_second_scenario(
    name: str, minimal_two_week_build: Path, starter_other_seed_build: Path, tmp_path: Path
) -> None:
    parameters = {"dataset": str(minimal_two_week_build), **REPORTS[name]}
    if name == "alert_quality":
        parameters["train_dataset"] = str(starter_other_seed_build)
    _, html = run_report(name, parameters, tmp_path)
    assert html is not None
    _assert_html_without_code(html)


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_report_parameters_have_types_and_help(name: str) -> None:
    declared = declared_parameters(REPO / "notebooks" / "reports" / f"{name}.ipynb")
    assert "dataset" in declared
    for parameter, info in declared.items():
        assert info["inferred_type_name"] in {"str", "int", "float"}, parameter
        assert info["help"], parameter


BAD_PARAMETERS = [
    ("weekly_behavior_shifts", "country", "XX", "not one of"),
    ("weekly_behavior_shifts", "country", "VN", "no customers in 'VN'"),
    ("weekly_behavior_shifts", "week_start", "2025-01-06", "starts before the data"),
    ("weekly_behavior_shifts", "week_start", "2026-03-12", "runs past the end of the data"),
    ("weekly_behavior_shifts", "week_start", "09/03/2026", "YYYY-MM-DD"),
    ("weekly_behavior_shifts", "baseline_weeks", "0", "1 or more"),
    ("alert_quality", "budget", "0", "above 0"),
    ("alert_quality", "rules", "no/such/rules.yaml", "not found"),
    ("alert_quality", "agents", "0", "1 or more"),
    ("support_kpis", "split_date", "2026-13-01", "YYYY-MM-DD"),
    ("support_kpis", "split_date", "2027-01-01", "no tickets on one side"),
    ("support_kpis", "country", "ID", "no customers in 'ID'"),
    ("support_kpis", "churn_days", "0", "1 or more"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "parameter", "value", "words"), BAD_PARAMETERS)
def test_bad_parameter_fails_in_first_cell(
    name: str, parameter: str, value: str, words: str, starter_build: Path, tmp_path: Path
) -> None:
    parameters = {"dataset": str(starter_build), **REPORTS[name], parameter: value}
    with pytest.raises(papermill.PapermillExecutionError) as raised:
        run_report(name, parameters, tmp_path, html=False)
    error = raised.value
    assert error.ename == "ParameterError"
    assert f"parameter `{parameter}`" in error.evalue
    assert words in error.evalue
    assert "\n" not in error.evalue
    executed = nbformat.read(tmp_path / f"{name}.ipynb", as_version=4)
    code = [cell for cell in executed.cells if cell.cell_type == "code"]
    failed = [i for i, cell in enumerate(code) if any(o.get("output_type") == "error"
                                                       for o in cell.outputs)]
    # Code cells: parameters, injected parameters, then the validation cell.
    assert failed == [2]
    assert "validate_parameters" in code[2].source


def test_bad_parameter_exits_2_from_cli(
    starter_build: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from triagelab.cli import main

    code = main(["-q", "report", "support_kpis", "-p", "dataset", str(starter_build),
                 "-p", "split_date", "yesterday", "--out", str(tmp_path)])
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "`split_date`" in err


def test_empty_dataset_folder_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(papermill.PapermillExecutionError, match="has no table"):
        run_report("weekly_behavior_shifts", {"dataset": str(tmp_path / "empty")},
                   tmp_path / "out", html=False)
