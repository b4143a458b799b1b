"""Fixtures for the app tests: charts drawn ahead only next to the case on screen."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from triagelab.training.app import TriageApp


@pytest.fixture(autouse=True)
def draw_one_chart_ahead(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Draw one chart ahead and behind, so test apps do not draw whole queues meanwhile."""
    monkeypatch.setattr(TriageApp, "draw_ahead", 1)
    yield
