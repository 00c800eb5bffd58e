"""The shape of a questionnaire definition file (YAML), as msgspec Structs.

A definition file holds one questionnaire version. The loader (``loader.py``)
decodes a file into :class:`Questionnaire` and then checks the rules that cross
fields (unique ids, option counts, conditions on earlier items).
"""

from __future__ import annotations

from typing import Annotated, Literal, Protocol

import msgspec

Slug = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$", max_length=80)]
NonEmpty = Annotated[str, msgspec.Meta(min_length=1)]
Weight = Annotated[float, msgspec.Meta(gt=0)]

ItemType = Literal["maturity", "likert5", "yes_partly_no", "choice", "multi", "number", "text"]
ORDERED_TYPES: frozenset[str] = frozenset({"maturity", "likert5"})
SCORED_TYPES: frozenset[str] = frozenset(
    {"maturity", "likert5", "yes_partly_no", "choice", "multi"}
)
LANGUAGES: tuple[str, ...] = ("nl", "fr", "en")


class InLanguages(Protocol):
    """A text with a version in each of :data:`LANGUAGES`."""

    @property
    def nl(self) -> str: ...
    @property
    def fr(self) -> str: ...
    @property
    def en(self) -> str: ...


def blank_languages(text: InLanguages) -> list[str]:
    """The languages in which ``text`` is blank (empty or only white space): each file that
    holds texts in the three languages (definitions, catalogue, spearhead plan) asks for
    them all."""
    return [language for language in LANGUAGES if not getattr(text, language).strip()]


class LocalText(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """A text in the three languages of the product; Dutch is the original."""

    nl: NonEmpty
    fr: NonEmpty
    en: NonEmpty

    def get(self, language: str) -> str:
        value: str = getattr(self, language, self.nl)
        return value


class Option(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """An answer option of a ``choice`` or ``multi`` item; ``score`` in [0, 1] if scored."""

    id: Slug
    label: LocalText
    score: Annotated[float, msgspec.Meta(ge=0, le=1)] | None = None


class Condition(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """The item applies only when the earlier item ``item`` has one of ``any_of`` as its value.

    Values are compared with the stored answer: a level 1–5 for ordered items,
    ``"yes" | "partly" | "no"``, an option id (for ``multi``: any selected option).
    """

    item: Slug
    any_of: list[int | str]


class Item(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    id: Slug
    type: ItemType
    text: LocalText
    help: LocalText | None = None
    # maturity: exactly five anchors, level 1 to 5; likert5 may override the standard labels.
    anchors: list[LocalText] | None = None
    options: list[Option] | None = None
    weight: Weight = 1.0
    reverse: bool = False
    allow_not_applicable: bool = False
    applies_if: Condition | None = None
    evidence_prompt: LocalText | None = None
    # number items
    minimum: float | None = None
    maximum: float | None = None
    allow_unknown: bool = False
    # number items that count: whole numbers only, and at most the count of another number
    # item (a subgroup and its total, by item id). "unknown" answers are outside both rules.
    integer: bool = False
    at_most: Slug | None = None
    # text items
    max_length: Annotated[int, msgspec.Meta(gt=0, le=10_000)] = 2_000

    @property
    def is_scored(self) -> bool:
        if self.type in ("choice", "multi"):
            return bool(self.options) and all(o.score is not None for o in self.options or ())
        return self.type in SCORED_TYPES


class Dimension(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    id: Slug
    title: LocalText
    why: LocalText
    # Five descriptions: what the organisation looks like at maturity level 1..5 on this dimension.
    maturity: list[LocalText]
    items: list[Item]
    weight: Weight = 1.0


class Questionnaire(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    id: Slug
    version: Annotated[int, msgspec.Meta(ge=1)]
    title: LocalText
    intro: LocalText
    dimensions: list[Dimension]
    # item id in this version -> item id in the previous version, for trends across versions.
    previous_item_ids: dict[str, str] = {}

    @property
    def items(self) -> list[Item]:
        return [item for dimension in self.dimensions for item in dimension.items]

    def item(self, item_id: str) -> Item | None:
        for item in self.items:
            if item.id == item_id:
                return item
        return None

    def dimension_of(self, item_id: str) -> Dimension | None:
        for dimension in self.dimensions:
            if any(item.id == item_id for item in dimension.items):
                return dimension
        return None
