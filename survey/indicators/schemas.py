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
