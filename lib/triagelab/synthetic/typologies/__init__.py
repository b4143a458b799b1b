"""Typology catalogue: suspicious stories and the benign look-alikes that share their flags."""

from __future__ import annotations

from typing import TYPE_CHECKING

from triagelab.synthetic.typologies.base import Story, StoryContext, Typology
from triagelab.synthetic.typologies.benign import BENIGN_TYPOLOGIES
from triagelab.synthetic.typologies.benign_money import MONEY_LOOKALIKES
from triagelab.synthetic.typologies.laundering import LAUNDERING_TYPOLOGIES
from triagelab.synthetic.typologies.scams import SCAM_TYPOLOGIES
from triagelab.synthetic.typologies.takeover import TAKEOVER_TYPOLOGIES

if TYPE_CHECKING:
    from triagelab.scenarios import Scenario

TYPOLOGIES: dict[str, Typology] = {
    typology.name: typology
    for typology in (
        *TAKEOVER_TYPOLOGIES,
        *LAUNDERING_TYPOLOGIES,
        *SCAM_TYPOLOGIES,
        *BENIGN_TYPOLOGIES,
        *MONEY_LOOKALIKES,
    )
}


def infeasible_typologies(scenario: Scenario) -> list[str]:
    """Return one message per typology the scenario asks for but cannot supply.

    A typology can need a congestion window, a volatility episode, a country with a
    reporting threshold, or customers in its segments.
    """
    from triagelab.synthetic.facts import structuring_threshold

    problems = []
    segments = {name for name, share in scenario.segments.items() if share > 0}
    countries = sorted(code for code, share in scenario.countries.items() if share > 0)
    for mix in scenario.cases.typologies:
        if mix.count == 0:
            continue
        typology = TYPOLOGIES[mix.name]
        if "congestion" in typology.requires and not scenario.market.congestion:
            problems.append(
                f"typology `{mix.name}` needs a congestion window; add one under "
                "`market.congestion` or drop the typology"
            )
        if "volatility" in typology.requires and not scenario.market.volatility:
            problems.append(
                f"typology `{mix.name}` needs a volatility episode; add one under "
                "`market.volatility` or drop the typology"
            )
        if "reporting_threshold" in typology.requires:
            lacking = [code for code in countries if structuring_threshold(code) is None]
            if lacking:
                problems.append(
                    f"typology `{mix.name}` needs a reporting threshold, but "
                    f"{', '.join(lacking)} has none; remove those countries or the typology"
                )
        if typology.segments and not segments & set(typology.segments):
            problems.append(
                f"typology `{mix.name}` plays only in segments "
                f"{', '.join(typology.segments)}, which have no share in `segments`"
            )
    return problems


__all__ = ["TYPOLOGIES", "Story", "StoryContext", "Typology", "infeasible_typologies"]
