"""HTML: the analysts' indicator page, the admin's release button and the exports."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, QueryParameter, URLEncodedBody
from litestar.response import Redirect

from survey.accounts.dependencies import LoggedIn
from survey.accounts.models import Provider
from survey.errors import Conflict, Forbidden, Invalid, NotFound
from survey.i18n import N_, current_language
from survey.i18n import gettext as _
from survey.indicators import service, tokens
from survey.indicators.core import OVERALL
from survey.indicators.exports import export_response
from survey.indicators.filters import FILTERS, FilterForm, IndicatorFilters
from survey.indicators.reading import (
    published_definitions,
    read_any,
    read_municipalities,
    read_spearheads,
    read_view,
)
from survey.indicators.schemas import IndicatorCellRead, IndicatorsRead, SpearheadPartRead
from survey.organisations.reference import (
    MUNICIPALITY_CODES,
    SECTORS,
    SIZE_BANDS,
    municipality_name,
)
from survey.questionnaires.schema import Questionnaire
from survey.rounds.service import get_by_name
from survey.trajectories.catalogue import provider_name, trajectory
from survey.web.dependencies import Db
from survey.web.input import FORM_CHECKS_NUL, refuse_nul_in_form
from survey.web.rendering import render

TEAM_MEASURE_LABELS = {
    "staff-migration": N_("Staff with a migration background"),
    "staff-outside-eu": N_("Staff with an origin outside the EU"),
    "management-migration": N_("Management with a migration background"),
    "management-outside-eu": N_("Management with an origin outside the EU"),
    "board-migration": N_("Board members with a migration background"),
    "board-outside-eu": N_("Board members with an origin outside the EU"),
}
"""Names of the team-composition measures of ``survey.indicators.core.TEAM_MEASURES``."""


@dataclass(frozen=True)
class Row:
    """One line of a table: a dimension (or municipality) with its score and change cells."""

    key: str
    label: str
    scores: IndicatorCellRead | None
    change: IndicatorCellRead | None


@dataclass(frozen=True)
class Bar:
    label: str
    """The whole name, for the chart's text alternative."""
    value: float
    short: str = ""
    """The name written next to the bar (the part alone when the chart names the rest)."""


def bars(rows: list[Row], short: list[str] | None = None) -> list[Bar]:
    """Bars of the share at maturity ≥ 3 (0–100), shown cells only."""
    out: list[Bar] = []
    for index, row in enumerate(rows):
        cell = row.scores
        if cell is None or cell.suppressed or cell.share_maturity_3_or_more is None:
            continue
        value = cell.share_maturity_3_or_more
        name = short[index] if short else row.label
        out.append(Bar(row.label, value, name))
    return out


def part_bars(parts: list[SpearheadPartRead]) -> list[Bar]:
    """Bars of the share at maturity ≥ 3 of a spearhead's parts, shown cells only."""
    return bars(
        [
            Row(
                f"{p.questionnaire}/{p.dimension}",
                f"{p.questionnaire_title}: {p.dimension_title}",
                p.scores,
                p.change,
            )
            for p in parts
        ],
        [p.questionnaire_title if p.dimension == OVERALL else p.dimension_title for p in parts],
    )


def _pick(cells: list[IndicatorCellRead], indicator: str, q: str | None, d: str | None) -> Any:
    return next(
        (
            c
            for c in cells
            if c.indicator == indicator and c.questionnaire == q and c.dimension == d
        ),
        None,
    )


_PROVIDERS = {p.value for p in Provider}


def _team_rows(cells: list[IndicatorCellRead]) -> list[tuple[str, IndicatorCellRead]]:
    """Team-composition cells with the name of their measure."""
    return [(_(TEAM_MEASURE_LABELS.get(c.dimension or "", c.dimension or "")), c) for c in cells]


def _trajectory_name(trajectory_id: str | None, language: str) -> str:
    """The trajectory's name in the catalogue, or its id when it left the catalogue."""
    found = trajectory(trajectory_id or "")
    return found.name.get(language) if found is not None else (trajectory_id or "")


def _export_links(values: dict[str, str], round_name: str, view: str) -> dict[str, str]:
    """The CSV and XLSX links of a view, with its round and filters."""
    query = {"round": round_name, **{k: v for k, v in values.items() if v}}
    if view != "cells":
        query["view"] = view
    return {
        fmt: "/indicators/export?" + urlencode({"format": fmt, **query}) for fmt in ("csv", "xlsx")
    }


def _tab_query(values: dict[str, str], round_name: str) -> str:
    """The round and the filters both tabs share (not the municipality table's choice)."""
    shared = ("sector", "size", "municipality", "funded")
    return urlencode({"round": round_name, **{k: values[k] for k in shared if values.get(k)}})


def _form_context(
    form: FilterForm, view: service.ReleaseView, read: IndicatorsRead, errors: dict[str, str]
) -> dict[str, Any]:
    language = current_language()
    return {
        "view": read,
        "rounds": view.rounds,
        "errors": errors,
        "sectors": SECTORS,
        "size_bands": SIZE_BANDS,
        "municipality_codes": [
            (code, municipality_name(code, language)) for code in MUNICIPALITY_CODES
        ],
        "values": form.values,
        "tab_query": _tab_query(form.values, read.round),
    }


@dataclass(frozen=True)
class _Page:
    """What both indicator pages read before their own part, and how they answer: the
    release view of the filters, a message per refused filter, the published definitions."""

    form: FilterForm
    view: service.ReleaseView
    read: IndicatorsRead
    errors: dict[str, str]
    definitions: dict[str, Questionnaire]
    language: str

    def render(
        self,
        request: Request[Any, Any, Any],
        template: str,
        own: dict[str, Any],
        refused: bool = False,
    ) -> Response[Any]:
        """The page with the filter form and ``own``; 422 when a filter was refused."""
        return render(
            request,
            template,
            {**_form_context(self.form, self.view, self.read, self.errors), **own},
            status_code=422 if self.errors or refused else 200,
        )


async def _read_page(
    db: Db, user: LoggedIn, round_name: str | None, form: FilterForm, every_part: bool = False
) -> _Page:
    """The pages' common reading (``every_part``: the questionnaire and part filters left
    out). An unknown round is a message at the round filter, and the default round is
    shown instead."""
    service.ensure_indicator_access(user)
    errors = dict(form.errors)
    filters = form.filters
    if every_part:
        filters = dataclasses.replace(filters, questionnaire=None, dimension=None)
    try:
        view, read = await read_view(db, user, round_name, filters)
    except NotFound:
        if round_name is None:
            raise
        errors["round"] = _("Choose a round from the list.")
        view, read = await read_view(db, user, None, filters)
    definitions = await published_definitions(db)
    return _Page(form, view, read, errors, definitions, current_language())


class IndicatorViews(Controller):
    include_in_schema = False
    dependencies = FILTERS

    @get("/indicators", name="indicators")
    async def page(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        user: LoggedIn,
        filter_form: IndicatorFilters,
        round_name: Annotated[str | None, QueryParameter(name="round", max_length=40)] = None,
    ) -> Response[Any]:
        # The overview shows every questionnaire; its questionnaire and part choose the
        # municipality table's column.
        page = await _read_page(db, user, round_name, filter_form, every_part=True)
        read, errors, definitions, language = (
            page.read,
            page.errors,
            page.definitions,
            page.language,
        )
        questionnaire = filter_form.filters.questionnaire
        dimension = filter_form.filters.dimension
        chosen_q = questionnaire if questionnaire in definitions else next(iter(definitions), None)
        sections = []
        for qid, definition in definitions.items():
            rows = [
                Row(
                    d.id,
                    d.title.get(language),
                    _pick(read.cells, "scores", qid, d.id),
                    _pick(read.cells, "change", qid, d.id),
                )
                for d in definition.dimensions
            ]
            rows.append(
                Row(
                    "overall",
                    _("Overall score"),
                    _pick(read.cells, "scores", qid, "overall"),
                    _pick(read.cells, "change", qid, "overall"),
                )
            )
            sections.append((qid, definition.title.get(language), rows, bars(rows)))
        dimensions: list[tuple[str, str]] = []
        if chosen_q is not None:
            dimensions = [(d.id, d.title.get(language)) for d in definitions[chosen_q].dimensions]
        chosen_d = dimension if dimension in {d for d, _t in dimensions} else "overall"
        chosen_label = ""
        if chosen_q is not None:
            part = dict(dimensions).get(chosen_d, _("Overall score"))
            chosen_label = f"{definitions[chosen_q].title.get(language)}: {part}"
        # A refused questionnaire or part is said at the municipality table's own form.
        table_errors = {k: errors.pop(k) for k in ("questionnaire", "dimension") if k in errors}
        municipalities: list[Row] = []
        if chosen_q is not None and not errors and not table_errors:
            table = await read_municipalities(db, user, read.round, filter_form.filters, language)
            municipalities = [
                Row(
                    row.municipality,
                    row.name,
                    _pick(row.cells, "scores", chosen_q, chosen_d),
                    _pick(row.cells, "change", chosen_q, chosen_d),
                )
                for row in table.rows
            ]
        requests = [
            (provider_name(c.provider or ""), _trajectory_name(c.trajectory_id, language), c)
            for c in read.cells
            if c.indicator == "requests" and c.provider in _PROVIDERS
        ]
        changed = None
        if user.is_admin:
            changed = await service.changed_since_release(db, page.view.round)
        municipality_values = {
            **filter_form.values,
            "questionnaire": chosen_q or "",
            "dimension": chosen_d,
        }
        return page.render(
            request,
            "indicators/index.html",
            {
                "participation": _pick(read.cells, "participation", None, None),
                "sections": sections,
                "team": _team_rows([c for c in read.cells if c.indicator == "team"]),
                "requests": requests,
                "municipalities": municipalities,
                "chosen_q": chosen_q,
                "chosen_d": chosen_d,
                "chosen_label": chosen_label,
                "table_errors": table_errors,
                "dimensions": dimensions,
                "questionnaires": [(qid, d.title.get(language)) for qid, d in definitions.items()],
                "is_admin": user.is_admin,
                "changed": changed,
                "exports": _export_links(filter_form.values, read.round, "cells"),
                "municipality_exports": _export_links(
                    municipality_values, read.round, "municipalities"
                ),
            },
            refused=bool(table_errors),
        )

    @get("/indicators/spearheads", name="indicators_spearheads")
    async def spearheads(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        user: LoggedIn,
        filter_form: IndicatorFilters,
        round_name: Annotated[str | None, QueryParameter(name="round", max_length=40)] = None,
    ) -> Response[Any]:
        """The indicators by spearhead of the VGC policy plan."""
        page = await _read_page(db, user, round_name, filter_form)
        language = page.language
        by_spearhead = await read_spearheads(
            db, user, page.read.round, filter_form.filters, page.definitions, language
        )
        measured = [s for s in by_spearhead.spearheads if s.measured]
        return page.render(
            request,
            "indicators/spearheads.html",
            {
                "plan_title": getattr(by_spearhead.plan, language, by_spearhead.plan.nl),
                "participation": by_spearhead.participation,
                "measured": [
                    (
                        s,
                        getattr(s.title, language, s.title.nl),
                        part_bars(s.parts),
                        _team_rows(s.team),
                    )
                    for s in measured
                ],
                "not_measured": [
                    (s.number, getattr(s.title, language, s.title.nl))
                    for s in by_spearhead.spearheads
                    if not s.measured
                ],
                "exports": _export_links(
                    {
                        k: v
                        for k, v in filter_form.values.items()
                        if k not in ("questionnaire", "dimension")
                    },
                    page.read.round,
                    "spearheads",
                ),
            },
        )

    @post("/indicators/release", name="indicators_release", opt={FORM_CHECKS_NUL: True})
    async def release(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        user: LoggedIn,
        data: URLEncodedBody[dict[str, str]],
    ) -> Response[Any]:
        """An admin takes a release of a round (at least 5 changed organisations in an open
        round)."""
        if not user.is_admin:
            raise Forbidden(_("Only administrators can take a release of the indicators."))
        refuse_nul_in_form(data)
        round_ = await get_by_name(db, data.get("round", "")[:40])
        if round_ is None:
            raise Invalid({"round": _("Choose a round from the list.")})
        target = request.app.route_reverse("indicators") + "?round=" + quote(round_.name)
        try:
            taken = await service.take_release(db, round_, actor_id=user.id)
        except Conflict as refused:
            request.session["flash_problem"] = refused.detail
            return Redirect(path=target, status_code=303)
        request.session["flash"] = _("Release %(id)s was taken.", id=taken.id)
        return Redirect(path=target, status_code=303)

    @get("/indicators/export", name="indicators_export", opt={"writes": True})
    async def export(
        self,
        db: Db,
        user: LoggedIn,
        filter_form: IndicatorFilters,
        export_format: Annotated[str, QueryParameter(name="format", max_length=4)] = "csv",
        view: Annotated[str, QueryParameter(name="view", max_length=20)] = "cells",
        round_name: Annotated[str | None, QueryParameter(name="round", max_length=40)] = None,
    ) -> Response[bytes]:
        """A view of the page as CSV or XLSX (``view``: cells, spearheads, municipalities)."""
        service.ensure_indicator_access(user)
        read = await read_any(db, user, view, round_name, filter_form.valid())
        return export_response(db, user.id, read, export_format)

    @get("/indicators/tokens", name="api_tokens")
    async def token_list(
        self, request: Request[Any, Any, Any], db: Db, user: LoggedIn
    ) -> Response[Any]:
        """Read-only API tokens for BI tools (admins)."""
        return render(
            request,
            "indicators/tokens.html",
            {
                "tokens": await tokens.list_tokens(db, user),
                "new_token": None,
                "errors": {},
                "name": "",
            },
        )

    @post("/indicators/tokens", name="api_token_create", opt={FORM_CHECKS_NUL: True})
    async def token_create(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        user: LoggedIn,
        data: URLEncodedBody[dict[str, str]],
    ) -> Response[Any]:
        """Create a token; the page shows it this once."""
        try:
            refuse_nul_in_form(data)
            _row, token = await tokens.create_token(db, user, data.get("name", ""))
        except Invalid as invalid:
            return render(
                request,
                "indicators/tokens.html",
                {
                    "tokens": await tokens.list_tokens(db, user),
                    "new_token": None,
                    "errors": invalid.errors,
                    "name": data.get("name", ""),
                },
                status_code=422,
            )
        return render(
            request,
            "indicators/tokens.html",
            {
                "tokens": await tokens.list_tokens(db, user),
                "new_token": token,
                "errors": {},
                "name": "",
            },
            status_code=201,
        )

    @post("/indicators/tokens/{token_id:int}/revoke", name="api_token_revoke")
    async def token_revoke(
        self, request: Request[Any, Any, Any], db: Db, user: LoggedIn, token_id: FromPath[int]
    ) -> Response[Any]:
        await tokens.revoke_token(db, user, token_id)
        request.session["flash"] = _("The token was revoked.")
        return Redirect(path=request.app.route_reverse("api_tokens"), status_code=303)
