"""Demo answers: submitted assessments in two rounds whose answer patterns differ by
sector and size, so benchmarks and indicators have realistic data to work with."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from survey.accounts.models import Membership, Role, User
from survey.assessments.models import Answer, Assessment, AssessmentState, Response
from survey.assessments.service import add_result, encode_number_answers
from survey.db import utcnow
from survey.organisations.models import Organisation
from survey.questionnaires.models import QuestionnaireVersion
from survey.questionnaires.publishing import definition_of
from survey.questionnaires.schema import Item, Questionnaire
from survey.respondents.models import Invitation
from survey.rounds.models import Round
from survey.scoring import StoredAnswer, applicable_item_ids, score_responses

# Where each sector tends to stand (latent maturity on the 1–5 scale).
SECTOR_LEVEL = {
    "culture-community": 3.3,
    "youth-work": 3.0,
    "sport": 2.2,
    "welfare": 3.4,
    "health": 2.8,
    "family-childcare": 2.9,
    "education": 2.6,
    "adult-education-language": 3.6,
    "volunteering-associations": 2.4,
    "local-public-service": 2.7,
    "other": 2.5,
}
SIZE_EFFECT = {"1-9": -0.35, "10-49": 0.0, "50-249": 0.25, "250+": 0.45}
# The first demo organisation (manager001's) is weak on accessibility, a little less so this
# round than last, so its manager sees suggested trajectories of both providers with their
# reasons (DESIGN §6). Only the level its answers are drawn around changes (at most these
# levels, earlier and current round): the random draws stay the same, so the rest of the
# network is as before.
WEAK_FIRST_QUESTIONNAIRE = "toegankelijkheid"
WEAK_FIRST_LEVELS = (2.0, 2.3)


def _value(item: Item, level: float, rng: random.Random) -> object:
    noisy = level + rng.gauss(0, 0.7)
    if item.type in ("maturity", "likert5"):
        chosen = min(5, max(1, round(noisy)))
        return 6 - chosen if item.reverse else chosen
    if item.type == "yes_partly_no":
        return "yes" if noisy >= 3.6 else "partly" if noisy >= 2.4 else "no"
    options = item.options or []
    if item.type == "choice" and options:
        target = (min(5.0, max(1.0, noisy)) - 1) / 4
        if all(o.score is not None for o in options):
            return min(options, key=lambda o: abs((o.score or 0) - target)).id
        return rng.choice(options).id
    if item.type == "multi" and options:
        share = (min(5.0, max(1.0, noisy)) - 1) / 4
        return [o.id for o in options if rng.random() < share] or None
    if item.type == "number":
        low = item.minimum if item.minimum is not None else 0
        high = item.maximum if item.maximum is not None else 50
        return round(rng.uniform(low, min(high, low + 60)))
    return None


def _count(
    item: Item, drawn: int, total: int | None, level: float, rng: random.Random
) -> int | None:
    """A team count that follows the count rules (a whole number, a subgroup at most its
    total): a head count as drawn, or a share of the total it is part of (staff → with a
    migration background → of non-EU origin). A subgroup whose total is not known is left
    unanswered."""
    if item.at_most is None:
        return drawn
    if total is None:
        return None
    share = min(0.9, max(0.05, 0.15 * level + rng.gauss(0, 0.1)))
    part = round(total * share)
    if item.maximum is not None:
        part = min(part, int(item.maximum))
    return part


def demo_answers(
    questionnaire: Questionnaire,
    level: float,
    rng: random.Random,
    completeness: float = 1.0,
    rules: Questionnaire | None = None,
) -> dict[str, StoredAnswer]:
    """Answers around ``level``; team counts follow the count rules of ``rules`` (default:
    the questionnaire's own), so the demo's version-1 counts add up as well."""
    totals = {item.id: item for item in (rules or questionnaire).items if item.type == "number"}
    answers: dict[str, StoredAnswer] = {}
    for dimension_index, dimension in enumerate(questionnaire.dimensions):
        # Dimensions differ a little: participation is hardest, vision easiest, and so on.
        dimension_level = level + 0.3 - 0.12 * dimension_index
        for item in dimension.items:
            if rng.random() > completeness:
                continue
            ruled = totals.get(item.id, item)
            total_answer = answers.get(ruled.at_most) if ruled.at_most else None
            if (
                total_answer is not None
                and total_answer.not_applicable
                and item.allow_not_applicable
            ):
                answers[item.id] = StoredAnswer(not_applicable=True)  # no board, no board members
                continue
            if item.allow_not_applicable and ruled.at_most is None and rng.random() < 0.08:
                answers[item.id] = StoredAnswer(not_applicable=True)
                continue
            value = _value(item, dimension_level, rng)
            if item.type == "number" and isinstance(value, int):
                total = total_answer.value if total_answer is not None else None
                value = _count(
                    ruled, value, total if isinstance(total, int) else None, dimension_level, rng
                )
            if value is not None:
                answers[item.id] = StoredAnswer(value=value)  # type: ignore[arg-type]
    applicable = applicable_item_ids(questionnaire, answers)
    return {item_id: answer for item_id, answer in answers.items() if item_id in applicable}


async def load_demo_assessments(
    db: AsyncSession,
    seed: int,
    organisations: list[Organisation],
    rounds: list[Round],
    versions: list[QuestionnaireVersion],
    manager_ids: dict[int, int],
    respondents: DemoRespondents | None = None,
) -> int:
    """Assessments for every published questionnaire: most organisations submitted last
    round's, fewer this round's, some are still in progress. Returns how many were made.

    With ``respondents``, some organisations (always the first) answered this round's
    assessments with several people: their own responses sit next to the consolidated one.
    """
    rng = random.Random(seed * 7919)
    previous_round, current_round = rounds
    planned: list[tuple[Assessment, Questionnaire, dict[str, StoredAnswer]]] = []
    for earliest, newest in _first_and_last_versions(versions):
        rules = definition_of(newest)
        for organisation in organisations:
            base = (
                SECTOR_LEVEL.get(organisation.sector, 2.6)
                + SIZE_EFFECT.get(organisation.size_band, 0.0)
                + (0.2 if organisation.funded_by_vgc else 0.0)
                + rng.gauss(0, 0.55)
            )
            growth = rng.gauss(0.25, 0.25)
            plans = []
            if rng.random() < 0.78:
                plans.append((previous_round, base, AssessmentState.SUBMITTED, 0.97))
            roll = rng.random()
            if roll < 0.62:
                plans.append((current_round, base + growth, AssessmentState.SUBMITTED, 0.97))
            elif roll < 0.78:
                plans.append(
                    (current_round, base + growth, AssessmentState.DRAFT, rng.uniform(0.2, 0.7))
                )
            for round_, level, state, completeness in plans:
                if organisation is organisations[0] and rules.id == WEAK_FIRST_QUESTIONNAIRE:
                    level = min(level, WEAK_FIRST_LEVELS[0 if round_ is previous_round else 1])
                # The earlier round was answered on the first version, this round on the newest.
                version = earliest if round_ is previous_round else newest
                questionnaire = definition_of(version)
                moment = dt.datetime.combine(
                    round_.opens_on + dt.timedelta(days=rng.randrange(5, 120)),
                    dt.time(10, 0),
                    tzinfo=dt.UTC,
                )
                submitted = state == AssessmentState.SUBMITTED
                manager_id = manager_ids.get(organisation.id)
                assessment = Assessment(
                    organisation_id=organisation.id,
                    questionnaire_id=questionnaire.id,
                    questionnaire_version_id=version.id,
                    round_id=round_.id,
                    state=state,
                    created_by=manager_id,
                    submitted_at=moment if submitted else None,
                    submitted_by=manager_id if submitted else None,
                )
                planned.append(
                    (
                        assessment,
                        questionnaire,
                        demo_answers(questionnaire, level, rng, completeness, rules),
                    )
                )
    db.add_all(assessment for assessment, _q, _a in planned)
    await db.flush()
    responses = [
        Response(assessment_id=a.id, is_consolidated=True, submitted_at=a.submitted_at)
        for a, _q, _a in planned
    ]
    db.add_all(responses)
    await db.flush()
    await db.execute(
        insert(Answer),
        [
            {
                "response_id": response.id,
                "item_id": item_id,
                "value": answer.value,
                "not_applicable": answer.not_applicable,
                "revision": 1,
                "updated_at": assessment.submitted_at or utcnow(),
                "updated_by": assessment.created_by,
            }
            for (assessment, _q, answers), response in zip(planned, responses, strict=True)
            for item_id, answer in answers.items()
        ],
    )
    if respondents is not None:
        await _add_respondents(db, rng, organisations, current_round, planned, respondents)
    for version in versions:
        questionnaire = definition_of(version)
        to_score: dict[int, dict[str, StoredAnswer]] = {
            assessment.id: answers
            for assessment, q, answers in planned
            if assessment.questionnaire_version_id == version.id
            and assessment.state == AssessmentState.SUBMITTED
        }
        for assessment_id, scores in score_responses(questionnaire, to_score).items():
            numbers = encode_number_answers(questionnaire, to_score[assessment_id])
            add_result(db, assessment_id, scores, numbers)
    await db.flush()
    return len(planned)


def _first_and_last_versions(
    versions: list[QuestionnaireVersion],
) -> list[tuple[QuestionnaireVersion, QuestionnaireVersion]]:
    """Per questionnaire (in the order given), its first and its newest published version."""
    by_questionnaire: dict[str, list[QuestionnaireVersion]] = {}
    for version in versions:
        by_questionnaire.setdefault(version.questionnaire_id, []).append(version)
    return [
        (min(found, key=lambda v: v.version), max(found, key=lambda v: v.version))
        for found in by_questionnaire.values()
    ]


@dataclass(frozen=True)
class DemoRespondents:
    """Who answers next to the manager: e-mail pattern, one shared password hash, names."""

    email_pattern: str  # with {n}
    password_hash: str
    names: tuple[str, ...]
    per_organisation: int = 3
    share: float = 0.12  # of the organisations, besides the first


async def _add_respondents(
    db: AsyncSession,
    rng: random.Random,
    organisations: list[Organisation],
    current_round: Round,
    planned: list[tuple[Assessment, Questionnaire, dict[str, StoredAnswer]]],
    respondents: DemoRespondents,
) -> None:
    """Respondents with their own responses for this round's assessments of some organisations:
    submitted ones for a submitted assessment, mostly submitted for one in progress."""
    chosen = {organisations[0].id} | {
        o.id for o in organisations[1:] if rng.random() < respondents.share
    }
    people: dict[int, list[User]] = {}
    counter = 0
    for organisation in organisations:
        if organisation.id not in chosen:
            continue
        people[organisation.id] = []
        for _ in range(respondents.per_organisation):
            counter += 1
            user = User(
                email=respondents.email_pattern.format(n=counter),
                name=rng.choice(respondents.names),
                password_hash=respondents.password_hash,
                language="nl",
            )
            user.memberships = [Membership(role=Role.RESPONDENT, organisation_id=organisation.id)]
            db.add(user)
            people[organisation.id].append(user)
    await db.flush()
    own_responses: list[tuple[Response, dict[str, StoredAnswer]]] = []
    for assessment, questionnaire, consolidated in planned:
        if assessment.round_id != current_round.id or assessment.organisation_id not in people:
            continue
        level = _level_of(questionnaire, consolidated)
        for index, person in enumerate(people[assessment.organisation_id]):
            submitted = assessment.state == AssessmentState.SUBMITTED or index < 2
            moment = (assessment.submitted_at or utcnow()) - dt.timedelta(days=3 - index)
            db.add(
                Invitation(
                    assessment_id=assessment.id,
                    email=person.email,
                    name=person.name,
                    token_hash=hashlib.sha256(
                        f"demo:{assessment.id}:{person.id}".encode()
                    ).hexdigest(),
                    created_by=assessment.created_by,
                    created_at=moment - dt.timedelta(days=10),
                    expires_at=moment + dt.timedelta(days=4),
                    accepted_at=moment - dt.timedelta(days=9),
                    user_id=person.id,
                )
            )
            response = Response(
                assessment_id=assessment.id,
                respondent_id=person.id,
                submitted_at=moment if submitted else None,
            )
            own = demo_answers(
                questionnaire, level + rng.gauss(0, 0.6), rng, 1.0 if submitted else 0.5
            )
            own_responses.append((response, own))
    db.add_all(response for response, _own in own_responses)
    await db.flush()
    rows = [
        {
            "response_id": response.id,
            "item_id": item_id,
            "value": answer.value,
            "not_applicable": answer.not_applicable,
            "revision": 1,
            "updated_at": response.submitted_at or utcnow(),
            "updated_by": response.respondent_id,
        }
        for response, own in own_responses
        for item_id, answer in own.items()
    ]
    if rows:
        await db.execute(insert(Answer), rows)


def _level_of(questionnaire: Questionnaire, answers: dict[str, StoredAnswer]) -> float:
    """The mean level (1–5) of the ordered answers, to answer around."""
    levels = [
        float(a.value)
        for item in questionnaire.items
        if item.type in ("maturity", "likert5")
        and (a := answers.get(item.id)) is not None
        and isinstance(a.value, int)
    ]
    return sum(levels) / len(levels) if levels else 3.0
