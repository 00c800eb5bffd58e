"""Item level rules: the score of one answer and which items apply (DESIGN §4, §9).

Pure functions over the questionnaire definition Structs; no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TypeAlias, TypeGuard

import msgspec

from survey.questionnaires.schema import ORDERED_TYPES, Item, Questionnaire

__all__ = [
    "YES_PARTLY_NO_SCORES",
    "AnswerValue",
    "StoredAnswer",
    "applicable_item_ids",
    "item_score",
]

AnswerValue: TypeAlias = int | float | str | list[str] | None
"""A stored answer value, as in the API body (DESIGN §9 "API bodies").

``maturity``/``likert5``: a level 1–5; ``yes_partly_no``: ``"yes" | "partly" | "no"``;
``choice``: an option id; ``multi``: a list of option ids; ``number``: a number or
``"unknown"``; ``text``: a string. ``None`` means unanswered.
"""

YES_PARTLY_NO_SCORES: Mapping[str, float] = {"yes": 1.0, "partly": 0.5, "no": 0.0}
N_ORDERED_LEVELS = 5


class StoredAnswer(msgspec.Struct, frozen=True):
    """One stored answer as the service passes it to scoring.

    ``not_applicable`` wins over ``value``: an answer flagged not applicable is
    left out of the applicable weight whatever value it also carries.
    """

    value: AnswerValue = None
    not_applicable: bool = False


def _is_real_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _option_score(item: Item, option_id: object) -> float | None:
    if not isinstance(option_id, str):
        raise ValueError(f"item {item.id!r}: option id must be a string, got {option_id!r}")
    for option in item.options or ():
        if option.id == option_id:
            return option.score
    raise ValueError(f"item {item.id!r}: unknown option {option_id!r}")


def _validate_unscored(item: Item, value: AnswerValue) -> None:
    if item.type == "number":
        if isinstance(value, str) and value == "unknown":
            if not item.allow_unknown:
                raise ValueError(f"item {item.id!r}: 'unknown' is not allowed")
            return
        if not _is_real_number(value):
            raise ValueError(f"item {item.id!r}: expected a number, got {value!r}")
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"item {item.id!r}: number must be finite, got {value!r}")
        if item.minimum is not None and number < item.minimum:
            raise ValueError(f"item {item.id!r}: {value!r} is below the minimum {item.minimum}")
        if item.maximum is not None and number > item.maximum:
            raise ValueError(f"item {item.id!r}: {value!r} is above the maximum {item.maximum}")
    elif item.type == "text":
        if not isinstance(value, str):
            raise ValueError(f"item {item.id!r}: expected a text, got {value!r}")
        if len(value) > item.max_length:
            raise ValueError(f"item {item.id!r}: text longer than {item.max_length} characters")


def _raw_score(item: Item, value: AnswerValue) -> float | None:
    """The item score before reversing; validates ``value`` for every item type."""
    if item.type in ORDERED_TYPES:
        if not _is_real_number(value) or not float(value).is_integer():
            raise ValueError(f"item {item.id!r}: expected a level 1–5, got {value!r}")
        level = int(value)
        if not 1 <= level <= N_ORDERED_LEVELS:
            raise ValueError(f"item {item.id!r}: level {level} is outside 1–5")
        return (level - 1) / (N_ORDERED_LEVELS - 1)
    if item.type == "yes_partly_no":
        if not isinstance(value, str) or value not in YES_PARTLY_NO_SCORES:
            raise ValueError(f"item {item.id!r}: expected 'yes', 'partly' or 'no', got {value!r}")
        return YES_PARTLY_NO_SCORES[value]
    if item.type in ("choice", "multi") and not item.options:
        raise ValueError(f"item {item.id!r}: a {item.type} item without options takes no value")
    if item.type == "choice":
        score = _option_score(item, value)
        return score if item.is_scored else None
    if item.type == "multi":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"item {item.id!r}: expected a list of option ids, got {value!r}")
        if len(set(value)) != len(value):
            raise ValueError(f"item {item.id!r}: an option is selected twice in {value!r}")
        scores = [_option_score(item, option_id) for option_id in value]
        if not item.is_scored:
            return None
        return min(1.0, math.fsum(s for s in scores if s is not None))
    _validate_unscored(item, value)
    return None


def item_score(item: Item, value: AnswerValue) -> float | None:
    """Score one answer of ``item`` on [0, 1] (DESIGN §4 and §9 "Scoring arithmetic").

    Rules
    -----
    - ``maturity`` and ``likert5``: level ``k`` in 1–5 scores ``(k − 1) / 4``, so
      1, 2, 3, 4, 5 → 0, 0.25, 0.5, 0.75, 1.
    - ``yes_partly_no``: yes / partly / no → 1 / 0.5 / 0.
    - ``choice``: the chosen option's ``score``.
    - ``multi``: ``min(1, Σ score of the selected options)``; an empty list is an
      answer ("none of these") and scores 0.
    - ``reverse``: the score ``s`` becomes ``1 − s``.

    Returns ``None`` when the item is unanswered (``value is None``) or takes no
    part in scores (``number``, ``text``, ``choice``/``multi`` without option
    scores). Values of unscored items are still validated (number range and
    ``"unknown"``, text length, option ids).

    Raises
    ------
    ValueError
        When ``value`` is not a valid answer for the item: a level outside 1–5 or
        not an integer, an unknown option id, an option selected twice, a string
        other than yes/partly/no, a number out of range, a too long text.

    Examples
    --------
    >>> from survey.questionnaires.schema import Item, LocalText
    >>> t = LocalText(nl="x", fr="x", en="x")
    >>> item_score(Item(id="a", type="likert5", text=t), 4)
    0.75
    >>> item_score(Item(id="b", type="likert5", text=t, reverse=True), 4)
    0.25
    >>> item_score(Item(id="c", type="yes_partly_no", text=t), "partly")
    0.5
    >>> item_score(Item(id="d", type="likert5", text=t), None) is None
    True
    """
    if value is None:
        return None
    score = _raw_score(item, value)
    if score is None:
        return None
    return 1.0 - score if item.reverse else score


def _condition_holds(source_value: AnswerValue, any_of: list[int | str]) -> bool:
    if isinstance(source_value, list):
        return any(_matches(v, any_of) for v in source_value)
    return _matches(source_value, any_of)


def _matches(value: object, any_of: list[int | str]) -> bool:
    if isinstance(value, bool):  # True == 1 in Python; a bool is never a level
        return False
    return any(
        not isinstance(candidate, bool)
        and isinstance(candidate, str) == isinstance(value, str)
        and candidate == value
        for candidate in any_of
    )


def applicable_item_ids(
    questionnaire: Questionnaire, answers: Mapping[str, StoredAnswer]
) -> set[str]:
    """The ids of the items whose ``applies_if`` condition holds for ``answers``.

    An item without a condition always applies. An item with a condition applies
    when its source item applies, is answered, is not marked not applicable, and
    its stored value is one of ``any_of``: a level for ordered items (``4`` matches
    ``4`` and ``4.0``), ``"yes" | "partly" | "no"``, an option id, and for ``multi``
    any selected option. Conditions chain: if the source item does not apply, the
    dependent item does not apply either. An unanswered source makes the condition
    false.

    The not-applicable flag of an item's own answer does not remove it from this
    set; :func:`survey.scoring.score_response` applies that flag separately.

    Raises
    ------
    ValueError
        When a condition names an item that is not in the questionnaire, or
        conditions form a cycle.

    Examples
    --------
    With item ``b`` conditional on ``a`` being ``"yes"`` and ``c`` on ``b`` being 5:
    ``{"a": "no"}`` gives ``{"a"}``; ``{"a": "yes", "b": 5}`` gives ``{"a", "b", "c"}``.
    """
    items = {item.id: item for item in questionnaire.items}
    memo: dict[str, bool] = {}

    def applies(item_id: str, path: tuple[str, ...]) -> bool:
        if item_id in memo:
            return memo[item_id]
        if item_id in path:
            raise ValueError(f"applies_if conditions form a cycle: {' -> '.join((*path, item_id))}")
        condition = items[item_id].applies_if
        if condition is None:
            result = True
        else:
            if condition.item not in items:
                raise ValueError(
                    f"item {item_id!r}: applies_if names unknown item {condition.item!r}"
                )
            source = answers.get(condition.item)
            result = (
                applies(condition.item, (*path, item_id))
                and source is not None
                and not source.not_applicable
                and source.value is not None
                and _condition_holds(source.value, condition.any_of)
            )
        memo[item_id] = result
        return result

    return {item_id for item_id in items if applies(item_id, ())}
