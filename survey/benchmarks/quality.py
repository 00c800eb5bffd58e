"""Psychometric quality of a questionnaire across organisations (DESIGN §5, last point).

Pure functions over numpy arrays and pandas frames. The unit of analysis is the
organisation (its consolidated response); item scores are the scoring core's
item scores in [0, 1] (reversed items already flipped).

Missing values policy, one for every figure: an item left unanswered, answered "not
applicable", or not applying (``applies_if``) is missing (NaN), and missing values are
deleted pairwise. Cronbach's alpha and the item–rest correlations are both computed
from one matrix of pairwise covariances (every pair of items over the organisations
that answered both), as ``psych::alpha(use = "pairwise")`` in R (and pingouin's
default for alpha). Alpha and the item–rest correlations of a dimension use the same
items: those with at least ``min_organisations`` scored answers.

References
----------
Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
*Psychometrika*, 16(3), 297–334.
Nunnally, J. C. & Bernstein, I. H. (1994). *Psychometric theory* (3rd ed.):
corrected item–total (item–rest) correlation, 0.30 as the usual lower bound.
Terwee, C. B. et al. (2007). Quality criteria were proposed for measurement
properties of health status questionnaires. *Journal of Clinical Epidemiology*,
60(1), 34–42: floor and ceiling effects when more than 15 % of respondents have
the lowest or highest possible score.
"""

from __future__ import annotations

from typing import Final, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from survey.benchmarks.core import MIN_GROUP_SIZE

__all__ = [
    "DIMENSION_QUALITY_COLUMNS",
    "EFFECT_SHARE",
    "ITEM_QUALITY_COLUMNS",
    "ITEM_REST_WEAK",
    "NOT_APPLICABLE_HIGH",
    "QUALITY_INPUT_COLUMNS",
    "cronbach_alpha",
    "floor_ceiling",
    "item_rest_correlations",
    "questionnaire_quality",
]

EFFECT_SHARE: Final = 0.15
"""Floor or ceiling effect above this share at the extreme score (Terwee et al. 2007)."""
ITEM_REST_WEAK: Final = 0.30
"""An item–rest correlation below this is weak (Nunnally & Bernstein 1994)."""
NOT_APPLICABLE_HIGH: Final = 0.20
"""Above this share of "not applicable" answers an item is flagged for its authors."""

QUALITY_INPUT_COLUMNS: Final = (
    "organisation",
    "dimension_id",
    "item_id",
    "item_score",
    "not_applicable",
)
DIMENSION_QUALITY_COLUMNS: Final = (
    "dimension_id",
    "n_organisations",
    "n_items",
    "suppressed",
    "alpha",
    "n_items_alpha",
)
ITEM_QUALITY_COLUMNS: Final = (
    "dimension_id",
    "item_id",
    "n_answers",
    "n_not_applicable",
    "suppressed",
    "item_rest",
    "not_applicable_share",
    "floor_share",
    "ceiling_share",
)

FloatArray = npt.NDArray[np.float64]
NanPolicy = Literal["pairwise", "listwise"]


def _matrix(items: npt.ArrayLike | pd.DataFrame) -> FloatArray:
    try:
        matrix = np.asarray(items, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"items must be numbers: {error}") from error
    if matrix.ndim != 2:
        raise ValueError("items must be a two-dimensional array: organisations × items")
    if np.any(np.isinf(matrix)):
        raise ValueError("items must be finite (NaN for missing)")
    return matrix


def _pairwise_covariance(matrix: FloatArray) -> FloatArray:
    """Covariances (ddof 1) of every pair of columns over the rows where both are present.

    With M the indicator of present values and Z the values with missing set to 0:
    n = MᵀM, Σxᵢ = ZᵀM, Σxᵢxⱼ = ZᵀZ, cov = (Σxᵢxⱼ − Σxᵢ·Σxⱼ / n) / (n − 1); NaN where
    fewer than two rows have both. Same as ``pandas.DataFrame.cov()``.
    """
    present = ~np.isnan(matrix)
    mask = present.astype(np.float64)
    values = np.where(present, matrix, 0.0)
    counts = mask.T @ mask
    sums = values.T @ mask  # [i, j]: Σ xᵢ over rows where i and j are present
    products = values.T @ values
    with np.errstate(divide="ignore", invalid="ignore"):
        covariance: FloatArray = (products - sums * sums.T / counts) / (counts - 1)
    covariance[counts < 2] = np.nan
    return covariance


def cronbach_alpha(
    items: npt.ArrayLike | pd.DataFrame, nan_policy: NanPolicy = "pairwise"
) -> float:
    """Cronbach's alpha of k items answered by n organisations (rows).

    α = k / (k − 1) · (1 − Σᵢ σᵢ² / σ²_total), with σ²_total = Σᵢ Σⱼ σᵢⱼ the
    variance of the sum score, from the covariance matrix of the items (ddof 1).
    ``nan_policy="pairwise"`` (default) takes each covariance over the rows where
    both items are present (R ``psych::alpha(use="pairwise")``, pingouin's
    default); ``"listwise"`` first drops every row with a missing item.
    Reference: Cronbach (1951); the worked example of pingouin's
    ``cronbach_alpha`` (dataset ``cronbach_alpha``, α = 0.591719) in the tests.

    Returns NaN when a covariance cannot be computed (a pair of items shared by
    fewer than two rows) or the sum score has no variance.

    Raises
    ------
    ValueError
        Not a 2-D numeric array, fewer than two items or two rows, an unknown
        ``nan_policy``.

    Examples
    --------
    Three organisations, two items (0, 0.5, 1) and (0, 1, 1): variances 0.25 and
    1/3, covariance 0.25, total variance 1.0833…, α = 2 · (1 − 0.5833/1.0833) ≈ 0.923.
    """
    matrix = _matrix(items)
    if nan_policy == "listwise":
        matrix = matrix[~np.isnan(matrix).any(axis=1)]
    elif nan_policy != "pairwise":
        raise ValueError(f"nan_policy must be 'pairwise' or 'listwise', got {nan_policy!r}")
    n_rows, k = matrix.shape
    if k < 2:
        raise ValueError("Cronbach's alpha needs at least two items")
    if n_rows < 2:
        raise ValueError("Cronbach's alpha needs at least two rows (organisations)")
    covariance = _pairwise_covariance(matrix)
    if np.isnan(covariance).any():
        return float("nan")
    total = float(covariance.sum())
    if total <= 0:
        return float("nan")
    return float(k / (k - 1) * (1 - np.trace(covariance) / total))


def item_rest_correlations(items: npt.ArrayLike | pd.DataFrame) -> FloatArray:
    """Item–rest (corrected item–total) correlation of every item (column).

    r(i) = Σⱼ≠ᵢ σᵢⱼ / √(σᵢ² · Σⱼ≠ᵢ Σₗ≠ᵢ σⱼₗ): the correlation of item i with the sum
    of the other items, from the same pairwise covariance matrix as
    :func:`cronbach_alpha` (each covariance over the organisations that answered both
    items), as ``psych::alpha(use = "pairwise")`` computes ``r.drop``. Without
    missing values this is the Pearson correlation of item i with the sum of the
    other items. NaN where a covariance it needs cannot be computed (a pair of items
    shared by fewer than two rows) or a variance is not positive.

    Raises
    ------
    ValueError
        Not a 2-D numeric array, or fewer than two items.

    Examples
    --------
    Items (1, 2, 3, 4) and (1, 3, 2, 4) and (2, 2, 3, 3): the first item against
    the sum of the other two, (3, 5, 5, 7), correlates 0.894…
    """
    matrix = _matrix(items)
    k = matrix.shape[1]
    if k < 2:
        raise ValueError("item–rest correlations need at least two items")
    covariance = _pairwise_covariance(matrix)
    result: FloatArray = np.full(k, np.nan)
    for i in range(k):
        others = np.arange(k) != i
        variance = covariance[i, i]
        rest_variance = covariance[np.ix_(others, others)].sum()
        with_rest = covariance[i, others].sum()
        if np.isnan([variance, rest_variance, with_rest]).any():
            continue
        if variance > 0 and rest_variance > 0:
            result[i] = with_rest / np.sqrt(variance * rest_variance)
    return result


def floor_ceiling(
    values: npt.ArrayLike, minimum: float = 0.0, maximum: float = 1.0
) -> tuple[float, float]:
    """Shares of the present values at the lowest and at the highest possible score.

    Floor = #{x = minimum} / n, ceiling = #{x = maximum} / n over the non-missing
    values; more than :data:`EFFECT_SHARE` (15 %) is a floor or ceiling effect
    (Terwee et al. 2007). NaN, NaN without values.

    Examples
    --------
    >>> floor_ceiling([0, 0.25, 1, 1, float("nan")])
    (0.25, 0.5)
    """
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"values must be numbers: {error}") from error
    if not minimum < maximum:
        raise ValueError("minimum must be below maximum")
    array = array[~np.isnan(array)]
    if array.size == 0:
        return float("nan"), float("nan")
    return float(np.mean(array == minimum)), float(np.mean(array == maximum))


def questionnaire_quality(
    answers: pd.DataFrame, *, min_organisations: int = MIN_GROUP_SIZE
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Quality figures per dimension and per item, across organisations.

    Parameters
    ----------
    answers : pandas.DataFrame
        Tidy, one row per organisation per scored item that applies to it, columns
        ``organisation``, ``dimension_id``, ``item_id``, ``item_score`` (in [0, 1];
        NaN when unanswered or not applicable) and ``not_applicable`` (bool).
    min_organisations : int
        Figures built on fewer organisations are suppressed (default 5): a
        dimension with fewer organisations that answered any of its items, an item
        with fewer answers (scored or "not applicable").

    Returns
    -------
    (dimensions, items) : two pandas.DataFrame
        ``dimensions``: ``dimension_id``, ``n_organisations``, ``n_items``,
        ``suppressed``, ``alpha`` (:func:`cronbach_alpha`, pairwise; NaN when
        suppressed or not computable), ``n_items_alpha`` (how many items alpha and
        the item–rest correlations used: those with at least ``min_organisations``
        scored answers; 0 when alpha was not computed). ``items``: ``dimension_id``, ``item_id``,
        ``n_answers`` (scored answers), ``n_not_applicable``, ``suppressed``,
        ``item_rest`` (:func:`item_rest_correlations` within its dimension),
        ``not_applicable_share`` (not applicable / (scored + not applicable)),
        ``floor_share`` and ``ceiling_share`` (:func:`floor_ceiling` of the item
        scores). Order of first appearance. Suppressed rows carry NaN figures.

    Raises
    ------
    ValueError
        Missing columns or keys, scores outside [0, 1], a non-boolean
        ``not_applicable``, an item in two dimensions, ``min_organisations`` < 1.
    """
    if not isinstance(answers, pd.DataFrame):
        raise ValueError("answers must be a pandas DataFrame")
    missing = [c for c in QUALITY_INPUT_COLUMNS if c not in answers.columns]
    if missing:
        raise ValueError(f"answers frame lacks column(s): {', '.join(missing)}")
    if isinstance(min_organisations, bool) or not isinstance(min_organisations, int):
        raise ValueError("min_organisations must be an integer")
    if min_organisations < 1:
        raise ValueError("min_organisations must be at least 1")
    for key in ("organisation", "dimension_id", "item_id"):
        if answers[key].isna().any():
            raise ValueError(f"answers column {key!r} has missing values")
    try:
        score = answers["item_score"].to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError) as error:
        raise ValueError(f"item scores must be numbers: {error}") from error
    if np.any(~np.isnan(score) & ((score < 0) | (score > 1))):
        raise ValueError("item scores must lie in [0, 1] (NaN for missing)")
    na_column = answers["not_applicable"]
    if not pd.api.types.is_bool_dtype(na_column) or na_column.isna().any():
        raise ValueError("not_applicable must be a boolean column without missing values")
    if (answers.groupby("item_id", sort=False)["dimension_id"].nunique() > 1).any():
        raise ValueError("an item belongs to two dimensions")
    if answers.duplicated(["organisation", "item_id"]).any():
        raise ValueError("an organisation answers the same item twice")

    dimension_rows: list[dict[str, object]] = []
    item_rows: list[dict[str, object]] = []
    not_applicable = na_column.to_numpy(dtype=bool)
    work = pd.DataFrame(
        {
            "organisation": answers["organisation"].to_numpy(),
            "dimension_id": answers["dimension_id"].to_numpy(),
            "item_id": answers["item_id"].to_numpy(),
            "item_score": np.where(not_applicable, np.nan, score),
            "not_applicable": not_applicable,
        }
    )
    for dimension_id, rows in work.groupby("dimension_id", sort=False):
        wide = rows.set_index(["organisation", "item_id"])["item_score"].unstack("item_id")
        item_ids = list(pd.unique(rows["item_id"]))
        wide = wide.reindex(columns=item_ids)
        matrix = wide.to_numpy(dtype=np.float64, na_value=np.nan)
        answered = rows.groupby("item_id", sort=False).agg(
            n_answers=("item_score", "count"), n_not_applicable=("not_applicable", "sum")
        )
        touched = rows.loc[rows["item_score"].notna() | rows["not_applicable"], "organisation"]
        n_organisations = int(touched.nunique())
        suppressed = n_organisations < min_organisations
        usable = [
            column
            for column, item_id in enumerate(item_ids)
            if int(answered.at[item_id, "n_answers"]) >= min_organisations
        ]
        alpha = float("nan")
        rest = np.full(len(item_ids), np.nan)
        n_items_alpha = 0
        if not suppressed and len(usable) >= 2:
            alpha = cronbach_alpha(matrix[:, usable])
            rest[usable] = item_rest_correlations(matrix[:, usable])
            n_items_alpha = len(usable)
        dimension_rows.append(
            {
                "dimension_id": dimension_id,
                "n_organisations": n_organisations,
                "n_items": len(item_ids),
                "suppressed": suppressed,
                "alpha": float("nan") if suppressed else alpha,
                "n_items_alpha": n_items_alpha,
            }
        )
        for column, item_id in enumerate(item_ids):
            n_answers = int(answered.at[item_id, "n_answers"])
            n_na = int(answered.at[item_id, "n_not_applicable"])
            item_suppressed = suppressed or n_answers + n_na < min_organisations
            floor, ceiling = floor_ceiling(matrix[:, column])
            few_scores = n_answers < min_organisations
            item_rows.append(
                {
                    "dimension_id": dimension_id,
                    "item_id": item_id,
                    "n_answers": n_answers,
                    "n_not_applicable": n_na,
                    "suppressed": item_suppressed,
                    "item_rest": np.nan if item_suppressed else rest[column],
                    "not_applicable_share": (
                        np.nan if item_suppressed else n_na / (n_answers + n_na)
                    ),
                    "floor_share": np.nan if item_suppressed or few_scores else floor,
                    "ceiling_share": np.nan if item_suppressed or few_scores else ceiling,
                }
            )
    return (
        pd.DataFrame(dimension_rows, columns=list(DIMENSION_QUALITY_COLUMNS)),
        pd.DataFrame(item_rows, columns=list(ITEM_QUALITY_COLUMNS)),
    )
