"""JSON: network indicators under /api/v1 (analysts and admins; DESIGN §9)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.params import QueryParameter

from survey.accounts.dependencies import MaybeLoggedIn
from survey.accounts.service import CurrentUser
from survey.errors import NotAuthenticated
from survey.i18n import current_language
from survey.indicators.exports import export_response
from survey.indicators.filters import FILTERS, IndicatorFilters, published_definitions
from survey.indicators.reading import read_any, read_municipalities, read_spearheads, read_view
from survey.indicators.schemas import IndicatorsRead, MunicipalitiesRead, SpearheadsRead
from survey.indicators.tokens import bearer_token, check_token
from survey.web.dependencies import Db
from survey.web.openapi import NEEDS_LOGIN

INDICATOR_API_PATHS = (
    "/api/v1/indicators",
    "/api/v1/indicators/export",
    "/api/v1/indicators/spearheads",
    "/api/v1/indicators/municipalities",
)
"""The routes a read-only API token reaches (see :mod:`survey.web.bearer`)."""

Round = Annotated[str | None, QueryParameter(name="round", max_length=40)]
View = Annotated[
    str,
    QueryParameter(
        name="view",
        max_length=20,
        description="`cells` (one filter combination), `spearheads` (by spearhead of the "
        "VGC policy plan) or `municipalities` (one row per municipality)",
    ),
]


async def _caller(
    request: Request[Any, Any, Any], db: Db, current_user: MaybeLoggedIn
) -> tuple[CurrentUser | None, int | None]:
    """(the user whose access the service checks, the actor to audit): an analyst or admin
    with a session, or (None, None) for a valid read-only API token."""
    token = bearer_token(request.headers.get("authorization"))
    if token is not None:
        await check_token(db, token)
        return None, None
    if current_user is None:
        raise NotAuthenticated()
    return current_user, current_user.id


class IndicatorApi(Controller):
    path = "/api/v1/indicators"
    tags = ["indicators"]
    dependencies = FILTERS

    @get("/", opt={NEEDS_LOGIN: True})
    async def indicators(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        current_user: MaybeLoggedIn,
        filter_form: IndicatorFilters,
        round_name: Round = None,
    ) -> IndicatorsRead:
        """Network indicators of a round (default: the open round, else the latest) from its
        latest release, for one filter combination (VGC analysts, admins, read-only API
        tokens). Every cell carries ``n_organisations`` and ``suppressed``; a suppressed
        cell (fewer than 5 organisations, or protecting another one) carries no value.
        An unknown filter value is refused (400) with a message per field in ``errors``."""
        user, _actor = await _caller(request, db, current_user)
        filters = filter_form.valid()
        return (await read_view(db, user, round_name, filters))[1]

    @get("/spearheads", opt={NEEDS_LOGIN: True})
    async def spearheads(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        current_user: MaybeLoggedIn,
        filter_form: IndicatorFilters,
        round_name: Round = None,
    ) -> SpearheadsRead:
        """The same cells by spearhead of the VGC policy plan "Samenleven in Brussel"
        2022-2025: for each of its 14 spearheads, the questionnaire parts that inform it
        (``measured`` false: none does) with their ``scores`` and ``change`` cells from the
        release, and for the spearhead on diverse teams the team-composition cells. The
        ``questionnaire`` and ``dimension`` filters do not apply here (a spearhead spans
        questionnaires); suppression is the release's, as everywhere."""
        user, _actor = await _caller(request, db, current_user)
        filters = filter_form.valid()
        definitions = await published_definitions(db)
        return await read_spearheads(db, user, round_name, filters, definitions, current_language())

    @get("/municipalities", opt={NEEDS_LOGIN: True})
    async def municipalities(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        current_user: MaybeLoggedIn,
        filter_form: IndicatorFilters,
        round_name: Round = None,
    ) -> MunicipalitiesRead:
        """The municipality table: one row per Brussels municipality (NIS code) and
        ``outside`` (outside Brussels), each with its cells for the other filters (sector,
        size, funded; ``questionnaire`` and ``dimension`` narrow the cells). The
        ``municipality`` filter does not apply here."""
        user, _actor = await _caller(request, db, current_user)
        filters = filter_form.valid()
        return await read_municipalities(db, user, round_name, filters, current_language())

    @get("/export", opt={"writes": True, NEEDS_LOGIN: True})
    async def export(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        current_user: MaybeLoggedIn,
        filter_form: IndicatorFilters,
        export_format: Annotated[str, QueryParameter(name="format", max_length=4)] = "csv",
        view: View = "cells",
        round_name: Round = None,
    ) -> Response[bytes]:
        """A view as a CSV or XLSX file, with the round, release, view and filters in it.
        Text that a spreadsheet would read as a formula is neutralised; numbers stay
        numbers."""
        user, actor = await _caller(request, db, current_user)
        filters = filter_form.valid()
        read = await read_any(db, user, view, round_name, filters)
        return export_response(db, actor, read, export_format)
