"""Accounts: who the caller is, logging in, creating users."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import column, func, select, table
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from survey.accounts.models import ORGANISATION_ROLES, Membership, Provider, Role, User
from survey.accounts.passwords import (
    MIN_PASSWORD_LENGTH,
    hash_password,
    needs_rehash,
    verify_password,
)
from survey.db import utcnow
from survey.errors import Conflict, Invalid, NotFound
from survey.i18n import gettext as _

# Accounts sit below organisations (survey.organisations imports accounts): the organisation
# a role is tied to is checked in the table its membership's foreign key points at.
_ORGANISATIONS = table("organisations", column("id"))


@dataclass(frozen=True, slots=True)
class CurrentUser:
    """A snapshot of the logged-in user and their roles, taken once per request."""

    id: int
    email: str
    name: str
    language: str
    memberships: tuple[tuple[Role, int | None, Provider | None], ...] = field(default=())

    @property
    def roles(self) -> list[str]:
        return sorted({role.value for role, _org, _provider in self.memberships})

    @property
    def organisation_ids(self) -> list[int]:
        return sorted(
            {
                org
                for role, org, _p in self.memberships
                if org is not None and role in ORGANISATION_ROLES
            }
        )

    def has_role(self, role: Role) -> bool:
        return any(r == role for r, _o, _p in self.memberships)

    def roles_in(self, organisation_id: int) -> set[Role]:
        return {r for r, org, _p in self.memberships if org == organisation_id}

    @property
    def is_admin(self) -> bool:
        return self.has_role(Role.ADMIN)

    @property
    def managed_organisation_ids(self) -> list[int]:
        return sorted(
            {org for r, org, _p in self.memberships if r == Role.MANAGER and org is not None}
        )


def normalise_email(email: str) -> str:
    return email.strip().lower()


def snapshot(user: User) -> CurrentUser:
    return CurrentUser(
        id=user.id,
        email=user.email,
        name=user.name,
        language=user.language,
        memberships=tuple(
            sorted(
                ((m.role, m.organisation_id, m.provider) for m in user.memberships),
                key=lambda t: (t[0].value, t[1] or 0, t[2].value if t[2] else ""),
            )
        ),
    )


async def load_current_user(db: AsyncSession, user_id: int) -> CurrentUser | None:
    """The active user with their memberships, in one statement (every request asks)."""
    user = (
        (
            await db.execute(
                select(User)
                .where(User.id == user_id, User.is_active.is_(True))
                .options(joinedload(User.memberships))
            )
        )
        .unique()
        .scalar_one_or_none()
    )
    return snapshot(user) if user else None


async def authenticate(db: AsyncSession, email: str, password: str) -> CurrentUser | None:
    """The user with this e-mail and password, or None; the same time either way."""
    # No address holds a NUL byte, and PostgreSQL refuses one in a query: no account.
    user = (
        None
        if "\x00" in email
        else await db.scalar(
            select(User)
            .where(func.lower(User.email) == normalise_email(email), User.is_active.is_(True))
            .options(selectinload(User.memberships))
        )
    )
    if not verify_password(user.password_hash if user else None, password) or user is None:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return snapshot(user)


async def set_language(db: AsyncSession, user_id: int, language: str) -> None:
    user = await db.get(User, user_id)
    if user is not None and user.language != language:
        user.language = language


async def create_user(
    db: AsyncSession,
    *,
    email: str,
    name: str,
    password: str,
    role: Role,
    organisation_id: int | None = None,
    provider: Provider | None = None,
    language: str = "nl",
) -> User:
    """Create a user with one role, or add the role to an existing user with that e-mail."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise Invalid({"email": _("Enter a valid e-mail address.")})
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid({"password": _("Use at least %(n)s characters.", n=MIN_PASSWORD_LENGTH)})
    if role in ORGANISATION_ROLES:
        if organisation_id is None:
            raise Invalid({"organisation": _("This role needs an organisation.")})
        known = select(_ORGANISATIONS.c.id).where(_ORGANISATIONS.c.id == organisation_id)
        if await db.scalar(known) is None:
            raise NotFound(_("Organisation not found."))
    elif organisation_id is not None:
        raise Invalid({"organisation": _("This role is not tied to an organisation.")})
    if role == Role.COACH and provider is None:
        raise Invalid({"provider": _("A coach works for a provider: agentschap or huis.")})
    if role != Role.COACH and provider is not None:
        raise Invalid({"provider": _("Only coaches have a provider.")})

    user = await db.scalar(
        select(User).where(User.email == email).options(selectinload(User.memberships))
    )
    if user is None:
        user = User(
            email=email, name=name, password_hash=hash_password(password), language=language
        )
        user.memberships = []
        db.add(user)
    elif any(
        m.role == role and m.organisation_id == organisation_id and m.provider == provider
        for m in user.memberships
    ):
        raise Conflict(_("This user already has this role."))
    user.memberships.append(
        Membership(role=role, organisation_id=organisation_id, provider=provider)
    )
    await db.flush()
    return user
