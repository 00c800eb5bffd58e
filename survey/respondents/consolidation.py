"""The consolidation of the respondents' submitted answers: per question, their spread and
agreement and a starting value for the manager (DESIGN §4)."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from survey.accounts.service import CurrentUser
from survey.assessments import service as assessments
from survey.assessments.pages import item_numbers
from survey.assessments.schemas import AnswerWrite
from survey.audit.service import record
from survey.errors import (
    Conflict,
    CountRuleBroken,
)
from survey.i18n import gettext as _
from survey.questionnaires.counts import breaches_under_current_rules, retry_refused_counts
from survey.questionnaires.schema import ORDERED_TYPES, Item, Questionnaire
from survey.respondents.service import PersonalResponse, ensure_manager, personal_responses
from survey.scoring import (
    StoredAnswer,
    interquartile_range,
    item_score,
    lower_median,
    most_frequent,
    needs_discussion,
    rwg,
)

YES_PARTLY_NO_LEVELS = {"no": 1, "partly": 2, "yes": 3}


@dataclass(frozen=True)
class RespondentAnswer:
    name: str
    value: Any
    not_applicable: bool
    # Why this count does not add up (not whole; more than its total), or None.
    count_problem: str | None = None


@dataclass(frozen=True)
class ItemConsensus:
    """The submitted responses on one item and the value the consolidation starts from."""

    item: Item
    answers: list[RespondentAnswer]
    suggestion: Any  # a value in the stored form, or None
    suggest_not_applicable: bool
    n: int
    iqr: float | None
    agreement: float | None
    needs_discussion: bool
    # Why the starting value does not add up with the other starting values, or None.
    count_problem: str | None = None


def _level(item: Item, value: Any) -> int | None:
    if item.type in ORDERED_TYPES and isinstance(value, int) and not isinstance(value, bool):
        return value
    if item.type == "yes_partly_no" and isinstance(value, str):
        return YES_PARTLY_NO_LEVELS.get(value)
    return None


def item_consensus(item: Item, answers: list[RespondentAnswer]) -> ItemConsensus:
    """Median, spread and agreement of one item over the submitted responses (DESIGN §9).

    Ordered items (maturity, likert5: 5 levels; yes/partly/no: 3 levels, no < partly <
    yes) get the lower median as suggestion, the interquartile range of the item scores
    and r_wg; ``choice`` the most frequent option (none on a tie); ``multi`` the options
    chosen by more than half of the respondents; ``number`` the lower median of the
    numbers given; ``text`` no suggestion. When most respondents said "not applicable",
    that is the suggestion.
    """
    given = [a for a in answers if a.not_applicable or a.value is not None]
    values = [a.value for a in given if not a.not_applicable and a.value is not None]
    not_applicable = sum(1 for a in given if a.not_applicable)
    suggestion: Any = None
    iqr = agreement = None
    flagged = False
    n = len(values)
    if item.type in ORDERED_TYPES or item.type == "yes_partly_no":
        levels = [level for v in values if (level := _level(item, v)) is not None]
        n_levels = 3 if item.type == "yes_partly_no" else 5
        median = lower_median(levels)
        if median is not None:
            suggestion = (
                {v: k for k, v in YES_PARTLY_NO_LEVELS.items()}[median]
                if item.type == "yes_partly_no"
                else median
            )
        iqr = interquartile_range([item_score(item, v) for v in values])
        agreement = rwg(levels, n_levels)
        flagged = needs_discussion(levels, n_levels)
    elif item.type == "choice":
        suggestion = most_frequent(values)
    elif item.type == "multi":
        counts = Counter(option for v in values if isinstance(v, list) for option in set(v))
        if n:
            suggestion = [o.id for o in item.options or [] if counts[o.id] > n / 2]
    elif item.type == "number":
        numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
        if numbers:
            suggestion = statistics.median_low(numbers)
        elif values:
            suggestion = "unknown"
    suggest_na = item.allow_not_applicable and not_applicable > len(given) / 2
    return ItemConsensus(
        item=item,
        answers=answers,
        suggestion=None if suggest_na else suggestion,
        suggest_not_applicable=suggest_na,
        n=n,
        iqr=iqr,
        agreement=agreement,
        needs_discussion=flagged,
    )


async def consolidation(
    db: AsyncSession, user: CurrentUser, context: assessments.AssessmentContext
) -> tuple[list[ItemConsensus], int]:
    """Per item, the submitted responses and their consensus; and how many were submitted."""
    ensure_manager(user, context)
    submitted = [
        p
        for p in await personal_responses(db, context.assessment.id)
        if p.response.submitted_at is not None
    ]
    questionnaire = context.questionnaire
    problems = [count_problems(questionnaire, p.answers) for p in submitted]
    result = consensus_per_item(questionnaire, submitted, problems)
    starting = count_problems(
        questionnaire,
        {
            c.item.id: StoredAnswer(value=c.suggestion, not_applicable=c.suggest_not_applicable)
            for c in result
        },
    )
    result = [replace(c, count_problem=starting.get(c.item.id)) for c in result]
    return result, len(submitted)


def consensus_per_item(
    questionnaire: Questionnaire,
    submitted: list[PersonalResponse],
    problems: list[dict[str, str]] | None = None,
) -> list[ItemConsensus]:
    """:func:`item_consensus` of every item over the ``submitted`` responses; ``problems``
    (per response, item id → why its count does not add up) marks their answers."""
    per_response = problems if problems is not None else [{} for _ in submitted]
    return [
        item_consensus(
            item,
            [
                RespondentAnswer(p.name, a.value, a.not_applicable, person_problems.get(item.id))
                for p, person_problems in zip(submitted, per_response, strict=True)
                if (a := p.answers.get(item.id)) is not None
            ],
        )
        for item in questionnaire.items
    ]


def count_problems(
    questionnaire: Questionnaire, answers: dict[str, StoredAnswer]
) -> dict[str, str]:
    """Item id → why its count does not add up with the other counts of ``answers``, under
    the count rules that hold for the questionnaire version (DESIGN §2; issue 10)."""
    values = {
        item_id: None if answer.not_applicable else answer.value
        for item_id, answer in answers.items()
    }
    numbers = item_numbers(questionnaire)
    problems: dict[str, str] = {}
    for breach in breaches_under_current_rules(questionnaire, values):
        if breach.rule == "integer":
            problems.setdefault(breach.item_id, _("not a whole number"))
        elif breach.total_id is not None:
            problems.setdefault(
                breach.item_id,
                _("more than question %(question)s", question=numbers.get(breach.total_id, "")),
            )
            problems.setdefault(
                breach.total_id,
                _("less than question %(question)s", question=numbers.get(breach.item_id, "")),
            )
    return problems


@dataclass(frozen=True)
class Prefilled:
    """How many answers a prefill changed, and the items left out because their starting
    values do not add up with the organisation's other counts."""

    changed: int
    skipped: list[str]


async def prefill(
    db: AsyncSession,
    user: CurrentUser,
    context: assessments.AssessmentContext,
    *,
    overwrite: bool,
) -> Prefilled:
    """Write the consensus of the submitted responses into the consolidated response.

    Only items that are still empty, unless ``overwrite``. Starting values that would break
    a count rule are not written (the consolidated answer must follow the rules).
    """
    ensure_manager(user, context)
    items, n_submitted = await consolidation(db, user, context)
    if n_submitted == 0:
        raise Conflict(_("No respondent has submitted a response yet."))
    to_fill = []
    for consensus in items:
        if consensus.suggestion is None and not consensus.suggest_not_applicable:
            continue
        current = context.answers.get(consensus.item.id)
        if assessments.is_answered(current) and not overwrite:
            continue
        if current is not None and (current.value, current.not_applicable) == (
            consensus.suggestion,
            consensus.suggest_not_applicable,
        ):
            continue
        to_fill.append(consensus)
    changed = 0

    async def attempt(consensus: ItemConsensus) -> bool:
        nonlocal changed
        current = context.answers.get(consensus.item.id)
        try:
            await assessments.save_answer(
                db,
                user,
                context,
                consensus.item.id,
                AnswerWrite(
                    revision=current.revision if current else 0,
                    value=consensus.suggestion,
                    not_applicable=consensus.suggest_not_applicable,
                    comment=current.comment if current else None,
                ),
            )
        except CountRuleBroken:
            return True
        changed += 1
        return False

    # A starting value that breaks a count rule waits until the others are in (a lower
    # subgroup before its lower total); what still does not add up is left for the manager.
    left = await retry_refused_counts(to_fill, attempt)
    record(
        db,
        actor_id=user.id,
        action="assessment.prefill",
        object_type="assessment",
        object_id=context.assessment.id,
        organisation_id=context.organisation.id,
        changed=changed,
        overwrite=overwrite,
    )
    await db.flush()
    return Prefilled(changed, [c.item.id for c in left])
