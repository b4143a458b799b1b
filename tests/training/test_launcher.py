from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import triagelab.training.queue as queue_module
from triagelab.cli import main
from triagelab.dataset import open_dataset
from triagelab.training.launcher import TriageLauncher, settings_from_environment
from triagelab.training.server import TEMPLATE, TEMPLATE_ROOT, voila_command, voila_environment


def _clock() -> str:
    return "2026-03-20T10:00:00+00:00"


def _write_roster(folder: Path) -> None:
    (folder / "roster.csv").write_text("trainee_id,name\namira,Amira Rahman\nbudi,Budi Santoso\n")


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def test_sign_in_from_roster(starter_copy: Path) -> None:
    _write_roster(starter_copy)
    launcher = TriageLauncher(starter_copy, "practice", clock=_clock)
    assert [value for _, value in launcher.trainee_input.options] == ["amira", "budi"]
    launcher.trainee_input.value = "budi"
    launcher.sign_in_button.click()
    assert launcher.app is not None
    assert launcher.app.trainee == "budi"
    assert launcher.message.value == ""
    launcher.app.save_button.click()
    assert launcher.errors == []
    assert (starter_copy / "submissions" / "budi.json").is_file()


def test_unknown_trainee_writes_nothing(starter_copy: Path) -> None:
    _write_roster(starter_copy)
    before = _files(starter_copy)
    launcher = TriageLauncher(starter_copy, "practice", "zed", clock=_clock)
    assert launcher.app is None
    assert "`zed` is not on the roster" in launcher.message.value
    assert _files(starter_copy) == before


def test_typed_trainee_without_roster(starter_copy: Path) -> None:
    launcher = TriageLauncher(starter_copy, "exam", clock=_clock)
    launcher.trainee_input.value = "  chai "
    launcher.sign_in_button.click()
    assert launcher.app is not None
    assert launcher.app.trainee == "chai"


def test_changed_bundle_writes_nothing(starter_copy: Path) -> None:
    cases = starter_copy / "cases" / "cases.parquet"
    cases.write_bytes(cases.read_bytes() + b"\0")
    before = _files(starter_copy)
    launcher = TriageLauncher(starter_copy, "practice", "amira", clock=_clock)
    assert launcher.app is None
    assert "does not match the manifest" in launcher.message.value
    assert "cases/cases.parquet" in launcher.message.value
    assert launcher.form.children == ()
    assert _files(starter_copy) == before


def test_missing_bundle_is_reported(tmp_path: Path) -> None:
    launcher = TriageLauncher(tmp_path / "nowhere", "practice", "amira", clock=_clock)
    assert launcher.app is None
    assert "dataset folder not found" in launcher.message.value
    assert not (tmp_path / "nowhere").exists()


def test_bad_roster_is_reported(starter_copy: Path) -> None:
    (starter_copy / "roster.csv").write_text("id,name\namira,Amira\n")
    launcher = TriageLauncher(starter_copy, "practice", "amira", clock=_clock)
    assert launcher.app is None
    assert "no `trainee_id` column" in launcher.message.value


def test_environment_overrides_parameters(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIAGELAB_DATASET", "/data/bundle")
    monkeypatch.setenv("TRIAGELAB_MODE", "exam")
    monkeypatch.delenv("TRIAGELAB_TRAINEE", raising=False)
    settings = settings_from_environment("synthetic/out/starter", "practice", "amira")
    assert settings.dataset == "/data/bundle"
    assert settings.mode == "exam"
    assert settings.trainee == "amira"


def test_cli_app_rejects_exam_on_build_with_key(
    starter_build: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["app", str(starter_build), "--mode", "exam"]) == 2
    assert "exam mode serves trainee bundles only" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--port", "0"], "--port 0 is out of range"),
        (["--trainee", "zed"], "--trainee `zed` is not on the roster"),
        (["--trainee", "../x"], "trainee id `../x` is invalid"),
        (["--pool-size", "-1"], "--pool-size -1 is negative"),
    ],
)
def test_cli_app_rejects_bad_input(
    starter_copy: Path, capsys: pytest.CaptureFixture[str], arguments: list[str], message: str
) -> None:
    _write_roster(starter_copy)
    assert main(["app", str(starter_copy), *arguments]) == 2
    assert message in capsys.readouterr().err


def test_cli_app_missing_dataset_exits_2(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "triagelab.cli", "app", str(tmp_path / "none")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "dataset folder not found" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_app_changed_bundle_exits_2(starter_copy: Path, tmp_path: Path) -> None:
    shutil.rmtree(starter_copy / "data" / "tickets")
    assert main(["app", str(starter_copy)]) == 2


def test_charts_are_kept_for_next_kernel(
    starter_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = TriageLauncher(starter_copy, "exam", "amira", clock=_clock)
    assert first.app is not None
    assert first.case_queue is not None
    drawn = first.app.wait_for_chart()
    # The app of this test draws one chart ahead only; draw the rest and wait for them.
    first.case_queue.draw_ahead()
    for case_id in first.case_queue.cases["case_id"]:
        assert first.case_queue.charts.wait((case_id, frozenset()), timeout=60) is not None
    first.app.close()
    folder = first.case_queue.chart_folder
    assert folder is not None
    assert folder.parent == starter_copy / "cache" / "charts"
    kept = sorted(folder.glob("*.png"))
    assert len(kept) == len(first.case_queue.cases)
    assert drawn in {path.read_bytes() for path in kept}

    def no_drawing(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("a kept chart was drawn again")

    monkeypatch.setattr(queue_module, "timeline_png", no_drawing)
    second = TriageLauncher(starter_copy, "exam", "amira", clock=_clock)
    assert second.app is not None
    assert second.app.wait_for_chart() == drawn
    second.app.close()
    assert second.errors == []
    assert open_dataset(starter_copy).verify() is None


def test_broken_kept_chart_is_drawn_again(starter_copy: Path) -> None:
    first = TriageLauncher(starter_copy, "exam", "amira", clock=_clock)
    assert first.app is not None and first.case_queue is not None
    drawn = first.app.wait_for_chart()
    first.app.close()
    case_id = str(first.app.current_case["case_id"])
    path = first.case_queue._chart_path(case_id)
    assert path is not None
    path.write_bytes(b"truncated")
    second = TriageLauncher(starter_copy, "exam", "amira", clock=_clock)
    assert second.app is not None
    assert second.app.wait_for_chart() == drawn
    second.app.close()
    assert second.errors == []
    assert path.read_bytes() == drawn


def test_voila_command_preheats_pool(tmp_path: Path) -> None:
    notebook = tmp_path / "app.ipynb"
    pooled = voila_command(notebook, 8870, pool_size=2)
    assert "--preheat_kernel=True" in pooled
    assert "--pool_size=2" in pooled
    assert "--Voila.ip=127.0.0.1" in pooled
    unpooled = voila_command(notebook, 8870, pool_size=0)
    assert not any(part.startswith(("--preheat", "--pool_size")) for part in unpooled)
    assert "--Voila.ip=127.0.0.1" in unpooled


def test_voila_template_has_no_cdn_links(tmp_path: Path) -> None:
    command = voila_command(tmp_path / "app.ipynb", 8870)
    assert f"--VoilaConfiguration.template={TEMPLATE}" in command
    folder = TEMPLATE_ROOT / "voila" / "templates" / TEMPLATE
    assert json.loads((folder / "conf.json").read_text())["base_template"] == "lab"
    page = (folder / "index.html.j2").read_text()
    assert "extends 'lab/index.html.j2'" in page
    assert "https://" not in page


def test_voila_environment_puts_template_first(tmp_path: Path) -> None:
    environment = voila_environment({"JUPYTER_PATH": "/opt/jupyter"}, tmp_path, "exam", " chai ")
    assert environment["JUPYTER_PATH"].split(os.pathsep) == [str(TEMPLATE_ROOT), "/opt/jupyter"]
    assert environment["TRIAGELAB_TRAINEE"] == "chai"
    assert voila_environment({}, tmp_path, "exam", "")["JUPYTER_PATH"] == str(TEMPLATE_ROOT)
