"""Sign-in in front of the triage app: dataset checks, roster and trainee id."""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from pathlib import Path

import ipywidgets as widgets

from triagelab.dataset import Dataset, open_dataset
from triagelab.exceptions import InputError
from triagelab.training.app import TriageApp, utc_now, verify_for_mode
from triagelab.training.queue import CaseQueue
from triagelab.training.settings import (
    ROSTER,
    check_mode,
    check_trainee_id,
    read_roster,
    settings_from_environment,
)

__all__ = ["TriageLauncher", "settings_from_environment"]

logger = logging.getLogger(__name__)


class TriageLauncher:
    """Check the dataset, sign the trainee in and open the triage app.

    A missing dataset, files that do not match the manifest, a bad mode or a trainee id
    not on the roster are shown as a message, and nothing is written.

    The dataset is verified and its case queue read once, here, and the queue's charts are
    drawn in the background from then on, or read from the dataset's chart folder where an
    earlier kernel left them. With Voila's preheated kernels this runs before
    a trainee requests the page, so signing in only reads the trainee's submission.

    Parameters
    ----------
    dataset
        Built dataset or trainee bundle folder.
    mode
        `practice` or `exam`.
    trainee
        Trainee id to sign in at once; empty to show the sign-in form.
    clock
        Function returning the current time as ISO 8601; tests pass a fixed one.
    """

    def __init__(
        self,
        dataset: str | Path,
        mode: str = "practice",
        trainee: str = "",
        *,
        clock: Callable[[], str] = utc_now,
    ) -> None:
        self.clock = clock
        self.mode = mode
        self.app: TriageApp | None = None
        self.dataset: Dataset | None = None
        self.roster: dict[str, str] | None = None
        self.case_queue: CaseQueue | None = None
        self.message = widgets.HTML()
        self.form = widgets.HBox()
        self.body = widgets.VBox()
        self.widget = widgets.VBox([self.message, self.form, self.body])
        try:
            check_mode(mode)
            dataset_ = open_dataset(dataset)
            verify_for_mode(dataset_, mode)
            self.roster = read_roster(dataset_.root)
            self.case_queue = CaseQueue(dataset_, keep_charts=True)
        except InputError as err:
            self._show_error(err)
            return
        self.case_queue.draw_ahead()
        self.dataset = dataset_
        self._build_form()
        if trainee:
            self.sign_in(trainee)

    @property
    def errors(self) -> list[str]:
        """Errors caught in the callbacks of the signed-in app."""
        return self.app.errors if self.app is not None else []

    def _show_error(self, err: Exception) -> None:
        logger.error("triage app not opened: %s", err)
        self.message.value = (
            f"<div class='triagelab-error' style='color:#b00020;font-weight:bold'>"
            f"{html.escape(str(err))}</div>"
        )

    def _build_form(self) -> None:
        if self.roster is not None:
            options = [
                (f"{name} ({tid})" if name else tid, tid) for tid, name in self.roster.items()
            ]
            self.trainee_input: widgets.Dropdown | widgets.Text = widgets.Dropdown(
                options=options, description="Trainee"
            )
        else:
            self.trainee_input = widgets.Text(placeholder="your trainee id", description="Trainee")
        self.sign_in_button = widgets.Button(description="Sign in", button_style="primary")
        self.sign_in_button.on_click(lambda _: self.sign_in(str(self.trainee_input.value or "")))
        self.trainee_input.add_class("triagelab-trainee")
        self.form.children = [self.trainee_input, self.sign_in_button]

    def sign_in(self, trainee: str) -> TriageApp | None:
        """Open the app for `trainee`, or show why not; return the app if it opened."""
        if self.dataset is None or self.case_queue is None:
            return None
        try:
            trainee = check_trainee_id(trainee)
            if self.roster is not None and trainee not in self.roster:
                raise InputError(
                    f"trainee id `{trainee}` is not on the roster {self.dataset.root / ROSTER}; "
                    "pick your id from the list or ask your trainer",
                    path=self.dataset.root / ROSTER,
                    field="trainee",
                    value=trainee,
                )
            self.app = TriageApp(
                self.dataset, trainee, self.mode, clock=self.clock, queue=self.case_queue
            )
        except InputError as err:
            self._show_error(err)
            return None
        logger.info("trainee %s signed in (%s mode) on %s", trainee, self.mode, self.dataset.root)
        self.message.value = ""
        self.form.children = []
        self.body.children = [self.app.widget]
        return self.app
