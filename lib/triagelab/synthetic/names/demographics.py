"""Load occupations and monthly income bands that fit each country."""

from __future__ import annotations

import logging
import math
from functools import cache
from importlib import resources
from typing import Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from triagelab.synthetic.countries import COUNTRY_CODES, Fact, get_country

logger = logging.getLogger(__name__)

_DATA_FILE = "occupations.yaml"
_SCHEMA = "triagelab.occupations/1"
_WEIGHT_TOLERANCE = 1e-6


class Occupation(BaseModel):
    """An occupation and its share of customers."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    weight: float = Field(gt=0, le=1)


class IncomeBand(BaseModel):
    """A band of gross monthly personal income in local currency, and its share of customers."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    label: str
    monthly_min: float = Field(ge=0)
    monthly_max: float | None
    """Exclusive upper bound, or ``None`` for the open top band."""
    weight: float = Field(gt=0, le=1)
    currency: str = ""

    @model_validator(mode="after")
    def _check_bounds(self) -> Self:
        if self.monthly_max is not None and self.monthly_max <= self.monthly_min:
            raise ValueError(
                f"income band `{self.label}` has monthly_max {self.monthly_max} "
                f"not above monthly_min {self.monthly_min}"
            )
        return self


class CountryDemographics(Fact):
    """Occupations and income bands of one country, with their provenance."""

    occupations: tuple[Occupation, ...] = Field(min_length=1)
    income_bands: tuple[IncomeBand, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _check_weights(self) -> Self:
        for label, weights in (
            ("occupation", [o.weight for o in self.occupations]),
            ("income band", [b.weight for b in self.income_bands]),
        ):
            total = math.fsum(weights)
            if abs(total - 1.0) > _WEIGHT_TOLERANCE:
                raise ValueError(f"{label} weights sum to {total}; expected 1")
        return self


@cache
def _load_demographics() -> dict[str, CountryDemographics]:
    text = resources.files("triagelab").joinpath("data", _DATA_FILE).read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    if raw.get("schema") != _SCHEMA:
        raise ValueError(f"{_DATA_FILE} has schema `{raw.get('schema')}`; expected `{_SCHEMA}`")

    demographics = {}
    for code in COUNTRY_CODES:
        entry = raw["countries"].get(code)
        if entry is None:
            raise ValueError(f"{_DATA_FILE} has no entry for country `{code}`")
        currency = get_country(code).currency.code
        for band in entry.get("income_bands", []):
            band.setdefault("currency", currency)
        demographics[code] = CountryDemographics.model_validate(entry)
    logger.debug("loaded demographics for %d countries from %s", len(demographics), _DATA_FILE)
    return demographics


def country_demographics(country: str) -> CountryDemographics:
    """Return the occupations and income bands of ``country`` with their provenance.

    Raises
    ------
    ValueError
        If ``country`` is not in ``COUNTRY_CODES``.
    """
    get_country(country)
    return _load_demographics()[country]


def occupations(country: str) -> tuple[Occupation, ...]:
    """Return the illustrative occupations of ``country`` with sampling weights summing to 1.

    Raises
    ------
    ValueError
        If ``country`` is not in ``COUNTRY_CODES``.
    """
    return country_demographics(country).occupations


def income_bands(country: str) -> tuple[IncomeBand, ...]:
    """Return the monthly income bands of ``country`` in local currency, lowest first.

    Raises
    ------
    ValueError
        If ``country`` is not in ``COUNTRY_CODES``.
    """
    return country_demographics(country).income_bands
