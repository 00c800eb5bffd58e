"""Arranging a small network with submitted results for the indicator tests."""

from __future__ import annotations

from typing import Any

from survey.assessments.models import (
    Answer,
    Assessment,
    AssessmentResult,
    AssessmentState,
    Response,
)
from survey.assessments.service import encode_dimension_scores, encode_number_answers
from survey.db import utcnow
from survey.organisations.models import Organisation
from survey.questionnaires import registry
from survey.questionnaires.publishing import latest_versions, publish_definitions
from survey.rounds.models import Round
from survey.scoring import StoredAnswer
from tests.factories import make_organisation

QUESTIONNAIRE = "toegankelijkheid"


async def submit(
    db: Any,
    organisation: Organisation,
    round_: Round,
    score: float,
    questionnaire: str = QUESTIONNAIRE,
    team: dict[str, Any] | None = None,
    commit: bool = True,
) -> Assessment:
    """A submitted assessment with a stored overall score and one dimension score (left
    uncommitted in ``db``'s transaction when not ``commit``)."""
    versions = await latest_versions(db)
    if questionnaire not in versions:
        await publish_definitions(db)
        await db.commit()
        versions = await latest_versions(db)
    assessment = Assessment(
        organisation_id=organisation.id,
        questionnaire_id=questionnaire,
        questionnaire_version_id=versions[questionnaire].id,
        round_id=round_.id,
        state=AssessmentState.SUBMITTED,
        submitted_at=utcnow(),
    )
    db.add(assessment)
    await db.flush()
    ids, packed = encode_dimension_scores([("bekendheid", score)])
    number_item_ids, numbers = encode_number_answers(
        registry()[questionnaire], {k: StoredAnswer(v) for k, v in (team or {}).items()}
    )
    db.add(
        AssessmentResult(
            assessment_id=assessment.id,
            rules_version="test",
            score=score,
            maturity=None,
            coverage=100.0,
            dimension_ids=ids,
            dimension_scores=packed,
            number_item_ids=number_item_ids,
            number_answers=numbers,
        )
    )
    if team:
        response = Response(assessment_id=assessment.id, is_consolidated=True)
        db.add(response)
        await db.flush()
        db.add_all(Answer(response_id=response.id, item_id=k, value=v) for k, v in team.items())
    if commit:
        await db.commit()
    else:
        await db.flush()
    return assessment


async def network(
    db: Any, round_: Round, groups: list[tuple[int, dict[str, Any], float]]
) -> list[Organisation]:
    """Organisations in groups of (count, attributes, score), each with a submission."""
    made = []
    for count, attributes, score in groups:
        for i in range(count):
            organisation = await make_organisation(db, **attributes)
            await submit(db, organisation, round_, score + i)
            made.append(organisation)
    return made
