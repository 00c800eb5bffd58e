"""Stored benchmark results and questionnaire-quality figures (DESIGN §5).

Both are derived data: recomputed from the stored scores and answers, never
edited. An assessment's peer figures are one row with a fixed binary layout
(:data:`survey.benchmarks.schemas.FIGURE_WIDTH` integers per dimension), not one row per
dimension: a recompute of a whole round compares and writes one value per
organisation. The quality figures are msgspec-encoded JSON; the Structs in
:mod:`survey.benchmarks.schemas` describe both payloads.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from survey.db import Base, utcnow


class AssessmentBenchmark(Base):
    """Where one assessment's scores stand among its peers, as last recomputed.

    ``figures`` holds one entry per dimension and one for the overall score (see
    :class:`survey.benchmarks.schemas.StoredFigures`). ``sector`` and
    ``size_band`` are the organisation's profile at the time of the recompute,
    from which the peer group keys follow.
    """

    __tablename__ = "assessment_benchmarks"
    __table_args__ = (Index(None, "round_id", "questionnaire_id"),)

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True
    )
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    questionnaire_id: Mapped[str] = mapped_column(String(80))
    sector: Mapped[str] = mapped_column(String(40))
    size_band: Mapped[str] = mapped_column(String(10))
    method_version: Mapped[str] = mapped_column(String(20))
    computed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    """When these figures last changed: a recompute rewrites only the rows whose figures move."""
    figures: Mapped[bytes] = mapped_column(LargeBinary)
    snapshot: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    """This assessment's entry in the snapshot of each of its peer groups (DESIGN §7), one
    per group level (sector × size band, sector, network): its scores, in the layout of
    ``figures`` (one float64 per dimension id, then the overall score; NaN: no score, or
    not a peer then), as of the group's last refresh. See
    :mod:`survey.benchmarks.recompute`."""


class PeerSnapshotClose(Base):
    """A round × questionnaire whose peer-group snapshots were refreshed at round close: the
    first recompute after the closing date refreshes every group once (DESIGN §7)."""

    __tablename__ = "peer_snapshot_closes"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True
    )
    questionnaire_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    refreshed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class QuestionnaireQuality(Base):
    """Cronbach's alpha, item–rest correlations, not-applicable shares, floor and ceiling
    effects of one questionnaire in one round, per version used in the round.

    ``figures`` holds one snapshot per version, with the submitted assessments it was
    built on; :mod:`survey.benchmarks.quality_service` refreshes a version's snapshot only
    once 5 organisations changed since, or the round closed (DESIGN §7).
    ``computed_at`` is the latest refresh of any version.
    """

    __tablename__ = "questionnaire_quality"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True
    )
    questionnaire_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    computed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    figures: Mapped[str] = mapped_column(Text)
