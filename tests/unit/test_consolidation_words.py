"""The manager's line under a question says how close the respondents' answers are in words,
with the same threshold as the consolidation page's "discuss" flag."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from survey.i18n import set_language
from survey.respondents.consolidation import ItemConsensus
from survey.respondents.presenters import closeness_words


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language("nl")


def _consensus(agreement: float | None, needs_discussion: bool = False) -> ItemConsensus:
    item: Any = None  # not read by the words
    return ItemConsensus(item, [], 3, False, 3, 0.25, agreement, needs_discussion)


@pytest.mark.parametrize(
    ("agreement", "flagged", "words"),
    [
        (None, False, None),  # one answer: nothing to compare
        (1.0, False, "everyone gave the same answer"),
        (5 / 6, False, "answers close together"),  # 4, 4, 5
        (0.5, False, "answers close together"),  # the flag's threshold is not far apart
        (0.0, True, "answers far apart: talk it through"),  # 1, 3, 5
        (0.0, False, "answers far apart"),  # two answers, 1 and 3: too few for the flag
    ],
)
def test_the_answers_closeness_in_words(
    agreement: float | None, flagged: bool, words: str | None
) -> None:
    assert closeness_words(_consensus(agreement, flagged)) == words


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("nl", "antwoorden liggen ver uit elkaar: bespreek dit samen"),
        ("fr", "réponses très éloignées\u00a0: à discuter ensemble"),
    ],
)
def test_the_words_in_dutch_and_french(language: str, words: str) -> None:
    set_language(language)
    assert closeness_words(_consensus(0.0, True)) == words
