"""JSON: network indicators under /api/v1 (analysts and admins; DESIGN §9)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, get
from litestar.params import QueryParameter

from survey.indicators.filters import FILTERS, IndicatorRequest
from survey.indicators.schemas import IndicatorsRead, MunicipalitiesRead, SpearheadsRead
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


class IndicatorApi(Controller):
    path = "/api/v1/indicators"
    tags = ["indicators"]
    dependencies = FILTERS

    @get("/", opt={NEEDS_LOGIN: True})
    async def indicators(
        self, indicator_query: IndicatorRequest, round_name: Round = None
    ) -> IndicatorsRead:
        """Network indicators of a round (default: the open round, else the latest) from its
        latest release, for one filter combination (VGC analysts, admins, read-only API
        tokens). Every cell carries ``n_organisations`` and ``suppressed``; a suppressed
        cell (fewer than 5 organisations, or protecting another one) carries no value.
        An unknown filter value is refused (400) with a message per field in ``errors``."""
        return await indicator_query.cells(round_name)

    @get("/spearheads", opt={NEEDS_LOGIN: True})
    async def spearheads(
        self, indicator_query: IndicatorRequest, round_name: Round = None
    ) -> SpearheadsRead:
        """The same cells by spearhead of the VGC policy plan "Samenleven in Brussel"
        2022-2025: for each of its 14 spearheads, the questionnaire parts that inform it
        (``measured`` false: none does) with their ``scores`` and ``change`` cells from the
        release, and for the spearhead on diverse teams the team-composition cells. The
        ``questionnaire`` and ``dimension`` filters do not apply here (a spearhead spans
        questionnaires); suppression is the release's, as everywhere."""
        return await indicator_query.spearheads(round_name)

    @get("/municipalities", opt={NEEDS_LOGIN: True})
    async def municipalities(
        self, indicator_query: IndicatorRequest, round_name: Round = None
    ) -> MunicipalitiesRead:
        """The municipality table: one row per Brussels municipality (NIS code) and
        ``outside`` (outside Brussels), each with its cells for the other filters (sector,
        size, funded; ``questionnaire`` and ``dimension`` narrow the cells). The
        ``municipality`` filter does not apply here."""
        return await indicator_query.municipalities(round_name)

    @get("/export", opt={"writes": True, NEEDS_LOGIN: True})
    async def export(
        self,
        indicator_query: IndicatorRequest,
        export_format: Annotated[str, QueryParameter(name="format", max_length=4)] = "csv",
        view: View = "cells",
        round_name: Round = None,
    ) -> Response[bytes]:
        """A view as a CSV or XLSX file, with the round, release, view and filters in it.
        Text that a spreadsheet would read as a formula is neutralised; numbers stay
        numbers."""
        return await indicator_query.export(view, round_name, export_format)
