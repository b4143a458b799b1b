"""Practice-mode feedback: how a decision compares with the answer key."""

from __future__ import annotations

import html

import pandas as pd

from triagelab.training.submission import Decision
from triagelab.vocab import FLAGS_BY_NAME


def _titles(names: set[str]) -> str:
    if not names:
        return "none"
    return ", ".join(html.escape(FLAGS_BY_NAME[n].title) for n in sorted(names))


def feedback_html(decision: Decision, key: pd.Series) -> str:
    """Return feedback on one decision: flags right, missed and extra, action and priority."""
    expected = set(key["flags"])
    chosen = set(decision.flags)
    action_ok = decision.action == key["expected_action"]
    priority_ok = decision.priority == key["expected_priority"]
    mark = {True: "✔", False: "✘"}
    return (
        "<div style='border-left:4px solid #555;padding-left:8px'>"
        f"<b>Flags right:</b> {_titles(expected & chosen)}<br>"
        f"<b>Flags missed:</b> {_titles(expected - chosen)}<br>"
        f"<b>Flags extra:</b> {_titles(chosen - expected)}<br>"
        f"<b>Action</b> {mark[action_ok]} expected {html.escape(key['expected_action'])}, "
        f"you chose {html.escape(decision.action)}<br>"
        f"<b>Priority</b> {mark[priority_ok]} expected {html.escape(key['expected_priority'])}, "
        f"you chose {html.escape(decision.priority)}<br>"
        f"<b>What happened:</b> {html.escape(key['explanation'])}"
        f"{_evidence_note(len(key['evidence_event_ids']))}</div>"
    )


def _evidence_note(count: int) -> str:
    # Routine cases have no evidence events, so there is nothing marked to point to.
    if count == 0:
        return ""
    events = "event is" if count == 1 else "events are"
    return (
        f"<br><i>The {count} evidence {events} highlighted in the timeline and circled "
        "in the chart.</i>"
    )
