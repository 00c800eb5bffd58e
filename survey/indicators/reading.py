"""The three views of a stored release that the pages, the API and the exports share:
the cells of one filter combination, the same cells by spearhead of the VGC plan, and the
municipality table. Each reads the round's latest release; none computes a figure."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from survey.accounts.service import CurrentUser
from survey.errors import Invalid
from survey.i18n import current_language
from survey.i18n import gettext as _
from survey.indicators import service
from survey.indicators.core import ALL
from survey.indicators.presenters import cell_read, indicators_read
from survey.indicators.schemas import (
    AnyRead,
    IndicatorsRead,
    MunicipalitiesRead,
    MunicipalityRowRead,
    SpearheadsRead,
)
from survey.indicators.service import Cell, Filters, ReleaseView
from survey.indicators.spearheads import spearheads_read
from survey.organisations.reference import municipality_name
from survey.questionnaires.publishing import definition_of, latest_versions
from survey.questionnaires.schema import Questionnaire

__all__ = [
    "VIEWS",
    "published_definitions",
    "read_any",
    "read_municipalities",
    "read_spearheads",
    "read_view",
]

VIEWS = ("cells", "spearheads", "municipalities")
"""The views an export can be of (``view=``)."""


async def published_definitions(db: AsyncSession) -> dict[str, Questionnaire]:
    """Questionnaire id → the definition of its newest published version."""
    return {qid: definition_of(version) for qid, version in (await latest_versions(db)).items()}


async def read_view(
    db: AsyncSession, user: CurrentUser | None, round_name: str | None, filters: Filters
) -> tuple[ReleaseView, IndicatorsRead]:
    """The cells of one filter combination (``user`` None: a read-only API token)."""
    view = await service.read_cells(db, user, round_name, filters)
    return view, indicators_read(view)


async def read_spearheads(
    db: AsyncSession,
    user: CurrentUser | None,
    round_name: str | None,
    filters: Filters,
    definitions: Mapping[str, Questionnaire],
    language: str,
) -> SpearheadsRead:
    """Every cell of the filter combination, by spearhead; the questionnaire and dimension
    filters do not apply (a spearhead spans questionnaires)."""
    every_part = dataclasses.replace(filters, questionnaire=None, dimension=None)
    _view, read = await read_view(db, user, round_name, every_part)
    return spearheads_read(read, definitions, language)


def _matches(cell: Cell, filters: Filters) -> bool:
    """The questionnaire and dimension filters, as :func:`service.cells_of` applies them."""
    return cell.indicator == "requests" or (
        (filters.questionnaire is None or cell.questionnaire in (None, filters.questionnaire))
        and (filters.dimension is None or cell.dimension in (None, filters.dimension))
    )


async def read_municipalities(
    db: AsyncSession,
    user: CurrentUser | None,
    round_name: str | None,
    filters: Filters,
    language: str,
) -> MunicipalitiesRead:
    """One row per municipality (the 19 and ``outside``) with the other filters kept; the
    municipality filter does not apply (the table has a row for each)."""
    every_municipality = dataclasses.replace(filters, municipality=ALL)
    view, read = await read_view(db, user, round_name, every_municipality)
    rows = (
        await service.municipality_rows(db, view.release, every_municipality)
        if view.release is not None
        else []
    )
    return MunicipalitiesRead(
        round=read.round,
        release=read.release,
        filters=read.filters,
        rows=[
            MunicipalityRowRead(
                municipality=code,
                name=municipality_name(code, language),
                cells=[cell_read(c) for c in cells if _matches(c, every_municipality)],
            )
            for code, cells in rows
        ],
    )


async def read_any(
    db: AsyncSession,
    user: CurrentUser | None,
    view: str,
    round_name: str | None,
    filters: Filters,
) -> AnyRead:
    """The view an export asks for (``cells``, ``spearheads`` or ``municipalities``)."""
    if view not in VIEWS:
        raise Invalid({"view": _("Choose cells, spearheads or municipalities.")})
    language = current_language()
    if view == "spearheads":
        definitions = await published_definitions(db)
        return await read_spearheads(db, user, round_name, filters, definitions, language)
    if view == "municipalities":
        return await read_municipalities(db, user, round_name, filters, language)
    return (await read_view(db, user, round_name, filters))[1]
