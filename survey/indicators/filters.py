"""The filters of every indicator view, read once from the query string by one Litestar
dependency (``filter_form``), for the pages and the API alike.

Six query parameters: ``sector``, ``size``, ``municipality``, ``funded`` (``true`` or
``false``), ``questionnaire`` and ``dimension`` (a dimension id of that questionnaire, or
``overall``). An empty value means "all". A value that is not in the reference lists or the
questionnaire definitions is refused, naming the field: the API answers 400 with ``errors``
(:meth:`FilterForm.valid`), a page shows the message at its filter.

The API's handlers take the filters with their caller (``indicator_query``, an :class:`IndicatorQuery`).

These dependencies never raise and read no database: Litestar does not close the
dependencies already opened (the request's transaction, which holds SQLite's writer turn on
an export) when a later one fails, so a refusal is raised by the handler instead, when it
reads (:meth:`FilterForm.valid`, :meth:`IndicatorQuery.checked`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any

from litestar import Request, Response
from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from survey.accounts.dependencies import MaybeLoggedIn
from survey.accounts.service import CurrentUser
from survey.errors import Invalid, NotAuthenticated
from survey.i18n import current_language
from survey.i18n import gettext as _
from survey.indicators.core import ALL, dimension_ids
from survey.indicators.exports import export_response
from survey.indicators.reading import (
    published_definitions,
    read_any,
    read_municipalities,
    read_spearheads,
    read_view,
)
from survey.indicators.schemas import IndicatorsRead, MunicipalitiesRead, SpearheadsRead
from survey.indicators.service import Filters
from survey.indicators.tokens import bearer_token, check_token
from survey.organisations.reference import MUNICIPALITY_CODES, SECTORS, SIZE_BANDS
from survey.questionnaires import all_versions
from survey.questionnaires.schema import Questionnaire
from survey.web.dependencies import Db

__all__ = [
    "FILTERS",
    "FilterForm",
    "IndicatorFilters",
    "IndicatorQuery",
    "IndicatorRequest",
    "parse_filters",
    "provide_filter_form",
    "provide_indicator_query",
]

FILTER_NAMES = ("sector", "size", "municipality", "funded", "questionnaire", "dimension")


@cache
def _known_dimensions() -> dict[str, frozenset[str]]:
    """Questionnaire id → the dimension ids of any of its versions (and ``overall``)."""
    return dimension_ids(all_versions())


def _check(values: Mapping[str, str], dimensions: Mapping[str, frozenset[str]]) -> dict[str, str]:
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
    if questionnaire and questionnaire not in dimensions:
        errors["questionnaire"] = _("Choose a questionnaire from the list.")
    if dimension:
        chosen = [dimensions[questionnaire]] if questionnaire in dimensions else []
        if not any(dimension in ids for ids in (chosen or dimensions.values())):
            errors["dimension"] = _("Choose a part of the questionnaire from the list.")
    return errors


def parse_filters(
    values: Mapping[str, str], questionnaires: Iterable[Questionnaire] | None = None
) -> tuple[Filters, dict[str, str]]:
    """The filters of the valid values, and a message per refused field (that filter is
    left at "all"). ``values`` has the six query parameters, "" where none was given;
    ``questionnaires`` default to every version of the definitions."""
    dimensions = _known_dimensions() if questionnaires is None else dimension_ids(questionnaires)
    errors = _check(values, dimensions)

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
    """The filters of a request: those of the valid values, a message per refused field,
    and the values as given (a page shows them again, with the messages)."""

    filters: Filters
    errors: dict[str, str]
    values: dict[str, str]

    def valid(self) -> Filters:
        """The filters, or :class:`~survey.errors.Invalid` (400 in the API) naming each
        refused field."""
        if self.errors:
            raise Invalid(self.errors)
        return self.filters


def _param(description: str) -> QueryParameter:
    # No length or pattern here: a value Litestar refused while reading this dependency would
    # leave the request's transaction open (see the module's docstring).
    return QueryParameter(description=description)


def provide_filter_form(
    sector: Annotated[str | None, _param("a sector slug (e.g. `youth-work`)")] = None,
    size: Annotated[str | None, _param("a size band: `1-9`, `10-49`, `50-249` or `250+`")] = None,
    municipality: Annotated[
        str | None, _param("a municipality's NIS code (`21001` … `21019`) or `outside`")
    ] = None,
    funded: Annotated[str | None, _param("funded by the VGC: `true` or `false`")] = None,
    questionnaire: Annotated[str | None, _param("a questionnaire id")] = None,
    dimension: Annotated[
        str | None, _param("a dimension id of the questionnaire, or `overall`")
    ] = None,
) -> FilterForm:
    """The dependency: the six filters of the query string (it never raises; see the
    module's docstring)."""
    given = (sector, size, municipality, funded, questionnaire, dimension)
    values = {name: (value or "")[:200] for name, value in zip(FILTER_NAMES, given, strict=True)}
    filters, errors = parse_filters(values)
    return FilterForm(filters, errors, values)


IndicatorFilters = NamedDependency[FilterForm]


@dataclass(frozen=True)
class IndicatorQuery:
    """An API request for indicators: its transaction, its filters and who asks, checked
    when a view is read (never while the dependency is read; see the module's docstring)."""

    db: AsyncSession
    form: FilterForm
    token: str | None
    """The read-only API token of an ``Authorization: Bearer`` header, if any."""
    session_user: CurrentUser | None

    async def checked(self) -> tuple[CurrentUser | None, int | None, Filters]:
        """(the user whose access the service checks, the actor to audit, the filters): an
        analyst or admin with a session, or (None, None) for a valid read-only API token.
        Raises 401 for neither, then 400 naming each refused filter."""
        if self.token is not None:
            await check_token(self.db, self.token)
            user, actor = None, None
        elif self.session_user is None:
            raise NotAuthenticated()
        else:
            user, actor = self.session_user, self.session_user.id
        return user, actor, self.form.valid()

    async def cells(self, round_name: str | None) -> IndicatorsRead:
        user, _actor, filters = await self.checked()
        return (await read_view(self.db, user, round_name, filters))[1]

    async def spearheads(self, round_name: str | None) -> SpearheadsRead:
        user, _actor, filters = await self.checked()
        definitions = await published_definitions(self.db)
        return await read_spearheads(
            self.db, user, round_name, filters, definitions, current_language()
        )

    async def municipalities(self, round_name: str | None) -> MunicipalitiesRead:
        user, _actor, filters = await self.checked()
        return await read_municipalities(self.db, user, round_name, filters, current_language())

    async def export(
        self, view: str, round_name: str | None, export_format: str
    ) -> Response[bytes]:
        user, actor, filters = await self.checked()
        read = await read_any(self.db, user, view, round_name, filters)
        return export_response(self.db, actor, read, export_format)


def provide_indicator_query(
    request: Request[Any, Any, Any],
    db: Db,
    current_user: MaybeLoggedIn,
    filter_form: IndicatorFilters,
) -> IndicatorQuery:
    """The dependency of the API: the filters with the caller, unchecked (it never raises)."""
    token = bearer_token(request.headers.get("authorization"))
    return IndicatorQuery(db, filter_form, token, current_user)


IndicatorRequest = NamedDependency[IndicatorQuery]
FILTERS = {
    "filter_form": Provide(provide_filter_form, sync_to_thread=False),
    "indicator_query": Provide(provide_indicator_query, sync_to_thread=False),
}
"""The indicator controllers' ``dependencies``: pages take ``filter_form: IndicatorFilters``,
the API ``indicator_query: IndicatorRequest``."""
