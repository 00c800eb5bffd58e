"""Support requests (DESIGN §2, §9): an organisation's manager asks a provider for a
trajectory of the catalogue in one step; the provider's coaches move it through
``requested → intake → running → completed``, or to ``declined`` from any open state; the
manager may withdraw it while it is open. Every change is dated, with its author and an
optional note, in the request's history and in the audit log."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from survey.accounts.models import Membership, Role, User
from survey.accounts.service import CurrentUser
from survey.assessments.models import Assessment
from survey.audit.service import record
from survey.errors import Conflict, Forbidden, Invalid, NotFound
from survey.i18n import N_, current_language, format_datetime, translations
from survey.i18n import gettext as _
from survey.mail import send_mail
from survey.organisations.models import Organisation
from survey.settings import Settings
from survey.trajectories import catalogue as trajectories
from survey.trajectories.catalogue import PROVIDER_NAMES, provider_name
from survey.trajectories.models import (
    OPEN_STATES,
    RequestState,
    SupportRequest,
    SupportRequestChange,
)
from survey.trajectories.sharing import (
    coach_providers,
    is_manager,
    managed_organisation,
    turn_on,
)

logger = logging.getLogger("survey")

MESSAGE_MAX_LENGTH = 2_000

STATE_LABELS = {
    RequestState.REQUESTED: N_("requested"),
    RequestState.INTAKE: N_("intake"),
    RequestState.RUNNING: N_("running"),
    RequestState.COMPLETED: N_("completed"),
    RequestState.DECLINED: N_("declined"),
    RequestState.WITHDRAWN: N_("withdrawn"),
}

# Who may make which move (DESIGN §9).
COACH_MOVES: dict[RequestState, frozenset[RequestState]] = {
    RequestState.REQUESTED: frozenset({RequestState.INTAKE, RequestState.DECLINED}),
    RequestState.INTAKE: frozenset({RequestState.RUNNING, RequestState.DECLINED}),
    RequestState.RUNNING: frozenset({RequestState.COMPLETED, RequestState.DECLINED}),
}
MANAGER_MOVES: dict[RequestState, frozenset[RequestState]] = {
    state: frozenset({RequestState.WITHDRAWN}) for state in OPEN_STATES
}


def state_label(state: RequestState | str) -> str:
    return _(STATE_LABELS[RequestState(state)])


def trajectory_title(trajectory_id: str, language: str | None = None) -> str:
    entry = trajectories.trajectory(trajectory_id)
    if entry is None:
        return trajectory_id
    return entry.name.get(language or current_language())


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


@dataclass
class Outcome:
    """A request after a change, and the e-mails to send once the transaction committed."""

    request: SupportRequest
    mails: list[Mail] = field(default_factory=list)


async def send_mails(settings: Settings, mails: list[Mail]) -> None:
    """Send after the response (a background task); a failure is logged, not raised."""
    for mail in mails:
        try:
            await send_mail(settings, mail.to, mail.subject, mail.body)
        except Exception:
            logger.exception("Could not send the support-request e-mail to %s", mail.to)


def clean_note(value: str | None, field_name: str) -> str | None:
    text = (value or "").strip()
    if len(text) > MESSAGE_MAX_LENGTH:
        raise Invalid({field_name: _("Use at most %(n)s characters.", n=MESSAGE_MAX_LENGTH)})
    return text or None


# -- who sees what -----------------------------------------------------------------------


def _coach_of(user: CurrentUser, request: SupportRequest) -> bool:
    providers = coach_providers(user)
    return request.provider in providers or (
        request.partner is not None and request.partner in providers
    )


def is_lead_coach(user: CurrentUser, request: SupportRequest) -> bool:
    return request.provider in coach_providers(user)


async def get_visible(db: AsyncSession, user: CurrentUser, request_id: int) -> SupportRequest:
    """The request if the caller may see it: the organisation's managers, and the coaches of
    its lead and partner provider (whatever the consent: requests stay visible). Another
    organisation's or provider's request is "not found"; a respondent of the organisation
    is refused (403)."""
    request = await db.get(SupportRequest, request_id)
    if request is None:
        raise NotFound(_("Support request not found."))
    if is_manager(user, request.organisation_id) or _coach_of(user, request):
        return request
    if user.roles_in(request.organisation_id):
        raise Forbidden(_("Only the organisation's manager can see its support requests."))
    raise NotFound(_("Support request not found."))


async def list_visible(
    db: AsyncSession, user: CurrentUser, organisation_id: int | None = None
) -> list[SupportRequest]:
    """The requests the caller may see (managers: their organisations'; coaches: their
    provider's), newest first; optionally of one organisation."""
    providers = coach_providers(user)
    conditions = []
    if user.managed_organisation_ids:
        conditions.append(SupportRequest.organisation_id.in_(user.managed_organisation_ids))
    if providers:
        conditions.append(SupportRequest.provider.in_(providers))
        conditions.append(SupportRequest.partner.in_(providers))
    if not conditions:
        return []
    statement = select(SupportRequest).where(or_(*conditions))
    if organisation_id is not None:
        statement = statement.where(SupportRequest.organisation_id == organisation_id)
    return list(
        await db.scalars(
            statement.order_by(SupportRequest.created_at.desc(), SupportRequest.id.desc())
        )
    )


async def history(db: AsyncSession, request_id: int) -> list[tuple[SupportRequestChange, str]]:
    """The request's dated steps, oldest first, each with its author's name."""
    rows = await db.execute(
        select(SupportRequestChange, User.name)
        .outerjoin(User, User.id == SupportRequestChange.actor_id)
        .where(SupportRequestChange.request_id == request_id)
        .order_by(SupportRequestChange.at, SupportRequestChange.id)
    )
    return [(change, name or "—") for change, name in rows.all()]


# -- mail --------------------------------------------------------------------------------

NEW_REQUEST_SUBJECT = N_("New support request: %(trajectory)s for %(organisation)s")
NEW_REQUEST_BODY = N_(
    "%(organisation)s asks for the trajectory “%(trajectory)s” (%(provider)s).\n\n"
    "Message: %(message)s\n\n"
    "The organisation now shares its results with your organisation. Open the request in "
    "your N-scan workspace:\n%(link)s\n"
)
CHANGE_SUBJECT = N_("Your support request is now: %(state)s")
CHANGE_BODY = N_(
    "The request of %(organisation)s for “%(trajectory)s” (%(provider)s) changed on "
    "%(when)s from “%(before)s” to “%(after)s” (by %(author)s).\n\n"
    "Note: %(note)s\n\n"
    "See the request and its history:\n%(link)s\n"
)


async def _recipients(
    db: AsyncSession, condition: ColumnElement[bool], exclude: int | None
) -> list[User]:
    users = await db.scalars(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(condition, User.is_active.is_(True))
        .distinct()
        .order_by(User.id)
    )
    return [user for user in users if user.id != exclude]


def _translated(language: str, text_id: str, **variables: object) -> str:
    return translations(language).ugettext(text_id) % variables


def _state_in(language: str, state: RequestState) -> str:
    return translations(language).ugettext(STATE_LABELS[state])


async def _new_request_mails(
    db: AsyncSession, request: SupportRequest, organisation: Organisation, base_url: str
) -> list[Mail]:
    providers = [request.provider] + ([request.partner] if request.partner else [])
    coaches = await _recipients(
        db, (Membership.role == Role.COACH) & Membership.provider.in_(providers), None
    )
    link = f"{base_url.rstrip('/')}/coaching/requests/{request.id}"
    mails = []
    for coach in coaches:
        language = coach.language
        variables = {
            "organisation": organisation.name,
            "trajectory": trajectory_title(request.trajectory_id, language),
            "provider": translations(language).ugettext(PROVIDER_NAMES[request.provider]),
            "message": request.message or "—",
            "link": link,
        }
        mails.append(
            Mail(
                to=coach.email,
                subject=_translated(language, NEW_REQUEST_SUBJECT, **variables),
                body=_translated(language, NEW_REQUEST_BODY, **variables),
            )
        )
    return mails


async def _change_mails(
    db: AsyncSession,
    request: SupportRequest,
    change: SupportRequestChange,
    author: str,
    base_url: str,
) -> list[Mail]:
    organisation = await db.get(Organisation, request.organisation_id)
    assert organisation is not None
    managers = await _recipients(
        db,
        (Membership.role == Role.MANAGER) & (Membership.organisation_id == request.organisation_id),
        change.actor_id,
    )
    link = (
        f"{base_url.rstrip('/')}/organisations/{request.organisation_id}"
        f"/support-requests/{request.id}"
    )
    mails = []
    for manager in managers:
        language = manager.language
        variables = {
            "organisation": organisation.name,
            "trajectory": trajectory_title(request.trajectory_id, language),
            "provider": translations(language).ugettext(PROVIDER_NAMES[request.provider]),
            "when": format_datetime(change.at, language),
            "before": _state_in(language, change.from_state or RequestState.REQUESTED),
            "after": _state_in(language, change.to_state),
            "author": author,
            "note": change.note or "—",
            "link": link,
        }
        mails.append(
            Mail(
                to=manager.email,
                subject=_translated(language, CHANGE_SUBJECT, state=variables["after"]),
                body=_translated(language, CHANGE_BODY, **variables),
            )
        )
    return mails


# -- creating and moving -----------------------------------------------------------------


def _add_change(
    db: AsyncSession,
    request: SupportRequest,
    user: CurrentUser,
    before: RequestState | None,
    after: RequestState,
    note: str | None,
    at: dt.datetime | None = None,
) -> SupportRequestChange:
    change = SupportRequestChange(
        request_id=request.id, actor_id=user.id, from_state=before, to_state=after, note=note
    )
    if at is not None:
        change.at = at
    db.add(change)
    return change


async def create(
    db: AsyncSession,
    user: CurrentUser,
    organisation_id: int,
    trajectory_id: str,
    *,
    message: str | None = None,
    assessment_id: int | None = None,
    base_url: str = "",
) -> Outcome:
    """Request a trajectory for the organisation (its manager only). Turns the consent on for
    the trajectory's lead provider. A second open request for the same trajectory is a
    conflict naming the open one."""
    organisation = await managed_organisation(db, user, organisation_id)
    entry = trajectories.trajectory(trajectory_id)
    if entry is None:
        raise Invalid({"trajectory_id": _("Choose a trajectory from the catalogue.")})
    note = clean_note(message, "message")
    if assessment_id is not None:
        owner = await db.scalar(
            select(Assessment.organisation_id).where(Assessment.id == assessment_id)
        )
        if owner != organisation_id:
            raise Invalid({"assessment_id": _("This self-assessment is not the organisation's.")})
    # One open request per organisation × trajectory: lock the organisation row so two
    # clicks at once cannot both pass the check (PostgreSQL; SQLite serialises writers).
    await db.scalar(
        select(Organisation.id).where(Organisation.id == organisation_id).with_for_update()
    )
    open_one = await db.scalar(
        select(SupportRequest.id).where(
            SupportRequest.organisation_id == organisation_id,
            SupportRequest.trajectory_id == trajectory_id,
            SupportRequest.state.in_(OPEN_STATES),
        )
    )
    if open_one is not None:
        raise Conflict(
            _("There is already an open request for this trajectory."),
            title=_("Already requested"),
            id=open_one,
        )
    provider = entry.provider
    partner = entry.partner
    request = SupportRequest(
        organisation_id=organisation_id,
        trajectory_id=trajectory_id,
        provider=provider,
        partner=partner,
        assessment_id=assessment_id,
        state=RequestState.REQUESTED,
        message=note,
        requested_by=user.id,
    )
    db.add(request)
    await db.flush()
    _add_change(db, request, user, None, RequestState.REQUESTED, note)
    record(
        db,
        actor_id=user.id,
        action="support_request.create",
        object_type="support_request",
        object_id=request.id,
        organisation_id=organisation_id,
        trajectory_id=trajectory_id,
        provider=provider.value,
    )
    # The request page and the suggestion say so: the lead provider's coaches (and a joint
    # trajectory's partner's, who work on it too) now see the results.
    for sharing_with in (provider, partner):
        if sharing_with is not None:
            await turn_on(db, user, organisation_id, sharing_with, reason="support_request")
    await db.flush()
    return Outcome(request, await _new_request_mails(db, request, organisation, base_url))


def allowed_moves(user: CurrentUser, request: SupportRequest) -> list[RequestState]:
    """The states the caller may move the request to now, in the order of the flow."""
    moves: set[RequestState] = set()
    if is_lead_coach(user, request):
        moves |= COACH_MOVES.get(request.state, frozenset())
    if is_manager(user, request.organisation_id):
        moves |= MANAGER_MOVES.get(request.state, frozenset())
    return [state for state in RequestState if state in moves]


def _refusal(user: CurrentUser, request: SupportRequest, target: RequestState) -> str:
    here, there = state_label(request.state), state_label(target)
    if request.state == target:
        return _("The request is already “%(state)s”.", state=here)
    if request.state not in OPEN_STATES:
        return _("The request is “%(state)s”: it is closed and can no longer change.", state=here)
    if target in COACH_MOVES.get(request.state, frozenset()):
        return _(
            "Only the coaches of %(provider)s can move this request to “%(state)s”.",
            provider=provider_name(request.provider),
            state=there,
        )
    if target in MANAGER_MOVES.get(request.state, frozenset()):
        return _("Only the organisation's manager can withdraw this request.")
    return _(
        "A request that is “%(from)s” cannot move to “%(to)s”.",
        **{"from": here, "to": there},
    )


async def change_state(
    db: AsyncSession,
    user: CurrentUser,
    request_id: int,
    target: str,
    note: str | None = None,
    *,
    base_url: str = "",
    at: dt.datetime | None = None,
) -> Outcome:
    """Move the request to ``target`` if the caller may (409 with the reason otherwise)."""
    request = await get_visible(db, user, request_id)
    try:
        new_state = RequestState(target)
    except ValueError:
        raise Invalid(
            {
                "state": _(
                    "Choose one of: %(states)s.", states=", ".join(s.value for s in RequestState)
                )
            }
        ) from None
    clean = clean_note(note, "note")
    locked = await db.scalar(
        select(SupportRequest)
        .where(SupportRequest.id == request.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert locked is not None
    request = locked
    if new_state not in allowed_moves(user, request):
        raise Conflict(_refusal(user, request, new_state), title=_("This step is not possible"))
    before = request.state
    request.state = new_state
    if is_lead_coach(user, request):
        request.coach_id = user.id
    change = _add_change(db, request, user, before, new_state, clean, at)
    record(
        db,
        actor_id=user.id,
        action="support_request.state",
        object_type="support_request",
        object_id=request.id,
        organisation_id=request.organisation_id,
        **{"from": before.value, "to": new_state.value},
    )
    await db.flush()
    return Outcome(request, await _change_mails(db, request, change, user.name, base_url))
