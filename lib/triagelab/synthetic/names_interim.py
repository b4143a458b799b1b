"""Interim name pools from Faker locales."""

from __future__ import annotations

import numpy as np
import pandas as pd
from faker import Faker

from triagelab.synthetic.countries import load_countries


def name_pool(country: str, size: int, seed: int) -> pd.DataFrame:
    """Generate `size` names for a country."""
    fake = Faker(load_countries()[country].locale)
    fake.seed_instance(seed)
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(min(size, 400)):
        gender = "female" if rng.random() < 0.5 else "male"
        first = fake.first_name_female() if gender == "female" else fake.first_name_male()
        last = fake.last_name()
        rows.append((first, last, f"{first} {last}", "local", gender))
    pool = pd.DataFrame(rows, columns=["first_name", "last_name", "full_name", "name_group", "gender"])
    return pool.iloc[rng.integers(0, len(pool), size)].reset_index(drop=True)
