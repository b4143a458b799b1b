from __future__ import annotations

import html
import json
import sys
import threading
from pathlib import Path

import pytest
from ipywidgets import Widget
from ipywidgets.widgets import widget as widget_module

import triagelab.training.app as app_module
import triagelab.training.queue as queue_module
from triagelab.cases import write_bundle
from triagelab.dataset import Dataset, open_dataset
from triagelab.exceptions import InputError, SubmissionError
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


def _widget_states() -> str:
    states = [widget.get_state() for widget in list(widget_module._instances.values())]
    return json.dumps(states, default=lambda value: repr(value))


def test_widget_state_has_no_key_before_save(starter_copy: Path) -> None:
    labels = open_dataset(starter_copy).labels().set_index("case_id")
    Widget.close_all()
    app = TriageApp(starter_copy, "amira", "practice", clock=_clock)
    assert len(widget_module._instances) > 50
    for _ in range(len(app.cases)):
        case_id = str(app.current_case["case_id"])
        key = labels.loc[case_id]
        state = _widget_states()
        assert key["explanation"] not in state
        assert key["typology"] not in state
        for event_id in key["evidence_event_ids"]:
            assert event_id not in state
        for word in ("expected_action", "explanation", "typology", "evidence"):
            assert word not in state
        app.next_button.click()
    assert app.errors == []


def test_feedback_reaches_widgets_after_save(starter_copy: Path) -> None:
    labels = open_dataset(starter_copy).labels().set_index("case_id")
    app = TriageApp(starter_copy, "amira", "practice", clock=_clock)
    case_id = str(app.current_case["case_id"])
    app.save_button.click()
    assert app.errors == []
    assert labels.loc[case_id, "explanation"] in html.unescape(app.feedback.value)
    assert "class='evidence'" in app.case_view.value


def test_exam_mode_never_reads_key(starter_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key_dir = str(starter_copy / "key")
    opened: list[str] = []

    def record_open(event: str, args: tuple[object, ...]) -> None:
        if event == "open" and args and str(args[0]).startswith(key_dir):
            opened.append(str(args[0]))

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the answer key was read in exam mode")

    sys.addaudithook(record_open)
    monkeypatch.setattr(app_module, "read_key_row", refuse)
    monkeypatch.setattr(Dataset, "labels", refuse)
    monkeypatch.setattr(Dataset, "has_key", property(refuse))
    app = TriageApp(starter_copy, "amira", "exam", clock=_clock)
    for _ in range(3):
        app.save_button.click()
        app.prev_button.click()
        app.next_button.click()
        app.next_button.click()
    app.submit_button.click()
    app.submit_button.click()
    assert app.errors == []
    assert app.handed_in
    assert opened == []
    assert app.feedback.value == ""


def test_hand_in_locks_decisions(starter_copy: Path) -> None:
    app = TriageApp(starter_copy, "amira", "exam", clock=_clock)
    app.save_button.click()
    app.submit_button.click()
    app.submit_button.click()
    assert app.errors == []
    assert "Handed in: 1 of 15" in app.status.value
    assert app.save_button.disabled
    saved = load_submission(starter_copy / "submissions" / "amira.json")
    assert saved.submitted
    with pytest.raises(InputError, match="already handed in"):
        app.save()


def test_hand_in_rejected_in_practice(starter_copy: Path) -> None:
    app = TriageApp(starter_copy, "amira", "practice", clock=_clock)
    with pytest.raises(InputError, match="only an exam"):
        app.hand_in()


def test_reopen_shows_earlier_decision_and_feedback(starter_copy: Path) -> None:
    app = TriageApp(starter_copy, "amira", "practice", clock=_clock)
    app.flag_boxes["new_device"].value = True
    app.action.value = "monitor"
    app.confidence.value = 40
    app.save_button.click()
    again = TriageApp(starter_copy, "amira", "practice", clock=_clock)
    again.show_case(0)
    assert again.errors == []
    assert again.flag_boxes["new_device"].value
    assert again.action.value == "monitor"
    assert again.confidence.value == 40
    assert "Decided earlier" in again.status.value
    assert "Flags missed" in again.feedback.value
    assert "(decided)" in again.queue.options[0][0]
    assert "(opened)" in again.queue.options[1][0]
    assert "(new)" in again.queue.options[2][0]


def test_queue_marks_opened_cases(starter_copy: Path) -> None:
    app = TriageApp(starter_copy, "amira", "exam", clock=_clock)
    app.next_button.click()
    app.queue.value = 4
    assert app.errors == []
    states = [label.rsplit("(", 1)[1].rstrip(")") for label, _ in app.queue.options]
    assert states[:5] == ["opened", "opened", "new", "new", "opened"]
    assert app.position == 4
    assert "0 of 15 decided" in app.header.value


def test_case_view_lists_devices_and_counterparties(starter_copy: Path) -> None:
    dataset = open_dataset(starter_copy)
    app = TriageApp(starter_copy, "viewer", "exam", clock=_clock)
    for position in range(len(app.cases)):
        app.show_case(position)
        customer_id = str(app.current_case["customer_id"])
        auth = dataset.table("auth_events", filters=[("customer_id", "==", customer_id)])
        before = auth["ts"] <= app.current_case["opened_at"]
        for device in set(auth.loc[before, "device_id"]):
            assert device in app.case_view.value
        for device in set(auth.loc[~before, "device_id"]) - set(auth.loc[before, "device_id"]):
            assert device not in app.case_view.value
        assert "USD" in app.case_view.value
        png = app.wait_for_chart()
        assert png.startswith(b"\x89PNG")
        assert bytes(app.chart.value) == png
        assert "triagelab-chart-pending" not in app.chart._dom_classes
    assert app.errors == []
    app.close()
    assert not (starter_copy / "submissions" / "viewer.json").exists()


def test_concurrent_sessions_keep_every_decision(starter_copy: Path) -> None:
    first = TriageApp(starter_copy, "amira", "exam", clock=_clock)
    second = TriageApp(starter_copy, "amira", "exam", clock=_clock)
    other = TriageApp(starter_copy, "budi", "exam", clock=_clock)

    def decide(app: TriageApp, positions: range) -> None:
        for position in positions:
            app.show_case(position)
            app.save()

    threads = [
        threading.Thread(target=decide, args=(first, range(0, 15, 2))),
        threading.Thread(target=decide, args=(second, range(1, 15, 2))),
        threading.Thread(target=decide, args=(other, range(0, 5))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    amira = load_submission(starter_copy / "submissions" / "amira.json")
    budi = load_submission(starter_copy / "submissions" / "budi.json")
    assert len(amira.decisions) == 15
    assert len(budi.decisions) == 5
    assert {d.case_id for d in budi.decisions} == set(other.cases["case_id"][:5])


@pytest.mark.parametrize("trainee", ["../escape", "a/b", " ", "x" * 65])
def test_invalid_trainee_id_is_rejected(starter_build: Path, trainee: str) -> None:
    with pytest.raises(InputError, match="trainee id"):
        TriageApp(starter_build, trainee, "exam")


def test_next_chart_is_drawn_ahead(starter_copy: Path) -> None:
    app = TriageApp(starter_copy, "viewer", "exam", clock=_clock)
    first = app.wait_for_chart()
    next_case = str(app.cases["case_id"].iloc[app.position + 1])
    ahead = app.charts.wait((next_case, frozenset()), timeout=60)
    assert ahead is not None
    app.next_button.click()
    assert bytes(app.chart.value) == ahead
    assert ahead != first
    assert "triagelab-chart-pending" not in app.chart._dom_classes
    assert app.chart.layout.visibility == "visible"
    assert app.errors == []
    app.close()


def test_chart_of_other_case_is_hidden_until_drawn(starter_copy: Path) -> None:
    app = TriageApp(starter_copy, "viewer", "exam", clock=_clock)
    app.wait_for_chart()
    far = len(app.cases) // 2
    app.show_case(far)
    if app.charts.get((str(app.current_case["case_id"]), frozenset())) is None:
        assert "triagelab-chart-pending" in app.chart._dom_classes
        assert app.chart.layout.visibility == "hidden"
    png = app.wait_for_chart()
    assert bytes(app.chart.value) == png
    assert app.chart.layout.visibility == "visible"
    app.close()


def test_feedback_redraws_chart_with_evidence(starter_copy: Path) -> None:
    labels = open_dataset(starter_copy).labels().set_index("case_id")
    app = TriageApp(starter_copy, "amira", "practice", clock=_clock)
    order = list(app.cases["case_id"])
    position = next(i for i, c in enumerate(order) if len(labels.loc[c, "evidence_event_ids"]))
    app.show_case(position)
    plain = app.wait_for_chart()
    app.save_button.click()
    marked = app.wait_for_chart()
    assert app.errors == []
    assert marked != plain
    assert bytes(app.chart.value) == marked
    evidence = frozenset(labels.loc[order[position], "evidence_event_ids"])
    assert app.charts.get((order[position], evidence)) == marked
    app.close()


def test_chart_failure_is_logged_and_shown(
    starter_copy: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> bytes:
        raise RuntimeError("no fonts")

    monkeypatch.setattr(queue_module, "timeline_png", broken)
    app = TriageApp(starter_copy, "viewer", "exam", clock=_clock)
    with pytest.raises(TimeoutError, match="was not drawn"):
        app.wait_for_chart(timeout=60)
    app.close()
    assert any("no fonts" in error for error in app.errors)
    assert "RuntimeError: no fonts" in app.status.value
    assert "triagelab-error" in app.status.value
    assert any("timeline chart" in r.message and r.exc_info for r in caplog.records)


def test_opened_cases_survive_reload(starter_copy: Path) -> None:
    app = TriageApp(starter_copy, "amira", "exam", clock=_clock)
    app.next_button.click()
    app.next_button.click()
    app.close()
    opened = starter_copy / "submissions" / "amira.opened"
    assert opened.is_file()
    assert not (starter_copy / "submissions" / "amira.json").exists()

    def later() -> str:
        return "2026-03-21T09:00:00+00:00"

    again = TriageApp(starter_copy, "amira", "exam", clock=later)
    again.close()
    states = [label.rsplit("(", 1)[1].rstrip(")") for label, _ in again.queue.options]
    assert states[:4] == ["opened", "opened", "opened", "new"]
    case_id = str(again.cases["case_id"].iloc[1])
    assert again.opened_at[case_id] == _clock()
    again.show_case(1)
    assert again.save().opened_at == _clock()


def test_corrupt_opened_file_is_rejected(starter_copy: Path) -> None:
    folder = starter_copy / "submissions"
    folder.mkdir()
    (folder / "amira.opened").write_text("{not json")
    with pytest.raises(SubmissionError, match="not a valid list of opened cases") as caught:
        TriageApp(starter_copy, "amira", "exam", clock=_clock)
    assert caught.value.path == folder / "amira.opened"
    assert (folder / "amira.opened").read_text() == "{not json"


def test_hand_in_asks_for_confirmation(starter_copy: Path) -> None:
    app = TriageApp(starter_copy, "amira", "exam", clock=_clock)
    app.save_button.click()
    app.submit_button.click()
    assert app.errors == []
    assert not app.handed_in
    assert app.submit_button.description == "Confirm hand-in: 1 of 15 decided"
    assert "14 cases are undecided" in app.status.value
    assert not load_submission(starter_copy / "submissions" / "amira.json").submitted
    # Opening another case withdraws the request, so the count shown is never stale.
    app.next_button.click()
    assert app.submit_button.description == "Hand in exam"
    app.save_button.click()
    app.submit_button.click()
    assert app.submit_button.description == "Confirm hand-in: 2 of 15 decided"
    app.submit_button.click()
    assert app.handed_in
    assert "Handed in: 2 of 15" in app.status.value


def test_timeline_stops_at_case_opening(starter_copy: Path) -> None:
    dataset = open_dataset(starter_copy)
    labels = dataset.labels().set_index("case_id")
    app = TriageApp(starter_copy, "viewer", "practice", clock=_clock)
    later_seen = 0
    for position in range(len(app.cases)):
        app.show_case(position)
        case = app.current_case
        customer_id = str(case["customer_id"])
        transactions = dataset.table("transactions", filters=[("customer_id", "==", customer_id)])
        later_seen += int((transactions["ts"] > case["opened_at"]).sum())
        assert (app.timeline["ts"] <= case["opened_at"]).all()
        assert f"events up to {case['opened_at']:%Y-%m-%d %H:%M} UTC" in app.case_view.value
        evidence = set(labels.loc[case["case_id"], "evidence_event_ids"])
        assert evidence <= set(app.timeline["event_id"])
    # The starter build has events after some case openings, so the cut was exercised.
    assert later_seen > 0
    assert app.errors == []
    app.close()


def test_feedback_mentions_evidence_only_when_present(starter_copy: Path) -> None:
    labels = open_dataset(starter_copy).labels().set_index("case_id")
    app = TriageApp(starter_copy, "amira", "practice", clock=_clock)
    counts = set()
    for position in range(len(app.cases)):
        app.show_case(position)
        case_id = str(app.current_case["case_id"])
        app.save_button.click()
        count = len(labels.loc[case_id, "evidence_event_ids"])
        counts.add(count > 0)
        assert ("highlighted in the timeline" in app.feedback.value) == (count > 0)
        assert app.case_view.value.count("class='evidence'") == count
    assert counts == {True, False}
    assert app.errors == []
    app.close()


def test_case_view_is_one_value_per_case(starter_copy: Path) -> None:
    app = TriageApp(starter_copy, "amira", "exam", clock=_clock)
    for position in (0, 1, 2):
        app.show_case(position)
        case_id = str(app.current_case["case_id"])
        value = app.case_view.value
        assert value.startswith(f"<div class='triagelab-case' data-case='{html.escape(case_id)}'>")
        assert f"data-case='{html.escape(case_id)}' style=" in value
        assert "class='timeline'" in value
    app.close()
