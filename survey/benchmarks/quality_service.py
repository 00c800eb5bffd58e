"""Questionnaire quality of a round, stored per round × questionnaire and computed again
when a submission or reopening made it stale (DESIGN §5): Cronbach's alpha, item–rest
correlations, not-applicable shares, floor and ceiling effects
(:mod:`survey.benchmarks.quality` holds the statistics)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import msgspec
import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from survey.accounts.models import Role
from survey.accounts.service import CurrentUser
from survey.assessments.models import (
    Answer,
    Assessment,
    AssessmentState,
    DimensionResult,
    QuestionnaireVersion,
    Response,
)
from survey.assessments.publishing import definition_of
from survey.benchmarks.core import MIN_GROUP_SIZE
from survey.benchmarks.models import QuestionnaireQuality
from survey.benchmarks.quality import floor_ceiling, questionnaire_quality
from survey.benchmarks.schemas import (
    StoredDimensionQuality,
    StoredItemQuality,
    StoredVersionQuality,
)
from survey.db import utcnow
from survey.errors import Forbidden, NotFound
from survey.i18n import gettext as _
from survey.questionnaires.schema import Questionnaire
from survey.rounds.models import Round
from survey.rounds.service import current_round, list_rounds
from survey.scoring import StoredAnswer, applicable_item_ids, item_score

__all__ = [
    "QualityFigures",
    "QualityPage",
    "can_see_quality",
    "ensure_quality_access",
    "quality",
    "quality_page",
    "refresh_quality",
]

_QUALITY_DECODER = msgspec.json.Decoder(list[StoredVersionQuality])


def can_see_quality(user: CurrentUser) -> bool:
    return user.has_role(Role.ADMIN) or user.has_role(Role.ANALYST)


def ensure_quality_access(user: CurrentUser) -> None:
    if not can_see_quality(user):
        raise Forbidden(_("Only administrators and VGC analysts can see questionnaire quality."))


@dataclass(frozen=True)
class QualityFigures:
    computed_at: dt.datetime
    versions: list[StoredVersionQuality]


async def quality(db: AsyncSession, round_id: int, questionnaire_id: str) -> QualityFigures:
    """The stored quality figures of a questionnaire in a round, computed first when
    missing or stale (an assessment was submitted or reopened since)."""
    row = await db.get(QuestionnaireQuality, (round_id, questionnaire_id))
    if row is None or row.stale:
        row = await refresh_quality(db, round_id, questionnaire_id)
    return QualityFigures(row.computed_at, _QUALITY_DECODER.decode(row.figures))


async def refresh_quality(
    db: AsyncSession, round_id: int, questionnaire_id: str
) -> QuestionnaireQuality:
    versions = await _compute_quality(db, round_id, questionnaire_id)
    values = {
        "round_id": round_id,
        "questionnaire_id": questionnaire_id,
        "stale": False,
        "computed_at": utcnow(),
        "figures": msgspec.json.encode(versions).decode(),
    }
    dialect_insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    await db.execute(
        dialect_insert(QuestionnaireQuality)
        .values(**values)
        .on_conflict_do_update(
            index_elements=["round_id", "questionnaire_id"],
            set_={k: v for k, v in values.items() if k not in ("round_id", "questionnaire_id")},
        )
    )
    row = await db.scalar(
        select(QuestionnaireQuality)
        .where(
            QuestionnaireQuality.round_id == round_id,
            QuestionnaireQuality.questionnaire_id == questionnaire_id,
        )
        .execution_options(populate_existing=True)
    )
    assert row is not None
    return row


async def _compute_quality(
    db: AsyncSession, round_id: int, questionnaire_id: str
) -> list[StoredVersionQuality]:
    """Item scores of the consolidated responses of every submitted assessment, per version."""
    submitted = (
        await db.execute(
            select(Assessment.id, Assessment.questionnaire_version_id).where(
                Assessment.round_id == round_id,
                Assessment.questionnaire_id == questionnaire_id,
                Assessment.state == AssessmentState.SUBMITTED,
            )
        )
    ).all()
    version_of: dict[int, int] = {row.id: row.questionnaire_version_id for row in submitted}
    answers: dict[int, dict[str, StoredAnswer]] = {a: {} for a in version_of}
    for assessment_id, item_id, value, not_applicable in (
        await db.execute(
            select(Response.assessment_id, Answer.item_id, Answer.value, Answer.not_applicable)
            .join(Response, Response.id == Answer.response_id)
            .join(Assessment, Assessment.id == Response.assessment_id)
            .where(
                Assessment.round_id == round_id,
                Assessment.questionnaire_id == questionnaire_id,
                Assessment.state == AssessmentState.SUBMITTED,
                Response.is_consolidated.is_(True),
            )
        )
    ).all():
        answers[assessment_id][item_id] = StoredAnswer(value=value, not_applicable=not_applicable)
    dimension_scores = (
        await db.execute(
            select(
                DimensionResult.assessment_id, DimensionResult.dimension_id, DimensionResult.score
            )
            .join(Assessment, Assessment.id == DimensionResult.assessment_id)
            .where(
                Assessment.round_id == round_id,
                Assessment.questionnaire_id == questionnaire_id,
                Assessment.state == AssessmentState.SUBMITTED,
                DimensionResult.score.is_not(None),
            )
        )
    ).all()
    results: list[StoredVersionQuality] = []
    for version_id in sorted(set(version_of.values())):
        version = await db.get(QuestionnaireVersion, version_id)
        assert version is not None
        members = [a for a, v in version_of.items() if v == version_id]
        scores = pd.DataFrame(
            [row for row in dimension_scores if version_of.get(row[0]) == version_id],
            columns=["assessment_id", "dimension_id", "score"],
        )
        results.append(_version_quality(version, definition_of(version), members, answers, scores))
    return results


def _item_rows(
    questionnaire: Questionnaire, members: list[int], answers: dict[int, dict[str, StoredAnswer]]
) -> pd.DataFrame:
    conditional = any(item.applies_if is not None for item in questionnaire.items)
    columns: dict[str, list[Any]] = {
        "organisation": [],
        "dimension_id": [],
        "item_id": [],
        "item_score": [],
        "not_applicable": [],
    }
    for assessment_id in members:
        given = answers[assessment_id]
        applies = applicable_item_ids(questionnaire, given) if conditional else None
        for dimension in questionnaire.dimensions:
            for item in dimension.items:
                if not item.is_scored or (applies is not None and item.id not in applies):
                    continue
                answer = given.get(item.id)
                score: float | None = None
                if answer is not None and not answer.not_applicable:
                    try:
                        score = item_score(item, answer.value)
                    except ValueError:
                        score = None  # a stored value the item no longer takes
                columns["organisation"].append(assessment_id)
                columns["dimension_id"].append(dimension.id)
                columns["item_id"].append(item.id)
                columns["item_score"].append(np.nan if score is None else score)
                columns["not_applicable"].append(bool(answer and answer.not_applicable))
    return pd.DataFrame(
        {
            "organisation": pd.Series(columns["organisation"], dtype=np.int64),
            "dimension_id": pd.Series(columns["dimension_id"], dtype=object),
            "item_id": pd.Series(columns["item_id"], dtype=object),
            "item_score": pd.Series(columns["item_score"], dtype=np.float64),
            "not_applicable": pd.Series(columns["not_applicable"], dtype=bool),
        }
    )


def _optional(value: Any) -> float | None:
    number = float(value)
    return None if np.isnan(number) else number


def _version_quality(
    version: QuestionnaireVersion,
    questionnaire: Questionnaire,
    members: list[int],
    answers: dict[int, dict[str, StoredAnswer]],
    scores: pd.DataFrame,
) -> StoredVersionQuality:
    items = _item_rows(questionnaire, members, answers)
    dimension_frame, item_frame = questionnaire_quality(items)
    by_dimension = {row["dimension_id"]: row for row in dimension_frame.to_dict("records")}
    item_records = item_frame.to_dict("records")
    dimensions: list[StoredDimensionQuality] = []
    for dimension in questionnaire.dimensions:
        row = by_dimension.get(dimension.id)
        if row is None:  # no scored items in this dimension
            continue
        suppressed = bool(row["suppressed"])
        dimension_scores = scores.loc[scores["dimension_id"] == dimension.id, "score"]
        enough_scores = len(dimension_scores) >= MIN_GROUP_SIZE and not suppressed
        floor, ceiling = (
            floor_ceiling(dimension_scores.to_numpy(dtype=np.float64), 0.0, 100.0)
            if enough_scores
            else (float("nan"), float("nan"))
        )
        dimensions.append(
            StoredDimensionQuality(
                dimension_id=dimension.id,
                n_organisations=int(row["n_organisations"]),
                suppressed=suppressed,
                alpha=_optional(row["alpha"]),
                score_floor_share=_optional(floor),
                score_ceiling_share=_optional(ceiling),
                items=[
                    StoredItemQuality(
                        item_id=str(item["item_id"]),
                        n_answers=int(item["n_answers"]),
                        n_not_applicable=int(item["n_not_applicable"]),
                        suppressed=bool(item["suppressed"]),
                        item_rest=_optional(item["item_rest"]),
                        not_applicable_share=_optional(item["not_applicable_share"]),
                        floor_share=_optional(item["floor_share"]),
                        ceiling_share=_optional(item["ceiling_share"]),
                    )
                    for item in item_records
                    if item["dimension_id"] == dimension.id
                ],
            )
        )
    return StoredVersionQuality(
        version=version.version,
        questionnaire_version_id=version.id,
        n_organisations=len(members),
        dimensions=dimensions,
    )


@dataclass(frozen=True)
class QualityPage:
    """Everything the quality page and its API answer need."""

    questionnaire_id: str
    round: Round
    rounds: list[Round]
    figures: QualityFigures
    definitions: dict[int, Questionnaire]


async def quality_page(
    db: AsyncSession, user: CurrentUser, questionnaire_id: str, round_name: str | None
) -> QualityPage:
    """The quality figures of a questionnaire in a round (by name; default: the open round,
    else the latest). Admins and analysts only (:class:`Forbidden`); an unknown
    questionnaire or round is :class:`NotFound`."""
    ensure_quality_access(user)
    known = await db.scalar(
        select(QuestionnaireVersion.id)
        .where(QuestionnaireVersion.questionnaire_id == questionnaire_id)
        .limit(1)
    )
    if known is None:
        raise NotFound(_("There is no questionnaire with this id."))
    rounds = await list_rounds(db)
    if round_name:
        chosen = next((r for r in rounds if r.name == round_name), None)
    else:
        chosen = await current_round(db) or (rounds[0] if rounds else None)
    if chosen is None:
        raise NotFound(_("There is no round with this name."))
    figures = await quality(db, chosen.id, questionnaire_id)
    definitions = {}
    for version in figures.versions:
        stored = await db.get(QuestionnaireVersion, version.questionnaire_version_id)
        if stored is not None:
            definitions[version.questionnaire_version_id] = definition_of(stored)
    return QualityPage(questionnaire_id, chosen, rounds, figures, definitions)
