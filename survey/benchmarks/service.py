"""Benchmarks as pages and the API read them: the stored figures of an assessment with the
change since the organisation's previous round (DESIGN §5). Nothing is computed here:
:mod:`survey.benchmarks.recompute` writes the figures, on every submission and reopening.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from survey.assessments.models import (
    Assessment,
    AssessmentResult,
    DimensionResult,
    decode_dimension_ids,
)
from survey.benchmarks.models import AssessmentBenchmark
from survey.benchmarks.recompute import METHOD_VERSION
from survey.benchmarks.schemas import StoredFigure
from survey.questionnaires.models import QuestionnaireVersion
from survey.questionnaires.publishing import definition_of
from survey.questionnaires.schema import Questionnaire
from survey.rounds.models import Round

__all__ = ["OVERALL", "StoredBenchmark", "load_benchmark"]

OVERALL: Final = ""
"""The dimension id under which the overall score's figures are stored."""


@dataclass
class StoredBenchmark:
    """What the result page and the API need: the stored figures, and the previous round."""

    row: AssessmentBenchmark
    figures: dict[str, StoredFigure]
    previous_round: Round | None = None
    previous_scores: dict[str, float] = field(default_factory=dict)
    previous_overall: float | None = None


async def load_benchmark(
    db: AsyncSession, assessment: Assessment, round_: Round, questionnaire: Questionnaire
) -> StoredBenchmark | None:
    """The stored benchmark of an assessment with the scores of its previous round.

    The previous round is the latest earlier round (by opening date) in which the
    organisation has scores for the same questionnaire. Dimension changes are
    given per dimension id; the overall change only when both versions have the
    same set of dimension ids. The caller has checked access (``get_context``).
    """
    row = await db.get(AssessmentBenchmark, assessment.id)
    result = await db.get(AssessmentResult, assessment.id)
    if row is None or result is None or row.method_version != METHOD_VERSION:
        return None  # not computed yet, or by other definitions: wait for the next recompute
    decoded = StoredFigure.decode(row.figures, decode_dimension_ids(result.dimension_ids))
    if decoded is None:
        return None  # computed for another result: the recompute of its submission follows
    stored = StoredBenchmark(row=row, figures={f.dimension_id: f for f in decoded})
    previous = (
        await db.execute(
            select(Assessment, Round, AssessmentResult)
            .join(Round, Round.id == Assessment.round_id)
            .join(AssessmentResult, AssessmentResult.assessment_id == Assessment.id)
            .where(
                Assessment.organisation_id == assessment.organisation_id,
                Assessment.questionnaire_id == assessment.questionnaire_id,
                Round.opens_on < round_.opens_on,
            )
            .order_by(Round.opens_on.desc())
            .limit(1)
        )
    ).first()
    if previous is None:
        return stored
    previous_assessment, previous_round, previous_result = previous
    stored.previous_round = previous_round
    stored.previous_scores = {
        d.dimension_id: d.score
        for d in await db.scalars(
            select(DimensionResult).where(
                DimensionResult.assessment_id == previous_assessment.id,
                DimensionResult.score.is_not(None),
            )
        )
        if d.score is not None
    }
    previous_version = await db.get(
        QuestionnaireVersion, previous_assessment.questionnaire_version_id
    )
    same_dimensions = previous_version is not None and {
        d.id for d in definition_of(previous_version).dimensions
    } == {d.id for d in questionnaire.dimensions}
    if same_dimensions:
        stored.previous_overall = previous_result.score
    return stored
