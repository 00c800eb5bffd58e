from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.db import Base, TimestampMixin, utcnow


class Role(enum.StrEnum):
    RESPONDENT = "respondent"
    MANAGER = "manager"
    COACH = "coach"
    ANALYST = "analyst"
    ADMIN = "admin"


class Provider(enum.StrEnum):
    AGENTSCHAP = "agentschap"
    HUIS = "huis"


ORGANISATION_ROLES = frozenset({Role.RESPONDENT, Role.MANAGER})


class User(TimestampMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    language: Mapped[str] = mapped_column(String(2), default="nl")
    is_active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(default=None)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="raise"
    )


class Membership(Base):
    """A role a user holds: in an organisation (respondent, manager), for a provider
    (coach), or network-wide (analyst, admin)."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "role", "organisation_id", "provider"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True, default=None
    )
    provider: Mapped[Provider | None] = mapped_column(
        Enum(
            Provider, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]
        ),
        default=None,
    )

    user: Mapped[User] = relationship(back_populates="memberships", lazy="raise")


class LoginFailure(Base):
    """One failed login, counted per account (the e-mail as typed) and per client address."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(String(254), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    failed_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
