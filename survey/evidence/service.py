"""Evidence per answer: notes, links and files, with the access rules of the answer itself.

Whoever may change an answer may add or remove its evidence; whoever may see the
answer may read the evidence and download its files: the consolidated response for the
organisation's managers (and admins), a respondent's own response for that respondent,
and for the managers once it is submitted. Anything else is "not found".
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from survey.accounts.service import CurrentUser
from survey.assessments import service as assessments
from survey.assessments.models import Assessment, Evidence, EvidenceKind, Response
from survey.audit.service import record
from survey.errors import Conflict, Forbidden, Invalid, NotFound
from survey.evidence import files
from survey.i18n import gettext as _
from survey.organisations.service import can_view

URL_MAX_LENGTH = 2000
MAX_EVIDENCE_PER_ANSWER = 20


def _ensure_can_change(
    user: CurrentUser, context: assessments.AssessmentContext, item_id: str
) -> None:
    if context.questionnaire.item(item_id) is None:
        raise NotFound(_("This question does not exist in this questionnaire."))
    if not assessments.can_edit(user, context):
        own = (
            context.response.respondent_id == user.id
            if context.is_personal
            else assessments.is_manager(user, context.organisation.id)
        )
        if own:  # the right person, at the wrong moment
            raise Conflict(
                _("The answers can no longer change, so their evidence cannot change either.")
            )
        raise Forbidden(_("You cannot change the evidence of this answer."))


async def _count(db: AsyncSession, response_id: int, item_id: str) -> int:
    count = await db.scalar(
        select(func.count(Evidence.id)).where(
            Evidence.response_id == response_id, Evidence.item_id == item_id
        )
    )
    return int(count or 0)


async def _add(
    db: AsyncSession,
    user: CurrentUser,
    context: assessments.AssessmentContext,
    item_id: str,
    kind: EvidenceKind,
    **content: Any,
) -> Evidence:
    """Attach evidence of ``kind`` (its ``content`` fields) to the answer in the caller's response."""
    evidence = Evidence(
        response_id=context.response.id, item_id=item_id, kind=kind, created_by=user.id, **content
    )
    if await _count(db, context.response.id, item_id) >= MAX_EVIDENCE_PER_ANSWER:
        raise Invalid(
            {
                "evidence": _(
                    "An answer can have at most %(n)s pieces of evidence.",
                    n=MAX_EVIDENCE_PER_ANSWER,
                )
            }
        )
    db.add(evidence)
    await db.flush()
    record(
        db,
        actor_id=user.id,
        action="evidence.add",
        object_type="evidence",
        object_id=evidence.id,
        organisation_id=context.organisation.id,
        assessment_id=context.assessment.id,
        item_id=evidence.item_id,
        kind=evidence.kind.value,
    )
    return evidence


async def add_note(
    db: AsyncSession,
    user: CurrentUser,
    context: assessments.AssessmentContext,
    item_id: str,
    note: str,
) -> Evidence:
    _ensure_can_change(user, context, item_id)
    text = (note or "").strip()
    if not text:
        raise Invalid({"note": _("Write the note.")})
    # Its length is a limit of EvidenceCreate (its Meta), which the API and the form decode into.
    return await _add(db, user, context, item_id, EvidenceKind.NOTE, note=text)


def clean_url(raw: str) -> str:
    """An http(s) address as typed, with ``https://`` added when no scheme is given."""
    url = (raw or "").strip()
    if not url:
        raise Invalid({"url": _("Enter the address of the web page or document.")})
    if "://" not in url:
        url = "https://" + url
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError:  # e.g. an unclosed [ in the host
        hostname = None
    if (
        hostname is None
        or parts.scheme not in ("http", "https")
        or "." not in hostname
        or not url.isprintable()
        or any(ch.isspace() for ch in url)
    ):
        raise Invalid({"url": _("Enter a web address that starts with https:// or http://.")})
    if len(url) > URL_MAX_LENGTH:
        raise Invalid({"url": _("Use at most %(n)s characters.", n=URL_MAX_LENGTH)})
    return url


async def add_link(
    db: AsyncSession,
    user: CurrentUser,
    context: assessments.AssessmentContext,
    item_id: str,
    url: str,
) -> Evidence:
    _ensure_can_change(user, context, item_id)
    return await _add(db, user, context, item_id, EvidenceKind.LINK, url=clean_url(url))


async def add_file(
    db: AsyncSession,
    uploads_dir: Path,
    user: CurrentUser,
    context: assessments.AssessmentContext,
    item_id: str,
    file_name: str,
    data: bytes,
) -> Evidence:
    """Keep an uploaded file if its content is an allowed type and it is at most 10 MB."""
    _ensure_can_change(user, context, item_id)
    if not data:
        raise Invalid({"file": _("Choose a file.")})
    if len(data) > files.MAX_FILE_SIZE:
        raise Invalid(
            {"file": _("The file is larger than 10 MB. Attach a smaller file or a link.")}
        )
    content_type = files.sniff_content_type(data)
    if content_type is None:
        raise Invalid(
            {
                "file": _(
                    "This kind of file cannot be attached. Use a PDF, an image (PNG, JPEG, GIF, "
                    "WebP) or an office document (Word, Excel, PowerPoint, OpenDocument)."
                )
            }
        )
    key = files.store(uploads_dir, data)
    try:
        return await _add(
            db,
            user,
            context,
            item_id,
            EvidenceKind.FILE,
            file_name=files.clean_file_name(file_name),
            content_type=content_type,
            size=len(data),
            storage_key=key,
        )
    except Exception:
        files.remove(uploads_dir, key)
        raise


async def delete(
    db: AsyncSession,
    user: CurrentUser,
    context: assessments.AssessmentContext,
    evidence_id: int,
) -> Evidence:
    """Remove one piece of evidence. Its file (``storage_key``) is for the caller to remove
    once the transaction is committed, so a failed commit never loses a file."""
    evidence = await db.get(Evidence, evidence_id)
    if evidence is None or evidence.response_id != context.response.id:
        raise NotFound(_("This evidence does not exist."))
    _ensure_can_change(user, context, evidence.item_id)
    await db.delete(evidence)
    await db.flush()
    record(
        db,
        actor_id=user.id,
        action="evidence.remove",
        object_type="evidence",
        object_id=evidence_id,
        organisation_id=context.organisation.id,
        assessment_id=context.assessment.id,
        item_id=evidence.item_id,
    )
    return evidence


async def for_response(db: AsyncSession, response_id: int) -> dict[str, list[Evidence]]:
    """The evidence of one response by item id, oldest first."""
    by_item: dict[str, list[Evidence]] = defaultdict(list)
    for evidence in await db.scalars(
        select(Evidence).where(Evidence.response_id == response_id).order_by(Evidence.id)
    ):
        by_item[evidence.item_id].append(evidence)
    return dict(by_item)


async def get_visible(db: AsyncSession, user: CurrentUser, evidence_id: int) -> Evidence:
    """The evidence if the caller may see its answer; anything else is "not found"."""
    evidence = await db.get(Evidence, evidence_id)
    response = await db.get(Response, evidence.response_id) if evidence else None
    assessment = await db.get(Assessment, response.assessment_id) if response else None
    if evidence is None or response is None or assessment is None:
        raise NotFound(_("This evidence does not exist."))
    organisation_id = assessment.organisation_id
    if not can_view(user, organisation_id):
        raise NotFound(_("This evidence does not exist."))
    manager_view = assessments.works_on_consolidated(user, organisation_id)
    visible = (
        (response.is_consolidated and manager_view)
        or response.respondent_id == user.id
        or (manager_view and response.submitted_at is not None)
    )
    if not visible:  # own organisation, but not this person's to see (DESIGN §9: 403)
        raise Forbidden(_("Only the people who may see this answer can open its evidence."))
    return evidence


async def referenced_storage_keys(db: AsyncSession) -> set[str]:
    """The storage keys of all evidence files (for :func:`files.remove_unreferenced`).

    A sweep reads them first and ends its transaction before it touches the file
    system, so it never holds the database while walking the uploads folder. A file is
    written before its evidence row is committed, and the file of removed evidence is
    deleted after the commit: a failed commit or a crash in between leaves a file no
    evidence refers to, which the sweep removes once it is old enough.
    """
    return {key for key in await db.scalars(select(Evidence.storage_key)) if key is not None}
