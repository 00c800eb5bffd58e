"""Team counts that can be true: the ``integer`` and ``at_most`` rules of number items.

A count item may ask for whole numbers (``integer: true``) and name the item whose count
it is part of (``at_most: <total item id>``): staff with a migration background are at
most the staff in all. A rule applies only between numbers: an unanswered item, "unknown"
(don't know / not registered) or "not applicable" is no number, and a subgroup is then
compared with the nearest total above it that is a number (staff of non-EU origin with
the staff in all when the migration-background count is unknown).

Pure functions over a definition and answer values (item id → stored value, ``None``
for unanswered or not applicable); the services call them on save, on the consolidation
page and for the network indicators.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Literal, TypeVar

import msgspec

from survey.questionnaires.loader import all_versions
from survey.questionnaires.schema import Questionnaire
from survey.questionnaires.versions import item_id_map

__all__ = [
    "CountBreach",
    "breaches_under_current_rules",
    "count_breaches",
    "has_count_rules",
    "older_version_breaches",
    "retry_refused_counts",
    "unusable_count_items",
]


class CountBreach(msgspec.Struct, frozen=True):
    """One count that breaks a rule.

    ``rule`` ``"integer"``: ``item_id`` holds a number that is not whole. ``rule``
    ``"at_most"``: ``item_id`` (the subgroup) is above ``total_id`` (its total); which of
    the two is wrong cannot be told, so neither count can be used.
    """

    item_id: str
    rule: Literal["integer", "at_most"]
    value: float
    total_id: str | None = None
    total: float | None = None

    @property
    def item_ids(self) -> tuple[str, ...]:
        return (self.item_id,) if self.total_id is None else (self.item_id, self.total_id)


def _number(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def has_count_rules(questionnaire: Questionnaire) -> bool:
    return any(item.integer or item.at_most for item in questionnaire.items)


def count_breaches(questionnaire: Questionnaire, values: Mapping[str, object]) -> list[CountBreach]:
    """The counts in ``values`` that break the rules of ``questionnaire``, in item order.

    ``values``: item id → stored value (a number, ``"unknown"``, …; ``None`` or absent
    when unanswered or not applicable). Items the definition does not have are ignored.

    >>> from survey.questionnaires.schema import Dimension, Item, LocalText
    >>> t = LocalText(nl="x", fr="x", en="x")
    >>> items = [Item(id="all", type="number", text=t, integer=True),
    ...          Item(id="part", type="number", text=t, integer=True, at_most="all")]
    >>> q = Questionnaire(id="q", version=1, title=t, intro=t, dimensions=[
    ...     Dimension(id="d", title=t, why=t, maturity=[t] * 5, items=items)])
    >>> [(b.item_id, b.rule, b.total_id) for b in count_breaches(q, {"all": 5, "part": 10})]
    [('part', 'at_most', 'all')]
    >>> [(b.item_id, b.rule) for b in count_breaches(q, {"all": 2.5, "part": "unknown"})]
    [('all', 'integer')]
    """
    by_id = {item.id: item for item in questionnaire.items}
    breaches: list[CountBreach] = []
    for item in questionnaire.items:
        if item.type != "number":
            continue
        number = _number(values.get(item.id))
        if number is None:
            continue
        if item.integer and not number.is_integer():
            breaches.append(CountBreach(item.id, "integer", number))
        seen = {item.id}
        total_id = item.at_most
        while total_id is not None and total_id in by_id and total_id not in seen:
            total = _number(values.get(total_id))
            if total is not None:
                if number > total:
                    breaches.append(CountBreach(item.id, "at_most", number, total_id, total))
                break
            seen.add(total_id)
            total_id = by_id[total_id].at_most
    return breaches


def older_version_breaches(
    chain: Sequence[Questionnaire], values: Mapping[str, object]
) -> list[CountBreach]:
    """Counts given on an older version (``chain[0]``) that break the rules of the newest
    version of ``chain`` (consecutive versions, oldest first), named by ``chain[0]``'s ids.

    Answers on version 1 of ``diverse-teams`` were saved without rules; the network
    indicators leave the counts found here out, saying how many. Items of the old version
    that the newest one dropped have no rule.
    """
    forwards = item_id_map(chain)
    backwards = {new: old for old, new in forwards.items()}
    translated = {forwards[i]: value for i, value in values.items() if i in forwards}
    return [
        CountBreach(
            item_id=backwards[breach.item_id],
            rule=breach.rule,
            value=breach.value,
            total_id=backwards[breach.total_id] if breach.total_id is not None else None,
            total=breach.total,
        )
        for breach in count_breaches(chain[-1], translated)
    ]


def unusable_count_items(breaches: Sequence[CountBreach]) -> set[str]:
    """The item ids whose counts cannot be used: every item that takes part in a breach."""
    return {item_id for breach in breaches for item_id in breach.item_ids}


def breaches_under_current_rules(
    questionnaire: Questionnaire, values: Mapping[str, object]
) -> list[CountBreach]:
    """The counts that break the rules holding for answers on ``questionnaire``: its own
    rules, or, for a version published without rules (``diverse-teams`` version 1), those of
    the newest version in :data:`~survey.questionnaires.loader.QUESTIONNAIRE_DIR`."""
    if has_count_rules(questionnaire):
        return count_breaches(questionnaire, values)
    chain = [
        version
        for version in all_versions()
        if version.id == questionnaire.id and version.version >= questionnaire.version
    ]
    if len(chain) < 2 or not has_count_rules(chain[-1]):
        return []
    try:
        return older_version_breaches(chain, values)
    except ValueError:  # versions with a gap: no mapping to follow
        return []


Pending = TypeVar("Pending")


async def retry_refused_counts(
    pending: Sequence[Pending], attempt: Callable[[Pending], Awaitable[bool]]
) -> list[Pending]:
    """Save counts that a count rule refused again, round after round, while each round
    gets at least one more through: a total lowered together with its subgroup is refused
    until the lower subgroup is stored, whatever the order of the questions. ``attempt``
    saves one and answers True when the rule still refuses it. Returns those still refused.
    """
    waiting = list(pending)
    while waiting:
        refused = [item for item in waiting if await attempt(item)]
        if len(refused) == len(waiting):
            return refused
        waiting = refused
    return waiting
