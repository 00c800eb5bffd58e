from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect

from survey.accounts.dependencies import LoggedIn
from survey.errors import Forbidden, Invalid
from survey.i18n import gettext as _
from survey.organisations import service
from survey.organisations.presenters import choices, profile_values
from survey.organisations.schemas import OrganisationUpdate
from survey.web.dependencies import Db
from survey.web.input import FORM_CHECKS_NUL, refuse_nul_in_form
from survey.web.rendering import render


def profile_from_form(form: dict[str, str]) -> OrganisationUpdate:
    """The submitted values as they are; the service checks every field."""
    text_fields = ("name", "enterprise_number", "sector", "size_band", "municipality")
    values = {field: (form.get(field) or "").strip() for field in text_fields}
    return OrganisationUpdate(**values, funded_by_vgc="funded_by_vgc" in form)


class OrganisationViews(Controller):
    path = "/organisations"
    include_in_schema = False

    @get("/{organisation_id:int}/edit", name="organisation_edit")
    async def edit_page(
        self,
        request: Request[Any, Any, Any],
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

    @post("/{organisation_id:int}/edit", opt={FORM_CHECKS_NUL: True})
    async def edit(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        user: LoggedIn,
        organisation_id: FromPath[int],
        data: URLEncodedBody[dict[str, str]],
    ) -> Response[Any]:
        organisation = await service.get_visible(db, user, organisation_id)
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
                block="form" if request.headers.get("hx-request") else None,
            )
        request.session["flash"] = _("The profile was saved.")
        target = request.app.route_reverse("organisation", organisation_id=organisation_id)
        if request.headers.get("hx-request"):
            return Response(content="", status_code=200, headers={"HX-Redirect": target})
        return Redirect(path=target, status_code=303)
