from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.plugins.htmx import HTMXRequest

from survey.accounts.dependencies import LoggedIn
from survey.assessments import service as assessment_service
from survey.errors import Forbidden, Invalid
from survey.i18n import current_language
from survey.i18n import gettext as _
from survey.organisations import service
from survey.organisations.models import Organisation
from survey.organisations.reference import (
    MUNICIPALITY_CODES,
    OUTSIDE_BRUSSELS,
    SECTORS,
    SIZE_BANDS,
    format_enterprise_number,
    municipality_name,
)
from survey.organisations.schemas import OrganisationUpdate
from survey.questionnaires.publishing import definition_of
from survey.web.dependencies import Db
from survey.web.forms import decode_form, form_values
from survey.web.input import FORM_CHECKS_NUL, refuse_nul_in_form
from survey.web.rendering import redirect_to, render


def choices() -> dict[str, list[tuple[str, str]]]:
    language = current_language()
    return {
        "sectors": [(slug, _(label)) for slug, label in SECTORS.items()],
        "size_bands": [(slug, _(label)) for slug, label in SIZE_BANDS.items()],
        # alphabetical in the reader's language; "outside Brussels" stays last
        "municipalities": sorted(
            ((code, municipality_name(code, language)) for code in MUNICIPALITY_CODES),
            key=lambda choice: (choice[0] == OUTSIDE_BRUSSELS, choice[1].casefold()),
        ),
    }


def profile_values(organisation: Organisation) -> dict[str, Any]:
    return {
        "name": organisation.name,
        "enterprise_number": format_enterprise_number(organisation.enterprise_number),
        "sector": organisation.sector,
        "size_band": organisation.size_band,
        "municipality": organisation.municipality,
        "funded_by_vgc": organisation.funded_by_vgc,
    }


def profile_from_form(form: dict[str, str]) -> OrganisationUpdate:
    """The submitted profile within its limits and rules, or every problem at its field."""
    values = form_values(form, OrganisationUpdate, checkboxes=("funded_by_vgc",))
    return decode_form(values, OrganisationUpdate, rules=service.profile_errors)


class OrganisationViews(Controller):
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
        organisation = await service.get_visible(db, user, organisation_id)
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
                "profile": profile_values(organisation),
                "can_edit": service.can_edit(user, organisation_id),
                **choices(),
                "municipality_label": municipality_name(
                    organisation.municipality, current_language()
                ),
            },
        )

    @get("/{organisation_id:int}/edit", name="organisation_edit")
    async def edit_page(
        self,
        request: HTMXRequest,
        db: Db,
        user: LoggedIn,
        organisation_id: FromPath[int],
    ) -> Response[Any]:
        organisation = await service.get_visible(db, user, organisation_id)
        if not service.can_edit(user, organisation_id):
            raise Forbidden(_("Only the organisation's manager can edit its profile."))
        return render(
            request,
            "organisations/edit.html",
            {
                "organisation": organisation,
                "values": profile_values(organisation),
                "errors": {},
                **choices(),
            },
        )

    @post("/{organisation_id:int}/edit", opt={FORM_CHECKS_NUL: True}, name="organisation_update")
    async def edit(
        self,
        request: HTMXRequest,
        db: Db,
        user: LoggedIn,
        organisation_id: FromPath[int],
        data: URLEncodedBody[dict[str, str]],
    ) -> Response[Any]:
        organisation = await service.get_visible(db, user, organisation_id)
        if not service.can_edit(user, organisation_id):
            raise Forbidden(_("Only the organisation's manager can edit its profile."))
        try:
            refuse_nul_in_form(data)
            await service.update_profile(db, user, organisation_id, profile_from_form(data))
        except Invalid as invalid:
            values = {
                **profile_values(organisation),
                **data,
                "funded_by_vgc": "funded_by_vgc" in data,
            }
            return render(
                request,
                "organisations/edit.html",
                {
                    "organisation": organisation,
                    "values": values,
                    "errors": invalid.errors,
                    **choices(),
                },
                status_code=422,
                block="form" if request.htmx else None,
            )
        request.session["flash"] = _("The profile was saved.")
        return redirect_to(request, "organisation", organisation_id=organisation_id)
