"""Pages for support requests and sharing (the organisation's manager) and the coaches'
workspace: caseload, an organisation's file, requests with their timeline, notes, goals."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

import msgspec
from litestar import Controller, Response, get, post
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.plugins.htmx import HTMXRequest
from litestar.response import File
from sqlalchemy.ext.asyncio import AsyncSession

from survey.accounts.dependencies import LoggedIn
from survey.accounts.models import Provider
from survey.accounts.service import CurrentUser
from survey.assessments import service as assessments
from survey.assessments.pages import answer_label, item_numbers, maturity_name
from survey.assessments.views import result_page
from survey.errors import Conflict, Invalid, NotFound
from survey.evidence import files
from survey.i18n import current_language
from survey.i18n import gettext as _
from survey.organisations.presenters import choices as organisation_choices
from survey.organisations.presenters import organisation_header
from survey.questionnaires import registry
from survey.trajectories import catalogue as trajectories
from survey.trajectories import requests as service
from survey.trajectories import sharing, workspace
from survey.trajectories.api import mails_after_commit, public_base
from survey.trajectories.catalogue import provider_name
from survey.trajectories.models import RequestState, SupportRequest
from survey.trajectories.schemas import (
    CoachNoteCreate,
    CoachSuggestionForm,
    GoalForm,
    StepForm,
    SupportRequestForm,
)
from survey.web.dependencies import Db
from survey.web.forms import decode_form, form_values
from survey.web.input import FORM_CHECKS_NUL
from survey.web.rendering import redirect, render

WRITES = {"writes": True}
S = TypeVar("S", bound=msgspec.Struct)


def _redirect(request: HTMXRequest, path: str, **kwargs: Any) -> Response[Any]:
    return redirect(request, path, **kwargs)


def _page(
    request: HTMXRequest,
    template_name: str,
    context: dict[str, Any],
    status_code: int = 200,
) -> Response[Any]:
    """A page of this package; its templates reach routes by name (``url_for``)."""
    return render(
        request,
        template_name,
        {"url_for": request.app.route_reverse, **context},
        status_code=status_code,
    )


def _url(request: HTMXRequest, name: str, **params: Any) -> str:
    return request.app.route_reverse(name, **params)


async def _typed(request: HTMXRequest) -> dict[str, str]:
    """The form's texts as they were typed, to show them again with the messages."""
    typed: dict[str, str] = {}
    for name, value in (await request.form()).multi_items():
        if isinstance(value, str):
            typed.setdefault(name, value)
    return typed


def _decode(typed: Mapping[str, str], struct: type[S], *, blank_is_none: tuple[str, ...] = ()) -> S:
    """The fields of ``struct`` within their limits, or :class:`Invalid` with a message at
    each field that breaks one (a NUL character included)."""
    values = form_values(typed, struct, blank_is_none=blank_is_none)
    return decode_form(values, struct, refuse_nul=True)


async def _result_page_with_request_problems(
    request: HTMXRequest,
    db: AsyncSession,
    user: CurrentUser,
    organisation_id: int,
    typed: Mapping[str, str],
    invalid: Invalid,
) -> Response[Any]:
    """The result page the request came from (422), with the message at the suggestion's
    message field and what was typed in it, on the ``assessment_result`` page's own context.
    A form that names no result of this organisation gets the plain error."""
    raw_id = typed.get("assessment_id", "").strip()
    if not raw_id.isdigit() or "assessment_id" in invalid.errors:
        raise invalid
    context = await assessments.get_context(db, user, int(raw_id))
    if context.organisation.id != organisation_id:
        raise invalid
    page = await result_page(db, user, context)
    trajectory_id = typed.get("trajectory_id", "")
    names = {s.trajectory_id: s.name for s in page["result"].suggestions}
    # the service names the message "message", the form "note"
    errors = {("note" if key == "message" else key): text for key, text in invalid.errors.items()}
    # the summary on arrival names the suggestion and leads to its field
    summary: dict[str, str] = {}
    for key, text in errors.items():
        if key == "note" and trajectory_id in names:
            summary[f"note-{trajectory_id}"] = _(
                "%(name)s: %(problem)s", name=names[trajectory_id], problem=text
            )
        else:  # a choice the page did not offer (a changed form, a suggestion gone since)
            summary["suggestions-heading"] = text
    return _page(
        request,
        "assessments/result.html",
        {
            **page,
            "request_form": {
                "trajectory_id": trajectory_id,
                "note": typed.get("note", ""),
                "errors": errors,
                "summary": summary,
            },
        },
        status_code=422,
    )


def request_summary(request: SupportRequest) -> dict[str, Any]:
    """What a list or a page shows of a request, in the reader's language."""
    return {
        "request": request,
        "title": service.trajectory_title(request.trajectory_id),
        "provider": provider_name(request.provider),
        "partner": provider_name(request.partner) if request.partner else None,
        "state": service.state_label(request.state),
    }


async def _timeline(db: AsyncSession, request: SupportRequest) -> list[dict[str, Any]]:
    return [
        {
            "change": change,
            "author": author,
            "state": service.state_label(change.to_state),
        }
        for change, author in await service.history(db, request.id)
    ]


def _state_choices(user: CurrentUser, request: SupportRequest) -> list[tuple[str, str]]:
    return [(s.value, service.state_label(s)) for s in service.allowed_moves(user, request)]


class SupportRequestViews(Controller):
    """The manager's side: request in one step, follow each step, withdraw, share, revoke."""

    path = "/organisations/{organisation_id:int}"
    include_in_schema = False

    @post("/support-requests", name="support_requests.create", opt={FORM_CHECKS_NUL: True})
    async def create(
        self,
        request: HTMXRequest,
        db: Db,
        user: LoggedIn,
        organisation_id: FromPath[int],
    ) -> Response[Any]:
        typed = await _typed(request)
        try:
            choice = _decode(typed, SupportRequestForm, blank_is_none=("note", "assessment_id"))
            outcome = await service.create(
                db,
                user,
                organisation_id,
                choice.trajectory_id,
                message=choice.note,
                assessment_id=choice.assessment_id,
                base_url=public_base(request),
            )
        except Invalid as invalid:
            # The form is a suggestion's on the result page: the page again, the message at
            # the suggestion's field and what was typed kept.
            return await _result_page_with_request_problems(
                request, db, user, organisation_id, typed, invalid
            )
        except Conflict as conflict:
            existing = conflict.extra.get("id")
            if existing is None:
                raise
            request.session["flash"] = _(
                "You already asked for this trajectory; here is your request."
            )
            return _redirect(
                request,
                _url(
                    request,
                    "support_requests.detail",
                    organisation_id=organisation_id,
                    request_id=existing,
                ),
            )
        made = outcome.request
        request.session["flash"] = (
            _(
                "Your request was sent to %(provider)s and %(partner)s. Their coaches now see "
                "your results.",
                provider=provider_name(made.provider),
                partner=provider_name(made.partner),
            )
            if made.partner
            else _(
                "Your request was sent to %(provider)s. Their coaches now see your results.",
                provider=provider_name(made.provider),
            )
        )
        return _redirect(
            request,
            _url(
                request,
                "support_requests.detail",
                organisation_id=organisation_id,
                request_id=outcome.request.id,
            ),
            background=mails_after_commit(request, outcome),
        )

    @get("/support-requests", name="support_requests.list")
    async def list_page(
        self,
        request: HTMXRequest,
        db: Db,
        user: LoggedIn,
        organisation_id: FromPath[int],
    ) -> Response[Any]:
        organisation = await sharing.managed_organisation(db, user, organisation_id)
        found = await service.list_visible(db, user, organisation_id)
        return _page(
            request,
            "trajectories/list.html",
            {
                "organisation": organisation,
                "requests": [request_summary(r) for r in found],
                "shares": await sharing.shares_of(db, organisation_id),
            },
        )

    @get("/support-requests/{request_id:int}", name="support_requests.detail")
    async def detail(
        self,
        request: HTMXRequest,
        db: Db,
        user: LoggedIn,
        organisation_id: FromPath[int],
        request_id: FromPath[int],
    ) -> Response[Any]:
        return await self._detail_page(request, db, user, organisation_id, request_id)

    async def _detail_page(
        self,
        request: HTMXRequest,
        db: AsyncSession,
        user: CurrentUser,
        organisation_id: int,
        request_id: int,
        errors: dict[str, str] | None = None,
        values: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Response[Any]:
        organisation = await sharing.managed_organisation(db, user, organisation_id)
        support = await service.get_visible(db, user, request_id)
        if support.organisation_id != organisation_id:
            raise NotFound(_("Support request not found."))
        shares = {s.provider: s for s in await sharing.shares_of(db, organisation_id)}
        return _page(
            request,
            "trajectories/detail.html",
            {
                "organisation": organisation,
                **request_summary(support),
                "timeline": await _timeline(db, support),
                "share": shares[support.provider],
                "partner_share": shares[support.partner] if support.partner else None,
                "can_withdraw": RequestState.WITHDRAWN in service.allowed_moves(user, support),
                "goals": await workspace.goal_progress(db, organisation_id, [support.id]),
                "maturity_name": maturity_name,
                "errors": errors or {},
                "values": values or {},
            },
            status_code=status_code,
        )

    @post(
        "/support-requests/{request_id:int}/withdraw",
        name="support_requests.withdraw",
        opt={FORM_CHECKS_NUL: True},
    )
    async def withdraw(
        self,
        request: HTMXRequest,
        db: Db,
        user: LoggedIn,
        organisation_id: FromPath[int],
        request_id: FromPath[int],
    ) -> Response[Any]:
        await sharing.managed_organisation(db, user, organisation_id)
        support = await service.get_visible(db, user, request_id)
        if support.organisation_id != organisation_id:
            raise NotFound(_("Support request not found."))
        typed = await _typed(request)
        try:
            step = _decode(typed, StepForm, blank_is_none=("note",))
            outcome = await service.change_state(
                db,
                user,
                request_id,
                RequestState.WITHDRAWN.value,
                step.note,
                base_url=public_base(request),
            )
        except Invalid as invalid:
            return await self._detail_page(
                request, db, user, organisation_id, request_id, invalid.errors, typed, 422
            )
        except Conflict as conflict:
            # The request moved meanwhile (a coach closed it): its page as it is now, and why.
            errors = {"request-state": str(conflict)}
            return await self._detail_page(
                request, db, user, organisation_id, request_id, errors, typed, 409
            )
        request.session["flash"] = _("Your request was withdrawn.")
        return _redirect(
            request,
            _url(
                request,
                "support_requests.detail",
                organisation_id=organisation_id,
                request_id=request_id,
            ),
            background=mails_after_commit(request, outcome),
        )

    @post("/shares/{provider:str}/revoke", name="shares.revoke")
    async def revoke(
        self,
        request: HTMXRequest,
        db: Db,
        user: LoggedIn,
        organisation_id: FromPath[int],
        provider: FromPath[str],
    ) -> Response[Any]:
        chosen = sharing.parse_provider(provider)
        await sharing.revoke(db, user, organisation_id, chosen)
        request.session["flash"] = _(
            "%(provider)s no longer sees your results, answers and evidence. "
            "Your requests and their history stay visible to them.",
            provider=provider_name(chosen),
        )
        return _redirect(
            request, _url(request, "support_requests.list", organisation_id=organisation_id)
        )

    @post("/shares/{provider:str}/grant", name="shares.grant")
    async def grant(
        self,
        request: HTMXRequest,
        db: Db,
        user: LoggedIn,
        organisation_id: FromPath[int],
        provider: FromPath[str],
    ) -> Response[Any]:
        chosen = sharing.parse_provider(provider)
        await sharing.grant(db, user, organisation_id, chosen)
        request.session["flash"] = _(
            "The coaches of %(provider)s now see your results, answers and evidence.",
            provider=provider_name(chosen),
        )
        return _redirect(
            request, _url(request, "support_requests.list", organisation_id=organisation_id)
        )


def _filter_choices() -> dict[str, list[tuple[str, str]]]:
    language = current_language()
    profile_choices = organisation_choices()
    return {
        "state_choices": [(s.value, service.state_label(s)) for s in RequestState],
        "sector_choices": profile_choices["sectors"],
        "municipality_choices": profile_choices["municipalities"],
        "questionnaire_choices": [(q.id, q.title.get(language)) for q in registry().values()],
    }


def _own_catalogue(providers: set[Provider]) -> list[tuple[str, str]]:
    language = current_language()
    return [
        (entry.id, entry.name.get(language))
        for entry in trajectories.catalogue().values()
        if entry.provider in providers
    ]


def _dimension_choices() -> list[tuple[str, str]]:
    language = current_language()
    return [
        (f"{q.id}/{d.id}", f"{q.title.get(language)} — {d.title.get(language)}")
        for q in registry().values()
        for d in q.dimensions
    ]


class CoachingViews(Controller):
    """The coaches' workspace."""

    path = "/coaching"
    include_in_schema = False

    @get("/", name="coaching.caseload")
    async def caseload(
        self,
        request: HTMXRequest,
        db: Db,
        user: LoggedIn,
        request_state: Annotated[str, QueryParameter(name="state")] = "",
        sector: FromQuery[str] = "",
        municipality: FromQuery[str] = "",
        questionnaire: FromQuery[str] = "",
    ) -> Response[Any]:
        filters = workspace.CaseFilter(
            state=request_state[:20],
            sector=sector[:40],
            municipality=municipality[:10],
            questionnaire=questionnaire[:80],
        )
        cases = await workspace.caseload(db, user, filters)
        return _page(
            request,
            "trajectories/caseload.html",
            {
                "cases": cases,
                "filters": filters,
                "summaries": {
                    case.organisation.id: [request_summary(r) for r in case.open_requests]
                    for case in cases
                },
                "headers": {
                    case.organisation.id: organisation_header(case.organisation) for case in cases
                },
                **_filter_choices(),
            },
        )

    @get("/organisations/{organisation_id:int}", name="coaching.organisation", opt=WRITES)
    async def organisation(
        self,
        request: HTMXRequest,
        db: Db,
        user: LoggedIn,
        organisation_id: FromPath[int],
    ) -> Response[Any]:
        return await self._organisation_page(request, db, user, organisation_id)

    async def _organisation_page(
        self,
        request: HTMXRequest,
        db: AsyncSession,
        user: CurrentUser,
        organisation_id: int,
        errors: dict[str, str] | None = None,
        values: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Response[Any]:
        file = await workspace.organisation_file(db, user, organisation_id)
        providers = workspace.require_coach(user)
        return _page(
            request,
            "trajectories/coach_organisation.html",
            {
                "file": file,
                "organisation": file.organisation,
                "requests": [request_summary(r) for r in file.requests],
                "notes": await workspace.notes(db, user, organisation_id),
                "goals": await workspace.goal_progress(
                    db, organisation_id, [r.id for r in file.requests]
                ),
                "own_catalogue": _own_catalogue(providers),
                "suggested": set(await workspace.coach_suggested(db, organisation_id)),
                "maturity_name": maturity_name,
                "header": organisation_header(file.organisation),
                "errors": errors or {},
                "values": values or {},
            },
            status_code=status_code,
        )

    @post(
        "/organisations/{organisation_id:int}/notes",
        name="coaching.add_note",
        opt={FORM_CHECKS_NUL: True},
    )
    async def add_note(
        self,
        request: HTMXRequest,
        db: Db,
        user: LoggedIn,
        organisation_id: FromPath[int],
    ) -> Response[Any]:
        typed = await _typed(request)
        try:
            note = _decode(typed, CoachNoteCreate)
            await workspace.add_note(db, user, organisation_id, note.body)
        except Invalid as invalid:
            return await self._organisation_page(
                request, db, user, organisation_id, invalid.errors, typed, 422
            )
        request.session["flash"] = _("Your note was saved. Only your colleagues see it.")
        return _redirect(
            request, _url(request, "coaching.organisation", organisation_id=organisation_id)
        )

    @post(
        "/organisations/{organisation_id:int}/suggestions",
        name="coaching.suggest",
        opt={FORM_CHECKS_NUL: True},
    )
    async def suggest(
        self,
        request: HTMXRequest,
        db: Db,
        user: LoggedIn,
        organisation_id: FromPath[int],
    ) -> Response[Any]:
        typed = await _typed(request)
        try:
            choice = _decode(typed, CoachSuggestionForm)
            _suggestion, is_new = await workspace.suggest(
                db, user, organisation_id, choice.trajectory_id
            )
        except Invalid as invalid:
            return await self._organisation_page(
                request, db, user, organisation_id, invalid.errors, typed, 422
            )
        request.session["flash"] = (
            _("The organisation now sees this trajectory among its suggestions.")
            if is_new
            else _(
                "This trajectory was already suggested to the organisation; "
                "it still sees it among its suggestions."
            )
        )
        return _redirect(
            request, _url(request, "coaching.organisation", organisation_id=organisation_id)
        )

    @get("/requests/{request_id:int}", name="coaching.request")
    async def request_page(
        self,
        request: HTMXRequest,
        db: Db,
        user: LoggedIn,
        request_id: FromPath[int],
    ) -> Response[Any]:
        return await self._request_page(request, db, user, request_id)

    async def _request_page(
        self,
        request: HTMXRequest,
        db: AsyncSession,
        user: CurrentUser,
        request_id: int,
        errors: dict[str, str] | None = None,
        values: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Response[Any]:
        workspace.require_coach(user)
        support = await service.get_visible(db, user, request_id)
        organisation, _providers = await workspace.followed_organisation(
            db, user, support.organisation_id
        )
        return _page(
            request,
            "trajectories/coach_request.html",
            {
                "organisation": organisation,
                **request_summary(support),
                "timeline": await _timeline(db, support),
                "state_choices": _state_choices(user, support),
                "can_set_goals": support.state == RequestState.RUNNING
                and service.is_lead_coach(user, support),
                "goals": await workspace.goal_progress(db, organisation.id, [support.id]),
                "dimension_choices": _dimension_choices(),
                "round_choices": await _round_names(db),
                "maturity_name": maturity_name,
                "errors": errors or {},
                "values": values or {},
            },
            status_code=status_code,
        )

    @post(
        "/requests/{request_id:int}/state",
        name="coaching.change_state",
        opt={FORM_CHECKS_NUL: True},
    )
    async def change_state(
        self,
        request: HTMXRequest,
        db: Db,
        user: LoggedIn,
        request_id: FromPath[int],
    ) -> Response[Any]:
        typed = await _typed(request)
        try:
            step = _decode(typed, StepForm, blank_is_none=("note",))
            if step.state not in {state.value for state in RequestState}:
                raise Invalid({"state": _("Choose the next step.")})
            outcome = await service.change_state(
                db, user, request_id, step.state, step.note, base_url=public_base(request)
            )
        except Invalid as invalid:
            return await self._request_page(
                request, db, user, request_id, invalid.errors, typed, 422
            )
        except Conflict as conflict:
            # A colleague took a step first: the steps possible now, the reason, the note kept.
            return await self._request_page(
                request, db, user, request_id, {"state": str(conflict)}, typed, 409
            )
        request.session["flash"] = _(
            "The request is now “%(state)s”. The organisation's manager was told.",
            state=service.state_label(outcome.request.state),
        )
        return _redirect(
            request,
            _url(request, "coaching.request", request_id=request_id),
            background=mails_after_commit(request, outcome),
        )

    @post("/requests/{request_id:int}/goals", name="coaching.add_goal", opt={FORM_CHECKS_NUL: True})
    async def add_goal(
        self,
        request: HTMXRequest,
        db: Db,
        user: LoggedIn,
        request_id: FromPath[int],
    ) -> Response[Any]:
        typed = await _typed(request)
        try:
            goal = _decode(typed, GoalForm)
            current = [
                workspace.GoalInput(f"{g.questionnaire_id}/{g.dimension_id}", g.target_level, name)
                for g, name in await workspace.goals_of(db, request_id)
            ]
            if goal.remove:
                goals = [g for g in current if g.dimension_id != goal.remove]
            else:
                level = int(goal.target_level) if goal.target_level.isdecimal() else 0
                new = workspace.GoalInput(goal.dimension_id, level, goal.round)
                goals = [g for g in current if g.dimension_id != new.dimension_id] + [new]
            await workspace.set_goals(db, user, request_id, goals)
        except Invalid as invalid:
            # the service names a goal of the list ("goals[1].round"), the form its fields
            errors = {key.rpartition(".")[2]: message for key, message in invalid.errors.items()}
            return await self._request_page(request, db, user, request_id, errors, typed, 422)
        except Conflict as conflict:
            # The request stopped running meanwhile: its page as it is now, and why.
            errors = {"request-state": str(conflict)}
            return await self._request_page(request, db, user, request_id, errors, typed, 409)
        request.session["flash"] = _("The goals were saved.")
        return _redirect(request, _url(request, "coaching.request", request_id=request_id))

    @get("/assessments/{assessment_id:int}", name="coaching.assessment", opt=WRITES)
    async def assessment(
        self,
        request: HTMXRequest,
        db: Db,
        user: LoggedIn,
        assessment_id: FromPath[int],
    ) -> Response[Any]:
        file = await workspace.assessment_file(db, user, assessment_id)
        language = current_language()
        context = file.context
        return _page(
            request,
            "trajectories/coach_assessment.html",
            {
                "file": file,
                "context": context,
                "organisation": context.organisation,
                "title": context.questionnaire.title.get(language),
                "result": file.result,
                "numbers": item_numbers(context.questionnaire),
                "answer_label": lambda item: answer_label(
                    item,
                    context.answers[item.id].value if item.id in context.answers else None,
                    context.answers[item.id].not_applicable
                    if item.id in context.answers
                    else False,
                    language,
                ),
                "maturity_name": maturity_name,
                "language": language,
            },
        )

    @get("/evidence/{evidence_id:int}", name="coaching.evidence", opt=WRITES)
    async def evidence(
        self,
        request: HTMXRequest,
        db: Db,
        user: LoggedIn,
        evidence_id: FromPath[int],
    ) -> Response[Any]:
        evidence = await workspace.evidence_for_coach(db, user, evidence_id)
        if evidence.storage_key is None:
            raise NotFound(_("This evidence has no file."))
        path = files.path_of(request.app.state.settings.uploads_dir, evidence.storage_key)
        if not path.exists():
            raise NotFound(_("The file is no longer available."))
        return File(
            path=path,
            filename=evidence.file_name or "file",
            media_type=evidence.content_type or "application/octet-stream",
            content_disposition_type="attachment",
            headers={"Cache-Control": "private, no-store"},
        )


async def _round_names(db: AsyncSession) -> list[str]:
    """The rounds a goal can aim at, the newest first."""
    return [r.name for r in await workspace.goal_rounds(db)]
