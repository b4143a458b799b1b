"""The triage app: a queue of cases, the case view and the decision panel, in ipywidgets."""

from __future__ import annotations

import datetime as dt
import functools
import html
import logging
import threading
import traceback
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, Literal, TypeVar

import ipywidgets as widgets
import pandas as pd

from triagelab.dataset import KEY_DIR, TRAINEE_DIRS, Dataset, open_dataset
from triagelab.exceptions import DatasetError, InputError
from triagelab.training.feedback import feedback_html
from triagelab.training.queue import NO_HIGHLIGHT, CaseQueue, ChartKey
from triagelab.training.settings import check_mode, check_trainee_id
from triagelab.training.submission import Decision, SubmissionStore
from triagelab.training.views import flag_glossary_html, timeline_html
from triagelab.vocab import ACTION_DESCRIPTIONS, ACTIONS, FLAGS, PRIORITIES

logger = logging.getLogger(__name__)

Mode = Literal["practice", "exam"]
F = TypeVar("F", bound=Callable[..., Any])
STATE_MARKS = {"decided": "✔", "opened": "◐", "new": "○"}


def utc_now() -> str:
    """Return the current UTC time as ISO 8601, for decision timestamps."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def submission_path(dataset: Dataset, trainee: str) -> Path:
    """Return where a trainee's submission for a dataset is kept."""
    return dataset.root / "submissions" / f"{trainee}.json"


def read_key_row(dataset: Dataset, case_id: str) -> pd.Series:
    """Read the answer key row of one case, with a Parquet filter so no other row is loaded."""
    path = dataset.root / KEY_DIR / "labels.parquet"
    rows = pd.read_parquet(path, filters=[("case_id", "==", case_id)])
    if rows.empty:
        raise DatasetError(f"{path}: no key row for case `{case_id}`", path=path, value=case_id)
    key = rows.iloc[0].copy()
    for column in ("flags", "evidence_event_ids"):
        key[column] = list(key[column])
    return key


def verify_for_mode(dataset: Dataset, mode: str) -> None:
    """Check the dataset's files against its manifest, skipping key/ in exam mode.

    `Dataset.verify` hashes every listed file, the key included. An exam session must not
    open the key, so it checks the trainee-visible files and the fingerprint only.

    Raises
    ------
    DatasetError
        Naming the first missing or changed file.
    """
    if mode != "exam":
        dataset.verify()
        return
    listed = dataset.manifest["files"]
    visible = {
        name: value for name, value in listed.items() if name.split("/", 1)[0] in TRAINEE_DIRS
    }
    trainee_view = Dataset(dataset.root, {**dataset.manifest, "files": visible})
    trainee_view.verify()


class TriageApp:
    """Widgets for one trainee working through one dataset's case queue.

    Parameters
    ----------
    dataset
        Built dataset or trainee bundle folder, or a `Dataset` already opened and verified.
    trainee
        Trainee id; the submission file is named after it.
    mode
        `practice` shows feedback after each saved decision (needs the key). `exam` never
        reads the key and ends with a hand-in button.
    clock
        Function returning the current time as ISO 8601; tests pass a fixed one.
    queue
        The dataset's case queue already read, with the charts it has drawn; by default
        the app reads its own.

    Attributes
    ----------
    draw_ahead
        How many cases after and before the one on screen get their charts drawn in the
        background; None draws the whole queue, nearest cases first.
    """

    draw_ahead: int | None = None

    def __init__(
        self,
        dataset: str | Path | Dataset,
        trainee: str,
        mode: str = "practice",
        *,
        clock: Callable[[], str] = utc_now,
        queue: CaseQueue | None = None,
    ) -> None:
        check_mode(mode)
        self.trainee = check_trainee_id(trainee)
        if isinstance(dataset, Dataset):
            self.dataset = dataset
        else:
            self.dataset = open_dataset(dataset)
            verify_for_mode(self.dataset, mode)
        self.mode = mode
        self.clock = clock
        self.errors: list[str] = []
        self.store = SubmissionStore(
            submission_path(self.dataset, self.trainee),
            exercise=str(self.dataset.manifest.get("exercise", self.dataset.scenario_id)),
            trainee=self.trainee,
            fingerprint=self.dataset.fingerprint,
        )
        # Practice feedback needs the key. Exam mode never looks for it, not even its path.
        self.feedback_available = mode == "practice" and self.dataset.has_key
        self.case_queue = queue if queue is not None else CaseQueue(self.dataset)
        self.cases = self.case_queue.cases
        self.customers = self.case_queue.customers
        self.position = self._first_open_case()
        self.timeline = pd.DataFrame()
        self._updating = False
        # The chart on screen and the one it should show; guarded by the lock because the
        # drawing thread sets the chart widget when a chart it drew is the one expected.
        self._chart_lock = threading.Lock()
        self._chart_expected: ChartKey | None = None
        self._chart_shown: ChartKey | None = None
        self.charts = self.case_queue.charts
        self.charts.listen(self._on_chart_ready, self._on_chart_failed)
        self._build_widgets()
        self.show_case(self.position)

    @property
    def opened_at(self) -> dict[str, str]:
        """When each case was first opened by this trainee, kept across reloads."""
        return self.store.opened_at

    # -- layout ---------------------------------------------------------------------------

    def _build_widgets(self) -> None:
        self.header = widgets.HTML()
        self.progress = widgets.IntProgress(
            min=0, max=len(self.cases), description="Progress", layout={"width": "260px"}
        )
        self.queue = widgets.Select(options=[], rows=16, layout=widgets.Layout(width="260px"))
        self.queue.observe(self._guard(self._on_queue_change), names="value")

        # Heading, profile card, timeline and devices of the case on screen, in one value.
        self.case_view = widgets.HTML()
        self.chart = widgets.Image(format="png", layout=widgets.Layout(max_width="760px"))

        # Each flag cell is as wide as its title, so no title is cut or covers its neighbour.
        self.flag_boxes = {
            flag.name: widgets.Checkbox(
                description=flag.title,
                indent=False,
                tooltip=flag.definition,
                layout=widgets.Layout(width="max-content"),
            )
            for flag in FLAGS
        }
        glossary = widgets.Accordion(children=[widgets.HTML(flag_glossary_html())])
        glossary.set_title(0, "Flag definitions")
        glossary.selected_index = None

        self.action = widgets.Dropdown(
            options=[(f"{a} - {ACTION_DESCRIPTIONS[a]}", a) for a in ACTIONS],
            description="Action",
            layout=widgets.Layout(width="520px"),
        )
        self.priority = widgets.ToggleButtons(
            options=list(PRIORITIES), description="Priority", value="P4"
        )
        self.confidence = widgets.IntSlider(
            value=70,
            min=0,
            max=100,
            step=5,
            description="Confidence %",
            style={"description_width": "initial"},
        )
        self.rationale = widgets.Text(
            placeholder="One line: what you saw and why",
            description="Rationale",
            layout=widgets.Layout(width="520px"),
        )

        self.save_button = widgets.Button(
            description="Save decision", button_style="primary", tooltip="Save this decision"
        )
        self.save_button.on_click(self._guard(self._on_save))
        self.prev_button = widgets.Button(description="Previous", tooltip="Previous case")
        self.prev_button.on_click(self._guard(lambda _: self.show_case(self.position - 1)))
        self.next_button = widgets.Button(description="Next", tooltip="Next case")
        self.next_button.on_click(self._guard(lambda _: self.show_case(self.position + 1)))
        self.submit_button = widgets.Button(
            description="Hand in exam",
            button_style="danger",
            tooltip="Hand in every saved decision; no changes afterwards",
            layout=widgets.Layout(display="" if self.mode == "exam" else "none"),
        )
        self.submit_button.on_click(self._guard(self._on_submit))
        self._hand_in_requested = False

        self.status = widgets.HTML()
        self.feedback = widgets.HTML()

        flags_grid = widgets.GridBox(
            list(self.flag_boxes.values()),
            layout=widgets.Layout(
                grid_template_columns="repeat(2, max-content)", grid_gap="2px 24px"
            ),
        )
        flags_grid.add_class("triagelab-flags")
        decision = widgets.VBox(
            [
                widgets.HTML("<b>Red flags you see</b> (definitions below the list)"),
                flags_grid,
                glossary,
                self.action,
                self.priority,
                self.confidence,
                self.rationale,
                widgets.HBox([self.prev_button, self.save_button, self.next_button]),
                self.status,
                self.feedback,
            ]
        )

        case_view = widgets.VBox([self.case_view, self.chart, decision])
        side = widgets.VBox([self.progress, self.queue, self.submit_button])
        self.widget = widgets.VBox([self.header, widgets.HBox([side, case_view])])
        self.widget.add_class("triagelab-app")
        for name in ("queue", "action", "rationale", "feedback", "status", "chart", "confidence"):
            getattr(self, name).add_class(f"triagelab-{name}")

    def _guard(self, callback: F) -> F:
        """Wrap a callback so an exception is shown to the trainee and logged, never lost."""

        @functools.wraps(callback)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return callback(*args, **kwargs)
            except Exception as err:
                logger.exception("callback %s failed", getattr(callback, "__name__", callback))
                self._show_error(err, traceback.format_exc())
                return None

        return wrapper  # type: ignore[return-value]

    def _show_error(self, err: BaseException, details: str) -> None:
        """Keep an error with its traceback and show it in the status line."""
        message = f"{type(err).__name__}: {err}"
        self.errors.append(message + "\n" + details)
        self.status.value = (
            f"<span class='triagelab-error' style='color:#b00020'>Error: "
            f"{html.escape(message)}. Your saved decisions are safe; tell your "
            "trainer.</span>"
        )

    # -- state ----------------------------------------------------------------------------

    def _first_open_case(self) -> int:
        decided = {d.case_id for d in self.store.submission.decisions}
        for index, case_id in enumerate(self.cases["case_id"]):
            if case_id not in decided:
                return index
        return 0

    def case_state(self, case_id: str) -> str:
        """Return `decided`, `opened` or `new` for a case."""
        if self.store.submission.decision_for(case_id) is not None:
            return "decided"
        return "opened" if case_id in self.store.opened_at else "new"

    @property
    def handed_in(self) -> bool:
        """True once the trainee has handed in the exam."""
        return self.store.submission.submitted

    def _refresh_queue(self) -> None:
        options = []
        for index, case_id in enumerate(self.cases["case_id"]):
            state = self.case_state(case_id)
            options.append((f"{STATE_MARKS[state]} {index + 1:>2}. {case_id} ({state})", index))
        self._updating = True
        try:
            # One message for the options and the selection, so a key pressed in the list
            # meanwhile never acts on options without a selection.
            with self.queue.hold_sync():
                self.queue.options = options
                self.queue.value = self.position
        finally:
            self._updating = False
        decided = len(self.store.submission.decisions)
        self.progress.value = decided
        handed = " - handed in" if self.handed_in else ""
        self.header.value = (
            f"<h3 class='triagelab-header'>Case queue of {html.escape(self.trainee)} - "
            f"{self.mode} mode - <span class='triagelab-progress'>{decided} of "
            f"{len(self.cases)} decided</span>{handed}</h3>"
        )

    def _on_queue_change(self, change: dict[str, Any]) -> None:
        if self._updating or change["new"] is None:
            return
        self.show_case(int(change["new"]))

    # -- case view --------------------------------------------------------------------------

    @property
    def current_case(self) -> pd.Series:
        """The case on screen."""
        return self.cases.iloc[self.position]

    def show_case(self, position: int) -> None:
        """Show the case at `position` in the queue (wrapping at both ends)."""
        self.position = position % len(self.cases)
        case_id = str(self.current_case["case_id"])
        view = self.case_queue.view(case_id)
        self.timeline = view.timeline
        self._cancel_hand_in()
        self.feedback.value = ""
        self.status.value = ""
        decision = self.store.submission.decision_for(case_id)
        if decision is not None and self.feedback_available:
            self._show_feedback(decision)
        else:
            self.case_view.value = view.html()
            # The chart of this case usually was drawn in the background, so showing it
            # only sends PNG bytes; charts of the cases around it are drawn next.
            self._show_chart((case_id, NO_HIGHLIGHT))
        self._load_decision(case_id)
        self._draw_charts_around(self.position)
        # The opened mark is written to disk last, after the case view went to the browser.
        self.store.mark_opened(case_id, self.clock())
        self._refresh_queue()

    # -- charts ---------------------------------------------------------------------------

    def _show_chart(self, key: ChartKey) -> None:
        """Show the chart of `key` now if it is drawn, or as soon as it is.

        The chart of another case is hidden meanwhile, so a trainee never reads a chart
        under the wrong profile. The same case's chart without marks stays up while the
        marked one is drawn.
        """
        png = self.charts.get(key)
        with self._chart_lock:
            self._chart_expected = key
            if png is not None:
                self._set_chart(key, png)
            elif self._chart_shown is None or self._chart_shown[0] != key[0]:
                self.chart.add_class("triagelab-chart-pending")
                self.chart.layout.visibility = "hidden"
        if png is None:
            self.charts.request({key: 0, **self._priorities_around(self.position)})

    def _set_chart(self, key: ChartKey, png: bytes) -> None:
        # Called with `_chart_lock` held. The value and the class go in one message, so the
        # page never shows the new class with the old picture.
        with self.chart.hold_sync():
            self.chart.value = png
            self.chart.remove_class("triagelab-chart-pending")
        self.chart.layout.visibility = "visible"
        self._chart_shown = key

    def _priorities_around(self, position: int) -> dict[Hashable, int]:
        return self.case_queue.chart_priorities(position, self.draw_ahead)

    def _draw_charts_around(self, position: int) -> None:
        with self._chart_lock:
            expected = self._chart_expected
        priorities = self._priorities_around(position)
        if expected is not None and self.charts.get(expected) is None:
            priorities[expected] = 0
        self.charts.request(priorities)

    def _on_chart_ready(self, key: Hashable, png: bytes) -> None:
        with self._chart_lock:
            if key == self._chart_expected and key != self._chart_shown:
                self._set_chart(key, png)  # type: ignore[arg-type]

    def _on_chart_failed(self, key: Hashable, err: BaseException) -> None:
        details = "".join(traceback.format_exception(err))
        self._show_error(err, details)

    def wait_for_chart(self, timeout: float = 60.0) -> bytes:
        """Block until the chart the case view expects is on screen, and return its PNG.

        Raises
        ------
        TimeoutError
            If the chart is not drawn within `timeout` seconds or its drawing failed.
        """
        with self._chart_lock:
            key = self._chart_expected
        if key is None:
            raise TimeoutError("no chart is expected; show a case first")
        png = self.charts.wait(key, timeout)
        if png is None:
            raise TimeoutError(f"the chart of case `{key[0]}` was not drawn within {timeout} s")
        with self._chart_lock:
            if self._chart_expected == key and self._chart_shown != key:
                self._set_chart(key, png)
        return png

    def close(self) -> None:
        """Stop drawing charts in the background; the queue's charts are then not drawn."""
        self.charts.close()

    def _load_decision(self, case_id: str) -> Decision | None:
        decision = self.store.submission.decision_for(case_id)
        for name, box in self.flag_boxes.items():
            box.value = decision is not None and name in decision.flags
        self.action.value = decision.action if decision else "close"
        self.priority.value = decision.priority if decision else "P4"
        self.confidence.value = round(decision.confidence * 100) if decision else 70
        self.rationale.value = decision.rationale if decision else ""
        if decision is not None:
            decided_at = html.escape(decision.decided_at or "")
            self.status.value = (
                f"<span class='triagelab-earlier'>Decided earlier ({decided_at}); "
                "saving again replaces that decision.</span>"
            )
        self._set_editable(not self.handed_in)
        return decision

    def _set_editable(self, editable: bool) -> None:
        for control in (
            *self.flag_boxes.values(),
            self.action,
            self.priority,
            self.confidence,
            self.rationale,
            self.save_button,
            self.submit_button,
        ):
            control.disabled = not editable

    # -- decisions ----------------------------------------------------------------------------

    def _on_save(self, _: Any = None) -> None:
        self.save()

    def save(self) -> Decision:
        """Save the decision on screen; in practice mode, show feedback on it."""
        if self.handed_in:
            raise InputError("the exam is already handed in; decisions can no longer change")
        case_id = str(self.current_case["case_id"])
        decision = Decision(
            case_id=case_id,
            flags=[name for name, box in self.flag_boxes.items() if box.value],
            action=self.action.value,
            priority=self.priority.value,
            confidence=self.confidence.value / 100,
            rationale=self.rationale.value.strip(),
            opened_at=self.store.opened_at.get(case_id),
            decided_at=self.clock(),
        )
        self.store.save(decision)
        self._cancel_hand_in()
        self.status.value = (
            f"<span class='triagelab-saved' style='color:#1b5e20'>Saved decision on "
            f"{html.escape(case_id)}.</span>"
        )
        if self.feedback_available:
            self._show_feedback(decision)
        self._refresh_queue()
        return decision

    def _show_feedback(self, decision: Decision) -> None:
        """Read the key row of the decided case and show feedback with the evidence marked.

        This is the only place that reads the key, and it runs only for a saved decision.
        """
        key = read_key_row(self.dataset, decision.case_id)
        evidence = set(key["evidence_event_ids"])
        view = self.case_queue.view(decision.case_id)
        self.case_view.value = view.html(timeline_html(view.timeline, evidence))
        self.feedback.value = feedback_html(decision, key)
        self._show_chart((decision.case_id, frozenset(evidence)))

    def _on_submit(self, _: Any = None) -> None:
        if self._hand_in_requested:
            self.hand_in()
        else:
            self.request_hand_in()

    def request_hand_in(self) -> None:
        """Ask the trainee to confirm the hand-in, saying how many cases are undecided.

        The hand-in button turns into the confirm button; saving a decision or opening
        another case turns it back.
        """
        if self.mode != "exam":
            raise InputError("only an exam is handed in; practice decisions are kept as saved")
        decided = len(self.store.submission.decisions)
        undecided = len(self.cases) - decided
        self._hand_in_requested = True
        self.submit_button.description = f"Confirm hand-in: {decided} of {len(self.cases)} decided"
        cases = "case is" if undecided == 1 else "cases are"
        self.status.value = (
            f"<span class='triagelab-confirm'>{undecided} {cases} undecided. After the "
            "hand-in no decision can change; click Confirm hand-in to hand in now, or go on "
            "working.</span>"
        )

    def _cancel_hand_in(self) -> None:
        if self._hand_in_requested:
            self._hand_in_requested = False
            self.submit_button.description = "Hand in exam"

    def hand_in(self) -> None:
        """Hand in the exam: mark the submission as submitted and lock the decision panel."""
        if self.mode != "exam":
            raise InputError("only an exam is handed in; practice decisions are kept as saved")
        self.store.finish()
        self._hand_in_requested = False
        self.submit_button.description = "Handed in"
        self._set_editable(False)
        decided = len(self.store.submission.decisions)
        self.status.value = (
            f"<span class='triagelab-handed-in'>Handed in: {decided} of {len(self.cases)} "
            "cases decided. You can close this page.</span>"
        )
        self._refresh_queue()
