"""Arranging peers for the benchmark tests: organisations whose assessment of the real
questionnaire is already submitted, with answers and stored scores, as if their managers
had filled it in (the realistic answer patterns of the demo network)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sqlalchemy import select

from survey.accounts.models import Role
from survey.assessments.models import (
    Answer,
    Assessment,
    AssessmentResult,
    AssessmentState,
    DimensionResult,
    Response,
)
from survey.assessments.service import add_result, encode_number_answers
from survey.demo.assessments import demo_answers
from survey.organisations.models import Organisation
from survey.questionnaires.models import QuestionnaireVersion
from survey.questionnaires.publishing import definition_of, latest_versions
from survey.rounds.models import Round
from survey.scoring import ResponseScore, StoredAnswer, score_response
from tests.factories import api_login, make_organisation, make_user
from tests.integration.assessments.helpers import QUESTIONNAIRE

DIMENSION = "visie-en-beleid"
# The first part answered through the API: 100 × 6.75 / 8 = 84.38 (see test_flow_html).
VISION = {
    "vb-missie": 5,
    "vb-leiding": 4,
    "vb-actieplan": 4,
    "vb-middelen": "yes",
    "vb-gedragscode": "partly",
    "vb-opvolging": 4,
    "vb-gedragen": 5,
}
VISION_SCORE = 84.38

MORE_PARTS = ("toegankelijkheid-aanbod", "dienstverlening", "methodieken")
"""Parts answered besides "Visie en beleid" where a test needs an overall score: four of the
six parts (weight 1 each) carry 67 % of the weight, and an overall score needs 60 % (DESIGN §4)."""


def add_answers(db: Any, response_id: int, answers: dict[str, StoredAnswer]) -> None:
    """Add ``answers`` to the response, each at its first revision."""
    db.add_all(
        Answer(
            response_id=response_id,
            item_id=item_id,
            value=answer.value,
            not_applicable=answer.not_applicable,
            revision=1,
        )
        for item_id, answer in answers.items()
    )


async def answer_more_parts(db: Any, assessment_id: int, level: float = 3.0, seed: int = 1) -> None:
    """Store answers to :data:`MORE_PARTS` on the assessment's consolidated response, as if
    its manager had answered them (the realistic answers of the demo network)."""
    assessment = await db.get(Assessment, assessment_id)
    version = await db.get(QuestionnaireVersion, assessment.questionnaire_version_id)
    questionnaire = definition_of(version)
    items = {i.id for d in questionnaire.dimensions if d.id in MORE_PARTS for i in d.items}
    response = await db.scalar(
        select(Response).where(
            Response.assessment_id == assessment_id, Response.is_consolidated.is_(True)
        )
    )
    answers = demo_answers(questionnaire, level, random.Random(seed))
    add_answers(db, response.id, {i: a for i, a in answers.items() if i in items})
    await db.commit()


async def submit_arranged(
    db: Any,
    organisation: Organisation,
    round_: Round,
    level: float,
    seed: int,
    state: AssessmentState = AssessmentState.SUBMITTED,
    questionnaire_id: str = QUESTIONNAIRE,
) -> ResponseScore:
    """Give ``organisation`` an assessment of ``questionnaire_id`` in ``round_`` with answers
    around ``level`` and stored scores, as a submission leaves it; returns the scores."""
    version = (await latest_versions(db))[questionnaire_id]
    questionnaire = definition_of(version)
    answers = demo_answers(questionnaire, level, random.Random(seed))
    moment = dt.datetime.now(dt.UTC)
    assessment = Assessment(
        organisation_id=organisation.id,
        questionnaire_id=questionnaire_id,
        questionnaire_version_id=version.id,
        round_id=round_.id,
        state=state,
        submitted_at=moment,
    )
    db.add(assessment)
    await db.flush()
    response = Response(assessment_id=assessment.id, is_consolidated=True, submitted_at=moment)
    db.add(response)
    await db.flush()
    add_answers(db, response.id, answers)
    scores = score_response(questionnaire, answers)
    add_result(db, assessment.id, scores, encode_number_answers(questionnaire, answers))
    await db.commit()
    return scores


async def submitted_peer(
    db: Any,
    round_: Round,
    level: float,
    seed: int,
    *,
    sector: str = "youth-work",
    size_band: str = "10-49",
    questionnaire_id: str = QUESTIONNAIRE,
) -> Organisation:
    """An organisation with a submitted assessment of ``questionnaire_id`` in ``round_``
    (answers and scores stored)."""
    organisation = await make_organisation(db, sector=sector, size_band=size_band)
    await submit_arranged(db, organisation, round_, level, seed, questionnaire_id=questionnaire_id)
    return organisation


async def peers(db: Any, round_: Round, count: int, **kwargs: Any) -> list[Organisation]:
    return [
        await submitted_peer(db, round_, 1.6 + 0.55 * i, seed=100 + i, **kwargs)
        for i in range(count)
    ]


async def stored_scores(
    sessionmaker: Any, organisations: list[Organisation]
) -> dict[str, list[float]]:
    """The stored overall and vision scores of the organisations' assessments."""
    ids = [o.id for o in organisations]
    async with sessionmaker() as db:
        overall = list(
            await db.scalars(
                select(AssessmentResult.score)
                .join(Assessment, Assessment.id == AssessmentResult.assessment_id)
                .where(Assessment.organisation_id.in_(ids))
            )
        )
        vision = list(
            await db.scalars(
                select(DimensionResult.score)
                .join(Assessment, Assessment.id == DimensionResult.assessment_id)
                .where(
                    Assessment.organisation_id.in_(ids), DimensionResult.dimension_id == DIMENSION
                )
            )
        )
    return {"overall": [float(s) for s in overall], DIMENSION: [float(s) for s in vision]}


async def manager_of(client: Any, db: Any, organisation: Organisation) -> str:
    """Log in (API) as a new manager of ``organisation``; returns the CSRF token."""
    manager = await make_user(db, Role.MANAGER, organisation)
    return await api_login(client, manager)


async def assessment_of(sessionmaker: Any, organisation: Organisation) -> int:
    async with sessionmaker() as db:
        found: int = await db.scalar(
            select(Assessment.id).where(Assessment.organisation_id == organisation.id)
        )
        return found
