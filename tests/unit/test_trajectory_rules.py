"""Trigger rules of the trajectory catalogue on hand-made results, and the ranking of the
suggestions (DESIGN §6, §9)."""

from __future__ import annotations

import msgspec
import pytest

from survey.trajectories.rules import (
    AllOf,
    AnswerIs,
    AnyOf,
    BelowPeers,
    DimensionFacts,
    Hit,
    MaturityAtMost,
    ResultFacts,
    Rule,
    ScoreBelow,
    evaluate,
)
from survey.trajectories.suggestions import Ranked, rank

Q = "toegankelijkheid"


def facts(**dimensions: DimensionFacts) -> ResultFacts:
    return ResultFacts(
        Q,
        {name.replace("_", "-"): d for name, d in dimensions.items()},
        answers={
            "bg-taaliconen": "no",
            "bk-kanalen": ["affiches", "website"],
            "bg-duidelijke-taal": 2,
        },
        item_dimensions={
            "bg-taaliconen": "begrijpbaarheid",
            "bg-duidelijke-taal": "begrijpbaarheid",
            "bk-kanalen": "bekendheid",
            "br-uren": "bereikbaarheid",
        },
    )


def dim(
    name: str,
    score: float | None,
    maturity: int | None,
    peer: float | None = None,
    statistic: str | None = None,
) -> DimensionFacts:
    return DimensionFacts(name, score, maturity, peer, statistic, 12 if peer is not None else None)  # type: ignore[arg-type]


RESULT = facts(
    begrijpbaarheid=dim("begrijpbaarheid", 31.25, 2, 58.0, "median"),
    bekendheid=dim("bekendheid", 45.0, 3, 44.0, "mean"),
    bereikbaarheid=dim("bereikbaarheid", None, None),  # insufficient data
)


def gaps(rule: Rule, on: ResultFacts = RESULT) -> list[tuple[str, float]] | None:
    hits = evaluate(rule, on)
    return None if hits is None else [(hit.dimension_id, hit.gap) for hit in hits]


@pytest.mark.parametrize(
    ("level", "expected"),
    [(1, None), (2, [("begrijpbaarheid", 8.75)]), (3, [("begrijpbaarheid", 28.75)])],
)
def test_maturity_at_or_below_a_level(level: int, expected: object) -> None:
    # level 2 at 31.25: "at most 2" holds (the next level begins at 40: 8.75 short), "at most 1" not
    assert gaps(MaturityAtMost(Q, "begrijpbaarheid", level)) == expected


@pytest.mark.parametrize(
    ("threshold", "expected"),
    [(31.25, None), (31.26, [("begrijpbaarheid", 0.01)]), (50, [("begrijpbaarheid", 18.75)])],
)
def test_score_below_a_threshold(threshold: float, expected: object) -> None:
    assert gaps(ScoreBelow(Q, "begrijpbaarheid", threshold)) == expected


def test_score_below_the_peers_median_or_mean_with_a_margin() -> None:
    # below the median of 58 by 26.75 points
    assert gaps(BelowPeers(Q, "begrijpbaarheid")) == [("begrijpbaarheid", 26.75)]
    assert gaps(BelowPeers(Q, "begrijpbaarheid", margin=26.75)) is None
    assert gaps(BelowPeers(Q, "begrijpbaarheid", margin=20)) == [("begrijpbaarheid", 26.75)]
    # 45 against a small group's mean of 44: not below
    assert gaps(BelowPeers(Q, "bekendheid")) is None
    small = facts(bekendheid=dim("bekendheid", 40.0, 3, 44.0, "mean"))
    assert gaps(BelowPeers(Q, "bekendheid"), small) == [("bekendheid", 4.0)]


def test_no_peer_figure_no_comparison() -> None:
    alone = facts(begrijpbaarheid=dim("begrijpbaarheid", 10.0, 1))
    assert gaps(BelowPeers(Q, "begrijpbaarheid"), alone) is None


def test_a_specific_answer_to_an_item() -> None:
    assert gaps(AnswerIs(Q, "bg-taaliconen", ["no"])) == [("begrijpbaarheid", 0.0)]
    assert gaps(AnswerIs(Q, "bg-taaliconen", ["partly", "yes"])) is None
    # ordered items compare levels; a multi item holds when one selected option is listed
    assert gaps(AnswerIs(Q, "bg-duidelijke-taal", [1, 2])) == [("begrijpbaarheid", 0.0)]
    assert gaps(AnswerIs(Q, "bg-duidelijke-taal", ["2"])) is None
    assert gaps(AnswerIs(Q, "bk-kanalen", ["website"])) == [("bekendheid", 0.0)]
    assert gaps(AnswerIs(Q, "bk-kanalen", ["radio"])) is None
    hit = (evaluate(AnswerIs(Q, "bg-taaliconen", ["no"]), RESULT) or [])[0]
    assert (hit.item_id, hit.answer, hit.score) == ("bg-taaliconen", "no", 31.25)


def test_rules_fire_only_on_dimensions_with_a_score() -> None:
    for rule in (
        MaturityAtMost(Q, "bereikbaarheid", 4),
        ScoreBelow(Q, "bereikbaarheid", 100),
        BelowPeers(Q, "bereikbaarheid"),
        MaturityAtMost(Q, "betaalbaarheid", 4),  # not in the result at all
    ):
        assert evaluate(rule, RESULT) is None
    # an answer on an item of a part without a score does not count either
    no_score = msgspec.structs.replace(RESULT, answers={"br-uren": 1})
    assert evaluate(AnswerIs(Q, "br-uren", [1]), no_score) is None
    # another questionnaire's rule never fires on this result
    assert evaluate(MaturityAtMost("taalbeleid", "begrijpbaarheid", 4), RESULT) is None


def test_all_and_any_nest() -> None:
    weak = MaturityAtMost(Q, "begrijpbaarheid", 2)
    strong = MaturityAtMost(Q, "bekendheid", 2)  # level 3: does not hold
    peers = BelowPeers(Q, "begrijpbaarheid")
    unscored = ScoreBelow(Q, "bereikbaarheid", 90)
    assert gaps(AllOf([weak, peers])) == [("begrijpbaarheid", 8.75), ("begrijpbaarheid", 26.75)]
    assert gaps(AllOf([weak, strong])) is None
    assert gaps(AllOf([weak, unscored])) is None  # an `all` needing an unscored part fails
    assert gaps(AnyOf([strong, unscored])) is None
    assert gaps(AnyOf([strong, weak, unscored])) == [("begrijpbaarheid", 8.75)]
    nested = AnyOf([AllOf([strong, peers]), AllOf([weak, AnyOf([unscored, peers])])])
    assert gaps(nested) == [("begrijpbaarheid", 8.75), ("begrijpbaarheid", 26.75)]
    assert gaps(AllOf([AnyOf([strong]), weak])) is None


def _ranked(order: int, *gap_values: float) -> Ranked:
    rule = ScoreBelow(Q, "begrijpbaarheid", 90)
    hits = tuple(Hit(rule, "begrijpbaarheid", g, 90 - g, 2) for g in gap_values)
    return Ranked(None, hits, order)  # type: ignore[arg-type]


def test_ranking_largest_gap_then_most_rules_then_catalogue_order() -> None:
    answer_only = _ranked(0, 0.0, 0.0, 0.0)  # three answers, no gap in points
    small = _ranked(1, 5.0)
    big = _ranked(2, 1.0, 30.0)  # its largest shortfall counts
    small_better_fit = _ranked(3, 5.0, 2.0)
    small_later = _ranked(4, 5.0)
    ranked = rank([answer_only, small, big, small_better_fit, small_later])
    assert [r.order for r in ranked] == [2, 3, 1, 4, 0]
    assert [r.gap for r in ranked] == [30.0, 5.0, 5.0, 5.0, 0.0]
