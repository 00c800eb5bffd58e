"""Support requests, sharing, caseload, coach notes and goals under /api/v1 (DESIGN §9)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.background_tasks import BackgroundTask
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from survey.accounts.dependencies import LoggedIn
from survey.accounts.service import CurrentUser
from survey.trajectories import requests as service
from survey.trajectories import sharing, workspace
from survey.trajectories.models import SupportRequest
from survey.trajectories.schemas import (
    CaseloadEntry,
    CoachNoteCreate,
    CoachNoteRead,
    GoalRead,
    GoalWrite,
    HistoryEntry,
    ShareRead,
    SupportRequestCreate,
    SupportRequestPatch,
    SupportRequestRead,
)
from survey.web.dependencies import Db


def public_base(request: Request[Any, Any, Any]) -> str:
    """Where e-mail links point: the configured public address; in development, the
    address of the request."""
    public_url: str = request.app.state.settings.public_url
    return public_url or str(request.base_url)


def mails_after_commit(request: Request[Any, Any, Any], outcome: service.Outcome) -> BackgroundTask:
    return BackgroundTask(service.send_mails, request.app.state.settings, outcome.mails)


async def request_read(
    db: AsyncSession, user: CurrentUser, request: SupportRequest, *, full: bool = True
) -> SupportRequestRead:
    read = SupportRequestRead(
        id=request.id,
        organisation_id=request.organisation_id,
        trajectory_id=request.trajectory_id,
        provider=request.provider.value,
        partner=request.partner.value if request.partner else None,
        state=request.state.value,
        message=request.message,
        assessment_id=request.assessment_id,
        created_at=request.created_at,
        updated_at=request.updated_at,
        allowed_states=[s.value for s in service.allowed_moves(user, request)],
    )
    if full:
        read.history = [
            HistoryEntry(
                at=change.at,
                author=author,
                from_state=change.from_state.value if change.from_state else None,
                to_state=change.to_state.value,
                note=change.note,
            )
            for change, author in await service.history(db, request.id)
        ]
        read.goals = [
            GoalRead(
                questionnaire_id=goal.questionnaire_id,
                dimension_id=goal.dimension_id,
                target_level=goal.target_level,
                round=round_name,
            )
            for goal, round_name in await workspace.goals_of(db, request.id)
        ]
    return read


def share_reads(views: list[sharing.ShareView]) -> list[ShareRead]:
    return [ShareRead(provider=v.provider.value, active=v.active, since=v.since) for v in views]


class SupportRequestApi(Controller):
    path = "/api/v1/support-requests"
    tags = ["support requests"]

    @post("/", status_code=HTTP_201_CREATED)
    async def create(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        user: LoggedIn,
        data: JSONBody[SupportRequestCreate],
    ) -> Response[SupportRequestRead]:
        """Request a trajectory for an organisation (its manager). Turns the consent to share
        on for the trajectory's provider. A second open request for the same trajectory:
        409 with its `id`."""
        outcome = await service.create(
            db,
            user,
            data.organisation_id,
            data.trajectory_id,
            message=data.message,
            assessment_id=data.assessment_id,
            base_url=public_base(request),
        )
        return Response(
            await request_read(db, user, outcome.request),
            status_code=HTTP_201_CREATED,
            background=mails_after_commit(request, outcome),
        )

    @get("/")
    async def list_requests(self, db: Db, user: LoggedIn) -> list[SupportRequestRead]:
        """The requests the caller may see: managers their organisations', coaches their
        provider's."""
        return [
            await request_read(db, user, r, full=False)
            for r in await service.list_visible(db, user)
        ]

    @get("/{request_id:int}")
    async def read(self, db: Db, user: LoggedIn, request_id: FromPath[int]) -> SupportRequestRead:
        """One request with its dated history and goals."""
        return await request_read(db, user, await service.get_visible(db, user, request_id))

    @patch("/{request_id:int}", status_code=HTTP_200_OK)
    async def change(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        user: LoggedIn,
        request_id: FromPath[int],
        data: JSONBody[SupportRequestPatch],
    ) -> Response[SupportRequestRead]:
        """Move the request: the provider's coaches `intake`, `running`, `completed`, or
        `declined` from an open state; the manager `withdrawn` while it is open. Any other
        move: 409 saying why; another provider's request: 404."""
        outcome = await service.change_state(
            db, user, request_id, data.state, data.note, base_url=public_base(request)
        )
        return Response(
            await request_read(db, user, outcome.request),
            background=mails_after_commit(request, outcome),
        )

    @put("/{request_id:int}/goals", status_code=HTTP_200_OK)
    async def goals(
        self,
        db: Db,
        user: LoggedIn,
        request_id: FromPath[int],
        data: JSONBody[list[GoalWrite]],
    ) -> SupportRequestRead:
        """Set the goals of a running request (its provider's coaches): dimension, target
        maturity level, by which round."""
        request = await workspace.set_goals(
            db,
            user,
            request_id,
            [workspace.GoalInput(g.dimension_id, g.target_level, g.round) for g in data],
        )
        return await request_read(db, user, request)


class ShareApi(Controller):
    path = "/api/v1/organisations/{organisation_id:int}"
    tags = ["sharing"]

    @get("/shares")
    async def shares(
        self, db: Db, user: LoggedIn, organisation_id: FromPath[int]
    ) -> list[ShareRead]:
        """The organisation's consent per provider (its manager)."""
        await sharing.managed_organisation(db, user, organisation_id)
        return share_reads(await sharing.shares_of(db, organisation_id))

    @put("/shares/{provider:str}", status_code=HTTP_200_OK)
    async def grant(
        self, db: Db, user: LoggedIn, organisation_id: FromPath[int], provider: FromPath[str]
    ) -> list[ShareRead]:
        """Share results, answers and evidence with a provider's coaches (manager only)."""
        views = await sharing.grant(db, user, organisation_id, sharing.parse_provider(provider))
        return share_reads(views)

    @delete("/shares/{provider:str}", status_code=HTTP_200_OK)
    async def revoke(
        self, db: Db, user: LoggedIn, organisation_id: FromPath[int], provider: FromPath[str]
    ) -> list[ShareRead]:
        """Stop sharing with a provider, at once (manager only); requests stay visible."""
        views = await sharing.revoke(db, user, organisation_id, sharing.parse_provider(provider))
        return share_reads(views)

    @get("/coach-notes")
    async def notes(
        self, db: Db, user: LoggedIn, organisation_id: FromPath[int]
    ) -> list[CoachNoteRead]:
        """The caller's provider's notes on an organisation it follows (coaches only)."""
        return [
            CoachNoteRead(
                id=note.id,
                provider=note.provider.value,
                author=author,
                body=note.body,
                created_at=note.created_at,
            )
            for note, author in await workspace.notes(db, user, organisation_id)
        ]

    @post("/coach-notes", status_code=HTTP_201_CREATED)
    async def add_note(
        self,
        db: Db,
        user: LoggedIn,
        organisation_id: FromPath[int],
        data: JSONBody[CoachNoteCreate],
    ) -> CoachNoteRead:
        """Add a private note (never shown to the organisation)."""
        note = await workspace.add_note(db, user, organisation_id, data.body)
        return CoachNoteRead(
            id=note.id,
            provider=note.provider.value,
            author=user.name,
            body=note.body,
            created_at=note.created_at,
        )


class CaseloadApi(Controller):
    path = "/api/v1/caseload"
    tags = ["coaching"]

    @get("/")
    async def caseload(self, db: Db, user: LoggedIn) -> list[CaseloadEntry]:
        """The organisations that share with or asked the caller's provider, what needs
        attention first (new requests first)."""
        return [
            CaseloadEntry(
                organisation_id=case.organisation.id,
                name=case.organisation.name,
                sector=case.organisation.sector,
                municipality=case.organisation.municipality,
                shares=case.shares,
                open_requests=len(case.open_requests),
                newest_state=case.requests[-1].state.value if case.requests else None,
                attention=case.attention,
                goals_reached=case.goals_reached,
                goals_total=case.goals_total,
            )
            for case in await workspace.caseload(db, user)
        ]
