"""HTML: the analysts' indicator page, the admin's release button and the exports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, QueryParameter, URLEncodedBody
from litestar.response import Redirect

from survey.accounts.dependencies import LoggedIn
from survey.accounts.models import Provider
from survey.errors import Conflict, Forbidden, Invalid
from survey.i18n import N_, current_language
from survey.i18n import gettext as _
from survey.indicators import service, tokens
from survey.indicators.api import parse_filters
from survey.indicators.exports import export_response
from survey.indicators.presenters import cell_read, indicators_read
from survey.indicators.schemas import IndicatorCellRead
from survey.organisations.reference import (
    MUNICIPALITY_CODES,
    SECTORS,
    SIZE_BANDS,
    municipality_name,
)
from survey.questionnaires.publishing import definition_of, latest_versions
from survey.rounds.service import get_by_name
from survey.trajectories.catalogue import provider_name, trajectory
from survey.web.dependencies import Db
from survey.web.input import FORM_CHECKS_NUL, refuse_nul_in_form
from survey.web.rendering import render

Query = Annotated[str | None, QueryParameter(max_length=80)]


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
    value: float
    y: int
    width: float


def bars(rows: list[Row]) -> list[Bar]:
    """Bars of the share at maturity ≥ 3 (0–100 % over 300 px), shown cells only."""
    out: list[Bar] = []
    for row in rows:
        cell = row.scores
        if cell is None or cell.suppressed or cell.share_maturity_3_or_more is None:
            continue
        value = cell.share_maturity_3_or_more
        out.append(Bar(row.label, value, 28 * len(out), 3 * value))
    return out


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


def _trajectory_name(trajectory_id: str | None, language: str) -> str:
    """The trajectory's name in the catalogue, or its id when it left the catalogue."""
    found = trajectory(trajectory_id or "")
    return found.name.get(language) if found is not None else (trajectory_id or "")


class IndicatorViews(Controller):
    include_in_schema = False

    @get("/indicators", name="indicators")
    async def page(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        user: LoggedIn,
        round_name: Annotated[str | None, QueryParameter(name="round", max_length=40)] = None,
        questionnaire: Query = None,
        dimension: Query = None,
        sector: Query = None,
        size: Query = None,
        municipality: Query = None,
        funded: Query = None,
    ) -> Response[Any]:
        service.ensure_indicator_access(user)
        filters = parse_filters(sector, size, municipality, funded, None, None)
        view = await service.read_cells(db, user, round_name, filters)
        read = indicators_read(view)
        language = current_language()
        definitions = {
            qid: definition_of(version) for qid, version in (await latest_versions(db)).items()
        }
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
        municipalities: list[Row] = []
        if view.release is not None and chosen_q is not None:
            for code, cells in await service.municipality_rows(db, view.release, filters):
                reads = [cell_read(c) for c in cells]
                municipalities.append(
                    Row(
                        code,
                        municipality_name(code, language),
                        _pick(reads, "scores", chosen_q, chosen_d),
                        _pick(reads, "change", chosen_q, chosen_d),
                    )
                )
        team = [
            (_(TEAM_MEASURE_LABELS.get(c.dimension or "", c.dimension or "")), c)
            for c in read.cells
            if c.indicator == "team"
        ]
        requests = [
            (provider_name(c.provider or ""), _trajectory_name(c.trajectory_id, language), c)
            for c in read.cells
            if c.indicator == "requests" and c.provider in _PROVIDERS
        ]
        changed = None
        if user.is_admin:
            changed = await service.changed_since_release(db, view.round)
        return render(
            request,
            "indicators/index.html",
            {
                "view": read,
                "rounds": view.rounds,
                "participation": _pick(read.cells, "participation", None, None),
                "sections": sections,
                "team": team,
                "requests": requests,
                "municipalities": municipalities,
                "chosen_q": chosen_q,
                "chosen_d": chosen_d,
                "dimensions": dimensions,
                "questionnaires": [(qid, d.title.get(language)) for qid, d in definitions.items()],
                "sectors": SECTORS,
                "size_bands": SIZE_BANDS,
                "municipality_codes": [
                    (code, municipality_name(code, language)) for code in MUNICIPALITY_CODES
                ],
                "values": {
                    "sector": sector or "",
                    "size": size or "",
                    "municipality": municipality or "",
                    "funded": funded or "",
                },
                "is_admin": user.is_admin,
                "changed": changed,
                "export_query": str(request.url.query),
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
            request.session["flash"] = refused.detail
            return Redirect(path=target, status_code=303)
        request.session["flash"] = _("Release %(id)s was taken.", id=taken.id)
        return Redirect(path=target, status_code=303)

    @get("/indicators/export", name="indicators_export", opt={"writes": True})
    async def export(
        self,
        db: Db,
        user: LoggedIn,
        export_format: Annotated[str, QueryParameter(name="format", max_length=4)] = "csv",
        round_name: Annotated[str | None, QueryParameter(name="round", max_length=40)] = None,
        questionnaire: Query = None,
        dimension: Query = None,
        sector: Query = None,
        size: Query = None,
        municipality: Query = None,
        funded: Query = None,
    ) -> Response[bytes]:
        filters = parse_filters(sector, size, municipality, funded, questionnaire, dimension)
        view = await service.read_cells(db, user, round_name, filters)
        return export_response(db, user.id, indicators_read(view), export_format)

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
