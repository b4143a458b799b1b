"""Load the country profiles (currency, rails, thresholds, time zones) from package data."""

from __future__ import annotations

import logging
import math
import re
import zoneinfo
from functools import cache
from importlib import resources
from typing import Generic, Literal, Self, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

logger = logging.getLogger(__name__)

COUNTRY_CODES: tuple[str, ...] = ("SG", "MY", "TH", "VN", "ID", "PH")
"""ISO 3166-1 alpha-2 codes of the countries the generator covers."""

NAME_GROUPS: tuple[str, ...] = (
    "chinese",
    "malay",
    "indian",
    "filipino",
    "thai",
    "vietnamese",
    "indonesian",
)
"""Naming traditions that ``name_pool`` can generate."""

_DATA_FILE = "countries.yaml"
_SCHEMA = "triagelab.countries/1"
_WEIGHT_TOLERANCE = 1e-6
# Language subtag, optional region subtag: the BCP 47 forms this file uses (en, en-SG, fil-PH).
_LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Z]{2})?$")

T = TypeVar("T")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Fact(_Frozen):
    """A value with its provenance: a ``source`` or the ``illustrative`` mark, or both."""

    source: str | None = None
    illustrative: bool = False
    note: str | None = None

    @model_validator(mode="after")
    def _require_provenance(self) -> Self:
        if not self.source and not self.illustrative:
            raise ValueError("a fact needs `source:` or `illustrative: true`")
        return self


class Sourced(Fact, Generic[T]):
    """A single value with its provenance."""

    value: T


class Currency(Fact):
    """ISO 4217 currency of a country."""

    code: str = Field(pattern=r"^[A-Z]{3}$")


class UsdRate(Fact):
    """Units of local currency per US dollar, and the period it describes."""

    value: float = Field(gt=0)
    as_of: str


class NameLocale(_Frozen):
    """Locale whose person provider supplies names, and who maintains that provider."""

    locale: str
    provider: Literal["faker", "triagelab"]


class NameGroupMix(Fact):
    """Share of customers per naming tradition."""

    weights: dict[str, float]

    @field_validator("weights")
    @classmethod
    def _check_weights(cls, weights: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(weights) - set(NAME_GROUPS))
        if unknown:
            raise ValueError(f"unknown name groups {unknown}; expected some of {NAME_GROUPS}")
        _check_weight_sum(weights.values(), "name group weights")
        return weights


class ZoneWeight(_Frozen):
    """An IANA time zone and the share of customers living in it."""

    zone: str
    weight: float = Field(gt=0, le=1)

    @field_validator("zone")
    @classmethod
    def _check_zone(cls, zone: str) -> str:
        try:
            zoneinfo.ZoneInfo(zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as err:
            raise ValueError(f"unknown IANA time zone `{zone}`") from err
        return zone


class TimeZones(Fact):
    """Home time zones of a country's customers."""

    zones: tuple[ZoneWeight, ...] = Field(min_length=1)

    @field_validator("zones")
    @classmethod
    def _check_zones(cls, zones: tuple[ZoneWeight, ...]) -> tuple[ZoneWeight, ...]:
        _check_weight_sum((zone.weight for zone in zones), "time zone weights")
        return zones


class FiatRail(Fact):
    """A way to move local currency into an exchange account."""

    name: str
    kind: Literal["bank_transfer", "instant_transfer", "qr", "virtual_account", "e_wallet", "p2p"]
    min_deposit: Sourced[float]
    """Smallest accepted deposit, in local currency."""
    own_name_only: Sourced[bool]
    """Whether the paying account must be in the customer's own name."""
    daily_limit: Sourced[float] | None = None
    """Largest amount a day in local currency, where the rail or its banks cap it."""
    maintenance_window: Sourced[str] | None = None
    """Daily local-time window (``HH:MM-HH:MM``) in which the rail does not accept deposits."""


class Threshold(Fact):
    """An amount at or above which a rule applies, or ``None`` when no threshold exists."""

    amount: float | None = Field(default=None, ge=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    period: Literal["transaction", "day", "banking_day"]
    kind: Literal["travel_rule", "cash", "electronic_transfer_with_cash", "large_value"] = (
        "travel_rule"
    )


class PayerInstitution(Fact):
    """A bank or e-wallet whose name appears as the payer of a fiat deposit."""

    name: str
    kind: Literal["bank", "e_wallet"]


class CountryProfile(_Frozen):
    """Everything the generator needs to know about one country."""

    code: str
    name: str
    currency: Currency
    usd_rate: UsdRate
    regulator: Sourced[str]
    name_locale: NameLocale
    name_groups: NameGroupMix
    timezones: TimeZones
    fiat_rails: tuple[FiatRail, ...] = Field(min_length=1)
    travel_rule_threshold: Threshold
    reporting_thresholds: tuple[Threshold, ...] = Field(min_length=1)
    support_languages: Sourced[tuple[str, ...]]
    payer_institutions: tuple[PayerInstitution, ...] = Field(min_length=1)
    exchanges: Sourced[tuple[str, ...]]

    @field_validator("support_languages")
    @classmethod
    def _check_languages(cls, languages: Sourced[tuple[str, ...]]) -> Sourced[tuple[str, ...]]:
        invalid = [tag for tag in languages.value if not _LANGUAGE_TAG.match(tag)]
        if invalid:
            raise ValueError(f"invalid BCP 47 language tags {invalid}; expected forms like en-SG")
        return languages

    def to_local(self, amount: float, currency: str) -> float:
        """Convert ``amount`` in ``currency`` (local or USD) to local currency.

        Conversions from USD use the illustrative ``usd_rate``.

        Raises
        ------
        ValueError
            If ``currency`` is neither the local currency nor USD.
        """
        if currency == self.currency.code:
            return amount
        if currency == "USD":
            return amount * self.usd_rate.value
        raise ValueError(
            f"cannot convert {currency} for {self.code}; expected {self.currency.code} or USD"
        )

    def travel_rule_threshold_local(self) -> float | None:
        """Return the travel-rule threshold in local currency, or ``None`` if there is none."""
        threshold = self.travel_rule_threshold
        if threshold.amount is None:
            return None
        return self.to_local(threshold.amount, threshold.currency)


class _CountriesFile(_Frozen):
    schema_: str = Field(alias="schema")
    countries: dict[str, CountryProfile]


def _check_weight_sum(weights: object, label: str) -> None:
    total = math.fsum(weights)  # type: ignore[arg-type]
    if abs(total - 1.0) > _WEIGHT_TOLERANCE:
        raise ValueError(f"{label} sum to {total}; expected 1")


@cache
def _load_profiles() -> tuple[CountryProfile, ...]:
    text = resources.files("triagelab").joinpath("data", _DATA_FILE).read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    for code, profile in raw.get("countries", {}).items():
        profile.setdefault("code", code)
    parsed = _CountriesFile.model_validate(raw)

    if parsed.schema_ != _SCHEMA:
        raise ValueError(f"{_DATA_FILE} has schema `{parsed.schema_}`; expected `{_SCHEMA}`")
    if tuple(parsed.countries) != COUNTRY_CODES:
        raise ValueError(
            f"{_DATA_FILE} lists countries {tuple(parsed.countries)}; expected {COUNTRY_CODES}"
        )
    for code, profile in parsed.countries.items():
        if profile.code != code:
            raise ValueError(f"{_DATA_FILE}: country `{code}` has code `{profile.code}`")
    logger.debug("loaded %d country profiles from %s", len(parsed.countries), _DATA_FILE)
    return tuple(parsed.countries.values())


def load_countries() -> dict[str, CountryProfile]:
    """Load the bundled country profiles, keyed by ISO country code in ``COUNTRY_CODES`` order.

    The file is parsed once per process, and each call returns a new dict of the
    same frozen profiles.

    Raises
    ------
    pydantic.ValidationError
        If the bundled ``countries.yaml`` breaks a model rule (a fact without
        provenance, weights that do not sum to 1, an unknown time zone).
    """
    return {profile.code: profile for profile in _load_profiles()}


def get_country(code: str) -> CountryProfile:
    """Return the profile of one country.

    Raises
    ------
    ValueError
        If ``code`` is not in ``COUNTRY_CODES``.
    """
    if code not in COUNTRY_CODES:
        raise ValueError(f"unknown country `{code}`; expected one of {', '.join(COUNTRY_CODES)}")
    return load_countries()[code]
