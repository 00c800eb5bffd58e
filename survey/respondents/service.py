"""Respondents: who may manage them, and each respondent's progress (DESIGN §2, §9).

Inviting and accepting are in ``invitations``; bringing the submitted answers together is in
``consolidation``. The manager sees progress per respondent, and each response's answers
only once it is submitted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from survey.accounts.models import User
from survey.accounts.service import CurrentUser
from survey.assessments import service as assessments
from survey.assessments.models import Answer, Response
from survey.db import utcnow
from survey.errors import (
    Forbidden,
)
from survey.i18n import gettext as _
from survey.questionnaires.schema import Questionnaire
from survey.respondents.models import Invitation
from survey.scoring import (
    StoredAnswer,
)


def ensure_manager(user: CurrentUser, context: assessments.AssessmentContext) -> None:
    if context.is_personal or not assessments.is_manager(user, context.organisation.id):
        raise Forbidden(_("Only the organisation's manager can manage respondents."))


@dataclass(frozen=True)
class RespondentRow:
    invitation: Invitation
    state: str  # invited | expired | revoked | answering | submitted | removed
    respondent_name: str | None
    answered: int
    applicable: int
    submitted_at: dt.datetime | None


SubmittedStamp = tuple[int, dt.datetime | None]
"""A submitted personal response: its id and the moment it was submitted."""


@dataclass
class PersonalResponse:
    response: Response
    name: str
    answers: dict[str, StoredAnswer] = field(default_factory=dict)


async def personal_responses(db: AsyncSession, assessment_id: int) -> list[PersonalResponse]:
    """Every respondent's own response with its answers, oldest first."""
    rows = await db.execute(
        select(Response, User.name)
        .join(User, User.id == Response.respondent_id)
        .where(Response.assessment_id == assessment_id, Response.respondent_id.is_not(None))
        .order_by(Response.id)
    )
    responses = [PersonalResponse(response, name) for response, name in rows.all()]
    by_id = {p.response.id: p for p in responses}
    if by_id:
        for answer in await db.scalars(select(Answer).where(Answer.response_id.in_(by_id))):
            by_id[answer.response_id].answers[answer.item_id] = StoredAnswer(
                value=answer.value, not_applicable=answer.not_applicable
            )
    return responses


async def submitted_stamps(db: AsyncSession, assessment_id: int) -> tuple[SubmittedStamp, ...]:
    """Which personal responses of the assessment are submitted, and when: their answers
    cannot change until they are reopened (which clears the moment), so this names what a
    consolidation of them says."""
    rows = await db.execute(
        select(Response.id, Response.submitted_at)
        .where(
            Response.assessment_id == assessment_id,
            Response.respondent_id.is_not(None),
            Response.submitted_at.is_not(None),
        )
        .order_by(Response.id)
    )
    return tuple((response_id, submitted_at) for response_id, submitted_at in rows.all())


def stamps_of(responses: list[PersonalResponse]) -> tuple[SubmittedStamp, ...]:
    """:func:`submitted_stamps` of responses already loaded."""
    return tuple(
        (p.response.id, p.response.submitted_at)
        for p in sorted(responses, key=lambda p: p.response.id)
        if p.response.submitted_at is not None
    )


def _answered(questionnaire: Questionnaire, answers: dict[str, StoredAnswer]) -> tuple[int, int]:
    """Answered items over all items. Not over the applicable ones: that number moves with
    the answers of conditions, which the manager must not learn before submission."""
    item_ids = [item.id for item in questionnaire.items]
    answered = sum(
        1
        for item_id in item_ids
        if (a := answers.get(item_id)) is not None and (a.not_applicable or a.value is not None)
    )
    return answered, len(item_ids)


async def respondent_rows(
    db: AsyncSession, user: CurrentUser, context: assessments.AssessmentContext
) -> list[RespondentRow]:
    """Each invitation with how far its respondent got (never their answers)."""
    ensure_manager(user, context)
    invitations = list(
        await db.scalars(
            select(Invitation)
            .where(Invitation.assessment_id == context.assessment.id)
            .order_by(Invitation.created_at, Invitation.id)
        )
    )
    responses = {
        p.response.respondent_id: p for p in await personal_responses(db, context.assessment.id)
    }
    now = utcnow()
    rows = []
    for invitation in invitations:
        personal = responses.get(invitation.user_id) if invitation.user_id else None
        if personal is not None:
            answered, applicable = _answered(context.questionnaire, personal.answers)
            submitted_at = personal.response.submitted_at
            state = "submitted" if submitted_at else "answering"
            name: str | None = personal.name
        else:
            answered, applicable = 0, 0
            submitted_at = None
            name = invitation.name
            state = (
                "removed"
                if invitation.revoked_at and invitation.accepted_at
                else "revoked"
                if invitation.revoked_at
                else "expired"
                if invitation.expires_at <= now
                else "invited"
            )
        rows.append(RespondentRow(invitation, state, name, answered, applicable, submitted_at))
    return rows
