"""What a question's form controls mean, for every item type that allows "not applicable"
(the published questionnaires have no text item with it, so the items are made here)."""

from __future__ import annotations

from typing import Any

import pytest
from multidict import MultiDict

from survey import i18n
from survey.assessments.forms import answer_from_form
from survey.assessments.service import validate_answer
from survey.errors import Invalid
from survey.questionnaires.schema import Item, LocalText, Option

TEXT = LocalText(nl="Vraag", fr="Question", en="Question")


def _item(kind: str, **extra: Any) -> Item:
    if kind in ("choice", "multi"):
        extra["options"] = [Option(id=o, label=TEXT, score=1.0) for o in ("a", "b", "c")]
    return Item(id="x", type=kind, text=TEXT, allow_not_applicable=True, **extra)  # type: ignore[arg-type]


def _form(*values: str) -> MultiDict[str]:
    return MultiDict([("revision-x", "0"), *(("answer-x", v) for v in values)])


@pytest.mark.parametrize(
    ("kind", "values"),
    [
        ("maturity", ["3"]),
        ("likert5", ["2"]),
        ("yes_partly_no", ["yes"]),
        ("choice", ["a"]),
        ("multi", ["a", "b"]),
        ("number", ["12"]),
        ("number", ["unknown"]),
        ("text", ["Een zin"]),
    ],
)
def test_not_applicable_next_to_a_value_is_refused_at_not_applicable(
    kind: str, values: list[str]
) -> None:
    item = _item(kind, allow_unknown=True) if kind == "number" else _item(kind)
    data = answer_from_form(item, _form(*values, "na"))
    assert data is not None and data.not_applicable and data.value is not None
    with pytest.raises(Invalid) as refused:
        validate_answer(item, data)
    assert set(refused.value.errors) == {"not_applicable"}


@pytest.mark.parametrize(
    ("kind", "values"),
    [("multi", ["", "na"]), ("number", ["", "na"]), ("text", ["  ", "na"]), ("choice", ["na"])],
)
def test_not_applicable_with_empty_controls_is_not_applicable(kind: str, values: list[str]) -> None:
    item = _item(kind)
    data = answer_from_form(item, _form(*values))
    assert data is not None
    clean = validate_answer(item, data)
    assert (clean.value, clean.not_applicable) == (None, True)


@pytest.mark.parametrize(
    ("kind", "values"),
    [("number", ["12", "unknown"]), ("maturity", ["3", "4"]), ("choice", ["a", "b"])],
)
def test_two_answers_where_one_is_asked_are_refused_not_cut(kind: str, values: list[str]) -> None:
    item = _item(kind, allow_unknown=True) if kind == "number" else _item(kind)
    with pytest.raises(Invalid) as refused:
        answer_from_form(item, _form(*values))
    assert set(refused.value.errors) == {"value"}


@pytest.mark.parametrize("typed", ["²", "٣", "9" * 5000])
def test_a_level_typed_in_other_digits_is_refused_not_an_error(typed: str) -> None:
    """``"²".isdigit()`` is true but ``int("²")`` fails: the form answers 422, never 500."""
    item = _item("maturity")
    try:
        data = answer_from_form(item, _form(typed))
    except Invalid:
        return
    assert data is not None
    if data.value == 3:  # "٣" is the Arabic-Indic digit three: a level like any other
        return
    with pytest.raises(Invalid):
        validate_answer(item, data)


@pytest.mark.parametrize(
    ("language", "typed", "expected"),
    [
        # the page writes 100000 as "100.000" in Dutch, "100 000" in French, "100,000" in English:
        # typed back that way, it is the same number, never 100
        ("nl", "100.000", 100000),
        ("nl", "1.234.567", 1234567),
        ("fr", "100 000", 100000),
        ("fr", "100\u202f000", 100000),
        ("en", "1,000", 1000),
        # a decimal sign, either one, as before
        ("nl", "2,5", 2.5),
        ("nl", "2.5", 2.5),
        ("en", "2.5", 2.5),
        ("fr", "0,75", 0.75),
    ],
)
def test_a_number_grouped_as_the_language_writes_it_is_read_whole(
    language: str, typed: str, expected: float
) -> None:
    i18n.set_language(language)
    try:
        data = answer_from_form(_item("number"), _form(typed))
    finally:
        i18n.set_language("nl")
    assert data is not None and data.value == expected
