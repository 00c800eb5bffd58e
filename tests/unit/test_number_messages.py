"""The message at a number field says what number will do: whole or not, and the item's
range, in the reader's language (issue: "Enter a whole number" without the range)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

import msgspec
import pytest

from survey.assessments.pages import number_message
from survey.i18n import set_language
from survey.questionnaires.schema import Item, LocalText
from survey.web.forms import NumberLimits, message, number_limits, number_problem


@pytest.fixture(autouse=True)
def dutch_again() -> Iterator[None]:
    yield
    set_language("nl")


def _item(integer: bool, minimum: float | None, maximum: float | None) -> Item:
    text = LocalText(nl="Hoeveel?", fr="Combien\u00a0?", en="How many?")
    return Item(id="n", type="number", text=text, integer=integer, minimum=minimum, maximum=maximum)


@pytest.mark.parametrize(
    ("integer", "minimum", "maximum", "language", "message"),
    [
        (True, 0, 500, "en", "Enter a whole number from 0 to 500."),
        (True, 0, 100_000, "nl", "Vul een heel getal in van 0 tot 100.000."),
        (True, 0, 100_000, "fr", "Saisissez un nombre entier de 0 à 100\u202f000."),
        (True, 1, None, "en", "Enter a whole number of at least 1."),
        (True, None, 10, "nl", "Vul een heel getal in van hoogstens 10."),
        (True, None, None, "en", "Enter a whole number."),
        (False, 0, 2.5, "fr", "Saisissez un nombre de 0 à 2,5."),
        (False, 0.5, None, "en", "Enter a number of at least 0.5."),
        (False, None, 50, "nl", "Vul een getal in van hoogstens 50."),
        (False, None, None, "fr", "Saisissez un nombre."),
    ],
)
def test_the_number_message_says_the_range(
    integer: bool,
    minimum: float | None,
    maximum: float | None,
    language: str,
    message: str,
) -> None:
    set_language(language)
    assert number_message(_item(integer, minimum, maximum)) == message


class _Goal(msgspec.Struct):
    level: Annotated[int, msgspec.Meta(ge=1, le=5)]
    share: Annotated[float, msgspec.Meta(ge=0, le=1)] | None = None
    above: Annotated[int, msgspec.Meta(gt=0, lt=10)] = 1
    ratio: Annotated[float, msgspec.Meta(gt=0)] = 1.0
    name: str = ""


@pytest.mark.parametrize(
    ("annotation", "path", "limits"),
    [
        (list[_Goal], "$[0].level", NumberLimits(whole=True, low=1, high=5)),
        (_Goal, "$.share", NumberLimits(whole=False, low=0, high=1)),
        (_Goal, "$.above", NumberLimits(whole=True, low=1, high=9)),  # gt/lt: whole steps
        (_Goal, "$.ratio", None),  # a fraction above 0 has no "from"
        (_Goal, "$.name", None),
        (_Goal, "$.nothing", None),
        (_Goal, "$[0]", None),
        (int, "$", NumberLimits(whole=True)),
    ],
)
def test_a_fields_limits_are_read_from_its_type(
    annotation: Any, path: str, limits: NumberLimits | None
) -> None:
    assert number_limits(annotation, path) == limits


@pytest.mark.parametrize("typed", ["drie", "2.5", "0", "6", ""])
def test_a_form_number_field_says_its_range_whatever_went_wrong(typed: str) -> None:
    set_language("fr")
    field = Annotated[int, msgspec.Meta(ge=1, le=5)]
    with pytest.raises(msgspec.ValidationError) as refused:
        msgspec.convert(typed, field, strict=False)
    assert message(refused.value, field) == "Saisissez un nombre entier de 1 à 5."
    assert number_problem(refused.value, field) == "Saisissez un nombre entier de 1 à 5."


def test_a_list_body_names_the_field_that_took_a_wrong_number() -> None:
    set_language("nl")
    with pytest.raises(msgspec.ValidationError) as refused:
        msgspec.convert([{"level": 3}, {"level": 3, "share": 2}], list[_Goal], strict=False)
    assert number_problem(refused.value, list[_Goal]) == "Vul een getal in van 0 tot 1."


def test_an_optional_number_field_that_got_a_text_says_its_range() -> None:
    """A field that takes a number or nothing (``StoredInt | None``) sent "abc": msgspec
    says "Expected `int | null`", and the person still reads the range."""

    class Body(msgspec.Struct):
        assessment_id: Annotated[int, msgspec.Meta(ge=1, le=2_147_483_647)] | None = None

    set_language("en")
    with pytest.raises(msgspec.ValidationError) as refused:
        msgspec.convert({"assessment_id": "abc"}, Body)
    assert number_problem(refused.value, Body) == "Enter a whole number from 1 to 2,147,483,647."
