"""Unit tests of consensus over several respondents (survey/scoring/consensus.py).

Agreement index: r_wg = 1 − s² / σ²_EU with σ²_EU = (A² − 1) / 12, truncated at 0
(James, L. R., Demaree, R. G., & Wolf, G. (1984). Estimating within-group interrater
reliability with and without response bias. Journal of Applied Psychology, 69(1),
85–98). For A = 5 levels σ²_EU = (25 − 1) / 12 = 2. Quantiles: linear interpolation
at position (n − 1)·p (Hyndman & Fan 1996, type 7; numpy's default). DESIGN §9
"Several respondents" for the flag (n ≥ 3 and r_wg < 0.5) and the lower median.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from survey.scoring import (
    consensus_frame,
    interquartile_range,
    lower_median,
    most_frequent,
    needs_discussion,
    rwg,
)

RTOL = 1e-12


@pytest.mark.parametrize(
    ("levels", "n_levels", "expected"),
    [
        # 4, 4, 5: mean 13/3; squared deviations 1/9, 1/9, 4/9 → s² = (6/9)/2 = 1/3;
        # r_wg = 1 − (1/3)/2 = 5/6
        ([4, 4, 5], 5, 5 / 6),
        # 3, 4: mean 3.5; s² = (0.25 + 0.25)/1 = 0.5; r_wg = 1 − 0.5/2 = 0.75
        ([3, 4], 5, 0.75),
        # 2, 3, 4: mean 3; s² = (1 + 0 + 1)/2 = 1; r_wg = 1 − 1/2 = 0.5 (the flag edge)
        ([2, 3, 4], 5, 0.5),
        # 2, 4, 4, 5: mean 3.75; squared deviations 3.0625, 0.0625, 0.0625, 1.5625 → 4.75;
        # s² = 4.75/3 = 19/12; r_wg = 1 − (19/12)/2 = 5/24
        ([2, 4, 4, 5], 5, 5 / 24),
        # 1, 2, 3, 4, 5: s² = (4 + 1 + 0 + 1 + 4)/4 = 2.5 > 2 → 1 − 1.25 < 0 → truncated to 0
        ([1, 2, 3, 4, 5], 5, 0.0),
        # 1, 5: s² = (4 + 4)/1 = 8; 1 − 8/2 = −3 → 0
        ([1, 5], 5, 0.0),
        # full agreement: s² = 0 → 1
        ([3, 3, 3, 3], 5, 1.0),
        # 3 levels: σ² = (9 − 1)/12 = 2/3; 1, 2: s² = 0.5 → r_wg = 1 − 0.75 = 0.25
        ([1, 2], 3, 0.25),
        # missing answers are left out: same as 4, 4, 5
        ([4, None, 4, float("nan"), 5], 5, 5 / 6),
    ],
)
def test_rwg_hand_computed(levels: list[float | None], n_levels: int, expected: float) -> None:
    assert_allclose(rwg(levels, n_levels), expected, rtol=RTOL, atol=1e-12)


@pytest.mark.parametrize("levels", [[], [3], [None, 4]])
def test_rwg_needs_two_responses(levels: list[float | None]) -> None:
    assert rwg(levels) is None


@pytest.mark.parametrize(
    ("levels", "n_levels"),
    [([0, 3], 5), ([3, 6], 5), ([2.5, 3], 5), ([4, 4], 3), (["3", 4], 5), ([3, 4], 1)],
)
def test_rwg_rejects_invalid_levels(levels: list[object], n_levels: int) -> None:
    with pytest.raises(ValueError, match="level"):
        rwg(levels, n_levels)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        ([1, 3, 5], True),  # s² = 4 → 1 − 2 < 0 → r_wg 0 < 0.5, three responses
        ([2, 4, 4, 5], True),  # r_wg 5/24 ≈ 0.208
        ([2, 3, 4], False),  # r_wg exactly 0.5 is not below 0.5
        ([4, 4, 5], False),  # r_wg 5/6
        ([1, 5], False),  # r_wg 0 but only two responses
        ([1, 5, None], False),  # a missing answer does not count as a response
        ([], False),
    ],
)
def test_needs_discussion(levels: list[float | None], expected: bool) -> None:
    assert needs_discussion(levels) is expected


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        ([2, 4, 5], 4),  # odd: the middle one
        ([5, 2, 4, 3], 3),  # sorted 2, 3, 4, 5: lower of 3 and 4 (so it is a real option)
        ([1, 5], 1),
        ([4], 4),
        ([3, None, 4], 3),
        ([], None),
    ],
)
def test_lower_median(levels: list[float | None], expected: int | None) -> None:
    assert lower_median(levels) == expected


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        # sorted 0, .25, .5, 1: Q1 at position 3·0.25 = 0.75 → 0 + 0.75·0.25 = 0.1875;
        # Q3 at 2.25 → 0.5 + 0.25·0.5 = 0.625; IQR = 0.4375
        ([1.0, 0.0, 0.5, 0.25], 0.4375),
        # 0.75, 0.75, 1: Q1 at 0.5 → 0.75; Q3 at 1.5 → 0.875; IQR 0.125
        ([0.75, 0.75, 1.0], 0.125),
        ([0.5], 0.0),
        ([0.5, None], 0.0),
    ],
)
def test_interquartile_range(scores: list[float | None], expected: float) -> None:
    assert_allclose(interquartile_range(scores), expected, rtol=RTOL, atol=1e-12)


def test_interquartile_range_edge_cases() -> None:
    assert interquartile_range([]) is None
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        interquartile_range([0.5, 2.0])


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["web", "paper", "web"], "web"),
        (["web", "paper"], None),  # a tie is left empty (DESIGN §9)
        (["a", "a", "b", "b", "c"], None),
        (["a", None, None], "a"),  # missing answers are not an option
        ([], None),
    ],
)
def test_most_frequent(values: list[str | None], expected: str | None) -> None:
    assert most_frequent(values) == expected


def test_most_frequent_rejects_unhashable_values() -> None:
    with pytest.raises(ValueError, match="hashable"):
        most_frequent([["a"], ["a"]])


def test_consensus_frame_hand_computed() -> None:
    responses = pd.DataFrame(
        {
            "item_id": ["a", "b", "a", "c", "c", "a", "c", "c", "d", "e", "e", "e"],
            "level": [4, 3, 4, 2, 4, 5, 4, 5, None, 1, 3, 5],
        }
    )
    result = consensus_frame(responses)
    assert list(result.columns) == [
        "item_id",
        "n",
        "lower_median",
        "iqr",
        "rwg",
        "needs_discussion",
    ]
    assert result["item_id"].tolist() == ["a", "b", "c", "d", "e"]
    assert result["n"].tolist() == [3, 1, 4, 0, 3]
    assert str(result["lower_median"].dtype) == "Int64"
    assert result["lower_median"].tolist() == [4, 3, 4, pd.NA, 3]
    # iqr on item scores (level − 1)/4:
    # a: 0.75, 0.75, 1 → 0.875 − 0.75 = 0.125; b: one score → 0
    # c: 0.25, 0.75, 0.75, 1 → Q1 at 0.75 → 0.625, Q3 at 2.25 → 0.8125; IQR 0.1875
    # e: 0, 0.5, 1 → Q1 0.25, Q3 0.75; IQR 0.5
    assert_allclose(result["iqr"], [0.125, 0.0, 0.1875, np.nan, 0.5], rtol=RTOL, atol=1e-12)
    # rwg: a 5/6 (see test_rwg_hand_computed); b none (n < 2); c 5/24; e s² = 4 → 0
    assert_allclose(result["rwg"], [5 / 6, np.nan, 5 / 24, np.nan, 0.0], rtol=RTOL, atol=1e-12)
    assert result["needs_discussion"].tolist() == [False, False, True, False, True]


def test_consensus_frame_agrees_with_the_scalar_functions() -> None:
    rng = np.random.default_rng(7)
    n_rows = 2_000
    responses = pd.DataFrame(
        {
            "item_id": rng.choice([f"q{k}" for k in range(60)], n_rows),
            "level": rng.integers(1, 6, n_rows).astype(float),
        }
    )
    responses.loc[rng.random(n_rows) < 0.1, "level"] = np.nan
    result = consensus_frame(responses).set_index("item_id")
    for item_id, group in responses.groupby("item_id"):
        levels = group["level"].tolist()
        row = result.loc[item_id]
        assert row["n"] == group["level"].notna().sum()
        assert row["lower_median"] == lower_median(levels)
        scores = [(v - 1) / 4 for v in levels if not np.isnan(v)]
        assert_allclose(row["iqr"], interquartile_range(scores), rtol=RTOL, atol=1e-12)
        expected_rwg = rwg(levels)
        assert_allclose(
            row["rwg"], np.nan if expected_rwg is None else expected_rwg, rtol=1e-9, atol=1e-12
        )
        assert bool(row["needs_discussion"]) is needs_discussion(levels)


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame({"item_id": ["a"]}), "lacks column"),
        (pd.DataFrame({"item_id": ["a"], "level": [6]}), "1–5"),
        (pd.DataFrame({"item_id": ["a"], "level": [2.5]}), "whole numbers"),
        (pd.DataFrame({"item_id": [None], "level": [2]}), "missing values"),
    ],
)
def test_consensus_frame_rejects_bad_input(frame: pd.DataFrame, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        consensus_frame(frame)
