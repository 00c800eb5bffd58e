from __future__ import annotations

from litestar import Controller, get

from survey.accounts.dependencies import LoggedIn
from survey.rounds.schemas import RoundRead
from survey.rounds.service import list_rounds, today
from survey.web.dependencies import Db


class RoundApi(Controller):
    path = "/api/v1/rounds"
    tags = ["rounds"]

    @get("/", name="api_rounds_rounds")
    async def rounds(self, db: Db, user: LoggedIn) -> list[RoundRead]:
        """Rounds with their dates and state, newest first."""
        day = today()
        return [
            RoundRead(
                name=r.name,
                opens_on=r.opens_on,
                closes_on=r.closes_on,
                state=r.state_on(day).value,
                closed_at=r.closed_at,
            )
            for r in await list_rounds(db)
        ]
