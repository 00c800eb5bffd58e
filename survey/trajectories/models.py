"""Support requests with their dated history, consents to share, coach notes, goals and
coaches' suggestions (DESIGN §2, §9)."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from survey.accounts.models import Provider
from survey.db import Base, TimestampMixin, utcnow


class RequestState(enum.StrEnum):
    REQUESTED = "requested"
    INTAKE = "intake"
    RUNNING = "running"
    COMPLETED = "completed"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


OPEN_STATES = frozenset({RequestState.REQUESTED, RequestState.INTAKE, RequestState.RUNNING})


def _enum(kind: type[enum.StrEnum]) -> Enum:
    return Enum(kind, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class SupportRequest(TimestampMixin, Base):
    """An organisation asks a provider for one trajectory of the catalogue."""

    __tablename__ = "support_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    trajectory_id: Mapped[str] = mapped_column(String(80))
    # The lead provider receives the request; a joint trajectory's partner sees it too.
    provider: Mapped[Provider] = mapped_column(_enum(Provider), index=True)
    partner: Mapped[Provider | None] = mapped_column(_enum(Provider), default=None)
    assessment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessments.id", ondelete="SET NULL"), default=None
    )
    state: Mapped[RequestState] = mapped_column(_enum(RequestState), index=True)
    message: Mapped[str | None] = mapped_column(Text, default=None)
    requested_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    # The coach handling it: whoever moved it last among the provider's coaches.
    coach_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )


class SupportRequestChange(Base):
    """One dated step in a request's history: from which state to which, by whom, why."""

    __tablename__ = "support_request_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("support_requests.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    from_state: Mapped[RequestState | None] = mapped_column(_enum(RequestState), default=None)
    to_state: Mapped[RequestState] = mapped_column(_enum(RequestState))
    note: Mapped[str | None] = mapped_column(Text, default=None)


class Share(Base):
    """The organisation's consent that a provider's coaches see its results, answers and
    evidence: one per organisation × provider, on or off."""

    __tablename__ = "shares"
    __table_args__ = (UniqueConstraint("organisation_id", "provider"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    provider: Mapped[Provider] = mapped_column(_enum(Provider))
    active: Mapped[bool] = mapped_column(default=True)
    granted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    changed_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )


class CoachNote(Base):
    """A note of a provider's coaches on an organisation, never shown to the organisation."""

    __tablename__ = "coach_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    provider: Mapped[Provider] = mapped_column(_enum(Provider))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Goal(Base):
    """A goal agreed on a running trajectory: a dimension's maturity level by a round."""

    __tablename__ = "support_goals"
    __table_args__ = (UniqueConstraint("request_id", "questionnaire_id", "dimension_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("support_requests.id", ondelete="CASCADE"), index=True
    )
    questionnaire_id: Mapped[str] = mapped_column(String(80))
    dimension_id: Mapped[str] = mapped_column(String(80))
    target_level: Mapped[int] = mapped_column(Integer)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    set_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    set_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class CoachSuggestion(Base):
    """A coach suggests one of their own provider's trajectories to an organisation."""

    __tablename__ = "coach_suggestions"
    __table_args__ = (UniqueConstraint("organisation_id", "trajectory_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    trajectory_id: Mapped[str] = mapped_column(String(80))
    provider: Mapped[Provider] = mapped_column(_enum(Provider))
    suggested_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
