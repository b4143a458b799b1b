"""Name lists per naming tradition and the rules that join them into full names."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from itertools import product
from typing import Literal

from faker.providers.person.id_ID import Provider as IndonesianProvider
from faker.providers.person.th_TH import Provider as ThaiProvider
from faker.providers.person.vi_VN import Provider as VietnameseProvider

from triagelab.synthetic.countries import NAME_GROUPS
from triagelab.synthetic.names import chinese, filipino, indian, malay

Gender = Literal["female", "male"]
NameOrder = Literal["given_family", "family_given", "patronymic"]

# Linking words of patronymic names, by name group, country and gender.
_PATRONYMIC_LINKS: dict[tuple[str, str], dict[Gender, str]] = {
    ("malay", "MY"): {"male": "bin", "female": "binti"},
    ("malay", "SG"): {"male": "bin", "female": "binti"},
    ("indian", "MY"): {"male": "a/l", "female": "a/p"},
    ("indian", "SG"): {"male": "s/o", "female": "d/o"},
}

# Vietnamese middle names mark gender more than given names do: Thị is for women
# and Văn for men. Faker's vi_VN list has no gender, so it is split here.
_VIETNAMESE_FEMALE_ONLY_MIDDLE = frozenset({"Thị", "Mai"})
_VIETNAMESE_SHARED_MIDDLE = frozenset({"Xuân", "Bảo", "Hoàng", "Hải"})


@dataclass(frozen=True)
class NameGroupData:
    """Names of one tradition: first names and surnames (or fathers' names) per gender.

    For ``patronymic`` groups the surname lists hold fathers' given names.
    """

    first_female: tuple[str, ...]
    first_male: tuple[str, ...]
    last_female: tuple[str, ...]
    last_male: tuple[str, ...]
    order: NameOrder

    def first_names(self, gender: Gender) -> tuple[str, ...]:
        """Return the first names for ``gender``."""
        return self.first_female if gender == "female" else self.first_male

    def last_names(self, gender: Gender) -> tuple[str, ...]:
        """Return the surnames (or fathers' names) for ``gender``."""
        return self.last_female if gender == "female" else self.last_male


def _unique(names: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    # Faker's lists repeat some entries, so drop repeats but keep Faker's order.
    return tuple(dict.fromkeys(names))


def _vietnamese() -> NameGroupData:
    # Two-word entries such as "Mai Bảo" are dropped so every first name has two syllables.
    middles = [m for m in _unique(VietnameseProvider.middle_names) if " " not in m]
    female_middles = [
        m for m in middles if m in _VIETNAMESE_FEMALE_ONLY_MIDDLE or m in _VIETNAMESE_SHARED_MIDDLE
    ]
    male_middles = [m for m in middles if m not in _VIETNAMESE_FEMALE_ONLY_MIDDLE]
    unisex = VietnameseProvider.first_names_unisex
    female_given = _unique(VietnameseProvider.first_names_female + unisex)
    male_given = _unique(VietnameseProvider.first_names_male + unisex)
    # The first name is middle plus given name, as Vietnamese forms write it.
    return NameGroupData(
        first_female=tuple(f"{m} {g}" for m, g in product(female_middles, female_given)),
        first_male=tuple(f"{m} {g}" for m, g in product(male_middles, male_given)),
        last_female=_unique(VietnameseProvider.last_names),
        last_male=_unique(VietnameseProvider.last_names),
        order="family_given",
    )


@cache
def name_group_data(group: str) -> NameGroupData:
    """Return the name lists of ``group``, one of ``NAME_GROUPS``.

    Thai, Vietnamese and Indonesian names come from Faker's th_TH, vi_VN and
    id_ID person providers, and Thai names stay in Thai script.

    Raises
    ------
    ValueError
        If ``group`` is not in ``NAME_GROUPS``.
    """
    if group == "filipino":
        return NameGroupData(
            filipino.FIRST_NAMES_FEMALE,
            filipino.FIRST_NAMES_MALE,
            filipino.SURNAMES,
            filipino.SURNAMES,
            "given_family",
        )
    if group == "chinese":
        return NameGroupData(
            chinese.FIRST_NAMES_FEMALE,
            chinese.FIRST_NAMES_MALE,
            chinese.SURNAMES,
            chinese.SURNAMES,
            "family_given",
        )
    if group == "malay":
        return NameGroupData(
            malay.FIRST_NAMES_FEMALE,
            malay.FIRST_NAMES_MALE,
            malay.FATHER_NAMES,
            malay.FATHER_NAMES,
            "patronymic",
        )
    if group == "indian":
        return NameGroupData(
            indian.FIRST_NAMES_FEMALE,
            indian.FIRST_NAMES_MALE,
            indian.FATHER_NAMES,
            indian.FATHER_NAMES,
            "patronymic",
        )
    if group == "thai":
        return NameGroupData(
            _unique(ThaiProvider.first_names_female),
            _unique(ThaiProvider.first_names_male),
            _unique(ThaiProvider.last_names),
            _unique(ThaiProvider.last_names),
            "given_family",
        )
    if group == "indonesian":
        return NameGroupData(
            _unique(IndonesianProvider.first_names_female),
            _unique(IndonesianProvider.first_names_male),
            _unique(IndonesianProvider.last_names_female),
            _unique(IndonesianProvider.last_names_male),
            "given_family",
        )
    if group == "vietnamese":
        return _vietnamese()
    raise ValueError(f"unknown name group `{group}`; expected one of {', '.join(NAME_GROUPS)}")


def full_name(group: str, country: str, gender: Gender, first: str, last: str) -> str:
    """Join a first and a last name the way people of ``group`` in ``country`` write them.

    Raises
    ------
    ValueError
        If ``group`` is patronymic and has no linking words for ``country``.
    """
    order = name_group_data(group).order
    if order == "family_given":
        return f"{last} {first}"
    if order == "patronymic":
        links = _PATRONYMIC_LINKS.get((group, country))
        if links is None:
            raise ValueError(f"no patronymic form for name group `{group}` in `{country}`")
        return f"{first} {links[gender]} {last}"
    return f"{first} {last}"
