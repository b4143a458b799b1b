"""The typology model: a story that injects behaviour into one customer's timeline."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from triagelab.synthetic.activity import DAY, Window
from triagelab.synthetic.frames import AUTH_COLUMNS, TICKET_COLUMNS, TX_COLUMNS, build_frame
from triagelab.synthetic.population import DEVICE_MODELS, Population
from triagelab.vocab import Flag

Kind = Literal["suspicious", "benign"]
SUBTLETY_NOTE = (
    "0 shows every sign of the story; towards 1 the story leaves out the loudest signs "
    "(night hours, foreign IPs, scam wording) so only the core evidence remains."
)


@dataclass
class StoryContext:
    """What a typology needs to write one customer's story."""

    rng: np.random.Generator
    population: Population
    row: int
    window: Window
    subtlety: float
    anchor: int  # UTC epoch second around which the story's key events happen
    structuring_threshold: float | None  # local currency; None where the country has none
    # Market windows of the scenario as (start, end) UTC epoch seconds.
    congestion: tuple[tuple[str, int, int], ...] = ()  # (chain, start, end)
    volatility: tuple[tuple[int, int], ...] = ()
    # Rows of the shard that play a case; stories that touch other customers avoid them.
    case_rows: frozenset[int] = frozenset()

    @property
    def customer(self) -> pd.Series:
        """The customer's row in the customers table."""
        return self.population.customers.iloc[self.row]

    @property
    def customer_id(self) -> str:
        """The customer's id."""
        return str(self.customer["customer_id"])

    @property
    def income_usd(self) -> float:
        """The customer's declared monthly income in USD."""
        return float(self.customer["declared_monthly_income_usd"])

    def local_to_utc(self, day_start: int, local_hour: float) -> int:
        """Return the UTC epoch second of a local hour on the day starting at `day_start`."""
        offset = self.population.offsets_hours[self.row]
        return int(day_start + round((local_hour - offset) * 3600))

    def local_day_start(self, ts: int) -> int:
        """Return the UTC epoch second at which the customer's local day containing `ts` starts."""
        offset = int(self.population.offsets_hours[self.row] * 3600)
        return (ts + offset) // DAY * DAY - offset

    def count(self, subtle: tuple[int, int], obvious: tuple[int, int]) -> int:
        """Draw how many times a story repeats a step.

        The count comes from `subtle` (low, high exclusive) when the story is more than
        half subtle, else from `obvious`, in one draw of the story's generator.
        """
        low, high = subtle if self.subtlety > 0.5 else obvious
        return int(self.rng.integers(low, high))

    def subtle(self, probability_when_obvious: float) -> bool:
        """Return True with a probability that shrinks as the story gets subtler."""
        return bool(self.rng.random() < probability_when_obvious * (1 - self.subtlety))


@dataclass
class Story:
    """Rows a typology adds, the flags they produce and the explanation for the trainer."""

    flags: list[str]
    explanation: str
    auth: list[dict[str, Any]] = field(default_factory=list)
    transactions: list[dict[str, Any]] = field(default_factory=list)
    tickets: list[dict[str, Any]] = field(default_factory=list)
    customer_updates: dict[str, Any] = field(default_factory=dict)

    def login(
        self,
        ctx: StoryContext,
        ts: int,
        *,
        event_type: str = "login",
        device_id: str | None = None,
        model_index: int | None = None,
        ip_address: str | None = None,
        ip_country: str | None = None,
        evidence: bool = False,
    ) -> None:
        """Add an auth event, on the customer's primary device and home IP unless told."""
        pop = ctx.population
        slot_model = int(pop.device_models[ctx.row, 0]) if model_index is None else model_index
        model, system = DEVICE_MODELS[slot_model]
        self.auth.append(
            {
                "customer_id": ctx.customer_id,
                "ts": ts,
                "event_type": event_type,
                "device_id": device_id or pop.devices[ctx.row, 0],
                "device_model": model,
                "os": system,
                "ip_address": ip_address or pop.ips[ctx.row, 0],
                "ip_country": ip_country or ctx.customer["country"],
                "evidence": evidence,
            }
        )

    def transaction(self, ctx: StoryContext, ts: int, tx_type: str, **columns: Any) -> None:
        """Add a transaction; pass `usd_amount` or `fiat_amount`, and `evidence=True` if key."""
        row = {"customer_id": ctx.customer_id, "ts": ts, "tx_type": tx_type, **columns}
        self.transactions.append(row)

    def ticket(self, ctx: StoryContext, ts: int, category: str, **columns: Any) -> None:
        """Add a support ticket; `message="<scam-coached>"` picks a coached victim's text."""
        self.tickets.append(
            {"customer_id": ctx.customer_id, "ts": ts, "category": category, **columns}
        )

    def frames(self) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """Return the story's auth, transaction and ticket rows as frames."""
        return (
            _to_frame(AUTH_COLUMNS, self.auth),
            _to_frame(TX_COLUMNS, self.transactions),
            _to_frame(TICKET_COLUMNS, self.tickets, extra=("amount_text", "asset_text")),
        )


def _to_frame(
    columns: dict[str, Any], rows: list[dict[str, Any]], extra: tuple[str, ...] = ()
) -> pd.DataFrame:
    if not rows:
        return build_frame(columns, {"ts": np.array([], dtype=np.int64)})
    layout = {**columns, **{name: None for name in extra}}
    data = {
        name: np.array([r.get(name, default) for r in rows], dtype=object)
        for name, default in layout.items()
    }
    data["ts"] = np.array([r["ts"] for r in rows], dtype=np.int64)
    for numeric in ("fiat_amount", "usd_amount"):
        if numeric in data:
            data[numeric] = np.array([r.get(numeric, np.nan) for r in rows], dtype=float)
    data["evidence"] = np.array([bool(r.get("evidence", False)) for r in rows])
    return build_frame(layout, data)


@dataclass(frozen=True)
class Typology:
    """A story that produces flags, with the action and priority a good agent would choose.

    Attributes
    ----------
    name
        Identifier used in scenarios and keys.
    kind
        `suspicious`, or `benign` for look-alikes that share flags with suspicious stories.
    title
        Short human-readable name.
    flags
        Every flag the story can produce; a subtle variant may produce fewer.
    expected_action, expected_priority
        What the answer key expects.
    summary
        One or two sentences a trainer reads in the key.
    segments
        Segments whose customers can play the story; empty for any segment.
    inject
        Function that writes the story for one customer.
    fatf_categories
        FATF (2020) red-flag categories the story illustrates.
    requires
        What the scenario must offer: `congestion` (a congestion window), `volatility`
        (a volatility episode) or `reporting_threshold` (a country with a threshold).
    look_alike_of
        For a benign story, the suspicious typologies it is easily mistaken for.
    """

    name: str
    kind: Kind
    title: str
    flags: tuple[str, ...]
    expected_action: str
    expected_priority: str
    summary: str
    inject: Callable[[StoryContext], Story]
    segments: tuple[str, ...] = ()
    fatf_categories: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    look_alike_of: tuple[str, ...] = ()

    def to_dict(self, flags: dict[str, Flag] | None = None) -> dict[str, Any]:
        """Return the catalogue entry as a plain dictionary, for JSON output."""
        return {
            "name": self.name,
            "kind": self.kind,
            "title": self.title,
            "flags": list(self.flags),
            "expected_action": self.expected_action,
            "expected_priority": self.expected_priority,
            "summary": self.summary,
            "segments": list(self.segments),
            "fatf_categories": list(self.fatf_categories),
            "requires": list(self.requires),
            "look_alike_of": list(self.look_alike_of),
            "subtlety": SUBTLETY_NOTE,
        }
