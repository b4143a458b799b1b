"""Tests for customer names, the Faker providers, occupations and income bands."""

import hashlib
import itertools
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from faker import Faker

from triagelab.synthetic.countries import COUNTRY_CODES, get_country
from triagelab.synthetic.names import (
    NAME_POOL_COLUMNS,
    PERSON_PROVIDERS,
    MalaysiaPersonProvider,
    PhilippinesPersonProvider,
    SingaporePersonProvider,
    chinese,
    filipino,
    income_bands,
    indian,
    malay,
    name_pool,
    occupations,
)
from triagelab.synthetic.names.demographics import country_demographics

US_NAMES_FILE = Path(__file__).parents[1] / "fixtures" / "us_common_names.txt"

# Names in the US top-100 lists that are native to the region, because the US
# lists include Hispanic and Chinese surnames. Each is allowed only in its own
# name group: Spanish-derived Filipino surnames, and Lee, the usual Hokkien and
# Cantonese romanisation of 李 in Malaysia and Singapore.
SHARED_NAMES = {
    "filipino": {"Reyes", "Garcia", "Mendoza", "Torres", "Castillo", "Flores", "Ramos", "Rivera"},
    "chinese": {"Lee"},
}

EXPECTED_GROUPS = {
    "SG": {"chinese", "malay", "indian"},
    "MY": {"malay", "chinese", "indian"},
    "TH": {"thai"},
    "VN": {"vietnamese"},
    "ID": {"indonesian"},
    "PH": {"filipino"},
}


@pytest.fixture(scope="module")
def us_names() -> set[str]:
    lines = US_NAMES_FILE.read_text(encoding="utf-8").splitlines()
    names = {line.strip() for line in lines if line.strip() and not line.startswith("#")}
    assert len(names) >= 190  # 100 first names and 100 surnames, James in both
    return names


@pytest.mark.parametrize("country", ["SG", "MY", "PH"])
def test_no_common_us_first_names(country: str, us_names: set[str]) -> None:
    pool = name_pool(country, 2000, seed=11)
    us_first = sorted(set(pool["first_name"]) & us_names)
    assert us_first == []


@pytest.mark.parametrize("country", ["SG", "MY", "PH"])
def test_no_common_us_last_names(country: str, us_names: set[str]) -> None:
    pool = name_pool(country, 2000, seed=11)
    for group, rows in pool.groupby("name_group"):
        us_last = set(rows["last_name"]) & us_names
        unexpected = sorted(us_last - SHARED_NAMES.get(str(group), set()))
        assert unexpected == [], f"{country} {group}"


def test_shared_names_are_in_us_list(us_names: set[str]) -> None:
    for names in SHARED_NAMES.values():
        assert names <= us_names


def test_en_us_names_would_fail_the_check(us_names: set[str]) -> None:
    fake = Faker("en_US")
    fake.seed_instance(1)
    hits = sum(fake.last_name() in us_names for _ in range(500))
    assert hits > 50


@pytest.mark.parametrize("country", COUNTRY_CODES)
def test_pool_size_columns_and_groups(country: str) -> None:
    pool = name_pool(country, 2000, seed=3)
    assert len(pool) == 2000
    assert tuple(pool.columns) == NAME_POOL_COLUMNS
    assert set(pool["name_group"]) == EXPECTED_GROUPS[country]
    assert set(pool["gender"]) == {"female", "male"}
    for column in NAME_POOL_COLUMNS:
        assert pool[column].str.len().min() > 0, column


@pytest.mark.parametrize("country", COUNTRY_CODES)
def test_pool_deterministic_for_seed(country: str) -> None:
    first = name_pool(country, 500, seed=42)
    second = name_pool(country, 500, seed=42)
    other = name_pool(country, 500, seed=43)
    pd.testing.assert_frame_equal(first, second)
    assert not first.equals(other)


def test_pool_prefix_stable_across_sizes() -> None:
    small = name_pool("MY", 100, seed=5)
    large = name_pool("MY", 1000, seed=5)
    pd.testing.assert_frame_equal(small, large.head(100))


def test_pool_differs_between_countries_for_seed() -> None:
    singapore = name_pool("SG", 200, seed=1)
    malaysia = name_pool("MY", 200, seed=1)
    assert list(singapore["full_name"]) != list(malaysia["full_name"])


def _pool_digest_in_subprocess(environment: dict[str, str]) -> str:
    code = (
        "import hashlib; from triagelab.synthetic.names import name_pool; "
        "frames = [name_pool(c, 300, 9).to_csv(index=False) for c in "
        "('SG', 'MY', 'TH', 'VN', 'ID', 'PH')]; "
        "print(hashlib.sha256(''.join(frames).encode()).hexdigest())"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_pool_independent_of_environment() -> None:
    # Locale, time zone and hash seed of the process must not change the names.
    frames = [name_pool(c, 300, 9).to_csv(index=False) for c in COUNTRY_CODES]
    expected = hashlib.sha256("".join(frames).encode()).hexdigest()
    environments = [
        {"TZ": "Pacific/Kiritimati", "LC_ALL": "C", "PYTHONHASHSEED": "1"},
        {"TZ": "America/Los_Angeles", "LC_ALL": "C.UTF-8", "PYTHONHASHSEED": "987"},
    ]
    for environment in environments:
        assert _pool_digest_in_subprocess(environment) == expected, environment


def test_pool_group_shares_follow_weights() -> None:
    pool = name_pool("MY", 20000, seed=8)
    shares = pool["name_group"].value_counts(normalize=True)
    for group, weight in get_country("MY").name_groups.weights.items():
        assert shares[group] == pytest.approx(weight, abs=0.02), group


def test_pool_gender_shares_near_half() -> None:
    pool = name_pool("PH", 20000, seed=8)
    assert (pool["gender"] == "female").mean() == pytest.approx(0.5, abs=0.02)


@pytest.mark.parametrize("country", COUNTRY_CODES)
def test_pool_under_a_second_for_5000(country: str) -> None:
    name_pool(country, 10, seed=0)  # load the data files outside the timed call
    start = time.perf_counter()
    name_pool(country, 5000, seed=1)
    assert time.perf_counter() - start < 1.0


def test_pool_zero_size() -> None:
    pool = name_pool("TH", 0, seed=1)
    assert len(pool) == 0
    assert tuple(pool.columns) == NAME_POOL_COLUMNS


def test_pool_rejects_negative_size() -> None:
    with pytest.raises(ValueError, match="invalid size -1"):
        name_pool("SG", -1, seed=1)


def test_pool_rejects_negative_seed() -> None:
    with pytest.raises(ValueError, match="invalid seed -3"):
        name_pool("SG", 1, seed=-3)


def test_pool_rejects_unknown_country() -> None:
    with pytest.raises(ValueError, match="unknown country `JP`"):
        name_pool("JP", 1, seed=1)


def _rows(pool: pd.DataFrame, group: str) -> pd.DataFrame:
    rows = pool[pool["name_group"] == group]
    assert len(rows) > 0, group
    return rows


@pytest.mark.parametrize(
    ("country", "group", "male_link", "female_link"),
    [
        ("MY", "malay", "bin", "binti"),
        ("SG", "malay", "bin", "binti"),
        ("MY", "indian", "a/l", "a/p"),
        ("SG", "indian", "s/o", "d/o"),
    ],
)
def test_patronymic_full_names(country: str, group: str, male_link: str, female_link: str) -> None:
    rows = _rows(name_pool(country, 3000, seed=4), group)
    for row in rows.itertuples():
        link = female_link if row.gender == "female" else male_link
        assert row.full_name == f"{row.first_name} {link} {row.last_name}"


@pytest.mark.parametrize("country", ["SG", "MY"])
def test_chinese_family_name_first(country: str) -> None:
    rows = _rows(name_pool(country, 1000, seed=4), "chinese")
    for row in rows.itertuples():
        assert row.full_name == f"{row.last_name} {row.first_name}"
        assert row.last_name in chinese.SURNAMES


def test_vietnamese_family_name_first() -> None:
    pool = name_pool("VN", 1000, seed=4)
    for row in pool.itertuples():
        assert row.full_name == f"{row.last_name} {row.first_name}"
        # Middle name plus given name.
        assert len(row.first_name.split()) == 2
    female_middles = set(pool.loc[pool["gender"] == "female", "first_name"].str.split().str[0])
    male_middles = set(pool.loc[pool["gender"] == "male", "first_name"].str.split().str[0])
    assert "Thị" in female_middles
    assert "Thị" not in male_middles
    assert "Văn" not in female_middles


def test_thai_names_in_thai_script() -> None:
    thai_script = re.compile(r"^[\u0E00-\u0E7F]+$")
    for row in name_pool("TH", 500, seed=4).itertuples():
        assert thai_script.match(row.first_name), row.first_name
        assert thai_script.match(row.last_name), row.last_name
        assert row.full_name == f"{row.first_name} {row.last_name}"


def test_filipino_names_from_lists() -> None:
    pool = name_pool("PH", 1000, seed=4)
    assert set(pool["last_name"]) <= set(filipino.SURNAMES)
    female = pool[pool["gender"] == "female"]
    assert set(female["first_name"]) <= set(filipino.FIRST_NAMES_FEMALE)


def test_malay_and_indian_fathers_from_lists() -> None:
    pool = name_pool("MY", 3000, seed=4)
    assert set(_rows(pool, "malay")["last_name"]) <= set(malay.FATHER_NAMES)
    assert set(_rows(pool, "indian")["last_name"]) <= set(indian.FATHER_NAMES)


@pytest.mark.parametrize(
    ("provider", "country"),
    [
        (SingaporePersonProvider, "SG"),
        (MalaysiaPersonProvider, "MY"),
        (PhilippinesPersonProvider, "PH"),
    ],
)
def test_faker_provider_names(provider: type, country: str, us_names: set[str]) -> None:
    fake = Faker()
    fake.add_provider(provider)
    fake.seed_instance(21)
    names = [fake.name() for _ in range(200)]
    pool_names = set(name_pool(country, 20000, seed=2)["full_name"])
    # Every name comes from the same lists, so a large pool covers most of them.
    assert sum(name in pool_names for name in names) > 100
    assert all(fake.first_name() not in us_names for _ in range(200))


def test_faker_provider_repeatable() -> None:
    first, second = Faker(), Faker()
    for fake in (first, second):
        fake.add_provider(MalaysiaPersonProvider)
        fake.seed_instance(5)
    assert [first.name() for _ in range(20)] == [second.name() for _ in range(20)]


def test_faker_provider_gendered_names() -> None:
    fake = Faker()
    fake.add_provider(MalaysiaPersonProvider)
    fake.seed_instance(6)
    for _ in range(100):
        name = fake.name_female()
        assert " bin " not in name
        assert " a/l " not in name


def test_person_providers_match_country_locales() -> None:
    for code in COUNTRY_CODES:
        locale = get_country(code).name_locale
        if locale.provider == "triagelab":
            assert locale.locale in PERSON_PROVIDERS, code


@pytest.mark.parametrize("country", COUNTRY_CODES)
def test_occupations_weights(country: str) -> None:
    jobs = occupations(country)
    assert len(jobs) >= 10
    assert sum(job.weight for job in jobs) == pytest.approx(1.0)
    assert len({job.name for job in jobs}) == len(jobs)


@pytest.mark.parametrize("country", COUNTRY_CODES)
def test_income_bands_contiguous_in_local_currency(country: str) -> None:
    bands = income_bands(country)
    assert sum(band.weight for band in bands) == pytest.approx(1.0)
    assert bands[0].monthly_min == 0
    assert bands[-1].monthly_max is None
    for lower, upper in itertools.pairwise(bands):
        assert lower.monthly_max == upper.monthly_min
    assert {band.currency for band in bands} == {get_country(country).currency.code}


def test_occupations_fit_country() -> None:
    assert "overseas Filipino worker (OFW)" in {job.name for job in occupations("PH")}
    assert "warung owner" in {job.name for job in occupations("ID")}


def test_occupations_reject_unknown_country() -> None:
    with pytest.raises(ValueError, match="unknown country `XX`"):
        occupations("XX")


@pytest.mark.parametrize("country", COUNTRY_CODES)
def test_demographics_marked_illustrative(country: str) -> None:
    demographics = country_demographics(country)
    assert demographics.illustrative or demographics.source
