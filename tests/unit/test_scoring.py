"""Unit tests of the pure scoring package (survey/scoring).

Reference values are hand-computed from the rules of /work/shared/DESIGN.md §4
("Scoring") and §9 ("Scoring arithmetic"); the arithmetic is shown next to each
expected value. Tolerances are explicit: scores are compared to 1e-9 (they are
rounded to two decimals, so any real error is ≥ 0.005).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from survey.questionnaires.schema import (
    Condition,
    Dimension,
    Item,
    ItemType,
    LocalText,
    Option,
    Questionnaire,
)
from survey.scoring import (
    MIN_COVERAGE,
    RULES_VERSION,
    AnswerValue,
    DimensionScore,
    ResponseScore,
    StoredAnswer,
    answers_frame,
    applicable_item_ids,
    dimension_scores,
    has_enough_scored_weight,
    item_score,
    maturity_level,
    overall_scores,
    round_half_up,
    score_response,
    scored_weight_share,
)

ATOL = 1e-9

# ---------------------------------------------------------------- factories

TEXT = LocalText(nl="tekst", fr="texte", en="text")


def make_item(item_id: str, item_type: ItemType = "likert5", **fields: Any) -> Item:
    return Item(id=item_id, type=item_type, text=TEXT, **fields)


def make_options(**scores: float | None) -> list[Option]:
    return [Option(id=option_id, label=TEXT, score=score) for option_id, score in scores.items()]


def make_dimension(dimension_id: str, items: list[Item], weight: float = 1.0) -> Dimension:
    return Dimension(
        id=dimension_id, title=TEXT, why=TEXT, maturity=[TEXT] * 5, items=items, weight=weight
    )


def make_questionnaire(*dimensions: Dimension) -> Questionnaire:
    return Questionnaire(
        id="test-questionnaire", version=1, title=TEXT, intro=TEXT, dimensions=list(dimensions)
    )


def answer(value: AnswerValue = None, *, na: bool = False) -> StoredAnswer:
    return StoredAnswer(value=value, not_applicable=na)


def dim(result: ResponseScore, dimension_id: str) -> DimensionScore:
    return next(d for d in result.dimensions if d.dimension_id == dimension_id)


def likert_dimension(dimension_id: str, n: int, weight: float = 1.0, **fields: Any) -> Dimension:
    """A dimension of ``n`` likert5 items ``<dimension_id>-1`` … ``<dimension_id>-n``."""
    items = [make_item(f"{dimension_id}-{k}", **fields) for k in range(1, n + 1)]
    return make_dimension(dimension_id, items, weight)


# ---------------------------------------------------------------- item scores


@pytest.mark.parametrize("item_type", ["maturity", "likert5"])
@pytest.mark.parametrize(
    ("level", "expected"),
    # DESIGN §4: ordered options map linearly, (level − 1) / 4
    [(1, 0.0), (2, 0.25), (3, 0.5), (4, 0.75), (5, 1.0), (4.0, 0.75)],
)
def test_ordered_levels_map_linearly(item_type: ItemType, level: float, expected: float) -> None:
    assert_allclose(item_score(make_item("q", item_type), level), expected, atol=ATOL)


@pytest.mark.parametrize(("value", "expected"), [("yes", 1.0), ("partly", 0.5), ("no", 0.0)])
def test_yes_partly_no(value: str, expected: float) -> None:
    assert_allclose(item_score(make_item("q", "yes_partly_no"), value), expected, atol=ATOL)


def test_choice_takes_the_option_score() -> None:
    item = make_item("q", "choice", options=make_options(never=0.0, sometimes=0.4, always=1.0))
    assert_allclose(item_score(item, "sometimes"), 0.4, atol=ATOL)
    assert_allclose(item_score(item, "always"), 1.0, atol=ATOL)


@pytest.mark.parametrize(
    ("selected", "expected"),
    [
        (["a"], 0.5),
        (["a", "b"], 0.9),  # 0.5 + 0.4
        (["a", "b", "c"], 1.0),  # 0.5 + 0.4 + 0.3 = 1.2, capped at 1 (DESIGN §9)
        (["b", "c"], 0.7),  # 0.4 + 0.3
        ([], 0.0),  # an empty selection is an answer: "none of these"
    ],
)
def test_multi_sums_selected_option_scores_capped_at_one(
    selected: list[str], expected: float
) -> None:
    item = make_item("q", "multi", options=make_options(a=0.5, b=0.4, c=0.3))
    assert_allclose(item_score(item, selected), expected, atol=ATOL)


@pytest.mark.parametrize(
    ("item", "value", "expected"),
    [
        (make_item("q", "likert5", reverse=True), 5, 0.0),  # 1 − 1
        (make_item("q", "likert5", reverse=True), 2, 0.75),  # 1 − 0.25
        (make_item("q", "maturity", reverse=True), 1, 1.0),  # 1 − 0
        (make_item("q", "yes_partly_no", reverse=True), "yes", 0.0),  # 1 − 1
        (make_item("q", "choice", options=make_options(a=0.2), reverse=True), "a", 0.8),
        (make_item("q", "multi", options=make_options(a=0.7, b=0.6), reverse=True), ["a", "b"], 0),
    ],
)
def test_reversed_items_are_flipped(item: Item, value: AnswerValue, expected: float) -> None:
    assert_allclose(item_score(item, value), expected, atol=ATOL)


@pytest.mark.parametrize(
    ("item", "value"),
    [
        (make_item("q", "likert5"), None),
        (make_item("q", "yes_partly_no"), None),
        (make_item("q", "number"), 12),
        (make_item("q", "number", allow_unknown=True), "unknown"),
        (make_item("q", "text"), "free text"),
        (make_item("q", "choice", options=make_options(a=None, b=None)), "a"),
        (make_item("q", "multi", options=make_options(a=None, b=None)), ["a", "b"]),
    ],
)
def test_unanswered_and_unscored_items_have_no_score(item: Item, value: AnswerValue) -> None:
    assert item_score(item, value) is None


@pytest.mark.parametrize(
    ("item", "value"),
    [
        (make_item("q", "likert5"), 0),
        (make_item("q", "likert5"), 6),
        (make_item("q", "maturity"), 2.5),
        (make_item("q", "maturity"), "3"),
        (make_item("q", "likert5"), True),
        (make_item("q", "likert5"), float("nan")),
        (make_item("q", "yes_partly_no"), "maybe"),
        (make_item("q", "yes_partly_no"), 1),
        (make_item("q", "choice", options=make_options(a=1.0)), "b"),
        (make_item("q", "choice", options=make_options(a=1.0)), ["a"]),
        (make_item("q", "choice", options=make_options(a=None)), "b"),
        (make_item("q", "multi", options=make_options(a=1.0)), ["a", "z"]),
        (make_item("q", "multi", options=make_options(a=1.0)), ["a", "a"]),
        (make_item("q", "multi", options=make_options(a=1.0)), "a"),
        (make_item("q", "multi", options=make_options(a=1.0)), [["a"]]),
        (make_item("q", "number", minimum=0, maximum=10), 11),
        (make_item("q", "number", minimum=0), -1),
        (make_item("q", "number"), "unknown"),
        (make_item("q", "number"), "12"),
        (make_item("q", "number"), float("inf")),
        (make_item("q", "text", max_length=3), "four"),
        (make_item("q", "text"), 3),
    ],
)
def test_invalid_values_raise(item: Item, value: AnswerValue) -> None:
    with pytest.raises(ValueError, match="item 'q'"):
        item_score(item, value)


# ---------------------------------------------------------------- applies_if


def conditional_questionnaire() -> Questionnaire:
    """``has-policy`` (yes/partly/no) → ``policy-level`` (likert, if yes|partly) →
    ``policy-review`` (yes/partly/no, if level 4|5): a chain of two conditions;
    plus conditions on a choice and a multi item."""
    return make_questionnaire(
        make_dimension(
            "vision",
            [
                make_item("has-policy", "yes_partly_no"),
                make_item(
                    "policy-level",
                    "likert5",
                    applies_if=Condition(item="has-policy", any_of=["yes", "partly"]),
                ),
                make_item(
                    "policy-review",
                    "yes_partly_no",
                    applies_if=Condition(item="policy-level", any_of=[4, 5]),
                ),
                make_item("channel", "choice", options=make_options(web=1.0, paper=0.5)),
                make_item(
                    "web-access",
                    "likert5",
                    applies_if=Condition(item="channel", any_of=["web"]),
                ),
                make_item("languages", "multi", options=make_options(nl=0.5, fr=0.5, ar=0.5)),
                make_item(
                    "interpreting",
                    "yes_partly_no",
                    applies_if=Condition(item="languages", any_of=["ar"]),
                ),
            ],
        )
    )


ALWAYS = {"has-policy", "channel", "languages"}


@pytest.mark.parametrize(
    ("answers", "expected_extra"),
    [
        ({}, set()),  # unanswered sources: conditions are false
        ({"has-policy": answer("no")}, set()),
        ({"has-policy": answer("partly")}, {"policy-level"}),
        ({"has-policy": answer("yes"), "policy-level": answer(3)}, {"policy-level"}),
        (
            {"has-policy": answer("yes"), "policy-level": answer(4)},
            {"policy-level", "policy-review"},
        ),
        # chain: level 5 is still stored, but its source no longer applies → neither applies
        ({"has-policy": answer("no"), "policy-level": answer(5)}, set()),
        ({"has-policy": answer(na=True)}, set()),  # a not-applicable source: condition false
        ({"channel": answer("web")}, {"web-access"}),
        ({"channel": answer("paper")}, set()),
        ({"languages": answer(["nl", "ar"])}, {"interpreting"}),  # multi: any selected
        ({"languages": answer(["nl", "fr"])}, set()),
    ],
)
def test_applicable_item_ids(answers: dict[str, StoredAnswer], expected_extra: set[str]) -> None:
    assert applicable_item_ids(conditional_questionnaire(), answers) == ALWAYS | expected_extra


def test_applies_if_on_unknown_item_raises() -> None:
    questionnaire = make_questionnaire(
        make_dimension(
            "d", [make_item("a", applies_if=Condition(item="missing", any_of=[1])), make_item("b")]
        )
    )
    with pytest.raises(ValueError, match="unknown item 'missing'"):
        applicable_item_ids(questionnaire, {})


# ---------------------------------------------------------------- one response


def worked_example() -> Questionnaire:
    """DESIGN §9 worked example: weights 1, 1, 2, 1, 1."""
    return make_questionnaire(
        make_dimension(
            "example",
            [
                make_item("m", "maturity", weight=1),
                make_item("l", "likert5", weight=1),
                make_item("r", "likert5", weight=2, reverse=True),
                make_item("y", "yes_partly_no", weight=1),
                make_item("n", "likert5", weight=1, allow_not_applicable=True),
            ],
        )
    )


def test_worked_example_of_design_section_9() -> None:
    # DESIGN §9: 0.75·1 + 0.25·1 + 0·2 + 0.5·1 = 1.5 over answered weight 5 → 30.00;
    # the not-applicable item (weight 1) leaves the applicable weight: coverage 5/5 = 100 %.
    answers = {
        "m": answer(4),
        "l": answer(2),
        "r": answer(5),
        "y": answer("partly"),
        "n": answer(na=True),
    }
    result = score_response(worked_example(), answers)
    assert result.dimensions == [
        DimensionScore(
            dimension_id="example",
            score=30.0,
            maturity=2,
            coverage=100.0,
            status="scored",
            answered_items=4,
            applicable_items=4,
        )
    ]
    assert (result.score, result.maturity, result.coverage) == (30.0, 2, 100.0)
    assert result.rules_version == RULES_VERSION


def test_not_applicable_and_false_conditions_leave_the_applicable_weight() -> None:
    questionnaire = make_questionnaire(
        make_dimension(
            "d",
            [
                make_item("a", "yes_partly_no"),
                make_item("b", applies_if=Condition(item="a", any_of=["yes"])),
                make_item("c", applies_if=Condition(item="b", any_of=[5])),  # chain of two
                make_item("d", allow_not_applicable=True),
                make_item("e"),
            ],
        )
    )
    # a = "no": b and (through b) c do not apply; d not applicable; only a and e count.
    # score = 100 × (0·1 + 0.75·1) / 2 = 37.50, coverage 2/2 = 100 %
    answers = {"a": answer("no"), "b": answer(5), "c": answer(1), "d": answer(na=True)}
    answers["e"] = answer(4)
    result = dim(score_response(questionnaire, answers), "d")
    assert (result.score, result.coverage, result.maturity) == (37.5, 100.0, 2)
    assert (result.answered_items, result.applicable_items) == (2, 2)


def test_unanswered_items_stay_in_the_applicable_weight() -> None:
    # 4 likert items, weights 1, 1, 1, 1; 3 answered (levels 5, 5, 3 → 1, 1, 0.5).
    # score = 100 × 2.5 / 3 = 83.333… → 83.33 (maturity 5), coverage 3/4 = 75 %.
    questionnaire = make_questionnaire(likert_dimension("d", 4))
    answers = {"d-1": answer(5), "d-2": answer(5), "d-3": answer(3)}
    result = dim(score_response(questionnaire, answers), "d")
    assert_allclose(result.score, 83.33, atol=ATOL)
    assert (result.coverage, result.maturity, result.status) == (75.0, 5, "scored")
    assert (result.answered_items, result.applicable_items) == (3, 4)


@pytest.mark.parametrize(
    ("weights", "answered", "coverage", "status", "score"),
    [
        # exactly 60 %: 3 of 5 equal weights → scored (levels 3 → 0.5 → 50.00)
        ([1, 1, 1, 1, 1], 3, 60.0, "scored", 50.0),
        # 2 of 5 → 40 % → insufficient data, no score
        ([1, 1, 1, 1, 1], 2, 40.0, "insufficient_data", None),
        # 0.5999 / (0.5999 + 0.4001) = 59.99 % → insufficient data
        ([0.5999, 0.4001], 1, 59.99, "insufficient_data", None),
        # 0.6 / (0.6 + 0.4) = 60 % exactly → scored
        ([0.6, 0.4], 1, 60.0, "scored", 50.0),
        # nothing answered: coverage 0 → insufficient data
        ([1, 1], 0, 0.0, "insufficient_data", None),
    ],
)
def test_minimum_coverage(
    weights: list[float], answered: int, coverage: float, status: str, score: float | None
) -> None:
    assert MIN_COVERAGE == 0.60
    items = [make_item(f"i{k}", weight=w) for k, w in enumerate(weights)]
    questionnaire = make_questionnaire(make_dimension("d", items))
    answers = {f"i{k}": answer(3) for k in range(answered)}
    result = dim(score_response(questionnaire, answers), "d")
    assert (result.coverage, result.status, result.score) == (coverage, status, score)
    assert result.maturity == (None if score is None else maturity_level(score))


def test_all_not_applicable_dimension_has_no_score_and_says_so() -> None:
    questionnaire = make_questionnaire(
        likert_dimension("scored", 2),
        likert_dimension("skipped", 2, allow_not_applicable=True),
    )
    answers = {
        "scored-1": answer(5),
        "scored-2": answer(3),
        "skipped-1": answer(na=True),
        "skipped-2": answer(na=True),
    }
    result = score_response(questionnaire, answers)
    skipped = dim(result, "skipped")
    assert (skipped.status, skipped.score, skipped.maturity, skipped.coverage) == (
        "not_applicable",
        None,
        None,
        0.0,
    )
    assert skipped.applicable_items == 0
    # overall: only "scored" has a score: 100 × (1 + 0.5) / 2 = 75.00; coverage 2/2 = 100 %
    assert (result.score, result.coverage, result.maturity) == (75.0, 100.0, 4)


def test_dimension_without_scored_items() -> None:
    questionnaire = make_questionnaire(
        likert_dimension("scored", 1),
        make_dimension(
            "counts",
            [
                make_item("staff", "number", minimum=0, allow_unknown=True),
                make_item("notes", "text"),
                make_item("kind", "choice", options=make_options(a=None, b=None)),
            ],
        ),
    )
    answers = {"scored-1": answer(4), "staff": answer("unknown"), "notes": answer("…")}
    result = score_response(questionnaire, answers)
    assert [d.dimension_id for d in result.dimensions] == ["scored", "counts"]
    counts = dim(result, "counts")
    assert (counts.status, counts.score, counts.coverage, counts.applicable_items) == (
        "no_scored_items",
        None,
        0.0,
        0,
    )
    # number/text/unscored choice take no part in coverage: overall 1/1 = 100 %, score 75.00
    assert (result.score, result.coverage) == (75.0, 100.0)


def test_overall_is_dimension_weighted_and_coverage_is_over_all_scored_items() -> None:
    questionnaire = make_questionnaire(
        likert_dimension("a", 2, weight=1.0),  # items weight 1
        likert_dimension("b", 2, weight=2.0),
        make_dimension("c", [make_item(f"c-{k}", weight=2.0) for k in range(1, 5)], weight=2.0),
    )
    answers = {
        # a: levels 2, 2 → 0.25, 0.25 → 25.00
        "a-1": answer(2),
        "a-2": answer(2),
        # b: levels 4, 5 → 0.75, 1 → 87.50
        "b-1": answer(4),
        "b-2": answer(5),
        # c: 1 of 4 items (weight 2 of 8) → 25 % coverage → insufficient, left out
        "c-1": answer(5),
    }
    result = score_response(questionnaire, answers)
    assert dim(result, "a").score == 25.0
    assert dim(result, "b").score == 87.5
    assert dim(result, "c").status == "insufficient_data"
    # a and b carry 3 of the weight 5 that applies: 60 %, just enough for an overall score
    assert result.status == "scored"
    assert result.scored_weight_share == 60.0
    # overall score = (1 × 25 + 2 × 87.5) / (1 + 2) = 200 / 3 = 66.666… → 66.67, maturity 4
    assert_allclose(result.score, 66.67, atol=ATOL)
    assert result.maturity == 4
    # overall coverage over item weights: answered 1+1+1+1+2 = 6 of 1+1+1+1+8 = 12 → 50 %
    assert result.coverage == 50.0


# Overall 60 % rule (DESIGN §4, §9): the scored dimensions must carry at least 60 % of the
# weight of the dimensions that apply. Dimension a is scored (levels 5, 3 → 75.00); b has
# 1 of 4 items answered (25 % coverage → insufficient data); c is all "not applicable".
@pytest.mark.parametrize(
    ("weight_a", "weight_b", "share", "score"),
    [
        (3.0, 2.0, 60.0, 75.0),  # 3 / 5 = 60.00 %: exactly enough
        (3.0, 2.0005, 59.99, None),  # 3 / 5.0005 = 59.994 % → 59.99 %: not enough
        (1.0, 5.0, 16.67, None),  # 1 of 6 (the manager): no overall score
        (5.0, 1.0, 83.33, 75.0),
    ],
)
def test_overall_needs_sixty_percent_of_the_applicable_dimension_weight(
    weight_a: float, weight_b: float, share: float, score: float | None
) -> None:
    questionnaire = make_questionnaire(
        likert_dimension("a", 2, weight=weight_a),
        likert_dimension("b", 4, weight=weight_b),
        likert_dimension("c", 2, weight=100.0, allow_not_applicable=True),
    )
    answers = {
        "a-1": answer(5),
        "a-2": answer(3),
        "b-1": answer(4),
        "c-1": answer(na=True),
        "c-2": answer(na=True),
    }
    result = score_response(questionnaire, answers)
    assert [d.status for d in result.dimensions] == [
        "scored",
        "insufficient_data",
        "not_applicable",
    ]
    assert dim(result, "a").score == 75.0
    # c (weight 100, all not applicable) is not in the weight that the 60 % compares against
    assert_allclose(result.scored_weight_share, share, atol=ATOL)
    assert result.score == score
    if score is None:
        assert result.status == "insufficient_data"
        assert result.maturity is None
    else:
        assert result.status == "scored"
        assert result.maturity == 4
    # coverage stays over all scored items: 3 answered of 6 applicable item weight
    assert result.coverage == 50.0
    assert result.rules_version == RULES_VERSION == "2"


def test_overall_without_any_applicable_dimension_is_insufficient_data() -> None:
    questionnaire = make_questionnaire(likert_dimension("a", 2, allow_not_applicable=True))
    result = score_response(questionnaire, {"a-1": answer(na=True), "a-2": answer(na=True)})
    assert (result.status, result.score, result.scored_weight_share) == (
        "insufficient_data",
        None,
        0.0,
    )


@pytest.mark.parametrize(
    ("weights", "statuses", "share"),
    [
        ([3, 2, 5], ["scored", "insufficient_data", "not_applicable"], 60.0),
        ([3, 2.0005], ["scored", "insufficient_data"], 59.99),
        ([1, 1, 1], ["scored", "no_scored_items", "not_applicable"], 100.0),
        ([1, 2], ["insufficient_data", "insufficient_data"], 0.0),
        ([1], ["not_applicable"], 0.0),
    ],
)
def test_scored_weight_share_from_dimension_statuses(
    weights: list[float], statuses: list[str], share: float
) -> None:
    assert_allclose(scored_weight_share(weights, statuses), share, atol=ATOL)


@pytest.mark.parametrize(
    ("share", "enough"), [(60.0, True), (59.99, False), (100.0, True), (0.0, False)]
)
def test_sixty_percent_of_the_weight_is_enough(share: float, enough: bool) -> None:
    assert has_enough_scored_weight(share) is enough


def test_scored_weight_share_needs_one_weight_per_status() -> None:
    with pytest.raises(ValueError, match="one dimension weight per status"):
        scored_weight_share([1.0], ["scored", "scored"])


def test_overall_uses_the_rounded_dimension_scores() -> None:
    # a: 1 of 3 at level 5 and 2 at level 1 → 100/3 = 33.333… → 33.33
    # b: levels 5, 5, 1 → 200/3 = 66.666… → 66.67
    # equal weights: (33.33 + 66.67) / 2 = 50.00 (the unrounded values also give 50)
    questionnaire = make_questionnaire(likert_dimension("a", 3), likert_dimension("b", 3))
    levels = {"a-1": 5, "a-2": 1, "a-3": 1, "b-1": 5, "b-2": 5, "b-3": 1}
    result = score_response(questionnaire, {k: answer(v) for k, v in levels.items()})
    assert_allclose([d.score for d in result.dimensions], [33.33, 66.67], atol=ATOL)
    assert result.score == 50.0


def test_response_without_scored_items() -> None:
    questionnaire = make_questionnaire(make_dimension("d", [make_item("t", "text")]))
    result = score_response(questionnaire, {})
    assert (result.score, result.maturity, result.coverage) == (None, None, 0.0)
    assert result.dimensions[0].status == "no_scored_items"


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"nope": answer(3)}, "not in the questionnaire: nope"),
        ({"d-1": answer(na=True)}, "does not allow 'not applicable'"),
        ({"d-1": answer(7)}, "outside 1–5"),
    ],
)
def test_score_response_rejects_invalid_answers(
    answers: dict[str, StoredAnswer], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        score_response(make_questionnaire(likert_dimension("d", 2)), answers)


def test_not_applicable_flag_wins_over_a_stored_value() -> None:
    questionnaire = make_questionnaire(likert_dimension("d", 2, allow_not_applicable=True))
    answers = {"d-1": answer(1, na=True), "d-2": answer(5)}
    result = dim(score_response(questionnaire, answers), "d")
    assert (result.score, result.coverage, result.applicable_items) == (100.0, 100.0, 1)


# ---------------------------------------------------------------- rounding and bands


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.125, 0.13),  # exactly representable half: rounds up, not to even
        (2.675, 2.68),  # stored as 2.67499999…; the decimal value is a half
        (1.005, 1.01),  # stored as 1.00499999…
        (19.995, 20.0),
        (79.995, 80.0),
        (19.994, 19.99),
        (33.333333333333336, 33.33),
        (100.0, 100.0),
        (0.0, 0.0),
        (-2.675, -2.68),  # half away from zero
    ],
)
def test_round_half_up(value: float, expected: float) -> None:
    assert round_half_up(value) == expected


def test_round_half_up_arrays_series_and_nan() -> None:
    assert_array_equal(
        round_half_up(np.array([0.125, np.nan, 2.675])), np.array([0.13, np.nan, 2.68])
    )
    series = pd.Series([1.005, 0.285], index=["x", "y"], name="score")
    rounded = round_half_up(series)
    assert list(rounded.index) == ["x", "y"]
    assert rounded.name == "score"
    assert_array_equal(rounded.to_numpy(), [1.01, 0.29])
    assert round_half_up(1.23456, decimals=3) == 1.235


def test_round_half_up_agrees_with_decimal_on_every_thousandth() -> None:
    # Reference: Python's decimal module, ROUND_HALF_UP on the shortest repr of the float.
    values = np.arange(0, 100_001) / 1000  # 0.000, 0.001, …, 100.000
    expected = [
        float(Decimal(repr(float(v))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
        for v in values
    ]
    assert_array_equal(round_half_up(values), np.array(expected))


@pytest.mark.parametrize(
    ("score", "level"),
    [
        (0.0, 1),
        (19.99, 1),
        (19.994, 1),  # rounds to 19.99
        (19.995, 2),  # rounds to 20.00 (bands on the rounded value, DESIGN §9)
        (20.0, 2),
        (39.99, 2),
        (40.0, 3),
        (59.99, 3),
        (60.0, 4),
        (79.99, 4),
        (79.995, 5),  # rounds to 80.00
        (80.0, 5),
        (100.0, 5),
        (None, None),
        (float("nan"), None),
    ],
)
def test_maturity_bands(score: float | None, level: int | None) -> None:
    assert maturity_level(score) == level


def test_maturity_level_on_arrays() -> None:
    levels = maturity_level(np.array([19.99, 20.0, np.nan, 79.995, 80.0]))
    assert str(levels.dtype) == "Int64"
    assert levels.tolist() == [1, 2, pd.NA, 5, 5]


@pytest.mark.parametrize("score", [-0.01, 100.01, 150.0])
def test_maturity_level_outside_range_raises(score: float) -> None:
    with pytest.raises(ValueError, match=r"\[0, 100\]"):
        maturity_level(score)


# ---------------------------------------------------------------- vectorised core


def tidy(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    columns = [
        "assessment_id",
        "dimension_id",
        "dimension_weight",
        "item_id",
        "item_weight",
        "item_score",
        "applicable",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    frame["applicable"] = frame["applicable"].astype(bool)
    return frame


NAN = float("nan")


def test_dimension_scores_on_a_hand_built_frame() -> None:
    frame = tidy(
        [
            # assessment 1, dimension x (weight 1): the worked example of DESIGN §9 → 30.00
            (1, "x", 1.0, "m", 1.0, 0.75, True),
            (1, "x", 1.0, "l", 1.0, 0.25, True),
            (1, "x", 1.0, "r", 2.0, 0.0, True),
            (1, "x", 1.0, "y", 1.0, 0.5, True),
            (1, "x", 1.0, "n", 1.0, NAN, False),
            # assessment 1, dimension z (weight 3): 0.5 and unanswered → 50 % coverage
            (1, "z", 3.0, "z1", 1.0, 0.5, True),
            (1, "z", 3.0, "z2", 1.0, NAN, True),
            # assessment 2, dimension x: 1, 1, 0.5 of weights 1, 1, 2; two n/a → 100×3/4 = 75
            (2, "x", 1.0, "m", 1.0, 1.0, True),
            (2, "x", 1.0, "l", 1.0, 1.0, True),
            (2, "x", 1.0, "r", 2.0, 0.5, True),
            (2, "x", 1.0, "y", 1.0, 0.25, False),
            (2, "x", 1.0, "n", 1.0, NAN, False),
            # assessment 2, dimension z: all not applicable
            (2, "z", 3.0, "z1", 1.0, NAN, False),
            (2, "z", 3.0, "z2", 1.0, 1.0, False),
        ]
    )
    result = dimension_scores(frame)
    assert list(result.columns[:9]) == [
        "assessment_id",
        "dimension_id",
        "dimension_weight",
        "score",
        "coverage",
        "maturity",
        "answered_weight",
        "applicable_weight",
        "status",
    ]
    assert list(zip(result["assessment_id"], result["dimension_id"], strict=True)) == [
        (1, "x"),
        (1, "z"),
        (2, "x"),
        (2, "z"),
    ]
    assert_allclose(result["score"], [30.0, NAN, 75.0, NAN], atol=ATOL)
    assert_allclose(result["coverage"], [100.0, 50.0, 100.0, 0.0], atol=ATOL)
    assert_allclose(result["answered_weight"], [5.0, 1.0, 4.0, 0.0], atol=ATOL)
    assert_allclose(result["applicable_weight"], [5.0, 2.0, 4.0, 0.0], atol=ATOL)
    assert_allclose(result["dimension_weight"], [1.0, 3.0, 1.0, 3.0], atol=ATOL)
    assert result["status"].tolist() == [
        "scored",
        "insufficient_data",
        "scored",
        "not_applicable",
    ]
    assert str(result["maturity"].dtype) == "Int64"
    assert result["maturity"].tolist() == [2, pd.NA, 4, pd.NA]

    overall = overall_scores(result, frame)
    assert list(overall.columns) == [
        "assessment_id",
        "score",
        "coverage",
        "maturity",
        "status",
        "scored_weight_share",
    ]
    assert overall["assessment_id"].tolist() == [1, 2]
    # 1: only x scored, weight 1 of 1 + 3 that applies → 25 % < 60 %: no overall score;
    #    coverage (5 + 1) / (5 + 2) = 85.714… → 85.71
    # 2: only x scored, z does not apply → 100 % → 75.00; coverage 4 / 4 = 100
    assert_allclose(overall["score"], [NAN, 75.0], atol=ATOL)
    assert_allclose(overall["coverage"], [85.71, 100.0], atol=ATOL)
    assert_allclose(overall["scored_weight_share"], [25.0, 100.0], atol=ATOL)
    assert overall["status"].tolist() == ["insufficient_data", "scored"]
    assert overall["maturity"].tolist() == [pd.NA, 4]


def random_questionnaire() -> Questionnaire:
    items_a = [
        make_item("a-m", "maturity", weight=2.0),
        make_item("a-l", "likert5", reverse=True),
        make_item("a-y", "yes_partly_no", weight=0.5, allow_not_applicable=True),
        make_item("a-c", "choice", options=make_options(p=0.0, q=0.3, r=1.0)),
        make_item("a-n", "number", minimum=0),
    ]
    items_b = [
        make_item("b-gate", "yes_partly_no"),
        make_item("b-1", applies_if=Condition(item="b-gate", any_of=["yes"])),
        make_item("b-2", applies_if=Condition(item="b-1", any_of=[4, 5]), weight=3.0),
        make_item("b-multi", "multi", options=make_options(u=0.6, v=0.6, w=0.1)),
        make_item("b-3", allow_not_applicable=True),
    ]
    items_c = [make_item(f"c-{k}", allow_not_applicable=True, weight=k) for k in range(1, 3)]
    return make_questionnaire(
        make_dimension("a", items_a, weight=1.0),
        make_dimension("b", items_b, weight=2.0),
        make_dimension("c", items_c, weight=0.5),
    )


def random_answer(item: Item, rng: np.random.Generator) -> StoredAnswer | None:
    if rng.random() < 0.2:
        return None  # unanswered
    if item.allow_not_applicable and rng.random() < 0.5:
        return answer(na=True)
    if item.type in ("maturity", "likert5"):
        return answer(int(rng.integers(1, 6)))
    if item.type == "yes_partly_no":
        return answer(str(rng.choice(["yes", "partly", "no"])))
    options = [o.id for o in item.options or ()]
    if item.type == "choice":
        return answer(str(rng.choice(options)))
    if item.type == "multi":
        return answer([o for o in options if rng.random() < 0.5])
    return answer(float(rng.integers(0, 50)))


def test_vectorised_core_matches_score_response_per_assessment() -> None:
    questionnaire = random_questionnaire()
    rng = np.random.default_rng(20260101)
    responses: dict[str, dict[str, StoredAnswer]] = {}
    for k in range(200):
        answers = {}
        for item in questionnaire.items:
            stored = random_answer(item, rng)
            if stored is not None:
                answers[item.id] = stored
        responses[f"org-{k}"] = answers

    frame = pd.concat(
        [answers_frame(questionnaire, answers, org) for org, answers in responses.items()],
        ignore_index=True,
    )
    dimensions = dimension_scores(frame)
    overall = overall_scores(dimensions, frame).set_index("assessment_id")
    statuses = set()
    for org, answers in responses.items():
        single = score_response(questionnaire, answers)
        rows = dimensions[dimensions["assessment_id"] == org].set_index("dimension_id")
        for d in single.dimensions:
            row = rows.loc[d.dimension_id].to_dict()
            statuses.add(d.status)
            assert d.status == row["status"]
            assert_allclose(d.coverage, row["coverage"], atol=ATOL)
            assert_allclose(np.nan if d.score is None else d.score, row["score"], atol=ATOL)
            assert d.maturity == (None if pd.isna(row["maturity"]) else row["maturity"])
            assert (d.answered_items, d.applicable_items) == (
                row["answered_items"],
                row["applicable_items"],
            )
        single_score = np.nan if single.score is None else single.score
        assert_allclose(single_score, overall.at[org, "score"], atol=ATOL)
        assert_allclose(single.coverage, overall.at[org, "coverage"], atol=ATOL)
        total_maturity = overall.at[org, "maturity"]
        assert single.maturity == (None if pd.isna(total_maturity) else total_maturity)
    # the random answers exercise every status the core can give
    assert statuses == {"scored", "insufficient_data", "not_applicable"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(columns="item_weight"), "lacks column"),
        (lambda f: f.assign(item_score=1.5), r"\[0, 1\]"),
        (lambda f: f.assign(item_weight=0.0), "item_weight"),
        (lambda f: f.assign(dimension_weight=-1.0), "dimension_weight"),
        (lambda f: f.assign(applicable=1), "boolean"),
        (lambda f: f.assign(dimension_weight=[1.0, 2.0]), "differs"),
        (lambda f: f.assign(assessment_id=[1, None]), "missing values"),
    ],
)
def test_dimension_scores_rejects_bad_frames(change: Any, message: str) -> None:
    frame = tidy([(1, "x", 1.0, "a", 1.0, 0.5, True), (1, "x", 1.0, "b", 1.0, NAN, True)])
    with pytest.raises(ValueError, match=message):
        dimension_scores(change(frame))


def test_empty_frame_gives_empty_results() -> None:
    frame = tidy([]).astype({"dimension_weight": float, "item_weight": float, "item_score": float})
    dimensions = dimension_scores(frame)
    assert len(dimensions) == 0
    assert "status" in dimensions.columns
    assert len(overall_scores(dimensions, frame)) == 0
