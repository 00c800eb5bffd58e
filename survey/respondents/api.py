from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from survey.accounts.dependencies import LoggedIn
from survey.assessments import service as assessments
from survey.evidence.views import remove_files_after_commit
from survey.respondents import consolidation, invitations, service
from survey.respondents.schemas import (
    ConsolidationRead,
    InvitationCreate,
    ItemConsensusRead,
    PrefillRead,
    PrefillRequest,
    RespondentAnswerRead,
    RespondentRead,
)
from survey.respondents.views import link_base, mail_after_commit
from survey.web.dependencies import Db


def _respondent_read(row: service.RespondentRow) -> RespondentRead:
    return RespondentRead(
        invitation_id=row.invitation.id,
        email=row.invitation.email,
        name=row.respondent_name,
        state=row.state,
        answered=row.answered,
        applicable=row.applicable,
        invited_at=row.invitation.created_at,
        expires_at=row.invitation.expires_at,
        submitted_at=row.submitted_at,
    )


class RespondentApi(Controller):
    path = "/api/v1/assessments/{assessment_id:int}"
    tags = ["respondents"]

    @get("/respondents", name="api_respondents_respondents")
    async def respondents(
        self, db: Db, user: LoggedIn, assessment_id: FromPath[int]
    ) -> list[RespondentRead]:
        """Invited people and their progress (managers; answers only via the consolidation)."""
        context = await assessments.get_context(db, user, assessment_id)
        return [_respondent_read(row) for row in await service.respondent_rows(db, user, context)]

    @post("/invitations", status_code=HTTP_201_CREATED, name="api_respondents_invite")
    async def invite(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        user: LoggedIn,
        assessment_id: FromPath[int],
        data: JSONBody[InvitationCreate],
    ) -> Response[RespondentRead]:
        """Invite a person by e-mail; the link goes only to their mailbox."""
        context = await assessments.get_context(db, user, assessment_id, for_change=True)
        invited = await invitations.invite(
            db,
            user,
            context,
            email=data.email,
            name=data.name,
            language=data.language,
            base_url=link_base(request),
        )
        rows = await service.respondent_rows(db, user, context)
        row = next(r for r in rows if r.invitation.id == invited.invitation.id)
        return Response(
            _respondent_read(row),
            status_code=HTTP_201_CREATED,
            background=mail_after_commit(request, invited),
        )

    @delete(
        "/invitations/{invitation_id:int}",
        status_code=HTTP_204_NO_CONTENT,
        name="api_respondents_revoke",
    )
    async def revoke(
        self, db: Db, user: LoggedIn, assessment_id: FromPath[int], invitation_id: FromPath[int]
    ) -> None:
        """Withdraw an invitation that was not accepted yet."""
        context = await assessments.get_context(db, user, assessment_id, for_change=True)
        await invitations.revoke(db, user, context, invitation_id)

    @delete(
        "/respondents/{invitation_id:int}",
        status_code=HTTP_204_NO_CONTENT,
        name="api_respondents_remove",
    )
    async def remove(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        user: LoggedIn,
        assessment_id: FromPath[int],
        invitation_id: FromPath[int],
    ) -> Response[None]:
        """Take a person who accepted their invitation off the assessment: their own response,
        answers and evidence go; the organisation's answers stay."""
        context = await assessments.get_context(db, user, assessment_id, for_change=True)
        storage_keys = await invitations.remove_respondent(db, user, context, invitation_id)
        return Response(
            None,
            status_code=HTTP_204_NO_CONTENT,
            background=remove_files_after_commit(request, storage_keys),
        )

    @get("/consolidation", name="api_respondents_consolidation")
    async def consolidation(
        self, db: Db, user: LoggedIn, assessment_id: FromPath[int]
    ) -> ConsolidationRead:
        """Per item: submitted answers, starting value (lower median / most frequent), IQR, r_wg."""
        context = await assessments.get_context(db, user, assessment_id)
        items, n_submitted = await consolidation.consolidation(db, user, context)
        return ConsolidationRead(
            assessment_id=assessment_id,
            submitted_responses=n_submitted,
            items=[
                ItemConsensusRead(
                    item_id=c.item.id,
                    n=c.n,
                    answers=[
                        RespondentAnswerRead(a.name, a.value, a.not_applicable, a.count_problem)
                        for a in c.answers
                    ],
                    suggestion=c.suggestion,
                    suggest_not_applicable=c.suggest_not_applicable,
                    iqr=c.iqr,
                    rwg=c.agreement,
                    needs_discussion=c.needs_discussion,
                    count_problem=c.count_problem,
                )
                for c in items
            ],
        )

    @post("/consolidation/prefill", status_code=HTTP_200_OK, name="api_respondents_prefill")
    async def prefill(
        self, db: Db, user: LoggedIn, assessment_id: FromPath[int], data: JSONBody[PrefillRequest]
    ) -> PrefillRead:
        """Fill the consolidated response from the submitted responses (empty items, or all)."""
        context = await assessments.get_context(db, user, assessment_id, for_change=True)
        prefilled = await consolidation.prefill(db, user, context, overwrite=data.overwrite)
        return PrefillRead(changed=prefilled.changed, skipped=prefilled.skipped)
