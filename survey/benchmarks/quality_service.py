"""Questionnaire quality of a round (DESIGN §5): Cronbach's alpha, item–rest correlations,
not-applicable shares, floor and ceiling effects (:mod:`survey.benchmarks.quality` holds
the statistics), stored per round × questionnaire as one snapshot per questionnaire version.

When the figures refresh (DESIGN §7)
------------------------------------
Figures that follow every submission would isolate one organisation: two looks, before
and after it submits, show which items it answered or found not applicable. So each
version's snapshot keeps the submitted assessments it was built on (id and moment of
submission) and is computed again only when

- at least :data:`REFRESH_AFTER` (5) organisations changed since: submitted, reopened,
  or submitted again (an organisation counts once, however often it changed); or
- the round has closed since the snapshot was taken (the first look after the closing
  date, or after an early close).

Every look compares the snapshot with the submitted assessments of the moment (one small
query), so no other module needs to mark anything. A version that reaches neither rule
keeps its snapshot and its "as of".
"""

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
from survey.assessments.models import Answer, Assessment, AssessmentState, DimensionResult, Response
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
from survey.questionnaires.models import QuestionnaireVersion
from survey.questionnaires.publishing import definition_of
from survey.questionnaires.schema import Questionnaire
from survey.rounds.models import Round, RoundState
from survey.rounds.service import BRUSSELS, list_rounds, round_to_show, today
from survey.scoring import StoredAnswer, applicable_item_ids, item_score

__all__ = [
    "REFRESH_AFTER",
    "Members",
    "QualityFigures",
    "QualityPage",
    "can_see_quality",
    "changed_organisations",
    "closed_since",
    "ensure_quality_access",
    "quality",
    "quality_page",
    "refresh_quality",
    "versions_due",
]

REFRESH_AFTER = MIN_GROUP_SIZE
"""A version's snapshot refreshes once this many organisations changed since it was taken."""

Members = dict[int, dt.datetime | None]
"""The submitted assessments of one questionnaire version in a round: id → submitted at.
One assessment per organisation, questionnaire and round, so one per organisation."""

_QUALITY_DECODER = msgspec.json.Decoder(list[StoredVersionQuality])


def can_see_quality(user: CurrentUser) -> bool:
    return user.has_role(Role.ADMIN) or user.has_role(Role.ANALYST)


def ensure_quality_access(user: CurrentUser) -> None:
    if not can_see_quality(user):
        raise Forbidden(_("Only administrators and VGC analysts can see questionnaire quality."))


@dataclass(frozen=True)
class QualityFigures:
    computed_at: dt.datetime
    """The latest refresh of any version (each version has its own ``as_of``)."""
    versions: list[StoredVersionQuality]


def changed_organisations(snapshot: Members, current: Members) -> int:
    """How many organisations changed between a snapshot and now: submitted since,
    reopened since (no longer submitted), or submitted again (another moment)."""
    return sum(
        1
        for assessment_id in snapshot.keys() | current.keys()
        if (assessment_id in snapshot) != (assessment_id in current)
        or snapshot.get(assessment_id) != current.get(assessment_id)
    )


def versions_due(
    stored: list[StoredVersionQuality],
    current: dict[int, Members],
    closed_since: dt.datetime | None,
) -> set[int]:
    """The questionnaire versions (ids) whose snapshot must be computed again: at least
    :data:`REFRESH_AFTER` organisations changed since it was taken, or it was taken before
    ``closed_since`` (the moment the round closed; None while the round is open)."""
    snapshots = {version.questionnaire_version_id: version for version in stored}
    due = set()
    for version_id in snapshots.keys() | current.keys():
        snapshot = snapshots.get(version_id)
        members = snapshot.members if snapshot is not None else {}
        changed = changed_organisations(members, current.get(version_id, {}))
        taken_before_close = closed_since is not None and (
            snapshot is None or snapshot.as_of < closed_since
        )
        if changed >= REFRESH_AFTER or taken_before_close:
            due.add(version_id)
    return due


def closed_since(round_: Round) -> dt.datetime | None:
    """When the round closed (early by an admin, or at the end of its closing day in
    Brussels), or None while it is not closed."""
    if round_.state_on(today()) != RoundState.CLOSED:
        return None
    if round_.closed_at is not None:
        return round_.closed_at
    day_after = round_.closes_on + dt.timedelta(days=1)
    return dt.datetime.combine(day_after, dt.time(), BRUSSELS).astimezone(dt.UTC)


async def quality(db: AsyncSession, round_id: int, questionnaire_id: str) -> QualityFigures:
    """The quality figures of a questionnaire in a round: the stored snapshots, each version
    computed again first when :func:`versions_due` says so (or nothing is stored yet)."""
    row = await db.get(QuestionnaireQuality, (round_id, questionnaire_id))
    current = await _submitted_members(db, round_id, questionnaire_id)
    if row is None:
        row = await _store(db, round_id, questionnaire_id, [], current, set(current))
    else:
        stored = _QUALITY_DECODER.decode(row.figures)
        round_ = await db.get(Round, round_id)
        assert round_ is not None
        due = versions_due(stored, current, closed_since(round_))
        if due:
            row = await _store(db, round_id, questionnaire_id, stored, current, due)
    return QualityFigures(row.computed_at, _QUALITY_DECODER.decode(row.figures))


async def refresh_quality(
    db: AsyncSession, round_id: int, questionnaire_id: str
) -> QuestionnaireQuality:
    """Compute every version's figures again now (the round closes)."""
    current = await _submitted_members(db, round_id, questionnaire_id)
    row = await db.get(QuestionnaireQuality, (round_id, questionnaire_id))
    stored = _QUALITY_DECODER.decode(row.figures) if row is not None else []
    due = set(current) | {version.questionnaire_version_id for version in stored}
    return await _store(db, round_id, questionnaire_id, stored, current, due)


async def _submitted_members(
    db: AsyncSession, round_id: int, questionnaire_id: str
) -> dict[int, Members]:
    members: dict[int, Members] = {}
    for assessment_id, version_id, submitted_at in (
        await db.execute(
            select(
                Assessment.id, Assessment.questionnaire_version_id, Assessment.submitted_at
            ).where(
                Assessment.round_id == round_id,
                Assessment.questionnaire_id == questionnaire_id,
                Assessment.state == AssessmentState.SUBMITTED,
            )
        )
    ).all():
        members.setdefault(version_id, {})[assessment_id] = submitted_at
    return members


async def _store(
    db: AsyncSession,
    round_id: int,
    questionnaire_id: str,
    stored: list[StoredVersionQuality],
    current: dict[int, Members],
    due: set[int],
) -> QuestionnaireQuality:
    """Compute the ``due`` versions again, keep the other snapshots, and store them all."""
    now = utcnow()
    fresh = await _compute_quality(
        db, round_id, questionnaire_id, {v: current[v] for v in due if v in current}, now
    )
    kept = [version for version in stored if version.questionnaire_version_id not in due]
    versions = sorted([*kept, *fresh], key=lambda version: version.version)
    values = {
        "round_id": round_id,
        "questionnaire_id": questionnaire_id,
        "computed_at": max((version.as_of for version in versions), default=now),
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
    db: AsyncSession,
    round_id: int,
    questionnaire_id: str,
    members_of: dict[int, Members],
    now: dt.datetime,
) -> list[StoredVersionQuality]:
    """Item scores of the consolidated responses of the given submitted assessments, per
    version (``members_of``: version id → its submitted assessments)."""
    version_of = {a: v for v, members in members_of.items() for a in members}
    if not version_of:
        return []
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
        if assessment_id in answers:
            answers[assessment_id][item_id] = StoredAnswer(
                value=value, not_applicable=not_applicable
            )
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
    for version_id in sorted(members_of):
        version = await db.get(QuestionnaireVersion, version_id)
        assert version is not None
        members = members_of[version_id]
        scores = pd.DataFrame(
            [row for row in dimension_scores if row[0] in members],
            columns=["assessment_id", "dimension_id", "score"],
        )
        results.append(
            _version_quality(version, definition_of(version), members, answers, scores, as_of=now)
        )
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
    members: Members,
    answers: dict[int, dict[str, StoredAnswer]],
    scores: pd.DataFrame,
    *,
    as_of: dt.datetime,
) -> StoredVersionQuality:
    items = _item_rows(questionnaire, list(members), answers)
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
                n_items_alpha=int(row["n_items_alpha"]),
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
        as_of=as_of,
        members=dict(members),
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
        chosen = await round_to_show(db)
    if chosen is None:
        raise NotFound(_("There is no round with this name."))
    figures = await quality(db, chosen.id, questionnaire_id)
    definitions = {}
    for version in figures.versions:
        stored = await db.get(QuestionnaireVersion, version.questionnaire_version_id)
        if stored is not None:
            definitions[version.questionnaire_version_id] = definition_of(stored)
    return QualityPage(questionnaire_id, chosen, rounds, figures, definitions)
