"""Consent to share (DESIGN §9): one per organisation × provider, turned on by a request,
revocable at once by the manager. Also: which provider a coach works for, and whether a
coach may see an organisation at all (it shares with or asked their provider)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from survey.accounts.models import Provider, Role
from survey.accounts.service import CurrentUser
from survey.audit.service import record
from survey.db import utcnow
from survey.errors import Forbidden, NotFound
from survey.i18n import gettext as _
from survey.organisations.models import Organisation
from survey.organisations.service import get_visible
from survey.trajectories.catalogue import provider_name
from survey.trajectories.models import Share, SupportRequest


def parse_provider(value: str) -> Provider:
    """A provider from a path or form: an unknown one is "not found"."""
    try:
        return Provider(value)
    except ValueError:
        raise NotFound(_("There is no such provider.")) from None


def coach_providers(user: CurrentUser) -> set[Provider]:
    """The providers the user coaches for (usually one)."""
    return {p for role, _org, p in user.memberships if role == Role.COACH and p is not None}


def is_manager(user: CurrentUser, organisation_id: int) -> bool:
    return Role.MANAGER in user.roles_in(organisation_id)


async def managed_organisation(
    db: AsyncSession, user: CurrentUser, organisation_id: int
) -> Organisation:
    """The organisation, if the caller is its manager: 404 if they cannot see it, 403 if
    they can but do not manage it."""
    organisation = await get_visible(db, user, organisation_id)
    if not is_manager(user, organisation_id):
        raise Forbidden(_("Only the organisation's manager can do this."))
    return organisation


async def active_providers(db: AsyncSession, organisation_id: int) -> set[Provider]:
    """The providers the organisation shares with now."""
    return set(
        await db.scalars(
            select(Share.provider).where(
                Share.organisation_id == organisation_id, Share.active.is_(True)
            )
        )
    )


async def shares_with(db: AsyncSession, organisation_id: int, providers: set[Provider]) -> bool:
    """Whether the organisation shares with one of ``providers`` right now (read at each
    request, so a revoked consent ends access at once)."""
    return bool(providers & await active_providers(db, organisation_id))


async def follows(db: AsyncSession, organisation_id: int, providers: set[Provider]) -> bool:
    """Whether the organisation shares with or asked one of ``providers``: only then do their
    coaches see it at all."""
    if not providers:
        return False
    if await shares_with(db, organisation_id, providers):
        return True
    asked = await db.scalar(
        select(SupportRequest.id)
        .where(
            SupportRequest.organisation_id == organisation_id,
            or_(SupportRequest.provider.in_(providers), SupportRequest.partner.in_(providers)),
        )
        .limit(1)
    )
    return asked is not None


@dataclass(frozen=True)
class ShareView:
    provider: Provider
    name: str
    active: bool
    since: dt.datetime | None


async def shares_of(db: AsyncSession, organisation_id: int) -> list[ShareView]:
    """Every provider with the organisation's consent to it (on or off), in a fixed order."""
    stored = {
        share.provider: share
        for share in await db.scalars(select(Share).where(Share.organisation_id == organisation_id))
    }
    views = []
    for provider in Provider:
        share = stored.get(provider)
        active = bool(share and share.active)
        since = (share.granted_at if active else share.revoked_at) if share else None
        views.append(ShareView(provider, provider_name(provider), active, since))
    return views


async def turn_on(
    db: AsyncSession, user: CurrentUser, organisation_id: int, provider: Provider, *, reason: str
) -> bool:
    """Turn the consent on (no change when it is on); True when it changed."""
    share = await db.scalar(
        select(Share)
        .where(Share.organisation_id == organisation_id, Share.provider == provider)
        .with_for_update()
    )
    if share is not None and share.active:
        return False
    if share is None:
        share = Share(organisation_id=organisation_id, provider=provider)
        db.add(share)
    share.active = True
    share.granted_at = utcnow()
    share.revoked_at = None
    share.changed_by = user.id
    await db.flush()
    record(
        db,
        actor_id=user.id,
        action="share.grant",
        object_type="share",
        object_id=share.id,
        organisation_id=organisation_id,
        provider=provider.value,
        reason=reason,
    )
    return True


async def turn_off(
    db: AsyncSession, user: CurrentUser, organisation_id: int, provider: Provider
) -> bool:
    """Revoke the consent (no change when it is off); True when it changed."""
    share = await db.scalar(
        select(Share)
        .where(Share.organisation_id == organisation_id, Share.provider == provider)
        .with_for_update()
    )
    if share is None or not share.active:
        return False
    share.active = False
    share.revoked_at = utcnow()
    share.changed_by = user.id
    record(
        db,
        actor_id=user.id,
        action="share.revoke",
        object_type="share",
        object_id=share.id,
        organisation_id=organisation_id,
        provider=provider.value,
    )
    await db.flush()
    return True


async def grant(
    db: AsyncSession, user: CurrentUser, organisation_id: int, provider: Provider
) -> list[ShareView]:
    await managed_organisation(db, user, organisation_id)
    await turn_on(db, user, organisation_id, provider, reason="manager")
    return await shares_of(db, organisation_id)


async def revoke(
    db: AsyncSession, user: CurrentUser, organisation_id: int, provider: Provider
) -> list[ShareView]:
    await managed_organisation(db, user, organisation_id)
    await turn_off(db, user, organisation_id, provider)
    return await shares_of(db, organisation_id)
