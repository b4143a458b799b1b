"""Tests for the bundled country profiles."""

import datetime as dt
import zoneinfo

import pytest
from pydantic import BaseModel, ValidationError

from triagelab.synthetic.countries import (
    COUNTRY_CODES,
    CountryProfile,
    Fact,
    Sourced,
    get_country,
    load_countries,
)


def collect_facts(node: object) -> list[Fact]:
    """Return every Fact inside a model tree, the node itself included."""
    facts: list[Fact] = []
    if isinstance(node, Fact):
        facts.append(node)
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            facts.extend(collect_facts(getattr(node, name)))
    elif isinstance(node, tuple | list):
        for item in node:
            facts.extend(collect_facts(item))
    elif isinstance(node, dict):
        for item in node.values():
            facts.extend(collect_facts(item))
    return facts


@pytest.fixture(scope="module")
def countries() -> dict[str, CountryProfile]:
    return load_countries()


def test_countries_cover_all_codes(countries: dict[str, CountryProfile]) -> None:
    assert tuple(countries) == COUNTRY_CODES
    assert COUNTRY_CODES == ("SG", "MY", "TH", "VN", "ID", "PH")
    for code, profile in countries.items():
        assert profile.code == code


@pytest.mark.parametrize("code", COUNTRY_CODES)
def test_every_fact_has_source_or_illustrative(
    countries: dict[str, CountryProfile], code: str
) -> None:
    facts = collect_facts(countries[code])
    # Currency, rate, regulator, name groups, zones, rails, thresholds, languages, banks, ...
    assert len(facts) >= 15
    for fact in facts:
        assert fact.source or fact.illustrative, fact


def test_fact_without_provenance_rejected() -> None:
    with pytest.raises(ValidationError, match="needs `source:` or `illustrative: true`"):
        Sourced[float].model_validate({"value": 1.0})


def test_fact_with_empty_source_rejected() -> None:
    with pytest.raises(ValidationError, match="needs `source:`"):
        Sourced[float].model_validate({"value": 1.0, "source": ""})


@pytest.mark.parametrize("code", COUNTRY_CODES)
def test_usd_rate_is_marked_illustrative(countries: dict[str, CountryProfile], code: str) -> None:
    rate = countries[code].usd_rate
    assert rate.illustrative
    assert rate.as_of
    assert rate.value > 0


def test_indonesia_has_three_time_zones(countries: dict[str, CountryProfile]) -> None:
    zones = {zone.zone: zone.weight for zone in countries["ID"].timezones.zones}
    assert set(zones) == {"Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"}
    assert zones["Asia/Jakarta"] == pytest.approx(0.8)


@pytest.mark.parametrize("code", COUNTRY_CODES)
def test_time_zones_are_valid_iana_zones(countries: dict[str, CountryProfile], code: str) -> None:
    january = dt.datetime(2025, 1, 15, 12, tzinfo=dt.UTC)
    july = dt.datetime(2025, 7, 15, 12, tzinfo=dt.UTC)
    for zone_weight in countries[code].timezones.zones:
        zone = zoneinfo.ZoneInfo(zone_weight.zone)
        offset = january.astimezone(zone).utcoffset()
        assert offset is not None
        # Southeast Asia is UTC+7 to UTC+9 and keeps no daylight saving time.
        assert dt.timedelta(hours=7) <= offset <= dt.timedelta(hours=9)
        assert july.astimezone(zone).utcoffset() == offset


@pytest.mark.parametrize("code", COUNTRY_CODES)
def test_weights_sum_to_one(countries: dict[str, CountryProfile], code: str) -> None:
    profile = countries[code]
    assert sum(zone.weight for zone in profile.timezones.zones) == pytest.approx(1.0)
    assert sum(profile.name_groups.weights.values()) == pytest.approx(1.0)


def test_unknown_time_zone_rejected() -> None:
    with pytest.raises(ValidationError, match="unknown IANA time zone `Asia/Atlantis`"):
        CountryProfile.model_validate(
            _profile_data(zones=[{"zone": "Asia/Atlantis", "weight": 1.0}])
        )


def test_time_zone_weights_must_sum_to_one() -> None:
    zones = [{"zone": "Asia/Jakarta", "weight": 0.5}, {"zone": "Asia/Makassar", "weight": 0.2}]
    with pytest.raises(ValidationError, match=r"time zone weights sum to 0\.7"):
        CountryProfile.model_validate(_profile_data(zones=zones))


def _profile_data(zones: list[dict[str, object]]) -> dict[str, object]:
    data = get_country("ID").model_dump()
    data["timezones"]["zones"] = zones
    return data


@pytest.mark.parametrize(
    ("code", "amount", "currency"),
    [
        ("SG", 1500, "SGD"),
        ("PH", 50000, "PHP"),
        ("TH", 30000, "THB"),
        ("ID", 1000, "USD"),
        ("MY", 0, "MYR"),
        ("VN", None, "VND"),
    ],
)
def test_travel_rule_thresholds(code: str, amount: float | None, currency: str) -> None:
    threshold = get_country(code).travel_rule_threshold
    assert threshold.amount == amount
    assert threshold.currency == currency


def test_indonesia_travel_rule_threshold_in_rupiah() -> None:
    profile = get_country("ID")
    assert profile.travel_rule_threshold_local() == pytest.approx(1000 * profile.usd_rate.value)


def test_travel_rule_threshold_local_none_without_threshold() -> None:
    assert get_country("VN").travel_rule_threshold_local() is None


@pytest.mark.parametrize(
    ("code", "kind", "amount"),
    [
        ("PH", "cash", 500_000),
        ("TH", "cash", 2_000_000),
        ("TH", "electronic_transfer_with_cash", 100_000),
        ("ID", "cash", 500_000_000),
        ("MY", "cash", 25_000),
        ("VN", "large_value", 400_000_000),
    ],
)
def test_reporting_thresholds(code: str, kind: str, amount: float) -> None:
    profile = get_country(code)
    amounts = {t.kind: t.amount for t in profile.reporting_thresholds}
    assert amounts[kind] == amount
    for threshold in profile.reporting_thresholds:
        assert threshold.currency == profile.currency.code


def test_to_local_rejects_third_currency() -> None:
    with pytest.raises(ValueError, match="cannot convert EUR for SG"):
        get_country("SG").to_local(10, "EUR")


@pytest.mark.parametrize("code", COUNTRY_CODES)
def test_fiat_rails_have_deposit_rules(countries: dict[str, CountryProfile], code: str) -> None:
    for rail in countries[code].fiat_rails:
        assert rail.min_deposit.value > 0, rail.name
        assert isinstance(rail.own_name_only.value, bool)


def test_thai_qr_deposit_facts() -> None:
    qr = next(rail for rail in get_country("TH").fiat_rails if rail.kind == "qr")
    assert qr.min_deposit.value == 40
    assert not qr.min_deposit.illustrative
    assert qr.own_name_only.value is True
    assert qr.maintenance_window is not None
    assert qr.maintenance_window.value == "23:30-00:10"


@pytest.mark.parametrize("code", COUNTRY_CODES)
def test_support_languages_and_payers(countries: dict[str, CountryProfile], code: str) -> None:
    profile = countries[code]
    assert profile.support_languages.value
    assert {payer.kind for payer in profile.payer_institutions} == {"bank", "e_wallet"}


def test_currencies() -> None:
    codes = {code: get_country(code).currency.code for code in COUNTRY_CODES}
    assert codes == {
        "SG": "SGD",
        "MY": "MYR",
        "TH": "THB",
        "VN": "VND",
        "ID": "IDR",
        "PH": "PHP",
    }


def test_load_countries_returns_same_profiles() -> None:
    first = load_countries()
    second = load_countries()
    assert first is not second
    assert first["SG"] is second["SG"]


def test_profiles_are_frozen() -> None:
    with pytest.raises(ValidationError, match="frozen"):
        get_country("SG").name = "Singapura"  # type: ignore[misc]


def test_get_country_rejects_unknown_code() -> None:
    with pytest.raises(ValueError, match="unknown country `US`"):
        get_country("US")
