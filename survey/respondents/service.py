"""Invitations, respondents' progress, and the consolidation of their answers (DESIGN §2, §4, §9).

An invitation is a personal link with a random token (only its SHA-256 is stored). It
expires, is used once (a POST after the person confirms), and grants exactly one
assessment: accepting it gives the person the respondent role in that organisation and
their own response. The manager sees progress per respondent, and each response's
answers only once it is submitted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import secrets
import statistics
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from survey.accounts.models import Membership, Role, User
from survey.accounts.passwords import MIN_PASSWORD_LENGTH
from survey.accounts.service import CurrentUser, create_user, normalise_email, snapshot
from survey.assessments import service as assessments
from survey.assessments.models import Answer, Assessment, Response
from survey.assessments.pages import item_numbers
from survey.assessments.schemas import AnswerWrite
from survey.audit.service import record
from survey.db import seconds_until_below, utcnow
from survey.errors import (
    Conflict,
    CountRuleBroken,
    Forbidden,
    Invalid,
    NotFound,
    TooManyAttempts,
)
from survey.evidence.models import Evidence
from survey.i18n import LANGUAGES, N_, format_datetime, translations
from survey.i18n import gettext as _
from survey.mail import send_mail
from survey.organisations.models import Organisation
from survey.questionnaires.counts import breaches_under_current_rules
from survey.questionnaires.models import QuestionnaireVersion
from survey.questionnaires.publishing import definition_of
from survey.questionnaires.schema import ORDERED_TYPES, Item, Questionnaire
from survey.respondents.models import Invitation
from survey.rounds.models import Round
from survey.scoring import (
    StoredAnswer,
    interquartile_range,
    item_score,
    lower_median,
    most_frequent,
    needs_discussion,
    rwg,
)
from survey.settings import Settings

logger = logging.getLogger("survey")

INVITATION_VALID_DAYS = 14
# Caps against mail floods: per manager (any assessment) and per address (from anyone).
INVITATIONS_PER_HOUR = 30
INVITATIONS_PER_ADDRESS_PER_DAY = 3
NAME_MAX_LENGTH = 200
YES_PARTLY_NO_LEVELS = {"no": 1, "partly": 2, "yes": 3}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _ensure_manager(user: CurrentUser, context: assessments.AssessmentContext) -> None:
    if context.is_personal or not assessments.is_manager(user, context.organisation.id):
        raise Forbidden(_("Only the organisation's manager can manage respondents."))


# --------------------------------------------------------------------------------------------
# Inviting


INVITATION_SUBJECT = N_("Invitation: %(questionnaire)s for %(organisation)s")
INVITATION_BODY = N_(
    "Hello,\n\n"
    "%(manager)s invites you to fill in the questionnaire “%(questionnaire)s” for "
    "%(organisation)s on N-scan (round %(round)s).\n\n"
    "You answer in your own response. Your answers are saved as you go, and you can stop "
    "and continue later. When you submit your response, %(manager)s and the other managers "
    "of %(organisation)s see your answers: they bring all responses together into one "
    "shared picture of the organisation. This is not an anonymous survey.\n\n"
    "Open this personal link to start (it works once and until %(expires)s):\n"
    "%(link)s\n\n"
    "Did you not expect this message? Then you can ignore it.\n"
)


# The address rule browsers apply to <input type=email> (WHATWG HTML): one address, no
# display name, no list, no control characters, so it is safe in a To: header.
EMAIL_PATTERN = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)


@dataclass(frozen=True)
class InvitationMail:
    to: str
    subject: str
    body: str


@dataclass(frozen=True)
class NewInvitation:
    """The stored invitation and the e-mail to send once the transaction is committed."""

    invitation: Invitation
    mail: InvitationMail


async def invite(
    db: AsyncSession,
    user: CurrentUser,
    context: assessments.AssessmentContext,
    *,
    email: str,
    name: str | None,
    language: str,
    base_url: str,
) -> NewInvitation:
    """Invite one person by e-mail; a repeated invitation replaces the open one.

    The caller sends ``mail`` after the commit, so a slow mail server never holds the
    database, and no link goes out for an invitation that was not stored.
    """
    _ensure_manager(user, context)
    if not context.is_editable:
        raise Conflict(_("Respondents can only be invited while the assessment is open."))
    errors: dict[str, str] = {}
    clean_email = normalise_email(email or "")
    if len(clean_email) > 254 or not EMAIL_PATTERN.match(clean_email):
        errors["email"] = _("Enter a valid e-mail address.")
    elif await _is_manager_of(db, clean_email, context.organisation.id):
        errors["email"] = _(
            "This person is a manager of the organisation: managers answer in the "
            "organisation's own response."
        )
    # The name's length is a limit of InvitationCreate (its Meta), which the API and the
    # form decode into.
    clean_name = (name or "").strip() or None
    if language not in LANGUAGES:
        errors["language"] = _("Choose a language.")
    if errors:
        raise Invalid(errors)
    accepted = await db.scalar(
        select(Invitation.id).where(
            Invitation.assessment_id == context.assessment.id,
            Invitation.email == clean_email,
            Invitation.accepted_at.is_not(None),
            Invitation.revoked_at.is_(None),  # someone removed may be invited again
        )
    )
    if accepted is not None:
        raise Invalid({"email": _("This person has already accepted an invitation.")})
    now = utcnow()
    await _check_invitation_caps(db, user.id, clean_email, now)
    # An earlier open invitation to the same address stops working.
    replaced = await db.execute(
        update(Invitation)
        .where(
            Invitation.assessment_id == context.assessment.id,
            Invitation.email == clean_email,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .values(revoked_at=now)
        .returning(Invitation.id)
    )
    for replaced_id in replaced.scalars().all():
        record(
            db,
            actor_id=user.id,
            action="invitation.revoke",
            object_type="invitation",
            object_id=replaced_id,
            organisation_id=context.organisation.id,
            assessment_id=context.assessment.id,
            reason="replaced",
        )
    token = secrets.token_urlsafe(32)
    round_end = dt.datetime.combine(
        context.round.closes_on + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC
    )
    invitation = Invitation(
        assessment_id=context.assessment.id,
        email=clean_email,
        name=clean_name,
        token_hash=token_hash(token),
        language=language,
        created_by=user.id,
        created_at=now,
        expires_at=min(now + dt.timedelta(days=INVITATION_VALID_DAYS), round_end),
    )
    db.add(invitation)
    await db.flush()
    link = f"{base_url.rstrip('/')}/invitations/{token}"
    messages = translations(language)
    variables = {
        "manager": user.name,
        "questionnaire": context.questionnaire.title.get(language),
        "organisation": context.organisation.name,
        "round": context.round.name,
        "expires": format_datetime(invitation.expires_at, language),
        "link": link,
    }
    mail = InvitationMail(
        to=clean_email,
        subject=messages.ugettext(INVITATION_SUBJECT) % variables,
        body=messages.ugettext(INVITATION_BODY) % variables,
    )
    record(
        db,
        actor_id=user.id,
        action="invitation.create",
        object_type="invitation",
        object_id=invitation.id,
        organisation_id=context.organisation.id,
        assessment_id=context.assessment.id,
    )
    return NewInvitation(invitation, mail)


async def _check_invitation_caps(
    db: AsyncSession, manager_id: int, email: str, now: dt.datetime
) -> None:
    """Raise :class:`TooManyAttempts` (at the e-mail field) when a cap is reached."""
    caps = (
        (
            Invitation.created_by == manager_id,
            INVITATIONS_PER_HOUR,
            dt.timedelta(hours=1),
            _(
                "You have sent the most invitations allowed in one hour (%(n)s). Try again later.",
                n=INVITATIONS_PER_HOUR,
            ),
        ),
        (
            Invitation.email == email,
            INVITATIONS_PER_ADDRESS_PER_DAY,
            dt.timedelta(days=1),
            _(
                "This address has already received %(n)s invitations in the last 24 hours. "
                "Try again later.",
                n=INVITATIONS_PER_ADDRESS_PER_DAY,
            ),
        ),
    )
    for condition, limit, window, message in caps:
        wait = await seconds_until_below(db, Invitation.created_at, condition, limit, window, now)
        if wait is not None:
            raise TooManyAttempts(message, wait, errors={"email": message})


async def _is_manager_of(db: AsyncSession, email: str, organisation_id: int) -> bool:
    found = await db.scalar(
        select(Membership.id)
        .join(User, User.id == Membership.user_id)
        .where(
            User.email == email,
            Membership.organisation_id == organisation_id,
            Membership.role == Role.MANAGER,
        )
    )
    return found is not None


async def send_invitation(settings: Settings, mail: InvitationMail) -> None:
    """Send the invitation e-mail (after the commit); a failure is logged, not raised."""
    try:
        await send_mail(settings, mail.to, mail.subject, mail.body)
    except Exception:
        logger.exception("Could not send the invitation e-mail to %s", mail.to)


async def revoke(
    db: AsyncSession, user: CurrentUser, context: assessments.AssessmentContext, invitation_id: int
) -> None:
    invitation = await _managed_invitation(db, user, context, invitation_id)
    if invitation.accepted_at is not None:
        raise Conflict(_("This invitation was already accepted."))
    if invitation.revoked_at is None:
        _end(db, user, context, invitation, "invitation.revoke")
    await db.flush()


async def _managed_invitation(
    db: AsyncSession, user: CurrentUser, context: assessments.AssessmentContext, invitation_id: int
) -> Invitation:
    """An invitation of this assessment, for its manager; anything else is not found."""
    _ensure_manager(user, context)
    invitation = await db.get(Invitation, invitation_id)
    if invitation is None or invitation.assessment_id != context.assessment.id:
        raise NotFound(_("Invitation not found."))
    return invitation


def _end(
    db: AsyncSession,
    user: CurrentUser,
    context: assessments.AssessmentContext,
    invitation: Invitation,
    action: str,
) -> None:
    """Mark the invitation withdrawn (or its respondent removed) and audit it."""
    invitation.revoked_at = utcnow()
    record(
        db,
        actor_id=user.id,
        action=action,
        object_type="invitation",
        object_id=invitation.id,
        organisation_id=context.organisation.id,
        assessment_id=context.assessment.id,
    )


async def remove_respondent(
    db: AsyncSession, user: CurrentUser, context: assessments.AssessmentContext, invitation_id: int
) -> list[str]:
    """Take a person who accepted their invitation off this assessment.

    Their own response goes with its answers and evidence; what the manager already
    took over into the organisation's answers stays. The invitation is marked removed,
    and a person with no other response in the organisation loses their respondent role
    there. Returns the storage keys of their evidence files, for the caller to remove
    once the transaction is committed.
    """
    invitation = await _managed_invitation(db, user, context, invitation_id)
    if invitation.accepted_at is None:
        raise Conflict(_("This invitation was not accepted yet: withdraw it instead."))
    if invitation.revoked_at is not None:
        return []  # removed before
    storage_keys: list[str] = []
    if invitation.user_id is not None:
        response_id = await db.scalar(
            select(Response.id).where(
                Response.assessment_id == context.assessment.id,
                Response.respondent_id == invitation.user_id,
            )
        )
        if response_id is not None:
            storage_keys = [
                key
                for key in await db.scalars(
                    select(Evidence.storage_key).where(Evidence.response_id == response_id)
                )
                if key is not None
            ]
            # answers and evidence go with it (ON DELETE CASCADE)
            await db.execute(delete(Response).where(Response.id == response_id))
        elsewhere = await db.scalar(
            select(Response.id)
            .join(Assessment, Assessment.id == Response.assessment_id)
            .where(
                Response.respondent_id == invitation.user_id,
                Assessment.organisation_id == context.organisation.id,
            )
            .limit(1)
        )
        if elsewhere is None:
            await db.execute(
                delete(Membership).where(
                    Membership.user_id == invitation.user_id,
                    Membership.organisation_id == context.organisation.id,
                    Membership.role == Role.RESPONDENT,
                )
            )
    _end(db, user, context, invitation, "respondent.remove")
    await db.flush()
    return storage_keys


# --------------------------------------------------------------------------------------------
# Accepting


@dataclass(frozen=True)
class InvitationView:
    """What the person who opens a link sees before confirming."""

    invitation: Invitation
    assessment: Assessment
    organisation: Organisation
    questionnaire: Questionnaire
    inviter_name: str | None
    account_exists: bool
    assessment_open: bool

    @property
    def state(self) -> str:
        if self.invitation.revoked_at is not None:  # withdrawn, or its respondent removed
            return "revoked"
        if self.invitation.accepted_at is not None:
            return "used"
        if not self.assessment_open:
            return "closed"
        if self.invitation.expires_at <= utcnow():
            return "expired"
        return "valid"


async def find_invitation(db: AsyncSession, token: str) -> InvitationView:
    invitation = (
        await db.scalar(select(Invitation).where(Invitation.token_hash == token_hash(token)))
        if 20 <= len(token) <= 100
        else None
    )
    if invitation is None:
        raise NotFound(_("This invitation link is not valid. Check that you copied it completely."))
    assessment = await db.get(Assessment, invitation.assessment_id)
    assert assessment is not None
    organisation = await db.get(Organisation, assessment.organisation_id)
    round_ = await db.get(Round, assessment.round_id)
    version = await db.get(QuestionnaireVersion, assessment.questionnaire_version_id)
    assert organisation is not None and round_ is not None and version is not None
    inviter = await db.get(User, invitation.created_by) if invitation.created_by else None
    existing = await db.scalar(select(User.id).where(User.email == invitation.email))
    return InvitationView(
        invitation=invitation,
        assessment=assessment,
        organisation=organisation,
        questionnaire=definition_of(version),
        inviter_name=inviter.name if inviter else None,
        account_exists=existing is not None,
        assessment_open=assessments.accepts_answers(assessment, round_),
    )


def _unusable_message(state: str) -> str:
    if state == "used":
        return _("This invitation was already used. Log in to continue with your response.")
    if state == "revoked":
        return _(
            "This invitation was withdrawn. Ask the manager of the organisation for a new one."
        )
    if state == "closed":
        return _(
            "The organisation's assessment is already submitted or its round is closed, so "
            "there is nothing to answer any more."
        )
    return _("This invitation has expired. Ask the manager of the organisation for a new one.")


async def accept(
    db: AsyncSession,
    token: str,
    current: CurrentUser | None,
    *,
    name: str | None = None,
    password: str | None = None,
    language: str | None = None,
) -> tuple[CurrentUser, int]:
    """Use the invitation once: the person gets the respondent role and their own response.

    A logged-in person must be the one the invitation was sent to. Without a login, a
    new account is made with ``name`` and ``password``; an existing account must log in
    first. Returns the person and the assessment id.
    """
    view = await find_invitation(db, token)
    invitation = view.invitation
    if view.state != "valid":
        raise Conflict(_unusable_message(view.state))
    if current is not None and normalise_email(current.email) != invitation.email:
        raise Forbidden(
            _(
                "This invitation was sent to another e-mail address. Log out and open the "
                "link again, or ask for an invitation to your own address."
            )
        )
    if current is None and view.account_exists:
        raise Conflict(_("You already have an account. Log in first, then open the link again."))
    if current is None:
        errors: dict[str, str] = {}
        clean_name = (name or "").strip()
        if not clean_name:
            errors["name"] = _("Enter your name.")
        elif len(clean_name) > NAME_MAX_LENGTH:
            errors["name"] = _("Use at most %(n)s characters.", n=NAME_MAX_LENGTH)
        if len(password or "") < MIN_PASSWORD_LENGTH:
            errors["password"] = _("Use at least %(n)s characters.", n=MIN_PASSWORD_LENGTH)
        if errors:
            raise Invalid(errors)
    now = utcnow()
    # One statement decides who uses the token, so it works exactly once.
    used = await db.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation.id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
        .values(accepted_at=now)
        .returning(Invitation.id)
    )
    if used.scalar_one_or_none() is None:
        raise Conflict(_unusable_message("used"))
    organisation_id = view.organisation.id
    if current is None:
        user = await create_user(
            db,
            email=invitation.email,
            name=(name or "").strip(),
            password=password or "",
            role=Role.RESPONDENT,
            organisation_id=organisation_id,
            language=language if language in LANGUAGES else invitation.language,
        )
    else:
        user_row = await db.get(User, current.id)
        assert user_row is not None
        user = user_row
        has_role = await db.scalar(
            select(Membership.id).where(
                Membership.user_id == user.id,
                Membership.organisation_id == organisation_id,
                Membership.role.in_([Role.RESPONDENT, Role.MANAGER]),
            )
        )
        if has_role is None:
            db.add(
                Membership(user_id=user.id, role=Role.RESPONDENT, organisation_id=organisation_id)
            )
    await db.execute(
        update(Invitation).where(Invitation.id == invitation.id).values(user_id=user.id)
    )
    existing_response = await db.scalar(
        select(Response.id).where(
            Response.assessment_id == view.assessment.id, Response.respondent_id == user.id
        )
    )
    if existing_response is None:
        db.add(Response(assessment_id=view.assessment.id, respondent_id=user.id))
    record(
        db,
        actor_id=user.id,
        action="invitation.accept",
        object_type="invitation",
        object_id=invitation.id,
        organisation_id=organisation_id,
        assessment_id=view.assessment.id,
    )
    await db.flush()
    refreshed = await db.scalar(
        select(User).where(User.id == user.id).execution_options(populate_existing=True)
    )
    assert refreshed is not None
    await db.refresh(refreshed, attribute_names=["memberships"])
    return snapshot(refreshed), view.assessment.id


# --------------------------------------------------------------------------------------------
# Progress per respondent


@dataclass(frozen=True)
class RespondentRow:
    invitation: Invitation
    state: str  # invited | expired | revoked | answering | submitted | removed
    respondent_name: str | None
    answered: int
    applicable: int
    submitted_at: dt.datetime | None


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
    _ensure_manager(user, context)
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


# --------------------------------------------------------------------------------------------
# Consolidation


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
    _ensure_manager(user, context)
    submitted = [
        p
        for p in await personal_responses(db, context.assessment.id)
        if p.response.submitted_at is not None
    ]
    questionnaire = context.questionnaire
    problems = [count_problems(questionnaire, p.answers) for p in submitted]
    result = []
    for item in questionnaire.items:
        answers = [
            RespondentAnswer(p.name, a.value, a.not_applicable, person_problems.get(item.id))
            for p, person_problems in zip(submitted, problems, strict=True)
            if (a := p.answers.get(item.id)) is not None
        ]
        result.append(item_consensus(item, answers))
    starting = count_problems(
        questionnaire,
        {
            c.item.id: StoredAnswer(value=c.suggestion, not_applicable=c.suggest_not_applicable)
            for c in result
        },
    )
    result = [replace(c, count_problem=starting.get(c.item.id)) for c in result]
    return result, len(submitted)


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
    _ensure_manager(user, context)
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
    # A starting value that breaks a count rule waits until the others are in (a lower
    # subgroup before its lower total); what still does not add up is left for the manager.
    while to_fill:
        waiting = []
        for consensus in to_fill:
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
                waiting.append(consensus)
            else:
                changed += 1
        if len(waiting) == len(to_fill):
            break
        to_fill = waiting
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
    return Prefilled(changed, [c.item.id for c in to_fill])
