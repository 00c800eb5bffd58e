"""From stored assessments to the Structs the API returns."""

from __future__ import annotations

from survey.accounts.service import CurrentUser
from survey.assessments import service
from survey.assessments.models import AssessmentResult, DimensionResult
from survey.assessments.schemas import (
    AssessmentRead,
    AssessmentSummary,
    DimensionResultRead,
    ResponseRead,
    ResultRead,
)


def assessment_read(user: CurrentUser, context: service.AssessmentContext) -> AssessmentRead:
    assessment = context.assessment
    return AssessmentRead(
        id=assessment.id,
        organisation_id=assessment.organisation_id,
        questionnaire_id=assessment.questionnaire_id,
        questionnaire_version=context.version.version,
        round=context.round.name,
        state=assessment.state.value,
        can_edit=service.can_edit(user, context),
        submitted_at=assessment.submitted_at,
        progress=service.progress(context),
        response=ResponseRead(
            id=context.response.id,
            consolidated=not context.is_personal,
            submitted_at=context.response.submitted_at,
            answers={
                item_id: service.answer_read(item_id, answer)
                for item_id, answer in context.answers.items()
            },
        ),
    )


def summary_read(listing: service.AssessmentListing) -> AssessmentSummary:
    assessment = listing.assessment
    return AssessmentSummary(
        id=assessment.id,
        organisation_id=assessment.organisation_id,
        questionnaire_id=assessment.questionnaire_id,
        questionnaire_version=listing.version.version,
        round=listing.round.name,
        state=assessment.state.value,
        submitted_at=assessment.submitted_at,
    )


def result_read(
    context: service.AssessmentContext,
    result: AssessmentResult,
    dimensions: list[DimensionResult],
    language: str,
) -> ResultRead:
    definitions = {d.id: d for d in context.questionnaire.dimensions}
    rows = []
    for row in dimensions:
        definition = definitions.get(row.dimension_id)
        rows.append(
            DimensionResultRead(
                dimension_id=row.dimension_id,
                title=definition.title.get(language) if definition else row.dimension_id,
                score=row.score,
                maturity=row.maturity,
                maturity_description=(
                    definition.maturity[row.maturity - 1].get(language)
                    if definition and row.maturity
                    else None
                ),
                coverage=row.coverage,
                status=row.status,
                answered_items=row.answered_items,
                applicable_items=row.applicable_items,
            )
        )
    return ResultRead(
        assessment_id=context.assessment.id,
        state=context.assessment.state.value,
        rules_version=result.rules_version,
        score=result.score,
        maturity=result.maturity,
        coverage=result.coverage,
        computed_at=result.computed_at,
        dimensions=rows,
        items_with_evidence=sorted(context.evidence_counts),
    )
