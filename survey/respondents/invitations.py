"""Inviting respondents and accepting an invitation (DESIGN §9).

An invitation is a personal link with a random token (only its SHA-256 is stored). It
expires, is used once (a POST after the person confirms), and grants exactly one
assessment: accepting it gives the person the respondent role in that organisation and
their own response.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from survey.accounts.models import Membership, Role, User
from survey.accounts.passwords import MIN_PASSWORD_LENGTH
from survey.accounts.service import CurrentUser, create_user, normalise_email, snapshot
from survey.assessments import service as assessments
from survey.assessments.models import Assessment, Evidence, Response
from survey.audit.service import record
from survey.db import seconds_until_below, utcnow
from survey.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    TooManyAttempts,
)
from survey.i18n import LANGUAGES, N_, format_datetime, translations
from survey.i18n import gettext as _
from survey.mail import send_mail
from survey.organisations.models import Organisation
from survey.questionnaires.models import QuestionnaireVersion
from survey.questionnaires.publishing import definition_of
from survey.questionnaires.schema import Questionnaire
from survey.respondents.models import Invitation
from survey.respondents.service import ensure_manager
from survey.rounds.models import Round
from survey.settings import Settings

logger = logging.getLogger("survey")

INVITATION_VALID_DAYS = 14
# Caps against mail floods: per manager (any assessment) and per address (from anyone).
INVITATIONS_PER_HOUR = 30
INVITATIONS_PER_ADDRESS_PER_DAY = 3
NAME_MAX_LENGTH = 200


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


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
    ensure_manager(user, context)
    if not context.is_editable:
        raise Conflict(_("Respondents can only be invited while the assessment is open."))
    clean_email, clean_name = await _checked_invitee(db, context, email, name, language)
    now = utcnow()
    await _check_invitation_caps(db, user.id, clean_email, now)
    await _replace_open_invitation(db, user, context, clean_email, now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        assessment_id=context.assessment.id,
        email=clean_email,
        name=clean_name,
        token_hash=token_hash(token),
        language=language,
        created_by=user.id,
        created_at=now,
        expires_at=_expiry(context, now),
    )
    db.add(invitation)
    await db.flush()
    mail = _invitation_mail(
        user, context, invitation, f"{base_url.rstrip('/')}/invitations/{token}"
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


def invitee_errors(values: Mapping[str, Any]) -> dict[str, str]:
    """The checks of an invitation that need no database, per field: an address that is one
    mailbox, a language of the app (the form shows them next to its other problems)."""
    errors: dict[str, str] = {}
    clean_email = normalise_email(str(values.get("email") or ""))
    if len(clean_email) > 254 or not EMAIL_PATTERN.match(clean_email):
        errors["email"] = _("Enter a valid e-mail address.")
    if values.get("language", LANGUAGES[0]) not in LANGUAGES:
        errors["language"] = _("Choose a language.")
    return errors


async def _checked_invitee(
    db: AsyncSession,
    context: assessments.AssessmentContext,
    email: str,
    name: str | None,
    language: str,
) -> tuple[str, str | None]:
    """The invitee's address and name, cleaned; refused at the field when they cannot be
    invited (not an address, a manager, already a respondent) or the language is unknown."""
    errors = invitee_errors({"email": email, "language": language})
    clean_email = normalise_email(email or "")
    if "email" not in errors and await _is_manager_of(db, clean_email, context.organisation.id):
        errors["email"] = _(
            "This person is a manager of the organisation: managers answer in the "
            "organisation's own response."
        )
    # The name's length is a limit of InvitationCreate (its Meta), which the API and the
    # form decode into.
    clean_name = (name or "").strip() or None
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
    return clean_email, clean_name


async def _replace_open_invitation(
    db: AsyncSession,
    user: CurrentUser,
    context: assessments.AssessmentContext,
    email: str,
    now: dt.datetime,
) -> None:
    """An earlier open invitation to the same address stops working (audited)."""
    replaced = await db.execute(
        update(Invitation)
        .where(
            Invitation.assessment_id == context.assessment.id,
            Invitation.email == email,
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


def _expiry(context: assessments.AssessmentContext, now: dt.datetime) -> dt.datetime:
    """Valid for INVITATION_VALID_DAYS, and never after the round closes."""
    round_end = dt.datetime.combine(
        context.round.closes_on + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC
    )
    return min(now + dt.timedelta(days=INVITATION_VALID_DAYS), round_end)


def _invitation_mail(
    user: CurrentUser,
    context: assessments.AssessmentContext,
    invitation: Invitation,
    link: str,
) -> InvitationMail:
    """The invitation e-mail, in the invitee's language."""
    language = invitation.language
    messages = translations(language)
    variables = {
        "manager": user.name,
        "questionnaire": context.questionnaire.title.get(language),
        "organisation": context.organisation.name,
        "round": context.round.name,
        "expires": format_datetime(invitation.expires_at, language),
        "link": link,
    }
    return InvitationMail(
        to=invitation.email,
        subject=messages.ugettext(INVITATION_SUBJECT) % variables,
        body=messages.ugettext(INVITATION_BODY) % variables,
    )


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
    ensure_manager(user, context)
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
    _check_acceptable(view, current, name, password)
    await _use_once(db, invitation)
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
        user = await _existing_respondent(db, current.id, organisation_id)
    await db.execute(
        update(Invitation).where(Invitation.id == invitation.id).values(user_id=user.id)
    )
    await _ensure_own_response(db, view.assessment.id, user.id)
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


def _check_acceptable(
    view: InvitationView, current: CurrentUser | None, name: str | None, password: str | None
) -> None:
    """Refuse an unusable invitation, someone else's, or a new account's bad name/password."""
    if view.state != "valid":
        raise Conflict(_unusable_message(view.state))
    if current is not None and normalise_email(current.email) != view.invitation.email:
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


async def _use_once(db: AsyncSession, invitation: Invitation) -> None:
    """Mark the invitation accepted. One statement decides who uses the token, so it works
    exactly once."""
    now = utcnow()
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


async def _existing_respondent(db: AsyncSession, user_id: int, organisation_id: int) -> User:
    """The logged-in person, given the respondent role in the organisation unless they are
    already a respondent or a manager there."""
    user = await db.get(User, user_id)
    assert user is not None
    has_role = await db.scalar(
        select(Membership.id).where(
            Membership.user_id == user.id,
            Membership.organisation_id == organisation_id,
            Membership.role.in_([Role.RESPONDENT, Role.MANAGER]),
        )
    )
    if has_role is None:
        db.add(Membership(user_id=user.id, role=Role.RESPONDENT, organisation_id=organisation_id))
    return user


async def _ensure_own_response(db: AsyncSession, assessment_id: int, user_id: int) -> None:
    """The respondent's own response to the assessment (kept when they had one)."""
    existing_response = await db.scalar(
        select(Response.id).where(
            Response.assessment_id == assessment_id, Response.respondent_id == user_id
        )
    )
    if existing_response is None:
        db.add(Response(assessment_id=assessment_id, respondent_id=user_id))
