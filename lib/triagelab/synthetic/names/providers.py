"""Faker person providers for Singapore, Malaysia and the Philippines, which Faker lacks."""

from __future__ import annotations

from collections import OrderedDict
from typing import ClassVar

from faker.providers.person import Provider as PersonProvider

from triagelab.synthetic.countries import get_country
from triagelab.synthetic.names.groups import Gender, full_name, name_group_data
from triagelab.synthetic.names.pool import FEMALE_SHARE


class _CountryPersonProvider(PersonProvider):
    """Person provider that draws a name group by the country's weights, then the names.

    Draws use the Faker generator's random source, so ``Faker.seed`` makes them
    repeatable. For large tables use ``name_pool``, which is vectorised.
    """

    country_code: ClassVar[str]

    def _group(self) -> str:
        # Faker accepts weights only as an OrderedDict.
        weights = OrderedDict(get_country(self.country_code).name_groups.weights)
        return str(self.random_elements(weights, length=1, use_weighting=True)[0])

    def _gender(self) -> Gender:
        return "female" if self.generator.random.random() < FEMALE_SHARE else "male"

    def _person(self, gender: Gender | None = None) -> tuple[str, str, str]:
        group = self._group()
        person_gender = gender or self._gender()
        data = name_group_data(group)
        first = self.random_element(data.first_names(person_gender))
        last = self.random_element(data.last_names(person_gender))
        return first, last, full_name(group, self.country_code, person_gender, first, last)

    def name(self) -> str:
        """Generate a full name as written in the country."""
        return self._person()[2]

    def name_female(self) -> str:
        """Generate a woman's full name."""
        return self._person("female")[2]

    def name_male(self) -> str:
        """Generate a man's full name."""
        return self._person("male")[2]

    def first_name(self) -> str:
        """Generate a first (given) name."""
        return self._person()[0]

    def first_name_female(self) -> str:
        """Generate a woman's first name."""
        return self._person("female")[0]

    def first_name_male(self) -> str:
        """Generate a man's first name."""
        return self._person("male")[0]

    def last_name(self) -> str:
        """Generate a surname, or a father's name for patronymic name groups."""
        return self._person()[1]

    def last_name_female(self) -> str:
        """Generate a woman's surname or father's name."""
        return self._person("female")[1]

    def last_name_male(self) -> str:
        """Generate a man's surname or father's name."""
        return self._person("male")[1]


class SingaporePersonProvider(_CountryPersonProvider):
    """Names of Chinese, Malay and Indian Singaporeans (locale ``en_SG``)."""

    country_code = "SG"


class MalaysiaPersonProvider(_CountryPersonProvider):
    """Names of Malay, Chinese and Indian Malaysians (locale ``ms_MY``)."""

    country_code = "MY"


class PhilippinesPersonProvider(_CountryPersonProvider):
    """Filipino names (locale ``fil_PH``)."""

    country_code = "PH"


PERSON_PROVIDERS: dict[str, type[PersonProvider]] = {
    "en_SG": SingaporePersonProvider,
    "ms_MY": MalaysiaPersonProvider,
    "fil_PH": PhilippinesPersonProvider,
}
"""Our person providers by the locale name that ``countries.yaml`` gives them."""
