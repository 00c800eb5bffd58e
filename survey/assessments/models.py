from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import msgspec
from sqlalchemy import (
    JSON,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from survey.db import Base, TimestampMixin, utcnow


class AssessmentState(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    REOPENED = "reopened"


def _enum(enum_type: type[enum.StrEnum]) -> Enum:
    return Enum(
        enum_type, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]
    )


class Assessment(TimestampMixin, Base):
    """One organisation's assessment of one questionnaire in one round."""

    __tablename__ = "assessments"
    __table_args__ = (
        UniqueConstraint("organisation_id", "questionnaire_id", "round_id"),
        # A round's assessments of one questionnaire (the peer figures, the team counts)
        # without visiting those of the other questionnaires; a round's alone use its prefix.
        Index("ix_assessments_round_questionnaire", "round_id", "questionnaire_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    questionnaire_id: Mapped[str] = mapped_column(String(80))
    questionnaire_version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_versions.id"))
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    state: Mapped[AssessmentState] = mapped_column(
        _enum(AssessmentState), default=AssessmentState.DRAFT
    )
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    submitted_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    submitted_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )


class Response(Base):
    """A set of answers: the organisation's consolidated response, or one respondent's."""

    __tablename__ = "responses"
    __table_args__ = (UniqueConstraint("assessment_id", "respondent_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    is_consolidated: Mapped[bool] = mapped_column(default=False)
    # None for the consolidated response, which the organisation's managers edit together.
    respondent_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    submitted_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class Answer(Base):
    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("response_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[str] = mapped_column(String(80))
    value: Mapped[Any] = mapped_column(JSON, nullable=True, default=None)
    not_applicable: Mapped[bool] = mapped_column(default=False)
    comment: Mapped[str | None] = mapped_column(Text, default=None)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )


class AssessmentResult(Base):
    """The scores of a submitted assessment, with the rules version that made them."""

    __tablename__ = "assessment_results"

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True
    )
    rules_version: Mapped[str] = mapped_column(String(20))
    score: Mapped[float | None] = mapped_column(Float, default=None)
    maturity: Mapped[int | None] = mapped_column(default=None)
    coverage: Mapped[float] = mapped_column(Float)
    computed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # The dimension scores again, compactly, for the benchmark recompute that reads a whole
    # round at once (one row per assessment, no Python object per score): the dimension ids
    # as a JSON array, and their scores in the same order as little-endian float64 (NaN: no
    # score). Written by :func:`survey.assessments.service.add_result` with the rows of
    # ``dimension_results``, which stay the full record.
    dimension_ids: Mapped[str] = mapped_column(Text, default="[]")
    dimension_scores: Mapped[bytes] = mapped_column(LargeBinary, default=b"")
    # The answers to the number items of the scored response (the team counts of "Diverse
    # teams"), in the same compact form, for the network indicators that read a whole round
    # (:func:`survey.assessments.service.encode_number_answers`): the item ids as a JSON
    # array, their numbers as little-endian float64. An item left open, answered "unknown"
    # or marked not applicable is not in it. Fixed with the result: the answers of a
    # submitted assessment cannot change until it is reopened and submitted again.
    number_item_ids: Mapped[str] = mapped_column(Text, default="[]")
    number_answers: Mapped[bytes] = mapped_column(LargeBinary, default=b"")


class DimensionResult(Base):
    __tablename__ = "dimension_results"

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True
    )
    dimension_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    score: Mapped[float | None] = mapped_column(Float, default=None)
    maturity: Mapped[int | None] = mapped_column(default=None)
    coverage: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(30))
    answered_items: Mapped[int]
    applicable_items: Mapped[int]


_DIMENSION_IDS = msgspec.json.Decoder(list[str])


def decode_dimension_ids(dimension_ids: str | bytes) -> list[str]:
    """``AssessmentResult.dimension_ids`` (a JSON array of dimension ids, written by
    :func:`survey.assessments.service.encode_dimension_scores`) as a list; the same for
    ``number_item_ids``.

    >>> decode_dimension_ids('["d1","d2"]')
    ['d1', 'd2']
    """
    return _DIMENSION_IDS.decode(dimension_ids)


class EvidenceKind(enum.StrEnum):
    NOTE = "note"
    LINK = "link"
    FILE = "file"


class Evidence(Base):
    """Proof attached to one answer of one response (the item need not be answered yet)."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[str] = mapped_column(String(80))
    kind: Mapped[EvidenceKind] = mapped_column(
        Enum(
            EvidenceKind,
            native_enum=False,
            length=10,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    note: Mapped[str | None] = mapped_column(Text, default=None)
    url: Mapped[str | None] = mapped_column(String(2000), default=None)
    file_name: Mapped[str | None] = mapped_column(String(255), default=None)
    content_type: Mapped[str | None] = mapped_column(String(100), default=None)
    size: Mapped[int | None] = mapped_column(Integer, default=None)
    # Name of the stored file in the uploads folder (random; never derived from user input).
    storage_key: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
