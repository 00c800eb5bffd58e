from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from survey.db import Base, TimestampMixin


class RoundState(enum.StrEnum):
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"


class Round(TimestampMixin, Base):
    """A named assessment period; open between its dates unless an admin closed it early.

    ``closed_at`` is set once, when the round is closed: by an admin, or by the
    housekeeping as of the end of its closing day (``rounds.service``)."""

    __tablename__ = "rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    opens_on: Mapped[dt.date]
    closes_on: Mapped[dt.date]
    closed_at: Mapped[dt.datetime | None] = mapped_column(default=None)

    def state_on(self, today: dt.date) -> RoundState:
        if self.closed_at is not None or today > self.closes_on:
            return RoundState.CLOSED
        if today < self.opens_on:
            return RoundState.UPCOMING
        return RoundState.OPEN
