from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec

from survey.benchmarks.schemas import BenchmarkRead
from survey.db import StoredInt
from survey.questionnaires.schema import LocalText

AnswerValueIn = int | float | str | list[str] | None
COMMENT_MAX_LENGTH = 2000


class AssessmentCreate(msgspec.Struct, forbid_unknown_fields=True):
    organisation_id: StoredInt
    questionnaire_id: Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
    round: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]


class AnswerWrite(msgspec.Struct, forbid_unknown_fields=True):
    """One answer: ordered items 1–5, "yes" | "partly" | "no", an option id, a list of
    option ids, a number or "unknown", or a text. ``revision`` is the revision the
    change is based on (0 for an item never saved)."""

    revision: StoredInt
    value: AnswerValueIn = None
    not_applicable: bool = False
    comment: Annotated[str, msgspec.Meta(max_length=COMMENT_MAX_LENGTH)] | None = None


class AnswerRead(msgspec.Struct):
    item_id: str
    value: Any
    not_applicable: bool
    comment: str | None
    revision: int
    updated_at: dt.datetime | None


class DimensionProgress(msgspec.Struct):
    dimension_id: str
    answered: int
    applicable: int


class Progress(msgspec.Struct):
    answered: int
    applicable: int
    dimensions: list[DimensionProgress]


class ResponseRead(msgspec.Struct):
    id: int
    consolidated: bool
    answers: dict[str, AnswerRead]
    submitted_at: dt.datetime | None = None


class AssessmentRead(msgspec.Struct):
    id: int
    organisation_id: StoredInt
    questionnaire_id: str
    questionnaire_version: int
    round: str
    state: str
    can_edit: bool
    submitted_at: dt.datetime | None
    progress: Progress
    response: ResponseRead | None


class AssessmentSummary(msgspec.Struct):
    id: int
    organisation_id: StoredInt
    questionnaire_id: str
    questionnaire_version: int
    round: str
    state: str
    submitted_at: dt.datetime | None


class DimensionResultRead(msgspec.Struct):
    dimension_id: str
    title: str
    score: float | None
    maturity: int | None
    maturity_description: str | None
    coverage: float
    status: str
    answered_items: int
    applicable_items: int


class ResultRead(msgspec.Struct):
    assessment_id: int
    state: str
    rules_version: str
    score: float | None
    maturity: int | None
    coverage: float
    computed_at: dt.datetime
    dimensions: list[DimensionResultRead]
    items_with_evidence: list[str] = []
    # Peer benchmark and change since the previous round (DESIGN §5); None until computed.
    benchmark: BenchmarkRead | None = None


class QuestionnaireSummary(msgspec.Struct):
    id: str
    version: int
    title: LocalText
    dimensions: int
    items: int
