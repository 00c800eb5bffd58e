"""Stored cells → what the API and the pages show."""

from __future__ import annotations

from survey.indicators.core import ALL
from survey.indicators.schemas import FiltersRead, IndicatorCellRead, IndicatorsRead, ReleaseRead
from survey.indicators.service import Cell, ReleaseView


def cell_read(cell: Cell) -> IndicatorCellRead:
    v = cell.values
    levels = [v[f"level_{level}"] for level in range(1, 6)]
    registered = v["registered"]
    is_request = cell.indicator == "requests"

    def count(name: str) -> int | None:
        value = v[name]
        return int(value) if value is not None else None

    return IndicatorCellRead(
        indicator=cell.indicator,
        questionnaire=None if is_request else cell.questionnaire,
        dimension=None if is_request else cell.dimension,
        n_organisations=cell.n_organisations,
        suppressed=cell.suppressed,
        registered_organisations=int(registered) if registered is not None else None,
        share_participating=v["share_participating"],
        mean=v["mean"],
        p10=v["p10"],
        p25=v["p25"],
        p50=v["p50"],
        p75=v["p75"],
        p90=v["p90"],
        maturity_shares=None
        if any(x is None for x in levels)
        else [float(x) for x in levels if x is not None],
        share_maturity_3_or_more=v["share_mature"],
        mean_change=v["mean_change"],
        share_maturity_3_or_more_before=v["share_mature_before"],
        share=v["share"],
        provider=cell.questionnaire if is_request else None,
        trajectory_id=cell.dimension if is_request else None,
        requested=count("requested"),
        running=count("running"),
        completed=count("completed"),
    )


def _filter(value: str) -> str | None:
    return None if value == ALL else value


def indicators_read(view: ReleaseView) -> IndicatorsRead:
    f = view.filters
    release = view.release
    return IndicatorsRead(
        round=view.round.name,
        release=ReleaseRead(
            id=release.id,
            round=view.round.name,
            taken_at=release.taken_at,
            reason=release.reason,
            organisations=release.organisations,
        )
        if release is not None
        else None,
        filters=FiltersRead(
            sector=_filter(f.sector),
            size=_filter(f.size_band),
            municipality=_filter(f.municipality),
            funded=None if f.funded == ALL else f.funded == "true",
            questionnaire=f.questionnaire,
            dimension=f.dimension,
        ),
        cells=[cell_read(cell) for cell in view.cells],
    )
