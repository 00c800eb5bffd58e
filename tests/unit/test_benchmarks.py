"""The pure benchmark core (DESIGN §5): percentile rank and percentiles against scipy and
numpy on hand-made groups, peer groups with their fallback, the organisation left out
of its own peers, and the questionnaire-quality statistics against published examples."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from survey.benchmarks.charts import Distribution, percentile_chart, radar_chart
from survey.benchmarks.core import (
    MIN_GROUP_SIZE,
    group_key,
    peer_benchmarks,
    percentile_rank,
    percentiles,
)
from survey.benchmarks.quality import (
    cronbach_alpha,
    floor_ceiling,
    item_rest_correlations,
    questionnaire_quality,
)

P = ["p10", "p25", "p50", "p75", "p90"]

# --- percentile rank and percentiles ----------------------------------------------------------

GROUPS = {
    "five distinct": [10.0, 20.0, 30.0, 40.0, 50.0],
    "five with ties": [10.0, 20.0, 20.0, 30.0, 40.0],
    "five all equal": [50.0, 50.0, 50.0, 50.0, 50.0],
    "four": [12.5, 37.5, 37.5, 90.0],
    "six, two decimals": [0.0, 33.33, 33.33, 66.67, 66.67, 100.0],
    "eleven, unsorted": [75.0, 12.0, 50.0, 50.0, 99.99, 0.0, 25.0, 62.5, 50.0, 87.5, 37.5],
}
SCORES = [0.0, 10.0, 20.0, 33.33, 37.5, 45.0, 50.0, 66.67, 100.0]


@pytest.mark.parametrize("name", GROUPS)
@pytest.mark.parametrize("score", SCORES)
def test_percentile_rank_is_scipys_mean_kind(name: str, score: float) -> None:
    peers = GROUPS[name]
    assert_allclose(
        percentile_rank(peers, score),
        stats.percentileofscore(peers, score, kind="mean"),
        rtol=0,
        atol=1e-12,
    )


def test_percentile_rank_counts_ties_half() -> None:
    # hand-computed: one peer below 20, three at or below: 100 × (1 + 3) / (2 × 5) = 40
    assert percentile_rank([10, 20, 20, 30, 40], 20) == 40.0
    assert percentile_rank([50] * 5, 50) == 50.0
    assert percentile_rank([10, 20, 30, 40, 50], 60) == 100.0
    assert percentile_rank([10, 20, 30, 40, 50], 5) == 0.0


@pytest.mark.parametrize("name", GROUPS)
def test_percentiles_are_linear_interpolation(name: str) -> None:
    peers = GROUPS[name]
    expected = np.percentile(peers, [10, 25, 50, 75, 90], method="linear")
    assert_allclose(percentiles(peers), expected, rtol=0, atol=1e-12)
    # scipy's scoreatpercentile interpolates the same way (Hyndman & Fan type 7)
    assert_allclose(
        percentiles(peers), stats.scoreatpercentile(peers, [10, 25, 50, 75, 90]), atol=1e-12
    )


def test_percentiles_of_five_by_hand() -> None:
    # h = (n − 1)·q: P10 at 0.4 → 10 + 0.4·10, P25 at 1 → 20, P90 at 3.6 → 40 + 0.6·10
    assert_allclose(percentiles([50, 10, 40, 20, 30]), [14, 20, 30, 40, 46], atol=1e-12)


@pytest.mark.parametrize(
    ("peers", "score"),
    [([], 1.0), ([1.0, math.nan], 1.0), ([1.0, 2.0], math.inf), ([[1.0, 2.0]], 1.0)],
)
def test_percentile_rank_rejects_bad_input(peers: list[object], score: float) -> None:
    with pytest.raises(ValueError, match=r"peer|score|one-dimensional|finite"):
        percentile_rank(peers, score)  # type: ignore[arg-type]


def test_percentiles_reject_bad_input() -> None:
    with pytest.raises(ValueError, match="at least one peer"):
        percentiles([])
    with pytest.raises(ValueError, match=r"\[0, 100\]"):
        percentiles([1.0, 2.0], q=[110])


# --- peer groups ------------------------------------------------------------------------------


def _frame(rows: list[tuple[object, ...]]) -> pd.DataFrame:
    """Rows of (organisation, sector, size_band, score[, is_peer[, scope]])."""
    records = []
    for row in rows:
        organisation, sector, size, score, *rest = row
        records.append(
            {
                "scope": rest[1] if len(rest) > 1 else "round-1|q|dimension",
                "organisation": organisation,
                "sector": sector,
                "size_band": size,
                "score": score,
                "is_peer": rest[0] if rest else True,
            }
        )
    return pd.DataFrame(records)


def _row(result: pd.DataFrame, frame: pd.DataFrame, organisation: object) -> pd.Series:
    return result.loc[frame.index[frame["organisation"] == organisation][0]]


def _assert_figures(row: pd.Series, own: float, peers: list[float]) -> None:
    assert row["status"] == "shown"
    assert row["n_peers"] == len(peers)
    assert_allclose(
        row["percentile_rank"], stats.percentileofscore(peers, own, kind="mean"), atol=1e-12
    )
    assert_allclose(
        row[P].to_numpy(dtype=float), np.percentile(peers, [10, 25, 50, 75, 90]), atol=1e-12
    )


def test_a_group_of_exactly_five_other_organisations_is_used() -> None:
    scores = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0]
    frame = _frame([(f"o{i}", "sport", "1-9", s) for i, s in enumerate(scores)])

    result = peer_benchmarks(frame)

    assert list(result["peer_group"]) == ["sector_size"] * 6
    # every organisation is compared with the five others, never with itself
    for i, own in enumerate(scores):
        _assert_figures(_row(result, frame, f"o{i}"), own, scores[:i] + scores[i + 1 :])
    top = _row(result, frame, "o5")
    assert top["percentile_rank"] == 100.0
    assert_allclose(top[P].to_numpy(dtype=float), [14, 20, 30, 40, 46])


def test_four_others_in_sector_and_size_fall_back_to_the_sector() -> None:
    same_size = [(f"s{i}", "sport", "1-9", 20.0 + 10 * i) for i in range(5)]  # 4 others each
    other_size = [(f"b{i}", "sport", "50-249", 70.0 + i) for i in range(3)]
    frame = _frame(same_size + other_size)

    result = peer_benchmarks(frame)

    row = _row(result, frame, "s0")
    assert row["peer_group"] == "sector"
    sector_scores = [s for _o, _sector, _size, s in same_size + other_size]
    _assert_figures(row, 20.0, sector_scores[1:])


def test_fallback_to_the_network_and_too_few_everywhere() -> None:
    frame = _frame(
        [("a", "sport", "1-9", 10.0), ("b", "health", "1-9", 20.0), ("c", "welfare", "1-9", 30.0)]
        + [(f"y{i}", "youth-work", "10-49", 40.0 + i) for i in range(3)]
    )
    result = peer_benchmarks(frame)
    row = _row(result, frame, "a")
    assert row["peer_group"] == "network"
    _assert_figures(row, 10.0, [20.0, 30.0, 40.0, 41.0, 42.0])

    # five organisations in all: each has only four others, so nothing is shown
    small = _frame([(f"o{i}", "sport", "1-9", 10.0 * i) for i in range(5)])
    shown = peer_benchmarks(small)
    assert set(shown["status"]) == {"too_few_peers"}
    assert shown["peer_group"].isna().all()
    assert (shown["n_peers"] == 0).all()
    assert shown[["percentile_rank", *P]].isna().all().all()


def test_the_organisation_is_not_among_its_own_peers_even_with_tied_scores() -> None:
    # its own score 50 equals two peers' scores: one peer below, three at or below, so
    # 100 × (1 + 3) / (2 × 5) = 40; counting itself would give 100 × (1 + 4) / 12 = 41.67
    scores = {"me": 50.0, "a": 50.0, "b": 50.0, "c": 10.0, "d": 90.0, "e": 70.0}
    frame = _frame([(o, "sport", "1-9", s) for o, s in scores.items()])

    row = _row(peer_benchmarks(frame), frame, "me")

    _assert_figures(row, 50.0, [50.0, 50.0, 10.0, 90.0, 70.0])
    assert row["percentile_rank"] == 40.0


def test_a_reopened_assessment_is_no_peer_but_sees_where_it_stands() -> None:
    rows = [(f"o{i}", "sport", "1-9", 10.0 * (i + 1)) for i in range(5)]
    frame = _frame([*rows, ("reopened", "sport", "1-9", 35.0, False)])

    result = peer_benchmarks(frame)

    # the five submitted ones have only four submitted others: the reopened one does not count
    assert (result["status"].iloc[:5] == "too_few_peers").all()
    _assert_figures(_row(result, frame, "reopened"), 35.0, [10.0, 20.0, 30.0, 40.0, 50.0])


def test_rows_without_a_score_have_no_figures_and_are_no_peers() -> None:
    frame = _frame(
        [(f"o{i}", "sport", "1-9", 10.0 * i) for i in range(6)] + [("none", "sport", "1-9", None)]
    )
    result = peer_benchmarks(frame)
    assert _row(result, frame, "none")["status"] == "no_score"
    assert (result["n_peers"].iloc[:6] == 5).all()


def test_scopes_are_never_mixed() -> None:
    rows = [(f"o{i}", "sport", "1-9", 10.0 * i, True, "dimension-a") for i in range(6)]
    rows += [(f"o{i}", "sport", "1-9", 99.0, True, "dimension-b") for i in range(3)]
    frame = _frame(rows)
    result = peer_benchmarks(frame)
    assert (result["status"].iloc[:6] == "shown").all()
    assert (result["n_peers"].iloc[:6] == 5).all()
    assert (result["status"].iloc[6:] == "too_few_peers").all()


def test_a_whole_network_agrees_with_scipy_row_by_row() -> None:
    rng = np.random.default_rng(7)
    n = 400
    frame = pd.DataFrame(
        {
            "scope": rng.integers(0, 3, n),
            "organisation": np.arange(n),
            "sector": rng.choice(["a", "b", "c", "d", "e", "f", "g", "h"], n),
            "size_band": rng.choice(["1-9", "10-49", "50-249", "250+"], n),
            "score": np.round(rng.uniform(0, 100, n) / 5) * 5,  # many ties
            "is_peer": rng.random(n) < 0.9,
        }
    )
    frame.loc[rng.random(n) < 0.05, "score"] = np.nan
    result = peer_benchmarks(frame)
    levels = {"sector_size": ["sector", "size_band"], "sector": ["sector"], "network": []}
    checked = 0
    for index, row in frame.iterrows():
        out = result.loc[index]
        if np.isnan(row["score"]):
            assert out["status"] == "no_score"
            continue
        candidates = frame[
            (frame["scope"] == row["scope"])
            & (frame.index != index)
            & frame["is_peer"]
            & frame["score"].notna()
        ]
        expected_level = None
        for level, keys in levels.items():
            group = candidates
            for key in keys:
                group = group[group[key] == row[key]]
            if len(group) >= MIN_GROUP_SIZE:
                expected_level = level
                break
        assert out["peer_group"] == expected_level
        if expected_level is not None:
            _assert_figures(out, row["score"], group["score"].tolist())
            checked += 1
    assert checked > 300


@pytest.mark.parametrize(
    "change",
    [
        lambda f: f.drop(columns="sector"),
        lambda f: f.assign(is_peer=1),
        lambda f: f.assign(score=math.inf),
        lambda f: pd.concat([f, f.iloc[:1]]),
        lambda f: f.assign(organisation=None),
    ],
    ids=["missing column", "is_peer not bool", "infinite score", "twice in a scope", "no id"],
)
def test_peer_benchmarks_rejects_bad_input(change: object) -> None:
    frame = _frame([(f"o{i}", "sport", "1-9", 10.0 * i) for i in range(6)])
    with pytest.raises(ValueError, match=r"column|is_peer|finite|twice|missing"):
        peer_benchmarks(change(frame))  # type: ignore[operator]


def test_group_keys() -> None:
    assert group_key("sector_size", "sport", "1-9") == "sport|1-9"
    assert group_key("sector", "sport", "1-9") == "sport"
    assert group_key("network", "sport", "1-9") == "network"
    with pytest.raises(ValueError, match="unknown peer group level"):
        group_key("municipality", "sport", "1-9")


# --- questionnaire quality --------------------------------------------------------------------

# pingouin's documented example, dataset "cronbach_alpha" (15 respondents × 10 items, from
# www.real-statistics.com/reliability/cronbachs-alpha/): pingouin.cronbach_alpha gives
# 0.591719, tested there against R's psych::alpha.
PINGOUIN = np.array(
    [
        [3, 5, 7, 2, 6, 1, 4, 2, 6, 5, 4, 4, 5, 6, 4],
        [2, 4, 3, 4, 5, 2, 3, 4, 5, 4, 3, 2, 5, 5, 3],
        [4, 6, 5, 3, 6, 3, 5, 4, 5, 6, 5, 3, 6, 5, 5],
        [1, 3, 5, 3, 5, 4, 3, 3, 5, 4, 2, 2, 2, 4, 5],
        [4, 5, 6, 2, 4, 2, 5, 7, 1, 3, 5, 5, 3, 2, 3],
        [5, 1, 4, 2, 4, 5, 2, 2, 6, 5, 3, 3, 3, 2, 1],
        [1, 2, 3, 2, 4, 2, 1, 2, 5, 3, 2, 4, 2, 1, 3],
        [4, 5, 3, 6, 6, 3, 2, 4, 2, 1, 3, 2, 4, 4, 2],
        [3, 5, 6, 6, 7, 5, 4, 6, 3, 7, 4, 3, 4, 6, 3],
        [2, 5, 5, 3, 5, 2, 3, 5, 2, 2, 1, 4, 5, 5, 4],
    ],
    dtype=float,
).T

# Denis, D. J. (2016). Applied Univariate, Bivariate, and Multivariate Statistics. Wiley,
# chapter on reliability: five items, ten cases; SPSS reports Cronbach's alpha 0.633 and a
# corrected item–total correlation of 0.712 for Item_1.
DENIS = np.array(
    [
        [10, 12, 15, 11, 12],
        [12, 18, 12, 12, 1],
        [8, 16, 14, 14, 4],
        [6, 8, 16, 8, 6],
        [4, 7, 8, 7, 5],
        [6, 6, 3, 7, 3],
        [3, 4, 6, 5, 8],
        [7, 3, 7, 9, 9],
        [8, 9, 4, 10, 10],
        [9, 5, 6, 11, 12],
    ],
    dtype=float,
)


def test_cronbach_alpha_matches_pingouins_documented_example() -> None:
    assert_allclose(cronbach_alpha(PINGOUIN), 0.591719, atol=5e-7)


def test_cronbach_alpha_and_item_rest_match_the_published_spss_example() -> None:
    assert_allclose(cronbach_alpha(DENIS), 0.633, atol=5e-4)
    assert_allclose(item_rest_correlations(DENIS)[0], 0.712, atol=5e-4)


@pytest.mark.parametrize("data", [PINGOUIN, DENIS], ids=["pingouin", "denis"])
def test_item_rest_is_the_correlation_with_the_sum_of_the_other_items(data: np.ndarray) -> None:
    expected = [
        stats.pearsonr(data[:, i], np.delete(data, i, axis=1).sum(axis=1))[0]
        for i in range(data.shape[1])
    ]
    assert_allclose(item_rest_correlations(data), expected, atol=1e-12)


def _with_missing() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    data = pd.DataFrame(PINGOUIN / 7)
    return data.mask(rng.random(data.shape) < 0.15)


def test_alpha_with_missing_values_uses_pairwise_covariances() -> None:
    data = _with_missing()
    # reference: pandas' pairwise covariance matrix in the alpha formula (as psych::alpha
    # with use="pairwise" and pingouin's default)
    covariance = data.cov().to_numpy()
    k = covariance.shape[0]
    expected = k / (k - 1) * (1 - np.trace(covariance) / covariance.sum())
    assert_allclose(cronbach_alpha(data), expected, atol=1e-12)

    complete = data.dropna().to_numpy()
    assert_allclose(
        cronbach_alpha(data, nan_policy="listwise"), cronbach_alpha(complete), atol=1e-12
    )


def test_item_rest_with_missing_values_uses_the_pairwise_covariances_of_alpha() -> None:
    data = _with_missing()
    # reference: the pairwise covariance matrix that alpha uses (pandas), item i against the
    # sum of the other items, as psych::alpha(use="pairwise") computes r.drop
    covariance = data.cov().to_numpy()
    result = item_rest_correlations(data)
    for i in range(data.shape[1]):
        others = [j for j in range(data.shape[1]) if j != i]
        expected = covariance[i, others].sum() / np.sqrt(
            covariance[i, i] * covariance[np.ix_(others, others)].sum()
        )
        assert_allclose(result[i], expected, atol=1e-12)


def test_item_rest_is_nan_when_a_pair_of_items_is_never_answered_together() -> None:
    nan = math.nan
    data = [[0, nan, 1], [0.5, nan, 0.5], [1, nan, 1], [nan, 1, 0], [nan, 0, 0.5]]
    result = item_rest_correlations(data)
    assert math.isnan(cronbach_alpha(data))
    assert np.isnan(result).all()


# pingouin's test suite (tests/test_reliability.py, dataset "cronbach_wide_missing": 12
# respondents × 11 binary items with four missing answers, from www.real-statistics.com):
# R's psych::alpha(data, use="pairwise") gives 0.732661, and 0.801695 on the complete cases.
CRONBACH_WIDE_MISSING = np.array(
    [
        [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
        [1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0],
        [math.nan, 0, 1, 1, math.nan, 1, 1, 1, 1, 0, 0],
        [1, 1, 1, 0, 1, 1, 0, 1, 1, 0, 0],
        [1, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0],
        [0, 1, math.nan, 0, 1, 1, 1, 1, 0, 0, 0],
        [1, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0],
        [1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0],
        [0, 1, 0, 1, 1, 0, 0, 0, 0, 1, 0],
        [1, 0, 0, 1, 0, 1, 0, 0, math.nan, 0, 0],
        [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0],
        [1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0],
    ]
)


def test_cronbach_alpha_with_missing_values_matches_r_psych() -> None:
    assert_allclose(cronbach_alpha(CRONBACH_WIDE_MISSING), 0.732661, atol=5e-7)
    assert_allclose(
        cronbach_alpha(CRONBACH_WIDE_MISSING, nan_policy="listwise"), 0.801695, atol=5e-7
    )


def test_alpha_by_hand_and_its_edges() -> None:
    # variances 0.25 and 1/3, covariance 0.25: α = 2 · (1 − 0.58333 / 1.08333)
    assert_allclose(cronbach_alpha([[0, 0], [0.5, 1], [1, 1]]), 2 * (1 - 7 / 13), atol=1e-12)
    assert math.isnan(cronbach_alpha([[1, 1], [1, 1], [1, 1]]))  # no variance at all
    with pytest.raises(ValueError, match="two items"):
        cronbach_alpha([[1], [2], [3]])
    with pytest.raises(ValueError, match="two rows"):
        cronbach_alpha([[1, 2]])
    with pytest.raises(ValueError, match="nan_policy"):
        cronbach_alpha(PINGOUIN, nan_policy="drop")  # type: ignore[arg-type]


def test_floor_and_ceiling_shares() -> None:
    assert floor_ceiling([0, 0.25, 1, 1, math.nan]) == (0.25, 0.5)
    assert floor_ceiling([0, 50, 100, 100], 0, 100) == (0.25, 0.5)
    floor, ceiling = floor_ceiling([math.nan])
    assert math.isnan(floor) and math.isnan(ceiling)


def _quality_answers(n_organisations: int) -> pd.DataFrame:
    rows = []
    for organisation in range(n_organisations):
        for item in range(4):
            rows.append(
                {
                    "organisation": organisation,
                    "dimension_id": "d",
                    "item_id": f"i{item}",
                    "item_score": PINGOUIN[organisation, item] / 7,
                    "not_applicable": False,
                }
            )
        rows.append(
            {
                "organisation": organisation,
                "dimension_id": "d",
                "item_id": "na",
                "item_score": np.nan if organisation % 3 == 0 else 1.0,
                "not_applicable": organisation % 3 == 0,
            }
        )
    return pd.DataFrame(rows)


def test_questionnaire_quality_per_dimension_and_item() -> None:
    dimensions, items = questionnaire_quality(_quality_answers(15))

    dimension = dimensions.iloc[0]
    assert (dimension["n_organisations"], dimension["n_items"]) == (15, 5)
    assert dimension["n_items_alpha"] == 5
    assert not dimension["suppressed"]
    wide = PINGOUIN[:, :4] / 7
    na_item = np.where(np.arange(15) % 3 == 0, np.nan, 1.0)
    expected_alpha = cronbach_alpha(np.column_stack([wide, na_item]))
    assert_allclose(dimension["alpha"], expected_alpha, atol=1e-12)
    na = items.set_index("item_id").loc["na"]
    assert (na["n_answers"], na["n_not_applicable"]) == (10, 5)
    assert_allclose(na["not_applicable_share"], 5 / 15)
    assert na["ceiling_share"] == 1.0  # every scored answer is the highest


def test_questionnaire_quality_says_how_many_items_alpha_used() -> None:
    answers = _quality_answers(15)
    rare = (answers["item_id"] == "na") & (answers["organisation"] > 3)
    answers.loc[rare, ["item_score", "not_applicable"]] = [np.nan, True]  # 3 scored answers
    dimensions, items = questionnaire_quality(answers)
    assert dimensions.iloc[0]["n_items_alpha"] == 4
    assert_allclose(dimensions.iloc[0]["alpha"], cronbach_alpha(PINGOUIN[:, :4]), atol=1e-12)
    assert math.isnan(items.set_index("item_id").at["na", "item_rest"])


def test_questionnaire_quality_suppresses_fewer_than_five_organisations() -> None:
    dimensions, items = questionnaire_quality(_quality_answers(4))
    assert dimensions.iloc[0]["suppressed"]
    assert math.isnan(dimensions.iloc[0]["alpha"])
    assert items["suppressed"].all()
    assert (
        items[["item_rest", "not_applicable_share", "floor_share", "ceiling_share"]]
        .isna()
        .all()
        .all()
    )


def test_questionnaire_quality_rejects_bad_input() -> None:
    answers = _quality_answers(6)
    with pytest.raises(ValueError, match="lacks column"):
        questionnaire_quality(answers.drop(columns="not_applicable"))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        questionnaire_quality(answers.assign(item_score=2.0))
    with pytest.raises(ValueError, match="twice"):
        questionnaire_quality(pd.concat([answers, answers.iloc[:1]]))


# --- chart geometry ---------------------------------------------------------------------------


def test_percentile_chart_places_the_marks_on_the_0_to_100_scale() -> None:
    chart = percentile_chart(
        [(50.0, Distribution(10, 25, 50, 75, 90)), (None, None)], label_width=0, plot_width=200
    )
    first, second = chart.rows
    assert (first.score_x, first.p10_x, first.p25_x, first.p50_x, first.p90_x) == (
        100.0,
        20.0,
        50.0,
        100.0,
        180.0,
    )
    assert first.box_width == 100.0
    assert second.score_x is None and second.p50_x is None


def test_radar_chart_draws_a_series_with_a_gap_as_points_only() -> None:
    chart = radar_chart([100, 50, None, 0], [50, 50, 50, 50], width=200, radius=100, label_room=0)
    assert chart.own is None and len(chart.own_points) == 3
    assert chart.median is not None and len(chart.median_points) == 4
    assert chart.own_points[0] == (100.0, 0.0)  # the first axis points up, 100 at the rim
    with pytest.raises(ValueError, match="at least three"):
        radar_chart([1, 2], [1, 2])


def test_percentile_chart_draws_only_what_the_peer_group_may_show() -> None:
    small, middle = percentile_chart(
        [
            (50.0, Distribution(mean=40.0)),  # 5–9 peers: the mean only
            (50.0, Distribution(p25=25, p50=50, p75=75, mean=52.0)),  # 10–19: no P10, P90
        ],
        label_width=0,
        plot_width=100,
    ).rows
    assert small.mean_x == 40.0 and small.score_x == 50.0
    assert (small.p10_x, small.p25_x, small.p50_x, small.p75_x, small.p90_x) == (None,) * 5
    assert small.box_width == 0.0
    assert (middle.p25_x, middle.p50_x, middle.p75_x) == (25.0, 50.0, 75.0)
    assert (middle.p10_x, middle.p90_x) == (None, None)
