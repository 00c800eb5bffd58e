"""The message at a number field says what number will do: whole or not, and the item's
range, in the reader's language (issue: "Enter a whole number" without the range)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from survey.assessments.pages import number_message
from survey.i18n import set_language
from survey.questionnaires.schema import Item, LocalText


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
