"""The vectorised scoring core: dimension and overall scores for many assessments at once.

One arithmetic for a single response (:func:`survey.scoring.score_response`) and for
a whole round (benchmarks over tens of thousands of organisations): the single
response is scored by building the same tidy frame and calling these functions.

Rules (DESIGN §4, §9 "Scoring arithmetic")
------------------------------------------
- An item answered "not applicable", or whose ``applies_if`` is false, leaves the
  applicable weight (``applicable`` is False); an unanswered applicable item
  (``item_score`` NaN) stays in it.
- Dimension score = 100 × Σ wᵢ sᵢ / Σ wᵢ over the answered applicable items,
  with ``wᵢ`` the item weights and ``sᵢ`` the item scores in [0, 1].
- Coverage = 100 × answered weight / applicable weight, in percent.
- Below :data:`MIN_COVERAGE` (60 %) a dimension has no score (``insufficient_data``);
  exactly 60 % is scored. A dimension without applicable weight has no score
  (``not_applicable``).
- Overall score = Σ vⱼ Dⱼ / Σ vⱼ over the dimensions that have a score, with ``vⱼ``
  the dimension weights and ``Dⱼ`` the (rounded) dimension scores, and only when those
  dimensions carry at least :data:`MIN_SCORED_WEIGHT_SHARE` (60 %) of the weight of the
  dimensions that apply (a dimension whose items are all not applicable does not
  count); otherwise the overall result is ``insufficient_data``. Overall coverage
  = answered weight / applicable weight over all scored items.
- Scores and coverage are rounded half up to two decimals; maturity bands are
  applied to the rounded score.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final, NamedTuple, overload

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = [
    "ANSWER_COLUMNS",
    "DIMENSION_COLUMNS",
    "MATURITY_BAND_EDGES",
    "MIN_COVERAGE",
    "MIN_SCORED_WEIGHT_SHARE",
    "OVERALL_COLUMNS",
    "RULES_VERSION",
    "dimension_scores",
    "has_enough_scored_weight",
    "maturity_level",
    "overall_scores",
    "round_half_up",
    "scored_weight_share",
]

RULES_VERSION: Final = "2"
"""Version of the scoring rules; stored next to every score. Bump on any rule change:
``survey db upgrade`` then rescores the stored results of older versions.

1. First rules.
2. An overall score only when the scored dimensions carry at least
   :data:`MIN_SCORED_WEIGHT_SHARE` of the weight of the dimensions that apply.
"""

MIN_COVERAGE: Final = 0.60
"""Smallest coverage (answered / applicable weight) at which a dimension is scored."""

MATURITY_BAND_EDGES: Final = (20.0, 40.0, 60.0, 80.0)
"""Lower edges of maturity levels 2–5 on the 0–100 score: [0,20) → 1, …, [80,100] → 5."""

ANSWER_COLUMNS: Final = (
    "assessment_id",
    "dimension_id",
    "dimension_weight",
    "item_id",
    "item_weight",
    "item_score",
    "applicable",
)
DIMENSION_COLUMNS: Final = (
    "assessment_id",
    "dimension_id",
    "dimension_weight",
    "score",
    "coverage",
    "maturity",
    "answered_weight",
    "applicable_weight",
    "status",
    "answered_items",
    "applicable_items",
)
OVERALL_COLUMNS: Final = (
    "assessment_id",
    "score",
    "coverage",
    "maturity",
    "status",
    "scored_weight_share",
)

# Binary noise in a value scaled to whole cents is a few ulp (≈1e-12 for |x| ≤ 10⁴);
# cleaning it at 1e-9 cents removes it while keeping every meaningful digit.
_CLEAN_DECIMALS: Final = 9
_CLEAN_LIMIT: Final = 1e6

MIN_SCORED_WEIGHT_SHARE: Final = 0.60
"""Smallest share of the applicable dimension weight that the scored dimensions must carry
for an overall score."""

FloatArray = npt.NDArray[np.float64]


def _round_half_up_array(values: FloatArray, decimals: int) -> FloatArray:
    factor = 10.0**decimals
    magnitude = np.abs(values) * factor
    cleanable = magnitude < _CLEAN_LIMIT
    cleaned = np.where(
        cleanable, np.round(np.where(cleanable, magnitude, 0.0), _CLEAN_DECIMALS), magnitude
    )
    rounded = np.floor(cleaned + 0.5) / factor
    result: FloatArray = np.where(values < 0, -rounded, rounded) + 0.0  # + 0.0 turns -0.0 into 0.0
    return result


@overload
def round_half_up(values: float, decimals: int = 2) -> float: ...
@overload
def round_half_up(values: npt.NDArray[Any], decimals: int = 2) -> FloatArray: ...
def round_half_up(values: Any, decimals: int = 2) -> Any:
    """Round half up (away from zero) to ``decimals`` decimals, robust to binary float error.

    Python's ``round`` and ``numpy.round`` round half to even and see the binary
    value: ``round(2.675, 2) == 2.67`` because 2.675 is stored as 2.67499999….
    Scores are published with two decimals and "half up" must act on the decimal
    value a person reads. Method: scale by 10**decimals, round the scaled magnitude
    to 9 decimals (this removes the few-ulp binary error of the scaling and of the
    arithmetic before it, ≈1e-12 for scores ≤ 100, while any genuine difference
    larger than 5e-10 of the last kept digit survives), then ``floor(x + 0.5)``.
    For scores this equals ``Decimal(repr(x)).quantize(..., ROUND_HALF_UP)`` and
    is vectorised. Magnitudes of 10⁶ units of the last digit or more are not
    cleaned (they are not scores).

    Parameters
    ----------
    values : float, numpy array or pandas Series
        NaN stays NaN. A Series keeps its index and name.
    decimals : int
        Number of decimals (default 2).

    Examples
    --------
    >>> round_half_up(0.125), round_half_up(2.675), round_half_up(19.995), round_half_up(1.005)
    (0.13, 2.68, 20.0, 1.01)
    """
    if isinstance(decimals, bool) or not isinstance(decimals, int):
        raise ValueError(f"decimals must be an integer, got {decimals!r}")
    series_index = values.index if isinstance(values, pd.Series) else None
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"round_half_up needs numbers, got {values!r}") from error
    result = _round_half_up_array(array, decimals)
    if series_index is not None:
        return pd.Series(result, index=series_index, name=values.name)
    if result.ndim == 0:
        return float(result)
    return result


@overload
def maturity_level(score: float | None) -> int | None: ...
@overload
def maturity_level(score: npt.NDArray[Any]) -> Any: ...
def maturity_level(score: Any) -> Any:
    """Maturity level 1–5 of a 0–100 score, applied to the score rounded half up to 2 decimals.

    Bands (DESIGN §4): [0, 20) → 1 *startend*, [20, 40) → 2 *bewust*, [40, 60) → 3
    *planmatig*, [60, 80) → 4 *verankerd*, [80, 100] → 5 *voorbeeld*. The band is
    taken from the rounded value (DESIGN §9), so 19.994 → 19.99 → 1 and
    19.995 → 20.00 → 2.

    Parameters
    ----------
    score : float, None, numpy array or pandas Series
        ``None``/NaN give no level.

    Returns
    -------
    ``int | None`` for a scalar; a nullable ``Int64`` pandas array (or Series, for a
    Series) otherwise.

    Raises
    ------
    ValueError
        When a rounded score lies outside [0, 100].

    Examples
    --------
    >>> maturity_level(19.99), maturity_level(20.0), maturity_level(79.995), maturity_level(None)
    (1, 2, 5, None)
    """
    if score is None:
        return None
    try:
        if isinstance(score, pd.Series):
            raw = score.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            raw = np.asarray(score, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"maturity_level needs numbers, got {score!r}") from error
    if raw.ndim > 1:
        raise ValueError("maturity_level takes a scalar or a one-dimensional array")
    values = _round_half_up_array(raw, 2)
    missing = np.isnan(values)
    if np.any((values < 0) | (values > 100)):
        raise ValueError("a score must lie in [0, 100] to have a maturity level")
    levels = np.digitize(np.where(missing, 0.0, values), MATURITY_BAND_EDGES) + 1
    if values.ndim == 0:
        return None if bool(missing) else int(levels)
    result = pd.arrays.IntegerArray(levels.astype(np.int64), missing)
    if isinstance(score, pd.Series):
        return pd.Series(result, index=score.index, name=score.name)
    return result


class _ItemArrays(NamedTuple):
    """Per-row arrays of a validated answers frame, ready to be summed per group."""

    dimension_weight: FloatArray
    weighted_score: FloatArray  # wᵢ sᵢ for answered applicable items, else 0
    answered_weight: FloatArray  # wᵢ for answered applicable items, else 0
    applicable_weight: FloatArray  # wᵢ for applicable items, else 0
    answered: npt.NDArray[np.bool_]
    applicable: npt.NDArray[np.bool_]


def _validated_items(answers: pd.DataFrame) -> _ItemArrays:
    """Check the tidy answers frame (ValueError) and derive the per-row weights."""
    if not isinstance(answers, pd.DataFrame):
        raise ValueError(f"answers must be a pandas DataFrame, got {type(answers).__name__}")
    missing = [c for c in ANSWER_COLUMNS if c not in answers.columns]
    if missing:
        raise ValueError(f"answers frame lacks column(s): {', '.join(missing)}")
    for key in ("assessment_id", "dimension_id", "item_id"):
        if answers[key].isna().any():
            raise ValueError(f"answers column {key!r} has missing values")
    try:
        item_weight = answers["item_weight"].to_numpy(dtype=np.float64, na_value=np.nan)
        dimension_weight = answers["dimension_weight"].to_numpy(dtype=np.float64, na_value=np.nan)
        item_score = answers["item_score"].to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError) as error:
        raise ValueError(f"answers weights and scores must be numeric: {error}") from error
    if not np.all(np.isfinite(item_weight) & (item_weight > 0)):
        raise ValueError("item_weight must be finite and > 0")
    if not np.all(np.isfinite(dimension_weight) & (dimension_weight > 0)):
        raise ValueError("dimension_weight must be finite and > 0")
    answered_score = ~np.isnan(item_score)
    if np.any(answered_score & ((item_score < 0) | (item_score > 1))):
        raise ValueError("item_score must lie in [0, 1] (NaN for unanswered)")
    applicable_column = answers["applicable"]
    if not pd.api.types.is_bool_dtype(applicable_column) or applicable_column.isna().any():
        raise ValueError("applicable must be a boolean column without missing values")
    applicable = applicable_column.to_numpy(dtype=bool)
    answered = applicable & answered_score
    return _ItemArrays(
        dimension_weight=dimension_weight,
        weighted_score=np.where(answered, item_weight * np.nan_to_num(item_score), 0.0),
        answered_weight=np.where(answered, item_weight, 0.0),
        applicable_weight=np.where(applicable, item_weight, 0.0),
        answered=answered,
        applicable=applicable,
    )


def _groups(frame: pd.DataFrame, keys: list[str]) -> tuple[pd.DataFrame, npt.NDArray[np.intp]]:
    """The distinct key rows (order of first appearance) and each row's group number."""
    grouped = frame.groupby(keys, sort=False)
    codes = grouped.ngroup().to_numpy(dtype=np.intp)
    key_rows = grouped.size().index.to_frame(index=False)
    return key_rows, codes


def _sum_by(codes: npt.NDArray[np.intp], values: npt.NDArray[Any], n_groups: int) -> FloatArray:
    summed = np.bincount(codes, weights=values, minlength=n_groups)
    return summed.astype(np.float64, copy=False)


def _coverage_percent(answered: FloatArray, applicable: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(applicable > 0, 100.0 * answered / applicable, 0.0)
    return round_half_up(ratio)


def dimension_scores(answers: pd.DataFrame) -> pd.DataFrame:
    """Score every dimension of every assessment in a tidy answers frame.

    Parameters
    ----------
    answers : pandas.DataFrame
        One row per scored item per assessment, columns ``assessment_id``,
        ``dimension_id``, ``dimension_weight`` (the same on every row of a
        dimension), ``item_id``, ``item_weight`` (> 0), ``item_score`` (in [0, 1];
        NaN = unanswered) and ``applicable`` (bool; False for "not applicable" or an
        ``applies_if`` that is false). Only scored items belong in it: ``number``,
        ``text`` and ``choice``/``multi`` without option scores take no part.

    Returns
    -------
    pandas.DataFrame
        One row per (assessment, dimension), in order of first appearance, columns
        ``assessment_id``, ``dimension_id``, ``dimension_weight``,
        ``score`` (0–100, rounded half up to 2 decimals; NaN when not scored),
        ``coverage`` (percent, 2 decimals; 0 when nothing is applicable),
        ``maturity`` (nullable ``Int64``), ``answered_weight``, ``applicable_weight``,
        ``status`` (``scored`` | ``insufficient_data`` | ``not_applicable``),
        ``answered_items``, ``applicable_items`` (counts).

    Formula
    -------
    score = 100 × Σ wᵢ sᵢ / Σ wᵢ over answered applicable items;
    coverage = 100 × Σ_answered wᵢ / Σ_applicable wᵢ; scored when applicable weight
    > 0 and rounded coverage ≥ 100 × MIN_COVERAGE. DESIGN §4 and §9.

    Raises
    ------
    ValueError
        Missing columns or ids, non-positive weights, scores outside [0, 1], a
        non-boolean ``applicable``, a dimension weight that differs within a
        dimension.

    Examples
    --------
    The worked example of DESIGN §9: weights 1, 1, 2, 1, 1 and item scores 0.75,
    0.25, 0 (reversed likert 5), 0.5 and one not applicable give score
    100 × 1.5 / 5 = 30.00, coverage 100.00, maturity 2.
    """
    items = _validated_items(answers)
    key_rows, codes = _groups(answers, ["assessment_id", "dimension_id"])
    n_groups = len(key_rows)
    # take the dimension weight of any row of each group, then require every row to agree
    dimension_weight = np.empty(n_groups, dtype=np.float64)
    dimension_weight[codes] = items.dimension_weight
    if not np.array_equal(dimension_weight[codes], items.dimension_weight):
        raise ValueError("dimension_weight differs between rows of the same dimension")
    answered_w = _sum_by(codes, items.answered_weight, n_groups)
    applicable_w = _sum_by(codes, items.applicable_weight, n_groups)
    weighted = _sum_by(codes, items.weighted_score, n_groups)
    coverage = _coverage_percent(answered_w, applicable_w)
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = np.where(answered_w > 0, 100.0 * weighted / answered_w, np.nan)
    threshold = round_half_up(100.0 * MIN_COVERAGE)
    not_applicable = applicable_w <= 0
    insufficient = ~not_applicable & (coverage < threshold)
    status = np.select(
        [not_applicable, insufficient], ["not_applicable", "insufficient_data"], "scored"
    )
    score = np.where(status == "scored", round_half_up(raw), np.nan)

    return pd.DataFrame(
        {
            "assessment_id": key_rows["assessment_id"],
            "dimension_id": key_rows["dimension_id"],
            "dimension_weight": dimension_weight,
            "score": score,
            "coverage": coverage,
            "maturity": maturity_level(score),
            "answered_weight": answered_w,
            "applicable_weight": applicable_w,
            "status": pd.Series(status, dtype="str"),
            "answered_items": np.bincount(codes[items.answered], minlength=n_groups),
            "applicable_items": np.bincount(codes[items.applicable], minlength=n_groups),
        },
        columns=list(DIMENSION_COLUMNS),
    )


def overall_scores(dimensions: pd.DataFrame, answers: pd.DataFrame) -> pd.DataFrame:
    """Overall score, coverage and maturity per assessment, or "insufficient data".

    Parameters
    ----------
    dimensions : pandas.DataFrame
        The output of :func:`dimension_scores` (columns ``assessment_id``,
        ``dimension_weight``, ``score`` and ``applicable_weight`` are used; NaN scores
        are left out, a dimension with no applicable weight does not apply).
    answers : pandas.DataFrame
        The tidy answers frame given to :func:`dimension_scores`.

    Returns
    -------
    pandas.DataFrame
        One row per assessment in ``answers`` (order of first appearance), columns
        ``assessment_id``, ``score`` (NaN unless ``status`` is ``scored``),
        ``coverage`` (percent, 2 decimals), ``maturity`` (nullable ``Int64``),
        ``status`` (``scored`` | ``insufficient_data``) and ``scored_weight_share``
        (percent of the weight of the dimensions that apply carried by the scored
        ones, 2 decimals; 0 when no dimension applies).

    Formula
    -------
    share = 100 × Σ_scored vⱼ / Σ_applies vⱼ with ``vⱼ`` the dimension weights, over
    the dimensions that have a score and over those that apply (some applicable item
    weight: a dimension whose items are all not applicable does not count), rounded
    half up to 2 decimals. When share ≥ 100 × :data:`MIN_SCORED_WEIGHT_SHARE`
    (exactly 60.00 is enough), score = Σ vⱼ Dⱼ / Σ vⱼ over the dimensions j with a
    score Dⱼ (the rounded dimension scores, so the overall score is reproducible from
    the published ones), rounded half up to 2 decimals; otherwise no score, maturity
    or benchmark: ``insufficient_data``. Coverage = 100 × Σ_answered wᵢ /
    Σ_applicable wᵢ over all scored items of the assessment (item weights wᵢ, not
    dimension weights). DESIGN §4, §9.

    Examples
    --------
    Two dimensions scored 30.00 (weight 1) and 60.00 (weight 2): share 100 %, overall
    (30 + 120) / 3 = 50.00, maturity 3.

    Worked example of the 60 % rule — dimensions A (weight 3, scored 80.00),
    B (weight 2, too few answers) and C (weight 5, every item not applicable): C does
    not apply, so share = 100 × 3 / (3 + 2) = 60.00 and the overall score is 80.00.
    Had B weight 2.0005, the share would be 59.99 and there would be no overall score.
    """
    if not isinstance(dimensions, pd.DataFrame):
        raise ValueError("dimensions must be a pandas DataFrame")
    needed = ("assessment_id", "dimension_weight", "score", "applicable_weight")
    missing = [c for c in needed if c not in dimensions]
    if missing:
        raise ValueError(f"dimensions frame lacks column(s): {', '.join(missing)}")
    items = _validated_items(answers)
    key_rows, codes = _groups(answers, ["assessment_id"])
    n_assessments = len(key_rows)
    assessment_ids = key_rows["assessment_id"]
    dim_score = dimensions["score"].to_numpy(dtype=np.float64, na_value=np.nan)
    dim_weight = dimensions["dimension_weight"].to_numpy(dtype=np.float64, na_value=np.nan)
    applies = dimensions["applicable_weight"].to_numpy(dtype=np.float64, na_value=0.0) > 0
    has_score = ~np.isnan(dim_score)
    per_dimension = pd.DataFrame(
        {
            "assessment_id": dimensions["assessment_id"].to_numpy(),
            "weighted": np.where(has_score, dim_weight * np.nan_to_num(dim_score), 0.0),
            "scored_weight": np.where(has_score, dim_weight, 0.0),
            "applies_weight": np.where(applies, dim_weight, 0.0),
        }
    )
    sums = per_dimension.groupby("assessment_id", sort=False).sum()
    sums = sums.reindex(pd.Index(assessment_ids)).fillna(0.0)
    scored_weight = sums["scored_weight"].to_numpy(dtype=np.float64)
    share = _coverage_percent(scored_weight, sums["applies_weight"].to_numpy(dtype=np.float64))
    sufficient = (scored_weight > 0) & _enough_weight(share)
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = np.where(
            sufficient, sums["weighted"].to_numpy(dtype=np.float64) / scored_weight, np.nan
        )
    score = round_half_up(raw)
    coverage = _coverage_percent(
        _sum_by(codes, items.answered_weight, n_assessments),
        _sum_by(codes, items.applicable_weight, n_assessments),
    )
    return pd.DataFrame(
        {
            "assessment_id": assessment_ids,
            "score": score,
            "coverage": coverage,
            "maturity": maturity_level(score),
            "status": pd.Series(np.where(sufficient, "scored", "insufficient_data"), dtype="str"),
            "scored_weight_share": share,
        },
        columns=list(OVERALL_COLUMNS),
    )


def _enough_weight(share_percent: FloatArray) -> npt.NDArray[np.bool_]:
    return share_percent >= round_half_up(100.0 * MIN_SCORED_WEIGHT_SHARE)


def has_enough_scored_weight(share_percent: float) -> bool:
    """Whether a :func:`scored_weight_share` allows an overall score (≥ 60.00 %).

    >>> has_enough_scored_weight(60.0), has_enough_scored_weight(59.99)
    (True, False)
    """
    return bool(_enough_weight(np.array([share_percent], dtype=np.float64))[0])


def scored_weight_share(dimension_weights: Sequence[float], statuses: Sequence[str]) -> float:
    """The share (percent, 2 decimals) of the weight of the dimensions that apply that the
    scored dimensions carry: the quantity :func:`overall_scores` compares with
    :data:`MIN_SCORED_WEIGHT_SHARE`, for one assessment from its dimension statuses.

    ``statuses`` as in :func:`dimension_scores` and
    :class:`survey.scoring.DimensionScore`: ``scored`` and ``insufficient_data`` apply,
    ``not_applicable`` and ``no_scored_items`` do not. 0 when no dimension applies.

    Examples
    --------
    >>> scored_weight_share([3, 2, 5], ["scored", "insufficient_data", "not_applicable"])
    60.0
    """
    weights = np.asarray(dimension_weights, dtype=np.float64)
    if weights.shape != (len(statuses),):
        raise ValueError("one dimension weight per status is needed")
    state = np.asarray(statuses, dtype=object)
    scored = np.where(state == "scored", weights, 0.0).sum()
    applies = np.where((state == "scored") | (state == "insufficient_data"), weights, 0.0).sum()
    return float(_coverage_percent(np.array([scored]), np.array([applies]))[0])
