"""Organisations: who may see and edit them, and the profile rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from survey.accounts.models import Role
from survey.accounts.service import CurrentUser
from survey.audit.service import record
from survey.errors import Forbidden, Invalid, NotFound
from survey.i18n import gettext as _
from survey.organisations.models import Organisation
from survey.organisations.reference import (
    MUNICIPALITY_CODES,
    SECTORS,
    SIZE_BANDS,
    normalise_enterprise_number,
)
from survey.organisations.schemas import OrganisationRead, OrganisationUpdate


def can_view(user: CurrentUser, organisation_id: int) -> bool:
    return user.is_admin or bool(user.roles_in(organisation_id))


def can_edit(user: CurrentUser, organisation_id: int) -> bool:
    return user.is_admin or Role.MANAGER in user.roles_in(organisation_id)


async def get_visible(db: AsyncSession, user: CurrentUser, organisation_id: int) -> Organisation:
    """The organisation if the caller may see it; anything else is "not found"."""
    organisation = (
        await db.get(Organisation, organisation_id) if can_view(user, organisation_id) else None
    )
    if organisation is None:
        raise NotFound(_("Organisation not found."))
    return organisation


async def list_for_user(db: AsyncSession, user: CurrentUser) -> list[Organisation]:
    if not user.organisation_ids:
        return []
    result = await db.scalars(
        select(Organisation)
        .where(Organisation.id.in_(user.organisation_ids))
        .order_by(Organisation.name)
    )
    return list(result)


def profile_errors(values: Mapping[str, Any]) -> dict[str, str]:
    """The profile's rules beyond each field's own limits (which live in the ``Meta`` of
    :class:`OrganisationUpdate`): a valid enterprise number, choices from the lists, a name
    on one line. ``values`` may be incomplete (a form whose other fields broke a limit)."""
    errors: dict[str, str] = {}
    if normalise_enterprise_number(str(values.get("enterprise_number", ""))) is None:
        errors["enterprise_number"] = _(
            "Enter a valid enterprise number: 10 digits, for example 0403.170.701. "
            "The last two digits are a check on the first eight."
        )
    if values.get("sector") not in SECTORS:
        errors["sector"] = _("Choose a sector from the list.")
    if values.get("size_band") not in SIZE_BANDS:
        errors["size_band"] = _("Choose a size from the list.")
    if values.get("municipality") not in MUNICIPALITY_CODES:
        errors["municipality"] = _("Choose a municipality from the list.")
    name = str(values.get("name", ""))
    if not name.strip():
        errors["name"] = _("This field is required.")
    elif not name.isprintable():
        errors["name"] = _("Use a name on one line, without special characters.")
    return errors


def validate_profile(data: OrganisationUpdate) -> OrganisationUpdate:
    """``data`` (already within its ``Meta`` limits: decoded by the API or a form) checked
    against the rules, and normalised."""
    errors = profile_errors(msgspec.structs.asdict(data))
    if errors:
        raise Invalid(errors)
    number = normalise_enterprise_number(data.enterprise_number)
    assert number is not None
    return msgspec.structs.replace(data, name=data.name.strip(), enterprise_number=number)


async def _ensure_number_free(db: AsyncSession, number: str, own_id: int | None) -> None:
    existing = await db.scalar(
        select(Organisation.id).where(Organisation.enterprise_number == number)
    )
    if existing is not None and existing != own_id:
        raise Invalid(
            {"enterprise_number": _("Another organisation already has this enterprise number.")}
        )


async def update_profile(
    db: AsyncSession, user: CurrentUser, organisation_id: int, data: OrganisationUpdate
) -> Organisation:
    organisation = await get_visible(db, user, organisation_id)
    if not can_edit(user, organisation_id):
        raise Forbidden(_("Only the organisation's manager can edit its profile."))
    clean = validate_profile(data)
    await _ensure_number_free(db, clean.enterprise_number, organisation.id)
    changed = [
        field
        for field in (
            "name",
            "enterprise_number",
            "sector",
            "size_band",
            "municipality",
            "funded_by_vgc",
        )
        if getattr(organisation, field) != getattr(clean, field)
    ]
    for field in changed:
        setattr(organisation, field, getattr(clean, field))
    if changed:
        record(
            db,
            actor_id=user.id,
            action="organisation.update",
            object_type="organisation",
            object_id=organisation.id,
            organisation_id=organisation.id,
            fields=changed,
        )
    await db.flush()
    return organisation


async def create_organisation(db: AsyncSession, data: OrganisationUpdate) -> Organisation:
    clean = validate_profile(data)
    await _ensure_number_free(db, clean.enterprise_number, None)
    organisation = Organisation(**msgspec.structs.asdict(clean))
    db.add(organisation)
    await db.flush()
    return organisation


def to_read(organisation: Organisation) -> OrganisationRead:
    return OrganisationRead(
        id=organisation.id,
        name=organisation.name,
        enterprise_number=organisation.enterprise_number,
        sector=organisation.sector,
        size_band=organisation.size_band,
        municipality=organisation.municipality,
        funded_by_vgc=organisation.funded_by_vgc,
    )
