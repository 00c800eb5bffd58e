"""Several respondents per item: median, spread and agreement (DESIGN §4, §9 "Several respondents").

Missing values policy: ``None`` and NaN (unanswered or not applicable) are left
out everywhere; ``n`` counts the given values.

Reference for the agreement index: James, L. R., Demaree, R. G., & Wolf, G. (1984).
Estimating within-group interrater reliability with and without response bias.
*Journal of Applied Psychology*, 69(1), 85–98. https://doi.org/10.1037/0021-9010.69.1.85
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = [
    "DISCUSSION_MIN_RESPONSES",
    "DISCUSSION_RWG_BELOW",
    "consensus_frame",
    "interquartile_range",
    "lower_median",
    "most_frequent",
    "needs_discussion",
    "rwg",
]

DISCUSSION_MIN_RESPONSES: Final = 3
DISCUSSION_RWG_BELOW: Final = 0.5
# 1 − (1/3)/(2/3) is 0.4999… in floating point but exactly 0.5: compare with a tolerance.
RWG_TOLERANCE: Final = 1e-9
CONSENSUS_COLUMNS: Final = ("item_id", "n", "lower_median", "iqr", "rwg", "needs_discussion")


def _is_missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _check_n_levels(n_levels: int) -> None:
    if isinstance(n_levels, bool) or not isinstance(n_levels, int) or n_levels < 2:
        raise ValueError(f"n_levels must be an integer ≥ 2, got {n_levels!r}")


def _levels(levels: Iterable[float | None], n_levels: int | None = None) -> npt.NDArray[np.int64]:
    """The non-missing levels as integers; ValueError on a non-integer or out-of-range level."""
    kept: list[int] = []
    for value in levels:
        if _is_missing(value):
            continue
        if isinstance(value, bool) or not isinstance(value, int | float | np.number):
            raise ValueError(f"a level must be a number, got {value!r}")
        number = float(value)
        if not number.is_integer():
            raise ValueError(f"a level must be a whole number, got {value!r}")
        if n_levels is not None and not 1 <= number <= n_levels:
            raise ValueError(f"level {value!r} is outside 1–{n_levels}")
        kept.append(int(number))
    return np.asarray(kept, dtype=np.int64)


def lower_median(levels: Iterable[float | None]) -> int | None:
    """The lower median of ordered levels, so that it is one of the options.

    For ``n`` sorted levels x₍₁₎ ≤ … ≤ x₍ₙ₎ the lower median is x₍⌈n/2⌉₎: the middle
    one for odd ``n``, the lower of the two middle ones for even ``n``. Used to
    pre-fill the manager's consolidation (DESIGN §2, §9). ``None`` when there are
    no levels.

    Examples
    --------
    >>> lower_median([2, 4, 5]), lower_median([2, 3, 4, 5]), lower_median([])
    (4, 3, None)
    """
    values = np.sort(_levels(levels))
    if values.size == 0:
        return None
    return int(values[(values.size - 1) // 2])


def interquartile_range(scores: Iterable[float | None]) -> float | None:
    """Interquartile range Q₃ − Q₁ of item scores in [0, 1].

    Quantiles by numpy's default ``method="linear"`` (Hyndman & Fan 1996, type 7):
    Q(p) interpolates linearly between the sorted values at position (n − 1)·p.
    ``None`` when there are no scores; 0 for one score.

    Examples
    --------
    Scores 0, 0.25, 0.5, 1: Q₁ at position 0.75 → 0.1875, Q₃ at 2.25 → 0.625,
    IQR = 0.4375.

    >>> interquartile_range([0, 0.25, 0.5, 1])
    0.4375
    """
    try:
        values = np.asarray([s for s in scores if s is not None and s is not pd.NA], dtype=float)
    except (TypeError, ValueError) as error:
        raise ValueError(f"item scores must be numbers: {error}") from error
    values = values[~np.isnan(values)]
    if values.size == 0:
        return None
    if np.any((values < 0) | (values > 1)):
        raise ValueError("item scores must lie in [0, 1]")
    q1, q3 = np.percentile(values, [25.0, 75.0], method="linear")
    return float(q3 - q1)


def rwg(levels: Iterable[float | None], n_levels: int = 5) -> float | None:
    """Within-group agreement index r_wg of one item (James, Demaree & Wolf, 1984).

    r_wg = 1 − s² / σ²_EU, with s² the sample variance (ddof = 1) of the chosen
    levels and σ²_EU = (A² − 1) / 12 the variance of the uniform ("no agreement")
    distribution over A levels; truncated at 0 when the observed variance exceeds
    it. 1 is full agreement. ``None`` for fewer than two responses (no variance).

    Examples
    --------
    Levels 4, 4, 5 on 5 levels: mean 13/3, s² = (1/9 + 1/9 + 4/9) / 2 = 1/3,
    σ²_EU = 24/12 = 2, r_wg = 1 − (1/3)/2 = 5/6 ≈ 0.833.
    """
    _check_n_levels(n_levels)
    values = _levels(levels, n_levels)
    if values.size < 2:
        return None
    variance = float(np.var(values, ddof=1))
    expected = (n_levels**2 - 1) / 12
    return min(1.0, max(0.0, 1.0 - variance / expected))


def needs_discussion(levels: Iterable[float | None], n_levels: int = 5) -> bool:
    """Whether an item is flagged as a conversation starter: n ≥ 3 and r_wg < 0.5 (DESIGN §9).

    Examples
    --------
    >>> needs_discussion([1, 3, 5]), needs_discussion([2, 3, 4]), needs_discussion([1, 5])
    (True, False, False)
    """
    values = _levels(levels, n_levels)
    if values.size < DISCUSSION_MIN_RESPONSES:
        return False
    agreement = rwg(values.tolist(), n_levels)
    return agreement is not None and agreement < DISCUSSION_RWG_BELOW - RWG_TOLERANCE


def most_frequent(values: Iterable[Hashable]) -> Hashable | None:
    """The most frequent answer of a nominal item; ``None`` on a tie or without answers.

    Examples
    --------
    >>> most_frequent(["a", "b", "a"]), most_frequent(["a", "b"]), most_frequent([])
    ('a', None, None)
    """
    kept = [v for v in values if not _is_missing(v)]
    try:
        counts = Counter(kept).most_common(2)
    except TypeError as error:
        raise ValueError(f"nominal values must be hashable (option ids): {error}") from error
    if not counts or (len(counts) == 2 and counts[0][1] == counts[1][1]):
        return None
    return counts[0][0]


def consensus_frame(responses: pd.DataFrame, n_levels: int = 5) -> pd.DataFrame:
    """Consensus statistics of ordered items over several respondents, vectorised.

    Parameters
    ----------
    responses : pandas.DataFrame
        Tidy, one row per response per item: ``item_id`` and ``level`` (1 to
        ``n_levels``; missing = unanswered or not applicable, left out).
    n_levels : int
        Number of levels A of the ordered items (5 for ``maturity`` and ``likert5``).

    Returns
    -------
    pandas.DataFrame
        One row per item (order of first appearance), columns ``item_id``, ``n``
        (responses with a level), ``lower_median`` (nullable ``Int64``), ``iqr`` (of
        the item scores (level − 1)/(A − 1), numpy/pandas linear quantiles; the same
        for a reversed item), ``rwg`` (NaN when n < 2), ``needs_discussion`` (bool).
        Same definitions as :func:`lower_median`, :func:`interquartile_range`,
        :func:`rwg` and :func:`needs_discussion`.

    Examples
    --------
    Item ``a`` with levels 4, 4, 5 gives n 3, lower median 4, iqr 0.125, rwg 5/6,
    needs_discussion False.
    """
    _check_n_levels(n_levels)
    if not isinstance(responses, pd.DataFrame):
        raise ValueError("responses must be a pandas DataFrame")
    missing = [c for c in ("item_id", "level") if c not in responses.columns]
    if missing:
        raise ValueError(f"responses frame lacks column(s): {', '.join(missing)}")
    if responses["item_id"].isna().any():
        raise ValueError("responses column 'item_id' has missing values")
    try:
        level = responses["level"].to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError) as error:
        raise ValueError(f"levels must be numbers: {error}") from error
    given = ~np.isnan(level)
    if np.any(given & ((level != np.round(level)) | (level < 1) | (level > n_levels))):
        raise ValueError(f"levels must be whole numbers in 1–{n_levels}")

    work = pd.DataFrame({"item_id": responses["item_id"].to_numpy(), "level": level})
    grouped = work.groupby("item_id", sort=False)["level"]
    n = grouped.count()
    median = grouped.quantile(0.5, interpolation="lower").reindex(n.index)
    iqr = ((grouped.quantile(0.75) - grouped.quantile(0.25)) / (n_levels - 1)).reindex(n.index)
    variance = grouped.var(ddof=1).reindex(n.index)

    n_values = n.to_numpy(dtype=np.int64)
    var_values = variance.to_numpy(dtype=np.float64, na_value=np.nan)
    expected = (n_levels**2 - 1) / 12
    agreement = np.where(n_values >= 2, np.clip(1.0 - var_values / expected, 0.0, 1.0), np.nan)
    flagged = (n_values >= DISCUSSION_MIN_RESPONSES) & (
        np.nan_to_num(agreement, nan=1.0) < DISCUSSION_RWG_BELOW - RWG_TOLERANCE
    )
    median_values = median.to_numpy(dtype=np.float64, na_value=np.nan)
    median_missing = np.isnan(median_values)
    return pd.DataFrame(
        {
            "item_id": n.index.to_numpy(),
            "n": n_values,
            "lower_median": pd.arrays.IntegerArray(
                np.nan_to_num(median_values).astype(np.int64), median_missing
            ),
            "iqr": iqr.to_numpy(dtype=np.float64, na_value=np.nan),
            "rwg": agreement,
            "needs_discussion": flagged,
        },
        columns=list(CONSENSUS_COLUMNS),
    )
