from __future__ import annotations

import json
from pathlib import Path

import pytest

from triagelab.cases import write_bundle
from triagelab.exceptions import InputError
from triagelab.training.app import TriageApp
from triagelab.training.submission import load_submission


def _clock() -> str:
    return "2026-03-20T10:00:00+00:00"


def test_save_writes_submission_at_once(starter_copy: Path) -> None:
    app = TriageApp(starter_copy, "amira", "exam", clock=_clock)
    app.flag_boxes["new_device"].value = True
    app.action.value = "escalate_security"
    app.priority.value = "P1"
    app.rationale.value = "new phone then withdrawal"
    app.save_button.click()
    assert app.errors == []
    saved = load_submission(starter_copy / "submissions" / "amira.json")
    assert len(saved.decisions) == 1
    decision = saved.decisions[0]
    assert decision.flags == ["new_device"]
    assert decision.action == "escalate_security"
    assert decision.decided_at == _clock()


def test_resume_starts_after_decided_cases(starter_copy: Path) -> None:
    app = TriageApp(starter_copy, "amira", "exam", clock=_clock)
    for _ in range(3):
        app.save_button.click()
        app.next_button.click()
    assert app.errors == []
    again = TriageApp(starter_copy, "amira", "exam", clock=_clock)
    assert again.position == 3
    assert len(again.store.submission.decisions) == 3
    again.show_case(0)
    assert again.action.value == "close"


def test_practice_feedback_after_save_only(starter_copy: Path) -> None:
    app = TriageApp(starter_copy, "amira", "practice", clock=_clock)
    assert app.feedback.value == ""
    app.save_button.click()
    assert app.errors == []
    assert "Flags missed" in app.feedback.value


def test_exam_mode_shows_no_feedback(starter_copy: Path) -> None:
    app = TriageApp(starter_copy, "amira", "exam", clock=_clock)
    app.save_button.click()
    assert app.feedback.value == ""


def test_bundle_app_has_no_key(starter_build: Path, tmp_path: Path) -> None:
    bundle = write_bundle(starter_build, tmp_path)
    app = TriageApp(bundle, "amira", "practice", clock=_clock)
    app.save_button.click()
    assert app.errors == []
    assert app.feedback.value == ""
    saved = json.loads((bundle / "submissions" / "amira.json").read_text())
    assert saved["dataset_fingerprint"] == app.dataset.fingerprint


def test_callback_error_is_shown_and_kept(
    starter_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = TriageApp(starter_copy, "amira", "exam", clock=_clock)

    def broken(*args: object) -> None:
        raise OSError("disk unplugged")

    monkeypatch.setattr(app.store, "save", broken)
    app.save_button.click()
    assert "disk unplugged" in app.status.value
    assert len(app.errors) == 1


def test_unknown_mode_is_rejected(starter_build: Path) -> None:
    with pytest.raises(InputError, match="mode `quiz`"):
        TriageApp(starter_build, "amira", "quiz")
