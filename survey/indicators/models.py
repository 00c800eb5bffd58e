"""Indicator releases (DESIGN §7): network indicators are read from a release, never live.

A release holds every cell of a round (every filter combination, suppression applied)
and the members it was built on (organisation, profile, moment of each submission), so
the next release of the round can tell which cells changed by 1 to 4 organisations.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from survey.db import Base, utcnow


class IndicatorRelease(Base):
    """One release of a round's indicators: taken at round close (``reason`` "close") or
    on an admin's request in an open round ("request")."""

    __tablename__ = "indicator_releases"
    __table_args__ = (Index(None, "round_id", "taken_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    taken_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(String(20))
    taken_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    organisations: Mapped[int] = mapped_column(default=0)
    """Organisations assessed in the round at the moment of the release."""
    families: Mapped[str] = mapped_column(Text)
    """JSON: the cell families, ``[[indicator, questionnaire, dimension], …]``, in the
    order the stored cells refer to them."""
    columns: Mapped[str] = mapped_column(Text)
    """JSON: how the cells are stored: the compact layout
    (:data:`survey.indicators.service.CELL_LAYOUT`, an object), or for a release taken
    before it a list, the names of the columns of a float64 matrix."""
    members: Mapped[bytes] = mapped_column(LargeBinary)
    """msgpack: the submitted assessments the release was built on, column by column."""


class IndicatorCellSet(Base):
    """The cells of one filter combination of a release ("*": no filter), in the layout
    :attr:`IndicatorRelease.columns` names (read with
    :func:`survey.indicators.service.decode_cells`)."""

    __tablename__ = "indicator_cells"

    release_id: Mapped[int] = mapped_column(
        ForeignKey("indicator_releases.id", ondelete="CASCADE"), primary_key=True
    )
    sector: Mapped[str] = mapped_column(String(40), primary_key=True)
    size_band: Mapped[str] = mapped_column(String(10), primary_key=True)
    municipality: Mapped[str] = mapped_column(String(10), primary_key=True)
    funded: Mapped[str] = mapped_column(String(5), primary_key=True)
    cells: Mapped[bytes] = mapped_column(LargeBinary)


class ApiToken(Base):
    """A read-only bearer token for BI tools (DESIGN §9): it reaches the network indicators
    (``GET /api/v1/indicators`` and its export) only. Shown once at creation; only its
    SHA-256 digest is stored (the token carries 256 random bits, so a fast digest is
    enough)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(default=None)
