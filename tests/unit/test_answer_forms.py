"""What a question's form controls mean, for every item type that allows "not applicable"
(the published questionnaires have no text item with it, so the items are made here)."""

from __future__ import annotations

from typing import Any

import pytest
from multidict import MultiDict

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
