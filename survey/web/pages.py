from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get

from survey.organisations.service import list_for_user
from survey.rounds.service import current_round
from survey.web.dependencies import Db, MaybeLoggedIn
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
