from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from litestar import Controller, Response, get, post
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from sqlalchemy.ext.asyncio import AsyncSession

from survey.accounts.dependencies import LoggedIn
from survey.accounts.service import CurrentUser
from survey.assessments import service
from survey.assessments.forms import answer_from_form, differs, keep_none_of_these
from survey.assessments.models import Answer
from survey.assessments.pages import (
    depends_on,
    item_numbers,
    item_view,
    maturity_name,
    neighbours,
)
from survey.assessments.presenters import preview_for, result_read
from survey.assessments.result_extensions import extend_result, result_page_context
from survey.assessments.schemas import AnswerWrite
from survey.assessments.summaries import item_summaries
from survey.errors import Conflict, CountRuleBroken, Invalid, NotFound
from survey.i18n import current_language
from survey.i18n import gettext as _
from survey.questionnaires.counts import retry_refused_counts
from survey.questionnaires.schema import Dimension, Item
from survey.web.dependencies import BRIEF_WRITES, BriefWriter, Db
from survey.web.input import FORM_CHECKS_NUL
from survey.web.rendering import redirect_to, render


def _dimension(context: service.AssessmentContext, dimension_id: str) -> Dimension:
    for dimension in context.questionnaire.dimensions:
        if dimension.id == dimension_id:
            return dimension
    raise NotFound(_("This part of the questionnaire does not exist."))


def _page_context(user: CurrentUser, context: service.AssessmentContext) -> dict[str, Any]:
    language = current_language()
    progress = service.progress(context)
    return {
        "context": context,
        "assessment": context.assessment,
        "organisation": context.organisation,
        "questionnaire": context.questionnaire,
        "title": context.questionnaire.title.get(language),
        "language": language,
        "progress": progress,
        "progress_by_dimension": {d.dimension_id: d for d in progress.dimensions},
        "can_edit": service.can_edit(user, context),
        "is_manager": service.is_manager(user, context.organisation.id),
    }


async def result_page(
    db: AsyncSession, user: CurrentUser, context: service.AssessmentContext
) -> dict[str, Any]:
    """What ``assessments/result.html`` shows of an assessment: the scores (``result``,
    with the listeners' extensions such as the suggestions), goals and benchmark charts.
    The support request form re-renders the same page with its problems."""
    result, dimensions = await service.get_result(db, context)
    language = current_language()
    read = await extend_result(
        db, context, result_read(context, result, dimensions, language), language
    )
    return {
        **_page_context(user, context),
        "result": read,
        "maturity_name": maturity_name,
        **await result_page_context(db, context, read),  # goals, benchmark charts
    }


def _dimension_page(
    request: HTMXRequest,
    user: CurrentUser,
    context: service.AssessmentContext,
    dimension: Dimension,
    errors: dict[str, str] | None = None,
    conflicts: set[str] | None = None,
    submitted: dict[str, AnswerWrite] | None = None,
    status_code: int = 200,
    summaries: dict[str, str] | None = None,
) -> Response[Any]:
    language = current_language()
    applicable = context.applicable_items()
    numbers = item_numbers(context.questionnaire)
    items = []
    for item in dimension.items:
        view = item_view(
            item,
            numbers[item.id],
            context.answers.get(item.id),
            language,
            applicable,
            context.questionnaire,
            (submitted or {}).get(item.id),
        )
        view.error = (errors or {}).get(item.id)
        view.conflict = item.id in (conflicts or set())
        view.evidence_count = context.evidence_counts.get(item.id, 0)
        view.respondents = (summaries or {}).get(item.id)
        items.append(view)
    previous, following = neighbours(context.questionnaire, dimension)
    return render(
        request,
        "assessments/dimension.html",
        {
            **_page_context(user, context),
            "dimension": dimension,
            "items": items,
            "previous": previous,
            "following": following,
            "has_errors": bool(errors or conflicts),
        },
        status_code=status_code,
    )


@dataclass
class FormSave:
    """What became of one answer a form submitted."""

    saved: bool = False
    error: str | None = None
    conflict: bool = False
    rejected: AnswerWrite | None = None
    # Refused by a count rule (subgroup at most its total): may pass once the other is saved.
    count_rule: bool = False


SaveAnswer = Callable[[str, AnswerWrite], Awaitable[Answer]]


async def _save_from_form(
    db: AsyncSession | None,
    user: CurrentUser,
    context: service.AssessmentContext,
    item: Item,
    form: Any,
    save: SaveAnswer | None = None,
) -> FormSave:
    """Save the answer ``form`` gives for ``item`` if it changed; problems become messages.
    ``save`` saves it (by default ``service.save_answer`` in ``db``)."""
    try:
        data = answer_from_form(item, form)
    except Invalid as invalid:  # not even readable (letters for a number): show what was typed
        typed = str(form.get(f"answer-{item.id}") or "")
        comment = form.get(f"comment-{item.id}")
        return FormSave(
            error=next(iter(invalid.errors.values())),
            rejected=AnswerWrite(
                revision=0, value=typed, not_applicable=False, comment=comment or None
            ),
        )
    if data is None:
        return FormSave()
    stored = context.answers.get(item.id)
    data = keep_none_of_these(stored, data)
    if not differs(stored, data):
        return FormSave()
    if save is None:
        assert db is not None, "a session or a way to save"
        save = partial(service.save_answer, db, user, context)
    try:
        await save(item.id, data)
    except CountRuleBroken as broken:
        return FormSave(error=next(iter(broken.errors.values())), rejected=data, count_rule=True)
    except Invalid as invalid:
        return FormSave(error=next(iter(invalid.errors.values())), rejected=data)
    except Conflict as conflict:
        if "current" not in conflict.extra:
            raise  # not a stale revision: the round closed, the assessment was submitted, …
        return FormSave(error=conflict.detail, conflict=True)
    return FormSave(saved=True)


async def _retry_count_rules(
    db: AsyncSession,
    user: CurrentUser,
    context: service.AssessmentContext,
    dimension: Dimension,
    form: Any,
    outcomes: dict[str, FormSave],
) -> None:
    """Try the counts a count rule refused again while others get saved: a total lowered
    together with its subgroup is refused until the lower subgroup is stored, whatever the
    order of the questions."""

    async def attempt(item: Item) -> bool:
        outcomes[item.id] = await _save_from_form(db, user, context, item, form)
        return outcomes[item.id].count_rule

    await retry_refused_counts(
        [item for item in dimension.items if outcomes[item.id].count_rule], attempt
    )


class AssessmentViews(Controller):
    include_in_schema = False

    @post("/organisations/{organisation_id:int}/assessments", name="assessment_start")
    async def start(
        self,
        request: HTMXRequest,
        db: Db,
        user: LoggedIn,
        organisation_id: FromPath[int],
    ) -> Response[Any]:
        form = await request.form()
        try:
            assessment = await service.start(
                db,
                user,
                organisation_id,
                str(form.get("questionnaire_id", "")),
                str(form.get("round", "")),
            )
        except Conflict as conflict:
            existing = conflict.extra.get("assessment_id")
            if existing is None:
                raise
            return redirect_to(request, "assessment", assessment_id=existing)
        return redirect_to(request, "assessment", assessment_id=assessment.id)

    @get("/assessments/{assessment_id:int}", name="assessment")
    async def overview(
        self, request: HTMXRequest, db: Db, user: LoggedIn, assessment_id: FromPath[int]
    ) -> Response[Any]:
        context = await service.get_context(db, user, assessment_id)
        return render(
            request,
            "assessments/overview.html",
            {**_page_context(user, context), "submit_preview": preview_for(user, context)},
        )

    @get(
        "/assessments/{assessment_id:int}/dimensions/{dimension_id:str}",
        name="assessment_dimension",
    )
    async def dimension_page(
        self,
        request: HTMXRequest,
        db: Db,
        user: LoggedIn,
        assessment_id: FromPath[int],
        dimension_id: FromPath[str],
    ) -> Response[Any]:
        context = await service.get_context(db, user, assessment_id)
        dimension = _dimension(context, dimension_id)
        return _dimension_page(
            request,
            user,
            context,
            dimension,
            summaries=await item_summaries(db, user, context, dimension.items),
        )

    @post(
        "/assessments/{assessment_id:int}/dimensions/{dimension_id:str}",
        opt={FORM_CHECKS_NUL: True},
        name="assessment_dimension_save",
    )
    async def save_dimension(
        self,
        request: HTMXRequest,
        db: Db,
        user: LoggedIn,
        assessment_id: FromPath[int],
        dimension_id: FromPath[str],
    ) -> Response[Any]:
        """Save every changed answer of one dimension (the form without JavaScript)."""
        context = await service.get_context(db, user, assessment_id, for_change=True)
        dimension = _dimension(context, dimension_id)
        form = await request.form()
        errors: dict[str, str] = {}
        conflicts: set[str] = set()
        rejected: dict[str, AnswerWrite] = {}
        outcomes = {
            item.id: await _save_from_form(db, user, context, item, form)
            for item in dimension.items
        }
        await _retry_count_rules(db, user, context, dimension, form, outcomes)
        for item in dimension.items:
            outcome = outcomes[item.id]
            if outcome.error:
                errors[item.id] = outcome.error
            if outcome.conflict:
                conflicts.add(item.id)
            if outcome.rejected:
                rejected[item.id] = outcome.rejected
        if errors:
            return _dimension_page(
                request,
                user,
                context,
                dimension,
                errors,
                conflicts,
                rejected,
                status_code=422,
                summaries=await item_summaries(db, user, context, dimension.items),
            )
        request.session["flash"] = _("Your answers were saved.")
        _previous, following = neighbours(context.questionnaire, dimension)
        if following and form.get("next") == "1":
            return redirect_to(
                request,
                "assessment_dimension",
                assessment_id=assessment_id,
                dimension_id=following.id,
            )
        return redirect_to(request, "assessment", assessment_id=assessment_id)

    @post(
        "/assessments/{assessment_id:int}/answers/{item_id:str}",
        name="assessment_answer",
        opt={FORM_CHECKS_NUL: True, BRIEF_WRITES: True},
    )
    async def save_answer(
        self,
        request: HTMXRequest,
        db: Db,
        writer: BriefWriter,
        user: LoggedIn,
        assessment_id: FromPath[int],
        item_id: FromPath[str],
    ) -> Response[Any]:
        """Autosave of one answer (htmx): returns the question, marked as saved or with its
        problem. Read before, rendered after the short write transaction."""
        context = await service.get_context(db, user, assessment_id)
        item = context.questionnaire.item(item_id)
        if item is None:
            raise NotFound(_("This question does not exist in this questionnaire."))
        save = partial(
            service.save_answer_briefly, writer.single_statement, writer.transaction, user, context
        )
        outcome = await _save_from_form(None, user, context, item, await request.form(), save)
        status_code = 409 if outcome.conflict else 422 if outcome.error else 200
        language = current_language()
        applicable = context.applicable_items()
        numbers = item_numbers(context.questionnaire)
        view = item_view(
            item,
            numbers[item.id],
            context.answers.get(item.id),
            language,
            applicable,
            context.questionnaire,
            outcome.rejected,
        )
        view.error, view.conflict, view.saved = outcome.error, outcome.conflict, outcome.saved
        view.evidence_count = context.evidence_counts.get(item.id, 0)
        dimension = context.questionnaire.dimension_of(item.id)
        # Questions whose condition hangs on this answer appear or disappear with it.
        dependents = []
        for other in dimension.items if dimension else []:
            if depends_on(context.questionnaire, other, item.id):
                other_view = item_view(
                    other,
                    numbers[other.id],
                    context.answers.get(other.id),
                    language,
                    applicable,
                    context.questionnaire,
                )
                other_view.evidence_count = context.evidence_counts.get(other.id, 0)
                dependents.append(other_view)
        return render(
            request,
            "assessments/answer_saved.html",
            {
                **_page_context(user, context),
                "item": view,
                "dimension": dimension,
                "dependents": dependents,
            },
            status_code=status_code,
        )

    @post("/assessments/{assessment_id:int}/submit", name="assessment_submit")
    async def submit(
        self, request: HTMXRequest, db: Db, user: LoggedIn, assessment_id: FromPath[int]
    ) -> Response[Any]:
        context = await service.get_context(db, user, assessment_id, for_change=True)
        if context.is_personal:
            await service.submit_response(db, user, context)
            request.session["flash"] = _(
                "Your response was submitted. The manager of your organisation now sees it."
            )
            return redirect_to(request, "assessment", assessment_id=assessment_id)
        await service.submit(db, user, context)
        request.session["flash"] = _("The assessment was submitted. These are your scores.")
        return redirect_to(request, "assessment_result", assessment_id=assessment_id)

    @post("/assessments/{assessment_id:int}/reopen", name="assessment_reopen")
    async def reopen(
        self, request: HTMXRequest, db: Db, user: LoggedIn, assessment_id: FromPath[int]
    ) -> Response[Any]:
        context = await service.get_context(db, user, assessment_id, for_change=True)
        if context.is_personal:
            await service.reopen_response(db, user, context)
        else:
            await service.reopen(db, user, context)
        request.session["flash"] = _(
            "The assessment is open again. Submit it again when you are done."
        )
        return redirect_to(request, "assessment", assessment_id=assessment_id)

    @get("/assessments/{assessment_id:int}/result", name="assessment_result")
    async def result(
        self, request: HTMXRequest, db: Db, user: LoggedIn, assessment_id: FromPath[int]
    ) -> Response[Any]:
        context = await service.get_context(db, user, assessment_id)
        return render(
            request,
            "assessments/result.html",
            {
                **await result_page(db, user, context),
                "url_for": request.app.route_reverse,  # the suggestions' request forms
            },
        )
