"""Indicator cells at the edge (DESIGN §9 "Indicator cells")."""

from __future__ import annotations

import datetime as dt

import msgspec


class ReleaseRead(msgspec.Struct):
    id: int
    round: str
    taken_at: dt.datetime
    reason: str
    """``close`` (taken when the round closed) or ``request`` (asked by an admin)."""
    organisations: int


class FiltersRead(msgspec.Struct):
    sector: str | None
    size: str | None
    municipality: str | None
    funded: bool | None
    questionnaire: str | None
    dimension: str | None


class IndicatorCellRead(msgspec.Struct):
    """One indicator for the filters asked. A suppressed cell carries ``n_organisations``
    and no value. Scores and changes in points (0–100), shares in percent."""

    indicator: str
    questionnaire: str | None
    dimension: str | None
    n_organisations: int
    suppressed: bool
    registered_organisations: int | None = None
    share_participating: float | None = None
    mean: float | None = None
    p10: float | None = None
    p25: float | None = None
    p50: float | None = None
    p75: float | None = None
    p90: float | None = None
    maturity_shares: list[float] | None = None
    share_maturity_3_or_more: float | None = None
    mean_change: float | None = None
    share_maturity_3_or_more_before: float | None = None
    share: float | None = None
    provider: str | None = None
    """``requests`` cells: the provider and the trajectory of the catalogue."""
    trajectory_id: str | None = None
    requested: int | None = None
    """Support requests made in the round (any state now); running and completed: those
    in that state now."""
    running: int | None = None
    completed: int | None = None


class IndicatorsRead(msgspec.Struct):
    round: str
    release: ReleaseRead | None
    """The release the cells come from; None while the round has none."""
    filters: FiltersRead
    cells: list[IndicatorCellRead]


class LocalTextRead(msgspec.Struct):
    """A text in the three languages of the product; Dutch is the original."""

    nl: str
    fr: str
    en: str


class SpearheadPartRead(msgspec.Struct):
    """A questionnaire part that informs a spearhead, with the release's cells of that part
    for the filters asked (None: no organisation has that score)."""

    questionnaire: str
    dimension: str
    """A dimension id of the questionnaire, or ``overall`` for its overall score."""
    questionnaire_title: str
    dimension_title: str
    """Titles in the language of the request."""
    scores: IndicatorCellRead | None
    change: IndicatorCellRead | None


class SpearheadRead(msgspec.Struct):
    number: int
    title: LocalTextRead
    measured: bool
    """False: no questionnaire part informs this spearhead (N-scan does not measure it)."""
    parts: list[SpearheadPartRead]
    team: list[IndicatorCellRead]
    """Team-composition cells, for the spearhead on diverse teams."""


class SpearheadsRead(msgspec.Struct):
    """The indicators of a release grouped by spearhead of the VGC policy plan."""

    round: str
    release: ReleaseRead | None
    filters: FiltersRead
    plan: LocalTextRead
    participation: IndicatorCellRead | None
    spearheads: list[SpearheadRead]


class MunicipalityRowRead(msgspec.Struct):
    municipality: str
    """The NIS code of one of the 19 Brussels municipalities, or ``outside``."""
    name: str
    cells: list[IndicatorCellRead]
    """The cells of that municipality with the other filters kept (empty: no organisation)."""


class MunicipalitiesRead(msgspec.Struct):
    """One row per municipality (the 19 and "outside Brussels"), in the order of their codes."""

    round: str
    release: ReleaseRead | None
    filters: FiltersRead
    rows: list[MunicipalityRowRead]


AnyRead = IndicatorsRead | SpearheadsRead | MunicipalitiesRead
"""Any view of a release that can be exported."""
