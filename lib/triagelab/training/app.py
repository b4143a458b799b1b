"""The triage app: a queue of cases, the case view and the decision panel, in ipywidgets."""

from __future__ import annotations

import datetime as dt
import functools
import html
import logging
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, TypeVar

import ipywidgets as widgets
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import display

from triagelab.dataset import Dataset, open_dataset
from triagelab.exceptions import InputError
from triagelab.training.feedback import feedback_html
from triagelab.training.submission import Decision, SubmissionStore
from triagelab.training.timeline import customer_timeline, timeline_chart
from triagelab.vocab import ACTION_DESCRIPTIONS, ACTIONS, FLAGS, PRIORITIES

logger = logging.getLogger(__name__)

Mode = Literal["practice", "exam"]
MODES: tuple[str, ...] = ("practice", "exam")
F = TypeVar("F", bound=Callable[..., Any])


def utc_now() -> str:
    """Return the current UTC time as ISO 8601, for decision timestamps."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def submission_path(dataset: Dataset, trainee: str) -> Path:
    """Return where a trainee's submission for a dataset is kept."""
    return dataset.root / "submissions" / f"{trainee}.json"


class TriageApp:
    """Widgets for one trainee working through one dataset's case queue.

    Parameters
    ----------
    dataset
        Built dataset or trainee bundle folder.
    trainee
        Trainee id; the submission file is named after it.
    mode
        `practice` shows feedback after each saved decision (needs the key), `exam` never does.
    clock
        Function returning the current time as ISO 8601; tests pass a fixed one.
    """

    def __init__(
        self,
        dataset: str | Path,
        trainee: str,
        mode: str = "practice",
        *,
        clock: Callable[[], str] = utc_now,
    ) -> None:
        if mode not in MODES:
            raise InputError(
                f"mode `{mode}` is not one of {', '.join(MODES)}", field="mode", value=mode
            )
        if not trainee.strip():
            raise InputError("trainee id is empty; give the id from your roster", field="trainee")
        self.dataset = open_dataset(dataset)
        self.dataset.verify()
        self.trainee = trainee.strip()
        self.mode = mode
        self.clock = clock
        self.errors: list[str] = []
        self.store = SubmissionStore(
            submission_path(self.dataset, self.trainee),
            exercise=self.dataset.scenario_id,
            trainee=self.trainee,
            fingerprint=self.dataset.fingerprint,
        )
        self.cases = self.dataset.cases().reset_index(drop=True)
        self.customers = self.dataset.table("customers").set_index("customer_id")
        self.opened_at: dict[str, str] = {}
        self.position = self._first_open_case()
        self._build_widgets()
        self.show_case(self.position)

    # -- layout ---------------------------------------------------------------------------

    def _build_widgets(self) -> None:
        self.header = widgets.HTML()
        self.queue = widgets.Select(options=[], rows=8, layout=widgets.Layout(width="260px"))
        self.queue.observe(self._guard(self._on_queue_change), names="value")
        self.profile = widgets.HTML()
        self.timeline_table = widgets.HTML(
            layout=widgets.Layout(max_height="320px", overflow="auto")
        )
        self.chart = widgets.Output()
        self.flag_boxes = {
            flag.name: widgets.Checkbox(
                description=flag.title,
                indent=False,
                tooltip=flag.definition,
                layout=widgets.Layout(width="auto"),
            )
            for flag in FLAGS
        }
        self.action = widgets.Dropdown(
            options=[(f"{a} - {ACTION_DESCRIPTIONS[a]}", a) for a in ACTIONS],
            description="Action",
            layout=widgets.Layout(width="520px"),
        )
        self.priority = widgets.ToggleButtons(
            options=list(PRIORITIES), description="Priority", value="P4"
        )
        self.confidence = widgets.IntSlider(
            value=70, min=0, max=100, step=5, description="Confidence %"
        )
        self.rationale = widgets.Text(
            placeholder="One line: what you saw and why",
            description="Rationale",
            layout=widgets.Layout(width="520px"),
        )
        self.save_button = widgets.Button(description="Save decision", button_style="primary")
        self.save_button.on_click(self._guard(self._on_save))
        self.prev_button = widgets.Button(description="Previous")
        self.prev_button.on_click(self._guard(lambda _: self.show_case(self.position - 1)))
        self.next_button = widgets.Button(description="Next")
        self.next_button.on_click(self._guard(lambda _: self.show_case(self.position + 1)))
        self.status = widgets.HTML()
        self.feedback = widgets.HTML()
        flags_grid = widgets.GridBox(
            list(self.flag_boxes.values()),
            layout=widgets.Layout(grid_template_columns="repeat(3, 240px)"),
        )
        decision = widgets.VBox(
            [
                widgets.HTML("<b>Red flags you see</b> (hover for the definition)"),
                flags_grid,
                self.action,
                self.priority,
                self.confidence,
                self.rationale,
                widgets.HBox([self.prev_button, self.save_button, self.next_button]),
                self.status,
                self.feedback,
            ]
        )
        case_view = widgets.VBox([self.profile, self.chart, self.timeline_table, decision])
        self.widget = widgets.VBox([self.header, widgets.HBox([self.queue, case_view])])

    def _guard(self, callback: F) -> F:
        """Wrap a callback so an exception is shown to the trainee and logged, never lost."""

        @functools.wraps(callback)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return callback(*args, **kwargs)
            except Exception as err:
                logger.exception("callback %s failed", getattr(callback, "__name__", callback))
                message = f"{type(err).__name__}: {err}"
                self.errors.append(message + "\n" + traceback.format_exc())
                self.status.value = (
                    f"<span style='color:#b00020'>Error: {html.escape(message)}. Your saved "
                    "decisions are safe; tell your trainer.</span>"
                )
                return None

        return wrapper  # type: ignore[return-value]

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
        return "opened" if case_id in self.opened_at else "new"

    def _refresh_queue(self) -> None:
        marks = {"decided": "✔", "opened": "…", "new": "•"}
        options = [
            (f"{marks[self.case_state(c)]} {i + 1:>2}. {c}", i)
            for i, c in enumerate(self.cases["case_id"])
        ]
        self._updating = True
        self.queue.options = options
        self.queue.value = self.position
        self._updating = False
        decided = len(self.store.submission.decisions)
        self.header.value = (
            f"<h3>Case queue of {html.escape(self.trainee)} - {self.mode} mode - "
            f"{decided} of {len(self.cases)} decided</h3>"
        )

    def _on_queue_change(self, change: dict[str, Any]) -> None:
        if getattr(self, "_updating", False) or change["new"] is None:
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
        case = self.current_case
        case_id = str(case["case_id"])
        self.opened_at.setdefault(case_id, self.clock())
        customer = self.customers.loc[case["customer_id"]]
        timezone = str(customer["home_timezone"])
        self.profile.value = _profile_html(case, customer)
        self.timeline = customer_timeline(self.dataset, str(case["customer_id"]), timezone)
        self.timeline_table.value = _timeline_html(self.timeline)
        self._draw_chart(timezone, highlight=None)
        self._load_decision(case_id)
        self.feedback.value = ""
        self.status.value = ""
        self._refresh_queue()

    def _draw_chart(self, timezone: str, highlight: set[str] | None) -> None:
        self.chart.clear_output(wait=True)
        fig = timeline_chart(self.timeline, timezone, highlight)
        with self.chart:
            display(fig)
        plt.close(fig)

    def _load_decision(self, case_id: str) -> None:
        decision = self.store.submission.decision_for(case_id)
        for name, box in self.flag_boxes.items():
            box.value = decision is not None and name in decision.flags
        self.action.value = decision.action if decision else "close"
        self.priority.value = decision.priority if decision else "P4"
        self.confidence.value = round(decision.confidence * 100) if decision else 70
        self.rationale.value = decision.rationale if decision else ""

    # -- decisions ----------------------------------------------------------------------------

    def _on_save(self, _: Any = None) -> None:
        self.save()

    def save(self) -> Decision:
        """Save the decision on screen; in practice mode, show feedback on it."""
        case_id = str(self.current_case["case_id"])
        decision = Decision(
            case_id=case_id,
            flags=[name for name, box in self.flag_boxes.items() if box.value],
            action=self.action.value,
            priority=self.priority.value,
            confidence=self.confidence.value / 100,
            rationale=self.rationale.value.strip(),
            opened_at=self.opened_at.get(case_id),
            decided_at=self.clock(),
        )
        self.store.save(decision)
        self.status.value = "<span style='color:#1b5e20'>Saved.</span>"
        if self.mode == "practice" and self.dataset.has_key:
            key = self.dataset.labels().set_index("case_id").loc[case_id]
            self.feedback.value = feedback_html(decision, key)
            evidence = set(key["evidence_event_ids"])
            customer = self.customers.loc[self.current_case["customer_id"]]
            self.timeline_table.value = _timeline_html(self.timeline, evidence)
            self._draw_chart(str(customer["home_timezone"]), evidence)
        self._refresh_queue()
        return decision


def _profile_html(case: pd.Series, customer: pd.Series) -> str:
    rows = {
        "Case": f"{case['case_id']} opened {case['opened_at']:%Y-%m-%d %H:%M} UTC "
        f"({case['alert_source']}, score {case['score']:.0f})",
        "Customer": f"{customer['full_name']} ({case['customer_id']})",
        "Country / time zone": f"{customer['country']} / {customer['home_timezone']}",
        "Born / occupation": f"{customer['birth_year']} / {customer['occupation']}",
        "Declared income": f"USD {customer['declared_monthly_income_usd']:,.0f} a month",
        "Segment / KYC tier": f"{customer['segment']} / {customer['kyc_tier']}",
        "Customer since": f"{customer['signup_at']:%Y-%m-%d}",
    }
    cells = "".join(
        f"<tr><th style='text-align:left;padding-right:1em'>{html.escape(k)}</th>"
        f"<td>{html.escape(str(v))}</td></tr>"
        for k, v in rows.items()
    )
    return f"<table>{cells}</table>"


def _timeline_html(timeline: pd.DataFrame, highlight: set[str] | None = None) -> str:
    highlight = highlight or set()
    lines = []
    for row in timeline.itertuples():
        style = " style='background:#ffe0e0;font-weight:bold'" if row.event_id in highlight else ""
        lines.append(
            f"<tr{style}><td>{row.local}</td><td>{row.utc}</td><td>{html.escape(row.kind)}</td>"
            f"<td>{html.escape(row.what)}</td><td>{html.escape(row.detail)}</td></tr>"
        )
    head = "<tr><th>local</th><th>UTC</th><th>kind</th><th>event</th><th>detail</th></tr>"
    return f"<table class='timeline'>{head}{''.join(lines)}</table>"
