"""The case queue of one dataset in memory: cases, their customers, events and charts."""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pandas as pd

from triagelab.dataset import Dataset
from triagelab.training.charts import ChartCache
from triagelab.training.timeline import (
    CustomerEvents,
    counterparties_seen,
    customer_timeline,
    devices_seen,
    read_queue_events,
    timeline_png,
)
from triagelab.training.views import (
    case_header_html,
    case_view_html,
    profile_html,
    seen_html,
    timeline_html,
)

logger = logging.getLogger(__name__)

# A chart is keyed by its case and the evidence event ids it marks (none before feedback).
ChartKey = tuple[str, frozenset[str]]
NO_HIGHLIGHT: frozenset[str] = frozenset()
# Folder of a dataset where charts without evidence marks are kept for every kernel that
# serves it, one subfolder per fingerprint and chart style.
CHART_FOLDER = "cache/charts"
# NOTE: change this whenever `timeline_chart` draws differently, or servers keep showing
# the charts drawn by the earlier code.
CHART_STYLE = "seaborn-scatter-2"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class CaseView:
    """The HTML pieces of one case's view without feedback, and the timeline it shows.

    The timeline and the devices and counterparties hold events up to the case's
    `opened_at` only, because an agent triaging the case then could not see later ones.
    """

    case_id: str
    timeline: pd.DataFrame
    header: str
    profile: str
    table: str
    seen: str

    def html(self, table: str | None = None) -> str:
        """Return the whole case view as one HTML value, with `table` in place of the timeline."""
        timeline = self.table if table is None else table
        return case_view_html(self.case_id, self.header, self.profile, timeline, self.seen)


def events_until(events: CustomerEvents, until: pd.Timestamp) -> CustomerEvents:
    """Return the events at or before `until`."""
    return CustomerEvents(
        auth=events.auth[events.auth["ts"] <= until],
        transactions=events.transactions[events.transactions["ts"] <= until],
        tickets=events.tickets[events.tickets["ts"] <= until],
    )


class CaseQueue:
    """Everything the app shows about the cases of one dataset, read once per kernel.

    The trainee-visible tables are read for the queue's customers only. Timelines are built
    once per customer and charts drawn once per case, so every sign-in in the kernel and
    every visit to a case reuses them, and so is the HTML of each case view. The chart
    drawing thread builds a case's view before its chart, so views of cases ahead are ready
    too. Nothing here reads the answer key: charts with
    evidence marks are drawn only for keys the app passes after a saved decision.

    Parameters
    ----------
    dataset
        Dataset already opened and verified.
    keep_charts
        Also keep charts without marks as PNG files under `CHART_FOLDER` in the dataset, so
        the next kernel serving it (a page reload, a restarted server) reads them instead
        of drawing. Charts with evidence marks are kept in memory only.
    """

    def __init__(self, dataset: Dataset, *, keep_charts: bool = False) -> None:
        self.dataset = dataset
        self.chart_folder = (
            dataset.root / CHART_FOLDER / f"{dataset.fingerprint}-{CHART_STYLE}"
            if keep_charts
            else None
        )
        self.cases = dataset.cases().reset_index(drop=True)
        customer_ids = sorted(set(self.cases["customer_id"]))
        self.customers = dataset.table(
            "customers", filters=[("customer_id", "in", customer_ids)]
        ).set_index("customer_id")
        self.events = read_queue_events(dataset, list(self.cases["customer_id"]))
        self._timelines: dict[str, pd.DataFrame] = {}
        self._views: dict[str, CaseView] = {}
        self._cache_lock = threading.Lock()
        self.charts = ChartCache(self.draw_chart)
        logger.info(
            "read %d cases of %d customers from %s",
            len(self.cases),
            len(customer_ids),
            dataset.root,
        )

    def timezone(self, customer_id: str) -> str:
        """Return the customer's home time zone, in which the app shows local times."""
        return str(self.customers.loc[customer_id, "home_timezone"])

    def events_of(self, customer_id: str) -> CustomerEvents:
        """Return a customer's auth events, transactions and tickets."""
        return self.events[customer_id]

    def timeline(self, customer_id: str) -> pd.DataFrame:
        """Return a customer's merged timeline, built on first use and kept."""
        with self._cache_lock:
            cached = self._timelines.get(customer_id)
        if cached is not None:
            return cached
        built = customer_timeline(
            self.dataset, customer_id, self.timezone(customer_id), self.events_of(customer_id)
        )
        with self._cache_lock:
            return self._timelines.setdefault(customer_id, built)

    def view(self, case_id: str) -> CaseView:
        """Return the view of a case without feedback, built on first use and kept."""
        with self._cache_lock:
            cached = self._views.get(case_id)
        if cached is not None:
            return cached
        case = self.cases.loc[self.cases["case_id"] == case_id].iloc[0]
        customer_id = str(case["customer_id"])
        timezone = self.timezone(customer_id)
        opened_at = case["opened_at"]
        events = events_until(self.events_of(customer_id), opened_at)
        full = self.timeline(customer_id)
        timeline = full[full["ts"] <= opened_at].reset_index(drop=True)
        built = CaseView(
            case_id=case_id,
            timeline=timeline,
            header=case_header_html(case_id, opened_at),
            profile=profile_html(case, self.customers.loc[customer_id]),
            table=timeline_html(timeline),
            seen=seen_html(devices_seen(events), counterparties_seen(events), timezone),
        )
        with self._cache_lock:
            return self._views.setdefault(case_id, built)

    def draw_chart(self, key: Hashable) -> bytes:
        """Draw the timeline chart of a case as PNG; runs in the chart drawing thread."""
        case_id, highlight = cast(ChartKey, key)
        view = self.view(case_id)
        path = self._chart_path(case_id) if not highlight else None
        if path is not None and path.is_file():
            png = path.read_bytes()
            if png.startswith(PNG_SIGNATURE):
                return png
            logger.warning("%s is not a PNG file; drawing the chart again", path)
        customer_id = str(self.cases.loc[self.cases["case_id"] == case_id, "customer_id"].iloc[0])
        png = timeline_png(view.timeline, self.timezone(customer_id), set(highlight) or None)
        if path is not None:
            try:
                _replace_file(path, png)
            except OSError as err:
                # The chart is still shown; only the copy for later kernels is lost.
                logger.warning("not keeping charts in %s: %s", self.chart_folder, err)
                self.chart_folder = None
        return png

    def _chart_path(self, case_id: str) -> Path | None:
        if self.chart_folder is None:
            return None
        # Case ids come from the dataset; hashing them keeps any id a safe file name.
        name = hashlib.sha256(case_id.encode()).hexdigest()[:24]
        return self.chart_folder / f"{name}.png"

    def chart_priorities(self, position: int, reach: int | None = None) -> dict[Hashable, int]:
        """Return the plain charts around a queue position: next cases first, then earlier.

        `reach` limits them to that many cases after and before the position; None takes
        the whole queue.
        """
        count = len(self.cases)
        limit = count if reach is None else min(count, reach + 1)
        case_ids = self.cases["case_id"]
        priorities: dict[Hashable, int] = {}
        for distance in range(1, limit):
            for step, rank in ((distance, 2 * distance - 1), (-distance, 2 * distance)):
                key = (str(case_ids.iloc[(position + step) % count]), NO_HIGHLIGHT)
                priorities.setdefault(key, rank)
        return priorities

    def draw_ahead(self, reach: int | None = None) -> None:
        """Start drawing the charts of the queue from its first case, before any page request."""
        first = (str(self.cases["case_id"].iloc[0]), NO_HIGHLIGHT)
        self.charts.request({first: 0, **self.chart_priorities(0, reach)})


def _replace_file(path: Path, content: bytes) -> None:
    """Write a file under a temporary name and rename it, so no reader sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
