"""An organisation's page: its profile and its assessments of the current and earlier rounds.

It lives with the assessments (which know the organisations) so that organisations need
not know the assessments; the URL and the route name are the organisation's.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest

from survey.accounts.dependencies import LoggedIn
from survey.assessments import service as assessment_service
from survey.i18n import current_language
from survey.organisations import service as organisations
from survey.organisations.presenters import organisation_header
from survey.questionnaires.publishing import definition_of
from survey.web.dependencies import Db
from survey.web.rendering import render


class OrganisationPageViews(Controller):
    path = "/organisations"
    include_in_schema = False

    @get("/{organisation_id:int}", name="organisation")
    async def page(
        self,
        request: HTMXRequest,
        db: Db,
        user: LoggedIn,
        organisation_id: FromPath[int],
    ) -> Response[Any]:
        organisation = await organisations.get_visible(db, user, organisation_id)
        round_, statuses, earlier = await assessment_service.organisation_overview(
            db, organisation_id, current_language()
        )
        return render(
            request,
            "organisations/detail.html",
            {
                "round": round_,
                "statuses": statuses,
                "earlier": earlier,
                "titles": {
                    listing.version.id: definition_of(listing.version).title.get(current_language())
                    for listing in earlier
                },
                "is_manager": assessment_service.is_manager(user, organisation_id),
                "sees_all": assessment_service.works_on_consolidated(user, organisation_id),
                "own_assessments": await assessment_service.personal_assessment_ids(db, user.id),
                "organisation": organisation,
                "header": organisation_header(organisation),
                "can_edit": organisations.can_edit(user, organisation_id),
            },
        )
