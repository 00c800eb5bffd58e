from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.background_tasks import BackgroundTask
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest

from survey.accounts.dependencies import LoggedIn, MaybeLoggedIn
from survey.accounts.passwords import MIN_PASSWORD_LENGTH
from survey.accounts.views import start_session
from survey.assessments import service as assessments
from survey.assessments.pages import answer_label, item_numbers
from survey.errors import Conflict, Forbidden, Invalid, TooManyAttempts
from survey.evidence.views import remove_files_after_commit
from survey.i18n import LANGUAGE_NAMES, LANGUAGES, current_language
from survey.i18n import gettext as _
from survey.respondents import consolidation, invitations, service
from survey.respondents.schemas import InvitationCreate, PrefillRequest
from survey.web.dependencies import Db
from survey.web.forms import decode_form, form_values
from survey.web.input import FORM_CHECKS_NUL, refuse_nul_in_form
from survey.web.rendering import redirect_to, render


def link_base(request: Request[Any, Any, Any]) -> str:
    """Where invitation links point: the configured public address; in development, the
    address of the request (production requires SURVEY_PUBLIC_URL, never the Host header)."""
    public_url: str = request.app.state.settings.public_url
    return public_url or str(request.base_url)


def mail_after_commit(request: Request[Any, Any, Any], invited: invitations.NewInvitation) -> Any:
    """Send the invitation once the response is out, i.e. after the transaction committed."""
    return BackgroundTask(invitations.send_invitation, request.app.state.settings, invited.mail)


async def _respondents_page(
    request: HTMXRequest,
    db: Db,
    user: LoggedIn,
    context: assessments.AssessmentContext,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response[Any]:
    rows = await service.respondent_rows(db, user, context)
    return render(
        request,
        "respondents/list.html",
        {
            "context": context,
            "assessment": context.assessment,
            "organisation": context.organisation,
            "title": context.questionnaire.title.get(current_language()),
            "rows": rows,
            "errors": errors or {},
            "values": values or {"language": current_language()},
            "language_choices": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
            "submitted": sum(1 for row in rows if row.state == "submitted"),
        },
        status_code=status_code,
    )


class RespondentViews(Controller):
    include_in_schema = False

    @get("/assessments/{assessment_id:int}/respondents", name="respondents")
    async def respondents(
        self, request: HTMXRequest, db: Db, user: LoggedIn, assessment_id: FromPath[int]
    ) -> Response[Any]:
        context = await assessments.get_context(db, user, assessment_id)
        return await _respondents_page(request, db, user, context)

    @post(
        "/assessments/{assessment_id:int}/respondents",
        opt={FORM_CHECKS_NUL: True},
        name="respondent_invite",
    )
    async def invite(
        self, request: HTMXRequest, db: Db, user: LoggedIn, assessment_id: FromPath[int]
    ) -> Response[Any]:
        context = await assessments.get_context(db, user, assessment_id, for_change=True)
        form = await request.form()
        values = {key: str(form.get(key) or "") for key in ("email", "name", "language")}
        try:
            # A blank language is the manager's own; a blank name is no name.
            fields = form_values(values, InvitationCreate, blank_is_none=("name", "language"))
            data = decode_form(
                {"language": current_language(), **fields},
                InvitationCreate,
                rules=invitations.invitee_errors,
                refuse_nul=True,
            )
            invited = await invitations.invite(
                db,
                user,
                context,
                email=data.email,
                name=data.name,
                language=data.language,
                base_url=link_base(request),
            )
        except (Invalid, TooManyAttempts) as invalid:
            return await _respondents_page(
                request, db, user, context, errors=invalid.errors, values=values, status_code=422
            )
        request.session["flash"] = _(
            "An invitation was sent to %(email)s.", email=invited.invitation.email
        )
        return redirect_to(
            request,
            "respondents",
            assessment_id=assessment_id,
            background=mail_after_commit(request, invited),
        )

    @post(
        "/assessments/{assessment_id:int}/respondents/{invitation_id:int}/revoke",
        name="invitation_revoke",
    )
    async def revoke(
        self,
        request: HTMXRequest,
        db: Db,
        user: LoggedIn,
        assessment_id: FromPath[int],
        invitation_id: FromPath[int],
    ) -> Response[Any]:
        context = await assessments.get_context(db, user, assessment_id, for_change=True)
        await invitations.revoke(db, user, context, invitation_id)
        request.session["flash"] = _("The invitation was withdrawn; its link no longer works.")
        return redirect_to(request, "respondents", assessment_id=assessment_id)

    @post(
        "/assessments/{assessment_id:int}/respondents/{invitation_id:int}/remove",
        name="invitation_remove",
    )
    async def remove(
        self,
        request: HTMXRequest,
        db: Db,
        user: LoggedIn,
        assessment_id: FromPath[int],
        invitation_id: FromPath[int],
    ) -> Response[Any]:
        context = await assessments.get_context(db, user, assessment_id, for_change=True)
        storage_keys = await invitations.remove_respondent(db, user, context, invitation_id)
        request.session["flash"] = _(
            "The person was removed from this self-assessment, with their own answers. "
            "What you already took over into the organisation's answers stays."
        )
        return redirect_to(
            request,
            "respondents",
            assessment_id=assessment_id,
            background=remove_files_after_commit(request, storage_keys),
        )

    @get("/assessments/{assessment_id:int}/consolidation", name="consolidation")
    async def consolidation(
        self, request: HTMXRequest, db: Db, user: LoggedIn, assessment_id: FromPath[int]
    ) -> Response[Any]:
        context = await assessments.get_context(db, user, assessment_id)
        items, n_submitted = await consolidation.consolidation(db, user, context)
        language = current_language()
        by_item = {c.item.id: c for c in items}
        return render(
            request,
            "respondents/consolidation.html",
            {
                "context": context,
                "assessment": context.assessment,
                "organisation": context.organisation,
                "questionnaire": context.questionnaire,
                "title": context.questionnaire.title.get(language),
                "language": language,
                "by_item": by_item,
                "numbers": item_numbers(context.questionnaire),
                "n_submitted": n_submitted,
                "flagged": sum(1 for c in items if c.needs_discussion),
                "count_problems": any(
                    c.count_problem or any(a.count_problem for a in c.answers) for c in items
                ),
                "answer_label": lambda item, value, na: answer_label(item, value, na, language),
                "can_edit": assessments.can_edit(user, context),
            },
        )

    @post("/assessments/{assessment_id:int}/consolidation", name="consolidation_save")
    async def prefill(
        self, request: HTMXRequest, db: Db, user: LoggedIn, assessment_id: FromPath[int]
    ) -> Response[Any]:
        context = await assessments.get_context(db, user, assessment_id, for_change=True)
        form = await request.form()
        fields = form_values(form, PrefillRequest, checkboxes=("overwrite",))
        choice = decode_form(fields, PrefillRequest)
        prefilled = await consolidation.prefill(db, user, context, overwrite=choice.overwrite)
        flash = _(
            "%(n)s answers of the organisation were filled in from the respondents' answers. "
            "Check them and change what the team decides.",
            n=prefilled.changed,
        )
        if prefilled.skipped:
            numbers = item_numbers(context.questionnaire)
            flash += " " + _(
                "Not filled in, because the counts do not add up: questions %(questions)s. "
                "Fill them in yourself.",
                questions=", ".join(numbers[item_id] for item_id in prefilled.skipped),
            )
        request.session["flash"] = flash
        return redirect_to(request, "consolidation", assessment_id=assessment_id)


class InvitationViews(Controller):
    path = "/invitations"
    include_in_schema = False

    @get("/{token:str}", name="invitation")
    async def show(
        self,
        request: HTMXRequest,
        db: Db,
        current_user: MaybeLoggedIn,
        token: FromPath[str],
    ) -> Response[Any]:
        view = await invitations.find_invitation(db, token)
        return _invitation_page(request, view, current_user, token)

    @post("/{token:str}", opt={FORM_CHECKS_NUL: True}, name="invitation_accept")
    async def accept(
        self,
        request: HTMXRequest,
        db: Db,
        current_user: MaybeLoggedIn,
        token: FromPath[str],
    ) -> Response[Any]:
        form = await request.form()
        name = str(form.get("name") or "")
        try:
            refuse_nul_in_form({"name": name, "password": str(form.get("password") or "")})
            user, assessment_id = await invitations.accept(
                db,
                token,
                current_user,
                name=name,
                password=str(form.get("password") or ""),
                language=current_language(),
            )
        except (Invalid, Conflict, Forbidden) as problem:
            view = await invitations.find_invitation(db, token)
            errors = problem.errors if isinstance(problem, Invalid) else {}
            message = None if isinstance(problem, Invalid) else problem.detail
            status = 422 if isinstance(problem, Invalid) else problem.status_code
            return _invitation_page(
                request, view, current_user, token, errors, {"name": name}, message, status
            )
        if current_user is None:
            start_session(request, user)
        request.session["flash"] = _(
            "Welcome. This is your own response: your answers are saved as you go."
        )
        return redirect_to(request, "assessment", assessment_id=assessment_id)


def _invitation_page(
    request: HTMXRequest,
    view: invitations.InvitationView,
    current_user: Any,
    token: str,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> Response[Any]:
    language = current_language()
    state = view.state
    wrong_person = current_user is not None and current_user.email != view.invitation.email
    return render(
        request,
        "respondents/invitation.html",
        {
            "view": view,
            "state": state,
            "token": token,
            "title": view.questionnaire.title.get(language),
            "wrong_person": wrong_person,
            "errors": errors or {},
            "values": values or {},
            "message": message,
            "login_next": request.app.route_reverse("invitation", token=token),
            "min_password_length": MIN_PASSWORD_LENGTH,
        },
        status_code=status_code if status_code != 200 else (200 if state == "valid" else 410),
    )
