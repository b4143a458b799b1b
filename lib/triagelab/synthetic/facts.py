"""The country facts the generator reads, drawn from the sourced country profiles."""

from __future__ import annotations

from functools import cache

from triagelab.synthetic.countries import load_countries


@cache
def currency_code(country: str) -> str:
    """Return the ISO 4217 currency of a country."""
    return load_countries()[country].currency.code


@cache
def usd_rate(country: str) -> float:
    """Return units of local currency per US dollar (illustrative rate)."""
    return float(load_countries()[country].usd_rate.value)


@cache
def usd_rates_by_currency() -> dict[str, float]:
    """Return units per US dollar keyed by currency code."""
    return {p.currency.code: float(p.usd_rate.value) for p in load_countries().values()}


@cache
def time_zones(country: str) -> tuple[tuple[str, float], ...]:
    """Return the country's IANA time zones with the share of people living in each."""
    return tuple((z.zone, z.weight) for z in load_countries()[country].timezones.zones)


@cache
def rail_names(country: str) -> tuple[str, ...]:
    """Return the fiat rails customers of a country deposit with."""
    return tuple(rail.name for rail in load_countries()[country].fiat_rails)


@cache
def structuring_threshold(country: str) -> float | None:
    """Return the local-currency amount that structuring stays under.

    The lowest reporting threshold in the local currency; where a country has none, the
    travel-rule threshold, above which extra originator data is collected. None where the
    country has neither above zero.
    """
    profile = load_countries()[country]
    amounts = [
        profile.to_local(t.amount, t.currency)
        for t in profile.reporting_thresholds
        if t.amount is not None and t.amount > 0
    ]
    if amounts:
        return min(amounts)
    travel = profile.travel_rule_threshold_local()
    return travel if travel else None
