"""JSON: network indicators under /api/v1 (analysts and admins; DESIGN §9)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import QueryParameter

from survey.errors import Invalid
from survey.i18n import gettext as _
from survey.indicators.core import ALL
from survey.indicators.presenters import indicators_read
from survey.indicators.schemas import IndicatorsRead
from survey.indicators.service import Filters, read_cells
from survey.organisations.reference import MUNICIPALITY_CODES, SECTORS, SIZE_BANDS
from survey.web.dependencies import Db, LoggedIn


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


class IndicatorApi(Controller):
    path = "/api/v1/indicators"
    tags = ["indicators"]

    @get("/")
    async def indicators(
        self,
        db: Db,
        user: LoggedIn,
        round_name: Annotated[str | None, QueryParameter(name="round", max_length=40)] = None,
        questionnaire: Annotated[str | None, QueryParameter(max_length=80)] = None,
        dimension: Annotated[str | None, QueryParameter(max_length=80)] = None,
        sector: Annotated[str | None, QueryParameter(max_length=40)] = None,
        size: Annotated[str | None, QueryParameter(max_length=10)] = None,
        municipality: Annotated[str | None, QueryParameter(max_length=10)] = None,
        funded: Annotated[str | None, QueryParameter(max_length=5)] = None,
    ) -> IndicatorsRead:
        """Network indicators of a round (default: the open round, else the latest) from its
        latest release, for one filter combination (VGC analysts and admins). Every cell
        carries ``n_organisations`` and ``suppressed``; a suppressed cell (fewer than 5
        organisations, or protecting another one) carries no value."""
        filters = parse_filters(sector, size, municipality, funded, questionnaire, dimension)
        return indicators_read(await read_cells(db, user, round_name, filters))
