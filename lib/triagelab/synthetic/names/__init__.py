"""Customer names, occupations and income bands that fit each Southeast Asian country."""

from triagelab.synthetic.names.demographics import (
    IncomeBand,
    Occupation,
    income_bands,
    occupations,
)
from triagelab.synthetic.names.pool import NAME_POOL_COLUMNS, name_pool
from triagelab.synthetic.names.providers import (
    PERSON_PROVIDERS,
    MalaysiaPersonProvider,
    PhilippinesPersonProvider,
    SingaporePersonProvider,
)

__all__ = [
    "NAME_POOL_COLUMNS",
    "PERSON_PROVIDERS",
    "IncomeBand",
    "MalaysiaPersonProvider",
    "Occupation",
    "PhilippinesPersonProvider",
    "SingaporePersonProvider",
    "income_bands",
    "name_pool",
    "occupations",
]
