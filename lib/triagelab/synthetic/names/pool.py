"""Generate tables of customer names for one country from seeded numpy draws."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from triagelab.synthetic.countries import COUNTRY_CODES, get_country
from triagelab.synthetic.names.groups import Gender, full_name, name_group_data

logger = logging.getLogger(__name__)

NAME_POOL_COLUMNS: tuple[str, ...] = (
    "first_name",
    "last_name",
    "full_name",
    "name_group",
    "gender",
)
"""Columns of the table that ``name_pool`` returns, in order."""

FEMALE_SHARE = 0.5
"""Share of women among generated customers (illustrative)."""

_DRAWS_PER_ROW = 4  # name group, gender, first name, last name


def name_pool(country: str, size: int, seed: int) -> pd.DataFrame:
    """Generate ``size`` customer names for ``country``.

    Name groups are drawn with the country's ``name_groups`` weights, then
    first and last names uniformly from that group's lists. Every draw comes from
    one numpy generator seeded with ``(seed, country)``, so the table depends
    only on the arguments and the installed Faker data, never on the process
    locale, time zone or clock. Row ``i`` uses only the ``i``-th block of draws,
    so a larger pool starts with the rows of a smaller one.

    Parameters
    ----------
    country
        ISO code in ``COUNTRY_CODES``.
    size
        Number of rows.
    seed
        Non-negative seed.

    Returns
    -------
    pandas.DataFrame
        Columns ``first_name``, ``last_name``, ``full_name``, ``name_group``
        and ``gender`` (``female`` or ``male``). For Malay and Indian names
        ``last_name`` is the father's name and ``full_name`` has the
        bin/binti, a/l, a/p, s/o or d/o link. Chinese and Vietnamese full names
        put the family name first.

    Raises
    ------
    ValueError
        If ``country`` is unknown, or ``size`` or ``seed`` is negative.
    """
    profile = get_country(country)
    if size < 0:
        raise ValueError(f"invalid size {size}; expected 0 or more")
    if seed < 0:
        raise ValueError(f"invalid seed {seed}; expected 0 or more")

    groups = list(profile.name_groups.weights)
    weights = np.array([profile.name_groups.weights[g] for g in groups])
    cumulative = np.cumsum(weights / weights.sum())
    cumulative[-1] = 1.0

    rng = np.random.default_rng(np.random.SeedSequence([seed, COUNTRY_CODES.index(country)]))
    draws = rng.random((size, _DRAWS_PER_ROW))
    group_index = np.minimum(
        np.searchsorted(cumulative, draws[:, 0], side="right"), len(groups) - 1
    )
    is_female = draws[:, 1] < FEMALE_SHARE

    first_names = np.empty(size, dtype=object)
    last_names = np.empty(size, dtype=object)
    genders = np.where(is_female, "female", "male").astype(object)
    for index, group in enumerate(groups):
        data = name_group_data(group)
        in_group = group_index == index
        gender: Gender
        for gender, selected in (("female", in_group & is_female), ("male", in_group & ~is_female)):
            rows = np.flatnonzero(selected)
            firsts = np.array(data.first_names(gender), dtype=object)
            lasts = np.array(data.last_names(gender), dtype=object)
            first_names[rows] = firsts[(draws[rows, 2] * len(firsts)).astype(np.int64)]
            last_names[rows] = lasts[(draws[rows, 3] * len(lasts)).astype(np.int64)]

    group_names = np.array(groups, dtype=object)[group_index]
    full_names = [
        full_name(group, country, gender, first, last)
        for group, gender, first, last in zip(
            group_names, genders, first_names, last_names, strict=True
        )
    ]
    logger.debug("generated %d names for %s with seed %d", size, country, seed)
    return pd.DataFrame(
        {
            "first_name": first_names,
            "last_name": last_names,
            "full_name": np.array(full_names, dtype=object),
            "name_group": group_names,
            "gender": genders,
        },
        columns=list(NAME_POOL_COLUMNS),
    )
