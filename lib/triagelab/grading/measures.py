"""Agreement and set measures used by scoring: flag bit masks, popcount, Cohen's kappa."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from triagelab.vocab import FLAG_NAMES

FLAG_BITS: dict[str, int] = {name: 1 << index for index, name in enumerate(FLAG_NAMES)}
_BYTE_POPCOUNT = np.array([bin(value).count("1") for value in range(256)], dtype=np.int64)


def flag_mask(flags: Iterable[str]) -> int:
    """Return the bit mask of a set of known flag names."""
    mask = 0
    for flag in flags:
        mask |= FLAG_BITS[flag]
    return mask


def flag_masks(column: pd.Series) -> np.ndarray:
    """Return one bit mask per row of a column of flag lists."""
    exploded = column.explode()
    bits = exploded.map(FLAG_BITS).fillna(0).astype(np.int64)
    return bits.groupby(level=0).sum().reindex(column.index, fill_value=0).to_numpy(np.int64)


def popcount(masks: np.ndarray) -> np.ndarray:
    """Count the set bits of each non-negative 64-bit integer."""
    as_bytes = np.ascontiguousarray(masks, dtype=np.int64).view(np.uint8).reshape(-1, 8)
    return _BYTE_POPCOUNT[as_bytes].sum(axis=1)


def cohen_kappa(
    rated: Sequence[str] | pd.Series,
    reference: Sequence[str] | pd.Series,
    categories: Sequence[str],
    *,
    weights: str | None = None,
) -> float:
    """Return Cohen's kappa between two ratings of the same items.

    kappa = 1 - sum(w * observed) / sum(w * expected), where `observed` is the joint
    distribution of the two ratings, `expected` the product of their marginals and `w`
    the disagreement weight: 1 off the diagonal when `weights` is None, |i - j| / (k - 1)
    for "linear" and ((i - j) / (k - 1))^2 for "quadratic", with categories in order.
    When both ratings use one and the same category, chance agreement is total and
    kappa is undefined; the function then returns 1 for full agreement.
    """
    index = {category: position for position, category in enumerate(categories)}
    a = np.array([index[value] for value in rated], dtype=np.int64)
    b = np.array([index[value] for value in reference], dtype=np.int64)
    if len(a) != len(b):
        raise ValueError(f"ratings differ in length: {len(a)} and {len(b)}")
    if len(a) == 0:
        return float("nan")
    k = len(categories)
    observed = np.zeros((k, k))
    np.add.at(observed, (a, b), 1.0)
    observed /= len(a)
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0))
    i, j = np.indices((k, k))
    if weights is None:
        w = (i != j).astype(float)
    elif weights == "linear":
        w = np.abs(i - j) / max(k - 1, 1)
    elif weights == "quadratic":
        w = ((i - j) / max(k - 1, 1)) ** 2
    else:
        raise ValueError(f"weights {weights!r}; allowed: None, 'linear', 'quadratic'")
    disagreement_expected = float((w * expected).sum())
    disagreement_observed = float((w * observed).sum())
    if disagreement_expected == 0:
        return 1.0 if disagreement_observed == 0 else 0.0
    return 1.0 - disagreement_observed / disagreement_expected


def kappa_by_group(
    groups: pd.Series,
    rated: pd.Series,
    reference: pd.Series,
    categories: Sequence[str],
    *,
    weights: str | None = None,
) -> pd.Series:
    """Return `cohen_kappa` of `rated` against `reference` within each value of `groups`.

    The same formula as `cohen_kappa`, computed for every group at once.
    """
    index = {category: position for position, category in enumerate(categories)}
    group_codes, group_names = pd.factorize(groups, sort=True)
    a = rated.map(index).to_numpy(np.int64)
    b = reference.map(index).to_numpy(np.int64)
    k = len(categories)
    observed = np.zeros((len(group_names), k, k))
    np.add.at(observed, (group_codes, a, b), 1.0)
    totals = observed.sum(axis=(1, 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        observed /= totals[:, None, None]
    expected = observed.sum(axis=2)[:, :, None] * observed.sum(axis=1)[:, None, :]
    i, j = np.indices((k, k))
    if weights is None:
        w = (i != j).astype(float)
    elif weights == "linear":
        w = np.abs(i - j) / max(k - 1, 1)
    elif weights == "quadratic":
        w = ((i - j) / max(k - 1, 1)) ** 2
    else:
        raise ValueError(f"weights {weights!r}; allowed: None, 'linear', 'quadratic'")
    disagreement_observed = (w * observed).sum(axis=(1, 2))
    disagreement_expected = (w * expected).sum(axis=(1, 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        kappa = np.where(
            disagreement_expected == 0,
            np.where(disagreement_observed == 0, 1.0, 0.0),
            1.0 - disagreement_observed / disagreement_expected,
        )
    kappa = np.where(totals == 0, np.nan, kappa)
    return pd.Series(kappa, index=pd.Index(group_names, name=groups.name))
