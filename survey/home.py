"""The home page (the caller's organisations and the current round), health check and
"page not found" for any other address: pages above the domains, served by the app."""

from __future__ import annotations

from typing import Any

from litestar import Controller, HttpMethod, Request, Response, get, route

from survey.accounts.dependencies import MaybeLoggedIn
from survey.errors import NotFound
from survey.i18n import gettext as _
from survey.organisations.service import list_for_user
from survey.rounds.service import current_round
from survey.web.dependencies import Db
from survey.web.rendering import render


class PageViews(Controller):
    include_in_schema = False

    @get("/", name="home")
    async def home(
        self, request: Request[Any, Any, Any], db: Db, current_user: MaybeLoggedIn
    ) -> Response[Any]:
        organisations = await list_for_user(db, current_user) if current_user else []
        return render(
            request,
            "home.html",
            {"organisations": organisations, "round": await current_round(db)},
        )

    @get("/healthz", name="health")
    async def health(self) -> dict[str, str]:
        return {"status": "ok"}

    @route(
        "/{unknown:path}",
        http_method=[
            HttpMethod.GET,
            HttpMethod.POST,
            HttpMethod.PUT,
            HttpMethod.PATCH,
            HttpMethod.DELETE,
        ],
        name="not_found",
    )
    async def not_found(self, current_user: MaybeLoggedIn) -> None:
        """Any other address: "page not found", rendered like every page (the person's
        language and login; without a matching route no middleware would run)."""
        raise NotFound(_("This page does not exist, or you do not have access to it."))
