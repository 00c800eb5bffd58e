from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from survey.accounts.dependencies import LoggedIn
from survey.assessments import service as assessments
from survey.assessments.models import Evidence
from survey.errors import Invalid
from survey.evidence import files, service
from survey.evidence.schemas import EvidenceCreate, EvidenceRead
from survey.evidence.views import (
    UPLOAD_BODY_LIMIT,
    download_response,
    remove_file_after_commit,
    uploads_dir,
)
from survey.i18n import gettext as _
from survey.web.dependencies import Db


def evidence_read(request: Request[Any, Any, Any], evidence: Evidence) -> EvidenceRead:
    download_url = (
        request.app.route_reverse("api_evidence_download", evidence_id=evidence.id)
        if evidence.storage_key
        else None
    )
    return EvidenceRead(
        id=evidence.id,
        item_id=evidence.item_id,
        kind=evidence.kind.value,
        note=evidence.note,
        url=evidence.url,
        file_name=evidence.file_name,
        content_type=evidence.content_type,
        size=evidence.size,
        download_url=download_url,
        created_at=evidence.created_at,
    )


@dataclass
class FileUpload:
    """The multipart body of a file upload: one field `file`."""

    file: UploadFile | None = None


class EvidenceApi(Controller):
    path = "/api/v1"
    tags = ["evidence"]

    @get("/assessments/{assessment_id:int}/evidence", name="api_evidence_list_evidence")
    async def list_evidence(
        self, request: Request[Any, Any, Any], db: Db, user: LoggedIn, assessment_id: FromPath[int]
    ) -> list[EvidenceRead]:
        """The evidence of the caller's response (the consolidated one for managers)."""
        context = await assessments.get_context(db, user, assessment_id)
        by_item = await service.for_response(db, context.response.id)
        return [evidence_read(request, e) for items in by_item.values() for e in items]

    @post(
        "/assessments/{assessment_id:int}/evidence/{item_id:str}",
        status_code=HTTP_201_CREATED,
        name="api_evidence_add",
    )
    async def add(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        user: LoggedIn,
        assessment_id: FromPath[int],
        item_id: FromPath[str],
        data: JSONBody[EvidenceCreate],
    ) -> EvidenceRead:
        """Add a note or a link to one answer."""
        context = await assessments.get_context(db, user, assessment_id, for_change=True)
        if data.kind == "note":
            evidence = await service.add_note(db, user, context, item_id, data.note or "")
        else:
            evidence = await service.add_link(db, user, context, item_id, data.url or "")
        return evidence_read(request, evidence)

    @post(
        "/assessments/{assessment_id:int}/evidence/{item_id:str}/file",
        status_code=HTTP_201_CREATED,
        request_max_body_size=UPLOAD_BODY_LIMIT,
        name="api_evidence_add_file",
    )
    async def add_file(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        user: LoggedIn,
        assessment_id: FromPath[int],
        item_id: FromPath[str],
        data: Annotated[FileUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> EvidenceRead:
        """Attach a file (multipart field `file`): PDF, image or office document, at most 10 MB,
        its type checked by content."""
        context = await assessments.get_context(db, user, assessment_id, for_change=True)
        upload = data.file
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise Invalid({"file": _("Choose a file.")})
        content = await upload.read(files.MAX_FILE_SIZE + 1)
        evidence = await service.add_file(
            db, uploads_dir(request), user, context, item_id, upload.filename, content
        )
        return evidence_read(request, evidence)

    @delete(
        "/assessments/{assessment_id:int}/evidence/{evidence_id:int}",
        status_code=HTTP_204_NO_CONTENT,
        name="api_evidence_remove",
    )
    async def remove(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        user: LoggedIn,
        assessment_id: FromPath[int],
        evidence_id: FromPath[int],
    ) -> Response[None]:
        """Remove one piece of evidence (and its file)."""
        context = await assessments.get_context(db, user, assessment_id, for_change=True)
        removed = await service.delete(db, user, context, evidence_id)
        return Response(
            None,
            status_code=HTTP_204_NO_CONTENT,
            background=remove_file_after_commit(request, removed),
        )

    @get(
        "/evidence/{evidence_id:int}/download",
        media_type="application/octet-stream",
        name="api_evidence_download",
    )
    async def download(
        self, request: Request[Any, Any, Any], db: Db, user: LoggedIn, evidence_id: FromPath[int]
    ) -> Response[Any]:
        """The attached file, for people who may see its answer."""
        evidence = await service.get_visible(db, user, evidence_id)
        return download_response(evidence, uploads_dir(request))
