"""Suggested trajectories for one assessment's result (DESIGN §6, §9).

Three steps, the first and last thin, the middle pure:

1. :func:`result_facts` reads what the rules may see: the result's dimension scores and
   maturity levels, the peer figure each dimension's benchmark may show (the median from
   10 peers on, the mean for a group of 5–9, nothing below 5: DESIGN §5), and the
   consolidated answers to the items that apply (not-applicable answers left out);
2. :func:`suggest` evaluates every trajectory's trigger on those facts and ranks the ones
   that hold;
3. :func:`suggestions_read` writes them out in the reader's language, each with its reasons
   in plain words and figures ("Toegankelijkheid — Begrijpbaarheid: niveau 2 (bewust),
   score 31; vergelijkbare organisaties (mediaan): 58").

**Ranking** (DESIGN §9: "largest shortfall in points, then the number of rules that
matched"): a suggestion's ``gap`` is the largest shortfall among the rules that fired,
in points: the threshold (for ``maturity_at_most``: where the next level begins, 20 ×
level) or the peer figure, minus the score; an ``answer`` rule has no shortfall (0).
Larger gaps come first; between equal gaps, the better ``fit`` first: more rules that
matched; then the catalogue's own order. Ranks are 1, 2, 3, … without ties.

A trajectory the organisation's coach suggested (``survey.trajectories.workspace``) is
listed too, with the reason "suggested by your coach": it counts as one more matched rule
(``fit``), and its gap is that of its own rules, if any fire.

A result with no scored dimension gets no suggestion from the rules, and a note saying what
it needs (a part is scored once 60 % of its questions that apply are answered); only a
coach's own suggestions are shown then. Everything works on the stored result, its stored
benchmark and the answers the assessment context already holds, plus one small query for
the coach's suggestions; the catalogue is parsed once per process.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from survey.assessments.pages import LIKERT_LABELS, YES_PARTLY_NO, maturity_name
from survey.assessments.schemas import ReasonFigures, ReasonRead, ResultRead, SuggestionRead
from survey.assessments.service import AssessmentContext
from survey.i18n import format_number, format_percent, in_one_sentence, with_colon
from survey.i18n import gettext as _
from survey.questionnaires.schema import Item, Questionnaire
from survey.scoring import AnswerValue, StoredAnswer, applicable_item_ids, round_half_up
from survey.trajectories.catalogue import (
    Trajectory,
    catalogue,
    intensity_name,
    provider_name,
)
from survey.trajectories.rules import (
    AnswerIs,
    BelowPeers,
    DimensionFacts,
    Hit,
    MaturityAtMost,
    ResultFacts,
    ScoreBelow,
    evaluate,
    level_threshold,
)
from survey.trajectories.workspace import coach_suggested

__all__ = [
    "SCORED_SHARE",
    "Ranked",
    "attach_suggestions",
    "rank",
    "result_facts",
    "suggest",
    "suggestions_for",
    "suggestions_read",
]

SCORED_SHARE = 60  # percent of a part's questions that apply (DESIGN §4)


@dataclass(frozen=True)
class Ranked:
    """A trajectory whose trigger holds, with the hits that made it hold."""

    trajectory: Trajectory
    hits: tuple[Hit, ...]
    order: int  # position in the catalogue
    by_coach: bool = False  # the organisation's coach suggested it

    @property
    def gap(self) -> float:
        """The largest shortfall in points among the hits (0 for answers only)."""
        return max((hit.gap for hit in self.hits), default=0.0)

    @property
    def fit(self) -> int:
        """How many rules matched, plus one when the coach suggested it."""
        return len(self.hits) + (1 if self.by_coach else 0)


def _peer_figure(read: ResultRead) -> dict[str, tuple[float, str, int]]:
    """The peer figure each dimension's stored benchmark may show: the median from 10 peers
    on, the mean for 5–9 (``read.benchmark`` holds only what the group may show)."""
    figures: dict[str, tuple[float, str, int]] = {}
    if read.benchmark is None:
        return figures
    for d in read.benchmark.dimensions:
        if d.status != "shown" or d.dimension_id is None or d.peer_group is None:
            continue
        n_peers = d.peer_group.n_organisations
        if d.distribution is not None:
            figures[d.dimension_id] = (d.distribution.p50, "median", n_peers)
        elif d.peer_mean is not None:
            figures[d.dimension_id] = (d.peer_mean, "mean", n_peers)
    return figures


def result_facts(
    questionnaire: Questionnaire, read: ResultRead, answers: Mapping[str, StoredAnswer]
) -> ResultFacts:
    """What the rules see of a result (with its benchmark attached) and its answers."""
    peers = _peer_figure(read)
    dimensions = {}
    for d in read.dimensions:
        figure = peers.get(d.dimension_id) if d.score is not None else None
        dimensions[d.dimension_id] = DimensionFacts(
            dimension_id=d.dimension_id,
            score=d.score,
            maturity=d.maturity,
            peer_figure=figure[0] if figure else None,
            peer_statistic="median"
            if figure and figure[1] == "median"
            else ("mean" if figure else None),
            n_peers=figure[2] if figure else None,
        )
    applicable = applicable_item_ids(questionnaire, answers)
    given: dict[str, AnswerValue] = {
        item_id: answer.value
        for item_id, answer in answers.items()
        if item_id in applicable and not answer.not_applicable and answer.value is not None
    }
    item_dimensions = {item.id: d.id for d in questionnaire.dimensions for item in d.items}
    return ResultFacts(questionnaire.id, dimensions, given, item_dimensions)


def rank(candidates: Iterable[Ranked]) -> list[Ranked]:
    """Largest gap first, then the better fit (more rules matched), then catalogue order.

    >>> from survey.trajectories.rules import ScoreBelow
    >>> rule = ScoreBelow("q", "d", 50)
    >>> def hit(gap): return Hit(rule, "d", gap, 50 - gap, 2)
    >>> a = Ranked(None, (hit(5.0),), 0)  # type: ignore[arg-type]
    >>> b = Ranked(None, (hit(20.0),), 1)  # type: ignore[arg-type]
    >>> c = Ranked(None, (hit(5.0), hit(1.0)), 2)  # type: ignore[arg-type]
    >>> [r.order for r in rank([a, b, c])]
    [1, 2, 0]
    """
    return sorted(candidates, key=lambda r: (-r.gap, -r.fit, r.order))


def suggest(
    trajectories: Iterable[Trajectory],
    facts: ResultFacts | None,
    by_coach: Collection[str] = (),
) -> list[Ranked]:
    """The trajectories whose trigger holds on ``facts`` (None: no scored part, so none
    holds) or that the coach suggested (ids in ``by_coach``), ranked (see :func:`rank`)."""
    held = []
    for order, trajectory in enumerate(trajectories):
        hits = evaluate(trajectory.trigger, facts) if facts is not None else None
        coach = trajectory.id in by_coach
        if hits or coach:
            held.append(Ranked(trajectory, tuple(hits or ()), order, coach))
    return rank(held)


# --------------------------------------------------------------------------------------------
# In words


def _points(value: float) -> str:
    return format_number(round_half_up(value, 0), 0)


def _answer_label(
    item: Item, value: AnswerValue, any_of: Sequence[int | str], language: str
) -> str:
    values = value if isinstance(value, list) else [value]
    if item.type == "maturity" and isinstance(value, int | float):
        return _(
            "level %(level)s (%(name)s)", level=int(value), name=maturity_name(int(value)).lower()
        )
    if item.type == "likert5" and isinstance(value, int | float):
        anchors = item.anchors or []
        level = int(value)
        return (
            anchors[level - 1].get(language) if len(anchors) >= level else _(LIKERT_LABELS[level])
        )
    if item.type == "yes_partly_no" and isinstance(value, str):
        return _(YES_PARTLY_NO.get(value, value))
    labels = {option.id: option.label.get(language) for option in item.options or ()}
    chosen = [v for v in values if isinstance(v, str) and v in any_of] or [
        v for v in values if isinstance(v, str)
    ]
    return ", ".join(labels.get(v, v) for v in chosen)


def _dimension_reason(hits: list[Hit], heading: str, facts: DimensionFacts | None) -> ReasonRead:
    first = hits[0]
    parts = [
        _(
            "level %(level)s (%(name)s), score %(score)s",
            level=first.maturity,
            name=maturity_name(first.maturity).lower(),
            score=_points(first.score),
        )
        if first.maturity is not None
        else _("score %(score)s", score=_points(first.score))
    ]
    threshold: float | None = None
    peer_figure = peer_statistic = n_peers = None
    for hit in hits:
        if isinstance(hit.rule, ScoreBelow):
            threshold = max(threshold or 0.0, hit.rule.threshold)
        elif isinstance(hit.rule, MaturityAtMost):
            threshold = max(threshold or 0.0, level_threshold(hit.rule.level))
        elif isinstance(hit.rule, BelowPeers) and facts is not None:
            peer_figure, peer_statistic, n_peers = (
                facts.peer_figure,
                facts.peer_statistic,
                facts.n_peers,
            )
    if any(isinstance(hit.rule, ScoreBelow) for hit in hits) and threshold is not None:
        parts.append(_("under the threshold of %(threshold)s", threshold=_points(threshold)))
    if peer_figure is not None:
        parts.append(
            _("comparable organisations (median): %(figure)s", figure=_points(peer_figure))
            if peer_statistic == "median"
            else _("comparable organisations (average): %(figure)s", figure=_points(peer_figure))
        )
    return ReasonRead(
        text=f"{with_colon(heading)} {in_one_sentence(parts)}",
        dimension=first.dimension_id,
        item=None,
        figures=ReasonFigures(
            score=first.score,
            maturity=first.maturity,
            gap=max(hit.gap for hit in hits),
            threshold=threshold,
            peer_figure=peer_figure,
            peer_statistic=peer_statistic,
            n_peers=n_peers,
        ),
    )


def _reasons(
    ranked: Ranked, questionnaire: Questionnaire, facts: ResultFacts | None, language: str
) -> list[ReasonRead]:
    questionnaire_title = questionnaire.title.get(language)
    titles = {d.id: d.title.get(language) for d in questionnaire.dimensions}
    order = {d.id: index for index, d in enumerate(questionnaire.dimensions)}
    by_dimension: dict[str, list[Hit]] = {}
    answers: list[Hit] = []
    for hit in ranked.hits:
        if isinstance(hit.rule, AnswerIs):
            if all(other.item_id != hit.item_id for other in answers):
                answers.append(hit)
        else:
            by_dimension.setdefault(hit.dimension_id, []).append(hit)

    def heading(dimension_id: str) -> str:
        return f"{questionnaire_title} — {titles.get(dimension_id, dimension_id)}"

    reasons = [
        _dimension_reason(
            hits, heading(dimension_id), facts.dimensions.get(dimension_id) if facts else None
        )
        for dimension_id, hits in by_dimension.items()
    ]
    for hit in answers:
        assert isinstance(hit.rule, AnswerIs) and hit.item_id is not None
        item = questionnaire.item(hit.item_id)
        if item is None:
            continue
        reasons.append(
            ReasonRead(
                text=_(
                    "%(heading)s: to “%(question)s” the answer was “%(answer)s”",
                    heading=heading(hit.dimension_id),
                    question=item.text.get(language),
                    answer=_answer_label(item, hit.answer, hit.rule.any_of, language),
                ),
                dimension=hit.dimension_id,
                item=hit.item_id,
                figures=ReasonFigures(
                    score=hit.score, maturity=hit.maturity, gap=0.0, answer=hit.answer
                ),
                kind="answer",
            )
        )
    reasons.sort(
        key=lambda r: (
            -(r.figures.gap if r.figures else 0.0),
            order.get(r.dimension or "", len(order)),
            r.item or "",
        )
    )
    if ranked.by_coach:
        reasons.insert(
            0,
            ReasonRead(
                text=_("Suggested by your coach"),
                dimension=None,
                item=None,
                figures=None,
                kind="coach",
            ),
        )
    return reasons


def suggestions_read(
    ranked: Sequence[Ranked],
    questionnaire: Questionnaire,
    facts: ResultFacts | None,
    language: str,
) -> list[SuggestionRead]:
    """The ranked suggestions in ``language`` (the current language of the request)."""
    suggestions = []
    for position, found in enumerate(ranked, start=1):
        t = found.trajectory
        suggestions.append(
            SuggestionRead(
                rank=position,
                trajectory_id=t.id,
                provider=t.provider,
                partner=t.partner,
                provider_name=provider_name(t.provider),
                partner_name=provider_name(t.partner) if t.partner else None,
                name=t.name.get(language),
                description=t.description.get(language),
                intensity=t.intensity,
                intensity_label=intensity_name(t.intensity),
                gap=round_half_up(found.gap),
                fit=found.fit,
                reasons=_reasons(found, questionnaire, facts, language),
                coach_suggested=found.by_coach,
            )
        )
    return suggestions


def attach_suggestions(
    context: AssessmentContext,
    read: ResultRead,
    language: str,
    by_coach: Collection[str] = (),
) -> ResultRead:
    """The result with its ranked suggestions, or the note that says why there are none.

    ``read`` carries the benchmark already (peer rules read it); ``by_coach`` are the ids of
    the trajectories the organisation's coaches suggested. Access to the result was checked
    when ``context`` was loaded.
    """
    scored = any(d.score is not None for d in read.dimensions)
    facts = result_facts(context.questionnaire, read, context.stored_answers()) if scored else None
    ranked = suggest(catalogue().values(), facts, by_coach)
    suggestions = suggestions_read(ranked, context.questionnaire, facts, language)
    if not scored:
        return msgspec.structs.replace(
            read,
            suggestions=suggestions,
            suggestions_status="no_scores",
            suggestions_note=_(
                "No part of this assessment has a score yet, so no support can be suggested. "
                "A part gets a score once at least %(share)s of its questions that apply are "
                "answered: reopen the assessment while the round is open, answer more "
                "questions and submit it again.",
                share=format_percent(SCORED_SHARE),
            ),
        )
    if not any(found.hits for found in ranked):
        return msgspec.structs.replace(
            read,
            suggestions=suggestions,
            suggestions_status="none_matched",
            suggestions_note=_(
                "None of the trajectories matches these results: the parts with a score are "
                "above the levels at which support is suggested. You can still ask the "
                "Agentschap Integratie en Inburgering or the Huis van het Nederlands Brussel "
                "for advice."
            ),
        )
    return msgspec.structs.replace(
        read, suggestions=suggestions, suggestions_status="suggested", suggestions_note=None
    )


async def suggestions_for(
    db: AsyncSession, context: AssessmentContext, read: ResultRead, language: str
) -> ResultRead:
    """:func:`attach_suggestions` with the trajectories the organisation's coaches suggested."""
    return attach_suggestions(
        context, read, language, await coach_suggested(db, context.organisation.id)
    )
