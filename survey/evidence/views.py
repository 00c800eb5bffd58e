from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.background_tasks import BackgroundTask
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import File

from survey.accounts.dependencies import LoggedIn
from survey.assessments import service as assessments
from survey.assessments.models import Evidence
from survey.assessments.pages import item_numbers
from survey.errors import Invalid, NotFound
from survey.evidence import files, service
from survey.evidence.schemas import EvidenceCreate
from survey.i18n import current_language
from survey.i18n import gettext as _
from survey.web.dependencies import Db
from survey.web.forms import decode_form, form_values
from survey.web.input import FORM_CHECKS_NUL, refuse_nul_in_form
from survey.web.rendering import redirect_to, render

# A little above the 10 MB limit, so a slightly larger file gets a clear message, not a 413.
UPLOAD_BODY_LIMIT = files.MAX_FILE_SIZE + 1024 * 1024


def uploads_dir(request: Request[Any, Any, Any]) -> Any:
    return request.app.state.settings.uploads_dir


def remove_file_after_commit(request: Request[Any, Any, Any], evidence: Evidence) -> Any:
    """The file of removed evidence goes once the response is out, i.e. after the commit."""
    return remove_files_after_commit(
        request, [evidence.storage_key] if evidence.storage_key else []
    )


def remove_files_after_commit(request: Request[Any, Any, Any], storage_keys: list[str]) -> Any:
    """Files of removed evidence go once the response is out, i.e. after the commit."""
    if not storage_keys:
        return None
    folder = uploads_dir(request)

    def remove_all() -> None:
        for key in storage_keys:
            files.remove(folder, key)

    return BackgroundTask(remove_all)


def download_response(evidence: Evidence, uploads: Any) -> Response[Any]:
    if evidence.storage_key is None:
        raise NotFound(_("This evidence has no file."))
    path = files.path_of(uploads, evidence.storage_key)
    if not path.exists():
        raise NotFound(_("The file is no longer available."))
    return File(
        path=path,
        filename=evidence.file_name or "file",
        media_type=evidence.content_type or "application/octet-stream",
        content_disposition_type="attachment",
        headers={"Cache-Control": "private, no-store"},
    )


async def evidence_page(
    request: HTMXRequest,
    db: Db,
    user: LoggedIn,
    context: assessments.AssessmentContext,
    item_id: str,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response[Any]:
    item = context.questionnaire.item(item_id)
    if item is None:
        raise NotFound(_("This question does not exist in this questionnaire."))
    language = current_language()
    dimension = context.questionnaire.dimension_of(item_id)
    evidence = (await service.for_response(db, context.response.id)).get(item_id, [])
    return render(
        request,
        "evidence/item.html",
        {
            "context": context,
            "assessment": context.assessment,
            "organisation": context.organisation,
            "title": context.questionnaire.title.get(language),
            "item": item,
            "item_text": item.text.get(language),
            "evidence_prompt": item.evidence_prompt.get(language) if item.evidence_prompt else None,
            "number": item_numbers(context.questionnaire)[item_id],
            "dimension": dimension,
            "dimension_title": dimension.title.get(language) if dimension else "",
            "evidence": evidence,
            "can_edit": assessments.can_edit(user, context),
            "errors": errors or {},
            "values": values or {},
        },
        status_code=status_code,
    )


class EvidenceViews(Controller):
    include_in_schema = False

    @get("/assessments/{assessment_id:int}/evidence/{item_id:str}", name="evidence")
    async def show(
        self,
        request: HTMXRequest,
        db: Db,
        user: LoggedIn,
        assessment_id: FromPath[int],
        item_id: FromPath[str],
    ) -> Response[Any]:
        context = await assessments.get_context(db, user, assessment_id)
        return await evidence_page(request, db, user, context, item_id)

    @post(
        "/assessments/{assessment_id:int}/evidence/{item_id:str}",
        request_max_body_size=UPLOAD_BODY_LIMIT,
        opt={FORM_CHECKS_NUL: True},
        name="evidence_add",
    )
    async def add(
        self,
        request: HTMXRequest,
        db: Db,
        user: LoggedIn,
        assessment_id: FromPath[int],
        item_id: FromPath[str],
    ) -> Response[Any]:
        context = await assessments.get_context(db, user, assessment_id, for_change=True)
        form = await request.form()
        kind = str(form.get("kind") or "")
        values = {"note": str(form.get("note") or ""), "url": str(form.get("url") or "")}
        try:
            refuse_nul_in_form(values)
            if kind in ("note", "link"):
                fields = form_values({**values, "kind": kind}, EvidenceCreate)
                created = decode_form(fields, EvidenceCreate)
                if created.kind == "note":
                    await service.add_note(db, user, context, item_id, created.note or "")
                else:
                    await service.add_link(db, user, context, item_id, created.url or "")
            else:
                upload = form.get("file")
                if not isinstance(upload, UploadFile) or not upload.filename:
                    raise Invalid({"file": _("Choose a file.")})
                refuse_nul_in_form({"file": upload.filename})
                data = await upload.read(files.MAX_FILE_SIZE + 1)
                await service.add_file(
                    db, uploads_dir(request), user, context, item_id, upload.filename, data
                )
        except Invalid as invalid:
            return await evidence_page(
                request, db, user, context, item_id, invalid.errors, values, status_code=422
            )
        request.session["flash"] = _("The evidence was added.")
        return redirect_to(request, "evidence", assessment_id=assessment_id, item_id=item_id)

    @post(
        "/assessments/{assessment_id:int}/evidence/{item_id:str}/{evidence_id:int}/delete",
        name="evidence_delete",
    )
    async def remove(
        self,
        request: HTMXRequest,
        db: Db,
        user: LoggedIn,
        assessment_id: FromPath[int],
        item_id: FromPath[str],
        evidence_id: FromPath[int],
    ) -> Response[Any]:
        context = await assessments.get_context(db, user, assessment_id, for_change=True)
        removed = await service.delete(db, user, context, evidence_id)
        request.session["flash"] = _("The evidence was removed.")
        return redirect_to(
            request,
            "evidence",
            assessment_id=assessment_id,
            item_id=item_id,
            background=remove_file_after_commit(request, removed),
        )

    @get("/evidence/{evidence_id:int}/download", name="evidence_download")
    async def download(
        self, request: HTMXRequest, db: Db, user: LoggedIn, evidence_id: FromPath[int]
    ) -> Response[Any]:
        evidence = await service.get_visible(db, user, evidence_id)
        return download_response(evidence, uploads_dir(request))
