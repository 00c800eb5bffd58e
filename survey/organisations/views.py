from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.plugins.htmx import HTMXRequest

from survey.accounts.dependencies import LoggedIn
from survey.errors import Forbidden, Invalid
from survey.i18n import gettext as _
from survey.organisations import service
from survey.organisations.presenters import choices, profile_values
from survey.organisations.schemas import OrganisationUpdate
from survey.web.dependencies import Db
from survey.web.forms import decode_form, form_values
from survey.web.input import FORM_CHECKS_NUL
from survey.web.rendering import redirect_to, render


def profile_from_form(form: dict[str, str]) -> OrganisationUpdate:
    """The submitted profile within its limits and rules, or every problem at its field."""
    values = form_values(form, OrganisationUpdate, checkboxes=("funded_by_vgc",))
    return decode_form(values, OrganisationUpdate, rules=service.profile_errors, refuse_nul=True)


class OrganisationViews(Controller):
    path = "/organisations"
    include_in_schema = False

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
