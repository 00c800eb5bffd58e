"""Trigger rules of the trajectory catalogue, and their evaluation on one result (DESIGN §6, §9).

A rule is data (it is decoded from ``catalogue.yaml``, the ``kind`` field says which one):

``maturity_at_most``
    the dimension's maturity level is at or below ``level`` (1–4);
``score_below``
    the dimension's score is below ``threshold`` (points, 0–100);
``below_peers``
    the dimension's score is more than ``margin`` points (default 0) below its peers: the
    peers' median when the peer group may show quartiles (10 peers or more), the peers'
    mean for a group of 5–9, no comparison below 5 (DESIGN §5; the benchmark figures
    already hold only what the group may show);
``answer``
    the consolidated answer to ``item`` is one of ``any_of`` (for a ``multi`` item: one of
    the selected options is);
``all`` / ``any``
    every one / at least one of the nested ``rules`` holds (nesting to any depth).

A rule fires only on a dimension that has a score: on a dimension without one (not
enough answers, everything not applicable, not part of this questionnaire) a leaf rule
does not fire, so an ``all`` that needs it does not either. An ``answer`` rule needs a
score on the item's dimension too.

:func:`evaluate` is pure: it takes the :class:`ResultFacts` of one assessment and returns
the :class:`Hit` of every leaf rule that fired (``None`` when the rule does not hold). The
``gap`` of a hit is its shortfall in points: the threshold (or peer figure) minus the
score. For ``maturity_at_most`` the threshold is where the next level begins
(``20 × (level)``: at most level 2 means below 40); an ``answer`` has no gap (0).

>>> facts = ResultFacts("toegankelijkheid", {"begrijpbaarheid": DimensionFacts(
...     "begrijpbaarheid", score=30.0, maturity=2, peer_figure=58.0, peer_statistic="median",
...     n_peers=24)})
>>> rule = AnyOf([MaturityAtMost("toegankelijkheid", "begrijpbaarheid", 2),
...               BelowPeers("toegankelijkheid", "begrijpbaarheid")])
>>> [(hit.dimension_id, hit.gap) for hit in evaluate(rule, facts) or []]
[('begrijpbaarheid', 10.0), ('begrijpbaarheid', 28.0)]
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Annotated, Literal, TypeAlias

import msgspec

from survey.scoring import AnswerValue, round_half_up

__all__ = [
    "AllOf",
    "AnswerIs",
    "AnyOf",
    "BelowPeers",
    "DimensionFacts",
    "Hit",
    "LeafRule",
    "MaturityAtMost",
    "ResultFacts",
    "Rule",
    "ScoreBelow",
    "evaluate",
    "leaves",
    "level_threshold",
]

Slug = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$", max_length=80)]
PeerStatistic = Literal["median", "mean"]


class MaturityAtMost(
    msgspec.Struct,
    tag="maturity_at_most",
    tag_field="kind",
    forbid_unknown_fields=True,
    frozen=True,
):
    """The dimension's maturity level is ``level`` or lower."""

    questionnaire: Slug
    dimension: Slug
    level: Annotated[int, msgspec.Meta(ge=1, le=4)]


class ScoreBelow(
    msgspec.Struct, tag="score_below", tag_field="kind", forbid_unknown_fields=True, frozen=True
):
    """The dimension's score is below ``threshold`` points."""

    questionnaire: Slug
    dimension: Slug
    threshold: Annotated[float, msgspec.Meta(gt=0, le=100)]


class BelowPeers(
    msgspec.Struct, tag="below_peers", tag_field="kind", forbid_unknown_fields=True, frozen=True
):
    """The dimension's score is more than ``margin`` points below the peers' median (mean
    for a group of 5–9)."""

    questionnaire: Slug
    dimension: Slug
    margin: Annotated[float, msgspec.Meta(ge=0, le=100)] = 0.0


class AnswerIs(
    msgspec.Struct, tag="answer", tag_field="kind", forbid_unknown_fields=True, frozen=True
):
    """The consolidated answer to ``item`` is one of ``any_of``."""

    questionnaire: Slug
    item: Slug
    any_of: Annotated[list[int | str], msgspec.Meta(min_length=1)]


class AllOf(msgspec.Struct, tag="all", tag_field="kind", forbid_unknown_fields=True, frozen=True):
    """Every nested rule holds."""

    rules: Annotated[list[Rule], msgspec.Meta(min_length=1)]


class AnyOf(msgspec.Struct, tag="any", tag_field="kind", forbid_unknown_fields=True, frozen=True):
    """At least one nested rule holds."""

    rules: Annotated[list[Rule], msgspec.Meta(min_length=1)]


LeafRule: TypeAlias = MaturityAtMost | ScoreBelow | BelowPeers | AnswerIs
Rule: TypeAlias = MaturityAtMost | ScoreBelow | BelowPeers | AnswerIs | AllOf | AnyOf


class DimensionFacts(msgspec.Struct, frozen=True):
    """What the rules may read of one dimension of a result: its score and maturity (None
    when it has none) and the peer figure its benchmark may show (None without 5 peers)."""

    dimension_id: str
    score: float | None
    maturity: int | None
    peer_figure: float | None = None
    peer_statistic: PeerStatistic | None = None
    n_peers: int | None = None


class ResultFacts(msgspec.Struct, frozen=True):
    """One assessment's result as the rules see it: its questionnaire, its dimensions by id,
    the consolidated answers by item id (not-applicable answers left out) and the dimension
    of each item."""

    questionnaire_id: str
    dimensions: dict[str, DimensionFacts]
    answers: dict[str, AnswerValue] = {}
    item_dimensions: dict[str, str] = {}


class Hit(msgspec.Struct, frozen=True):
    """A leaf rule that fired, with the figures that made it fire."""

    rule: LeafRule
    dimension_id: str
    gap: float
    score: float
    maturity: int | None
    item_id: str | None = None
    answer: AnswerValue = None


def level_threshold(level: int) -> float:
    """Where maturity level ``level + 1`` begins (DESIGN §4 bands): at most ``level`` means
    a score below this.

    >>> level_threshold(2)
    40.0
    """
    return 20.0 * level


def _scored(facts: ResultFacts, questionnaire: str, dimension: str) -> DimensionFacts | None:
    if questionnaire != facts.questionnaire_id:
        return None
    found = facts.dimensions.get(dimension)
    return found if found is not None and found.score is not None else None


def _answer_matches(value: AnswerValue, any_of: list[int | str]) -> bool:
    values = value if isinstance(value, list) else [value]
    return any(
        not isinstance(candidate, bool)
        and not isinstance(given, bool)
        and isinstance(candidate, str) == isinstance(given, str)
        and candidate == given
        for given in values
        for candidate in any_of
    )


def _leaf(rule: LeafRule, facts: ResultFacts) -> Hit | None:
    if isinstance(rule, AnswerIs):
        dimension_id = facts.item_dimensions.get(rule.item)
        found = _scored(facts, rule.questionnaire, dimension_id) if dimension_id else None
        value = facts.answers.get(rule.item)
        if found is None or found.score is None or value is None:
            return None
        if not _answer_matches(value, rule.any_of):
            return None
        return Hit(rule, found.dimension_id, 0.0, found.score, found.maturity, rule.item, value)
    found = _scored(facts, rule.questionnaire, rule.dimension)
    if found is None or found.score is None:
        return None
    score = found.score
    if isinstance(rule, MaturityAtMost):
        if found.maturity is None or found.maturity > rule.level:
            return None
        target = level_threshold(rule.level)
    elif isinstance(rule, ScoreBelow):
        if score >= rule.threshold:
            return None
        target = rule.threshold
    else:
        if found.peer_figure is None or score >= found.peer_figure - rule.margin:
            return None
        target = found.peer_figure
    return Hit(
        rule, found.dimension_id, round_half_up(max(target - score, 0.0)), score, found.maturity
    )


def evaluate(rule: Rule, facts: ResultFacts) -> list[Hit] | None:
    """The hits that make ``rule`` hold on ``facts``, or None when it does not hold.

    ``all`` holds when every nested rule holds (its hits: all of theirs); ``any`` when at
    least one does (its hits: those of the nested rules that hold).
    """
    if isinstance(rule, AllOf):
        hits: list[Hit] = []
        for nested in rule.rules:
            found = evaluate(nested, facts)
            if found is None:
                return None
            hits.extend(found)
        return hits
    if isinstance(rule, AnyOf):
        held = [found for nested in rule.rules if (found := evaluate(nested, facts)) is not None]
        return [hit for found in held for hit in found] if held else None
    hit = _leaf(rule, facts)
    return None if hit is None else [hit]


def leaves(rule: Rule) -> Iterator[tuple[str, LeafRule]]:
    """Every leaf rule under ``rule`` with its path (``rules[1].rules[0]``), depth first."""

    def walk(node: Rule, path: str) -> Iterator[tuple[str, LeafRule]]:
        if isinstance(node, AllOf | AnyOf):
            for index, nested in enumerate(node.rules):
                yield from walk(nested, f"{path}.rules[{index}]")
        else:
            yield path, node

    yield from walk(rule, "")


def answers_of(answers: Mapping[str, AnswerValue]) -> dict[str, AnswerValue]:
    """The answers that carry a value (unanswered items left out)."""
    return {item_id: value for item_id, value in answers.items() if value is not None}
