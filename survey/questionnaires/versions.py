"""Comparing answers across questionnaire versions (DESIGN §2: "a new version can map item ids
of the old one so trends stay comparable").

A new version lists ``previous_item_ids``: item id in this version → item id in the
previous version, for items that were renamed. Items with the same id in both versions
are the same question; items of the old version that are neither kept nor mapped were
dropped, and new items have no history.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import TypeVar

from survey.questionnaires.schema import Questionnaire

__all__ = ["item_id_map", "translate_answers"]

Value = TypeVar("Value")


def item_id_map(chain: Sequence[Questionnaire]) -> dict[str, str]:
    """Old item id → item id in the newest version, along a chain of consecutive versions.

    ``chain`` is ordered oldest first (e.g. versions 1, 2, 3 of one questionnaire). Renames
    compose: ``a`` renamed to ``b`` in version 2 and ``b`` to ``c`` in version 3 maps ``a`` to
    ``c``. Raises ``ValueError`` when the versions are not consecutive versions of one
    questionnaire.

    >>> from survey.questionnaires.schema import Dimension, Item, LocalText
    >>> t = LocalText(nl="x", fr="x", en="x")
    >>> def q(version, ids, mapping=None):
    ...     items = [Item(id=i, type="likert5", text=t) for i in ids]
    ...     d = Dimension(id="d", title=t, why=t, maturity=[t] * 5, items=items)
    ...     return Questionnaire(id="q", version=version, title=t, intro=t, dimensions=[d],
    ...                          previous_item_ids=mapping or {})
    >>> item_id_map([q(1, ["a", "k"]), q(2, ["b", "k"], {"b": "a"})])
    {'a': 'b', 'k': 'k'}
    """
    if not chain:
        raise ValueError("chain must hold at least one questionnaire version")
    for older, newer in itertools.pairwise(chain):
        if newer.id != older.id or newer.version != older.version + 1:
            raise ValueError(
                f"expected consecutive versions of one questionnaire, got "
                f"{older.id} v{older.version} then {newer.id} v{newer.version}"
            )
    mapping = {item.id: item.id for item in chain[0].items}
    for newer in chain[1:]:
        backwards = newer.previous_item_ids
        forwards = {old: new for new, old in backwards.items()}
        current_ids = {item.id for item in newer.items}
        step: dict[str, str] = {}
        for oldest, id_in_previous in mapping.items():
            if id_in_previous in forwards:
                step[oldest] = forwards[id_in_previous]
            elif id_in_previous in current_ids and id_in_previous not in backwards:
                step[oldest] = id_in_previous
        mapping = step
    return mapping


def translate_answers(
    answers: Mapping[str, Value], chain: Sequence[Questionnaire]
) -> dict[str, Value]:
    """Answers given on the oldest version of ``chain``, keyed by the newest version's item ids.

    Answers to dropped items are left out, so scoring the result with the newest version
    compares like with like.
    """
    mapping = item_id_map(chain)
    return {mapping[item_id]: value for item_id, value in answers.items() if item_id in mapping}
