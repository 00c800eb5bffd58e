from __future__ import annotations

from litestar import Controller, get, patch
from litestar.params import FromPath, JSONBody

from survey.accounts.dependencies import LoggedIn
from survey.organisations import service
from survey.organisations.schemas import OrganisationRead, OrganisationUpdate
from survey.web.dependencies import Db


class OrganisationApi(Controller):
    path = "/api/v1/organisations"
    tags = ["organisations"]

    @get("/{organisation_id:int}", name="api_organisations_read")
    async def read(
        self, db: Db, user: LoggedIn, organisation_id: FromPath[int]
    ) -> OrganisationRead:
        """An organisation the caller may see (404 otherwise)."""
        return service.to_read(await service.get_visible(db, user, organisation_id))

    @patch("/{organisation_id:int}", name="api_organisations_update")
    async def update(
        self,
        db: Db,
        user: LoggedIn,
        organisation_id: FromPath[int],
        data: JSONBody[OrganisationUpdate],
    ) -> OrganisationRead:
        """Edit the profile (managers of the organisation). Invalid fields: 400 naming each field."""
        return service.to_read(await service.update_profile(db, user, organisation_id, data))
