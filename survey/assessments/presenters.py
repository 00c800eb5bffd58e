"""From stored assessments to the Structs the API returns."""

from __future__ import annotations

from collections.abc import Sequence

from babel.lists import format_list

from survey.accounts.service import CurrentUser
from survey.assessments import service
from survey.assessments.models import AssessmentResult, DimensionResult
from survey.assessments.schemas import (
    AssessmentRead,
    AssessmentSummary,
    DimensionResultRead,
    ResponseRead,
    ResultRead,
    SubmitPreview,
)
from survey.formatting import local_decimal
from survey.i18n import current_language
from survey.i18n import gettext as _
from survey.questionnaires.schema import Questionnaire
from survey.scoring import (
    MIN_COVERAGE,
    MIN_SCORED_WEIGHT_SHARE,
    ResponseScore,
    has_enough_scored_weight,
    round_half_up,
    score_response,
    scored_weight_share,
)

REQUIRED_WEIGHT_SHARE = round_half_up(100.0 * MIN_SCORED_WEIGHT_SHARE)
"""The share (percent) of the applicable weight that the scored parts need for an overall score."""


def _percent(share: float) -> str:
    """A share in whole percents, or with two decimals where rounding would make a share
    below the required one read as enough (59.99 → "59,99", not "60")."""
    whole = round_half_up(share, 0)
    exact = share < REQUIRED_WEIGHT_SHARE <= whole
    return local_decimal(share, 2 if exact else 0)


def _titles(questionnaire: Questionnaire, dimension_ids: Sequence[str]) -> str:
    language = current_language()
    titles = {d.id: d.title.get(language) for d in questionnaire.dimensions}
    return format_list([titles.get(i, i) for i in dimension_ids], locale=language)


def no_overall_score_note(
    questionnaire: Questionnaire, scored_dimensions: Sequence[str], share: float
) -> str:
    """Why there is no overall score, in the caller's language (DESIGN §4)."""
    if not scored_dimensions:
        return _(
            "Insufficient data for an overall score: no part has a score. An overall score needs parts with a score that together count for at least %(required)s %% of the parts that apply to you.",
            required=_percent(REQUIRED_WEIGHT_SHARE),
        )
    return _(
        "Insufficient data for an overall score: the parts with a score (%(parts)s) count for %(share)s %% of the parts that apply to you (parts weigh differently), and an overall score needs at least %(required)s %%.",
        parts=_titles(questionnaire, scored_dimensions),
        share=_percent(share),
        required=_percent(REQUIRED_WEIGHT_SHARE),
    )


def submit_preview(questionnaire: Questionnaire, scores: ResponseScore) -> SubmitPreview:
    """What submitting now would score: the parts with and without a score, and whether
    there will be an overall score, with a message that says so."""
    scored = [d.dimension_id for d in scores.dimensions if d.status == "scored"]
    unscored = [d.dimension_id for d in scores.dimensions if d.status == "insufficient_data"]
    lines = [
        _(
            "If you submit now, these parts get a score: %(parts)s.",
            parts=_titles(questionnaire, scored),
        )
        if scored
        else _("If you submit now, no part gets a score.")
    ]
    if unscored:
        lines.append(
            _(
                "These parts get no score, because less than %(percent)s %% of their questions that apply are answered: %(parts)s.",
                percent=_percent(100.0 * MIN_COVERAGE),
                parts=_titles(questionnaire, unscored),
            )
        )
    if scores.status == "scored":
        lines.append(
            _(
                "The overall score is based on the parts with a score; together they count for %(share)s %% of the parts that apply to you.",
                share=_percent(scores.scored_weight_share),
            )
        )
    else:
        lines.append(
            _(
                "There will be no overall score (insufficient data): the parts with a score count for %(share)s %% of the parts that apply to you, and an overall score needs at least %(required)s %%. You can still submit, or answer more questions first.",
                share=_percent(scores.scored_weight_share),
                required=_percent(REQUIRED_WEIGHT_SHARE),
            )
        )
    return SubmitPreview(
        overall_status=scores.status,
        scored_weight_share=scores.scored_weight_share,
        required_weight_share=REQUIRED_WEIGHT_SHARE,
        scored_dimensions=scored,
        unscored_dimensions=unscored,
        message=" ".join(lines),
    )


def preview_for(user: CurrentUser, context: service.AssessmentContext) -> SubmitPreview | None:
    """The submit preview for the manager while the organisation's assessment can be
    submitted; None for anyone else."""
    if context.is_personal or not service.can_edit(user, context):
        return None
    scores = score_response(context.questionnaire, context.stored_answers())
    return submit_preview(context.questionnaire, scores)


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
        submit_preview=preview_for(user, context),
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
    weights = {d.id: d.weight for d in context.questionnaire.dimensions}
    share = scored_weight_share(
        [weights.get(row.dimension_id, 1.0) for row in dimensions],
        [row.status for row in dimensions],
    )
    has_overall = result.score is not None and has_enough_scored_weight(share)
    scored = [row.dimension_id for row in dimensions if row.status == "scored"]
    return ResultRead(
        assessment_id=context.assessment.id,
        state=context.assessment.state.value,
        rules_version=result.rules_version,
        score=result.score if has_overall else None,
        maturity=result.maturity if has_overall else None,
        coverage=result.coverage,
        computed_at=result.computed_at,
        dimensions=rows,
        overall_status="scored" if has_overall else "insufficient_data",
        scored_weight_share=share,
        required_weight_share=REQUIRED_WEIGHT_SHARE,
        overall_note=(
            None if has_overall else no_overall_score_note(context.questionnaire, scored, share)
        ),
        items_with_evidence=sorted(context.evidence_counts),
    )
