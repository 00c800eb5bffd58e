"""The filters of every indicator view, read once from the query string by a Litestar
dependency (``filters`` for the API, ``filter_form`` for the pages).

Six query parameters: ``sector``, ``size``, ``municipality``, ``funded`` (``true`` or
``false``), ``questionnaire`` and ``dimension`` (a dimension id of that questionnaire, or
``overall``). An empty value means "all". A value that is not in the reference lists or the
published questionnaires is refused, naming the field: the API answers 400 with ``errors``
(:func:`provide_filters`), a page shows the message at its filter
(:func:`provide_filter_form`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated

from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from survey.errors import Invalid
from survey.i18n import gettext as _
from survey.indicators.core import ALL
from survey.indicators.service import Filters
from survey.organisations.reference import MUNICIPALITY_CODES, SECTORS, SIZE_BANDS
from survey.questionnaires.publishing import definition_of, latest_versions
from survey.questionnaires.schema import Questionnaire
from survey.web.dependencies import Db

__all__ = [
    "API_FILTERS",
    "OVERALL",
    "PAGE_FILTERS",
    "FilterForm",
    "IndicatorFilterForm",
    "IndicatorFilters",
    "parse_filters",
    "published_definitions",
]

OVERALL = "overall"
"""The ``dimension`` value of a questionnaire's overall score."""

FilterValue = Annotated[str | None, QueryParameter(max_length=80)]


async def published_definitions(db: AsyncSession) -> dict[str, Questionnaire]:
    """Questionnaire id → the definition of its newest published version."""
    return {qid: definition_of(version) for qid, version in (await latest_versions(db)).items()}


def _check(values: Mapping[str, str], definitions: Mapping[str, Questionnaire]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if values["sector"] and values["sector"] not in SECTORS:
        errors["sector"] = _("Choose a sector from the list.")
    if values["size"] and values["size"] not in SIZE_BANDS:
        errors["size"] = _("Choose a size band from the list.")
    if values["municipality"] and values["municipality"] not in MUNICIPALITY_CODES:
        errors["municipality"] = _("Choose a municipality from the list.")
    if values["funded"] and values["funded"] not in ("true", "false"):
        errors["funded"] = _("Choose yes or no.")
    questionnaire, dimension = values["questionnaire"], values["dimension"]
    if questionnaire and questionnaire not in definitions:
        errors["questionnaire"] = _("Choose a questionnaire from the list.")
    if dimension and dimension != OVERALL:
        chosen = [definitions[questionnaire]] if questionnaire in definitions else []
        known = {d.id for q in (chosen or definitions.values()) for d in q.dimensions}
        if dimension not in known:
            errors["dimension"] = _("Choose a part of the questionnaire from the list.")
    return errors


def parse_filters(
    values: Mapping[str, str], definitions: Mapping[str, Questionnaire]
) -> tuple[Filters, dict[str, str]]:
    """The filters of the valid values, and a message per refused field (that filter is
    left at "all").

    ``values`` has the six query parameters, "" where none was given."""
    errors = _check(values, definitions)

    def kept(name: str) -> str:
        return "" if name in errors else values[name]

    return (
        Filters(
            sector=kept("sector") or ALL,
            size_band=kept("size") or ALL,
            municipality=kept("municipality") or ALL,
            funded=kept("funded") or ALL,
            questionnaire=kept("questionnaire") or None,
            dimension=kept("dimension") or None,
        ),
        errors,
    )


@dataclass(frozen=True)
class FilterForm:
    """What a page needs for its filter form: the filters of the valid values, a message
    per refused field, the values as given (to show them again) and the published
    questionnaire definitions (for their lists)."""

    filters: Filters
    errors: dict[str, str]
    values: dict[str, str]
    definitions: dict[str, Questionnaire] = field(default_factory=dict)


async def _read(
    db: Db,
    sector: FilterValue,
    size: FilterValue,
    municipality: FilterValue,
    funded: FilterValue,
    questionnaire: FilterValue,
    dimension: FilterValue,
) -> FilterForm:
    values = {
        "sector": sector or "",
        "size": size or "",
        "municipality": municipality or "",
        "funded": funded or "",
        "questionnaire": questionnaire or "",
        "dimension": dimension or "",
    }
    definitions = await published_definitions(db)
    filters, errors = parse_filters(values, definitions)
    return FilterForm(filters, errors, values, definitions)


async def provide_filter_form(
    db: Db,
    sector: FilterValue = None,
    size: FilterValue = None,
    municipality: FilterValue = None,
    funded: FilterValue = None,
    questionnaire: FilterValue = None,
    dimension: FilterValue = None,
) -> FilterForm:
    """Pages: the filter form, refused values included (the page shows their messages)."""
    return await _read(db, sector, size, municipality, funded, questionnaire, dimension)


async def provide_filters(
    db: Db,
    sector: FilterValue = None,
    size: FilterValue = None,
    municipality: FilterValue = None,
    funded: FilterValue = None,
    questionnaire: FilterValue = None,
    dimension: FilterValue = None,
) -> Filters:
    """The API: the filters, or :class:`~survey.errors.Invalid` (400) naming each refused
    field."""
    form = await _read(db, sector, size, municipality, funded, questionnaire, dimension)
    if form.errors:
        raise Invalid(form.errors)
    return form.filters


IndicatorFilters = NamedDependency[Filters]
IndicatorFilterForm = NamedDependency[FilterForm]

API_FILTERS = {"filters": Provide(provide_filters)}
"""The API controller's ``dependencies``: handlers take ``filters: IndicatorFilters``."""
PAGE_FILTERS = {"filter_form": Provide(provide_filter_form)}
"""The pages' controller's ``dependencies``: handlers take ``filter_form: IndicatorFilterForm``."""
