"""Read-only API tokens (DESIGN §9): created and revoked by an admin, shown once, stored
as a digest, reaching the network indicators only."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from survey.accounts.service import CurrentUser
from survey.audit.service import record
from survey.db import utcnow
from survey.errors import Conflict, Forbidden, Invalid, NotAuthenticated, NotFound
from survey.i18n import gettext as _
from survey.indicators.models import ApiToken

PREFIX = "nscan_"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer …`` header, or None without one."""
    if not authorization:
        return None
    scheme, _sep, value = authorization.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _ensure_admin(user: CurrentUser | None) -> None:
    if user is not None and not user.is_admin:
        raise Forbidden(_("Only administrators can manage API tokens."))


async def create_token(
    db: AsyncSession, user: CurrentUser | None, name: str
) -> tuple[ApiToken, str]:
    """A new token (``user`` None: the command line). Returns the row and the token, which
    is never stored nor shown again."""
    _ensure_admin(user)
    name = name.strip()
    if not name:
        raise Invalid({"name": _("Give the token a name.")})
    if len(name) > 100 or "\0" in name:
        raise Invalid({"name": _("Give the token a name of at most 100 characters.")})
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(name=name, token_hash=digest(token), created_by=user.id if user else None)
    db.add(row)
    await db.flush()
    record(
        db,
        actor_id=user.id if user else None,
        action="api_token.create",
        object_type="api_token",
        object_id=row.id,
        name=name,
    )
    return row, token


async def revoke_token(db: AsyncSession, user: CurrentUser | None, token_id: int) -> ApiToken:
    _ensure_admin(user)
    row = await db.get(ApiToken, token_id)
    if row is None:
        raise NotFound(_("There is no such token."))
    if row.revoked_at is not None:
        raise Conflict(_("This token was already revoked."))
    row.revoked_at = utcnow()
    record(
        db,
        actor_id=user.id if user else None,
        action="api_token.revoke",
        object_type="api_token",
        object_id=row.id,
    )
    return row


async def list_tokens(db: AsyncSession, user: CurrentUser) -> list[ApiToken]:
    _ensure_admin(user)
    return list(await db.scalars(select(ApiToken).order_by(ApiToken.created_at.desc())))


async def check_token(db: AsyncSession, token: str) -> ApiToken:
    """The live token, or 401."""
    row = await db.scalar(select(ApiToken).where(ApiToken.token_hash == digest(token)))
    if row is None or row.revoked_at is not None:
        raise NotAuthenticated(_("This API token is not valid, or it was revoked."))
    return row
