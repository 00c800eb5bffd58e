"""The value a consolidation starts from, per item type, with its spread and agreement,
against values computed by hand (DESIGN §9 "Several respondents"; r_wg after James,
Demaree & Wolf, 1984: r_wg = 1 − s²/σ², σ² = (A² − 1)/12)."""

from __future__ import annotations

import pytest
from numpy.testing import assert_allclose

from survey.questionnaires.schema import Item, LocalText, Option
from survey.respondents.consolidation import RespondentAnswer, item_consensus

T = LocalText(nl="x", fr="x", en="x")


def answers(*values: object, not_applicable: int = 0) -> list[RespondentAnswer]:
    given = [RespondentAnswer(f"p{i}", v, False) for i, v in enumerate(values)]
    return given + [RespondentAnswer(f"na{i}", None, True) for i in range(not_applicable)]


def test_strong_disagreement_on_a_maturity_item_is_flagged() -> None:
    # Levels 1, 3, 5: lower median 3; scores 0, .5, 1 → Q1 .25, Q3 .75, IQR .5;
    # s² = 4, σ² = (25 − 1)/12 = 2 → 1 − 2 = −1, truncated to 0 → flagged (n ≥ 3, r_wg < .5).
    result = item_consensus(Item(id="m", type="maturity", text=T), answers(1, 3, 5))
    assert result.suggestion == 3
    assert_allclose([result.iqr, result.agreement], [0.5, 0.0], atol=1e-12)
    assert result.needs_discussion is True
    assert result.n == 3


def test_close_answers_on_a_likert_item_agree() -> None:
    # Levels 4, 4, 5: lower median 4; scores .75, .75, 1 → Q1 .75, Q3 .875, IQR .125;
    # s² = 1/3, r_wg = 1 − (1/3)/2 = 5/6.
    result = item_consensus(Item(id="l", type="likert5", text=T), answers(4, 5, 4))
    assert result.suggestion == 4
    assert_allclose([result.iqr, result.agreement], [0.125, 5 / 6], atol=1e-12)
    assert result.needs_discussion is False


def test_even_number_of_answers_takes_the_lower_median_so_it_is_a_real_option() -> None:
    result = item_consensus(Item(id="l", type="likert5", text=T), answers(2, 5))
    assert result.suggestion == 2
    assert result.needs_discussion is False  # two answers are too few to flag


def test_yes_partly_no_is_ordered_on_three_levels() -> None:
    # yes, partly, yes → levels 3, 2, 3: lower median 3 ("yes"); s² = 1/3,
    # σ² = (9 − 1)/12 = 2/3 → r_wg = 1 − .5 = .5: not below .5, so not flagged.
    result = item_consensus(
        Item(id="y", type="yes_partly_no", text=T), answers("yes", "partly", "yes")
    )
    assert result.suggestion == "yes"
    assert_allclose(result.agreement, 0.5, atol=1e-12)
    assert result.needs_discussion is False
    # scores 1, .5, 1 → Q1 .75, Q3 1 → IQR .25
    assert_allclose(result.iqr, 0.25, atol=1e-12)


def test_reversed_item_keeps_levels_for_the_median_and_uses_scores_for_the_spread() -> None:
    # Levels 1, 2, 2 of a reversed likert: scores 1, .75, .75 → IQR .125; median level 2.
    item = Item(id="r", type="likert5", text=T, reverse=True)
    result = item_consensus(item, answers(1, 2, 2))
    assert result.suggestion == 2
    assert_allclose(result.iqr, 0.125, atol=1e-12)


CHOICE = Item(
    id="c",
    type="choice",
    text=T,
    options=[Option(id="a", label=T), Option(id="b", label=T), Option(id="c", label=T)],
)


@pytest.mark.parametrize(
    ("values", "expected"),
    [(("a", "b", "a"), "a"), (("a", "b"), None), (("c",), "c")],
    ids=["most-frequent", "tie-left-empty", "single"],
)
def test_choice_takes_the_most_frequent_option_and_nothing_on_a_tie(values, expected) -> None:
    result = item_consensus(CHOICE, answers(*values))
    assert result.suggestion == expected
    assert result.agreement is None


def test_multi_keeps_the_options_more_than_half_chose() -> None:
    item = Item(id="mm", type="multi", text=T, options=CHOICE.options)
    result = item_consensus(item, answers(["a", "b"], ["a"], ["a", "c"], ["b"]))
    # a: 3 of 4, b: 2 of 4 (not more than half), c: 1 of 4
    assert result.suggestion == ["a"]


def test_number_takes_the_lower_median_and_unknown_only_when_nobody_knows() -> None:
    item = Item(id="n", type="number", text=T, allow_unknown=True)
    assert item_consensus(item, answers(12, "unknown", 10, 15, 11)).suggestion == 11
    assert item_consensus(item, answers("unknown", "unknown")).suggestion == "unknown"


def test_not_applicable_by_most_people_is_the_starting_value_where_allowed() -> None:
    allowed = Item(id="a", type="likert5", text=T, allow_not_applicable=True)
    result = item_consensus(allowed, answers(4, not_applicable=2))
    assert result.suggest_not_applicable is True and result.suggestion is None
    refused = Item(id="b", type="likert5", text=T)
    assert item_consensus(refused, answers(4, not_applicable=2)).suggestion == 4


def test_text_items_get_no_starting_value() -> None:
    result = item_consensus(Item(id="t", type="text", text=T), answers("one", "two"))
    assert result.suggestion is None and result.n == 2
