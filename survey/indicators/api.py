"""JSON: network indicators under /api/v1 (analysts and admins; DESIGN §9)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.params import QueryParameter

from survey.accounts.dependencies import MaybeLoggedIn
from survey.errors import Invalid, NotAuthenticated
from survey.i18n import gettext as _
from survey.indicators.core import ALL
from survey.indicators.exports import export_response
from survey.indicators.presenters import indicators_read
from survey.indicators.schemas import IndicatorsRead
from survey.indicators.service import Filters, ReleaseView, read_cells
from survey.indicators.tokens import bearer_token, check_token
from survey.organisations.reference import MUNICIPALITY_CODES, SECTORS, SIZE_BANDS
from survey.web.dependencies import Db
from survey.web.openapi import NEEDS_LOGIN

INDICATOR_API_PATHS = ("/api/v1/indicators", "/api/v1/indicators/export")
"""The routes a read-only API token reaches (see :mod:`survey.web.bearer`)."""

Query = Annotated[str | None, QueryParameter(max_length=80)]
Round = Annotated[str | None, QueryParameter(name="round", max_length=40)]


def parse_filters(
    sector: str | None,
    size: str | None,
    municipality: str | None,
    funded: str | None,
    questionnaire: str | None,
    dimension: str | None,
) -> Filters:
    """Filters from query values; an unknown value is refused, naming the field."""
    errors: dict[str, str] = {}
    if sector and sector not in SECTORS:
        errors["sector"] = _("Choose a sector from the list.")
    if size and size not in SIZE_BANDS:
        errors["size"] = _("Choose a size band from the list.")
    if municipality and municipality not in MUNICIPALITY_CODES:
        errors["municipality"] = _("Choose a municipality from the list.")
    if funded and funded not in ("true", "false"):
        errors["funded"] = _("Choose yes or no.")
    if errors:
        raise Invalid(errors)
    return Filters(
        sector=sector or ALL,
        size_band=size or ALL,
        municipality=municipality or ALL,
        funded=funded or ALL,
        questionnaire=questionnaire or None,
        dimension=dimension or None,
    )


async def _read(
    request: Request[Any, Any, Any],
    db: Db,
    current_user: MaybeLoggedIn,
    round_name: str | None,
    filters: Filters,
) -> tuple[ReleaseView, int | None]:
    """The view for an analyst or admin (session), or for a read-only API token."""
    token = bearer_token(request.headers.get("authorization"))
    if token is not None:
        await check_token(db, token)
        return await read_cells(db, None, round_name, filters), None
    if current_user is None:
        raise NotAuthenticated()
    return await read_cells(db, current_user, round_name, filters), current_user.id


class IndicatorApi(Controller):
    path = "/api/v1/indicators"
    tags = ["indicators"]

    @get("/", opt={NEEDS_LOGIN: True})
    async def indicators(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        current_user: MaybeLoggedIn,
        round_name: Round = None,
        questionnaire: Query = None,
        dimension: Query = None,
        sector: Query = None,
        size: Query = None,
        municipality: Query = None,
        funded: Query = None,
    ) -> IndicatorsRead:
        """Network indicators of a round (default: the open round, else the latest) from its
        latest release, for one filter combination (VGC analysts, admins, read-only API
        tokens). Every cell carries ``n_organisations`` and ``suppressed``; a suppressed
        cell (fewer than 5 organisations, or protecting another one) carries no value."""
        filters = parse_filters(sector, size, municipality, funded, questionnaire, dimension)
        view, _actor = await _read(request, db, current_user, round_name, filters)
        return indicators_read(view)

    @get("/export", opt={"writes": True, NEEDS_LOGIN: True})
    async def export(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        current_user: MaybeLoggedIn,
        export_format: Annotated[str, QueryParameter(name="format", max_length=4)] = "csv",
        round_name: Round = None,
        questionnaire: Query = None,
        dimension: Query = None,
        sector: Query = None,
        size: Query = None,
        municipality: Query = None,
        funded: Query = None,
    ) -> Response[bytes]:
        """The same cells as a CSV or XLSX file, with the round, release and filters in it."""
        filters = parse_filters(sector, size, municipality, funded, questionnaire, dimension)
        view, actor = await _read(request, db, current_user, round_name, filters)
        return export_response(db, actor, indicators_read(view), export_format)
