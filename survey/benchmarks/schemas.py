"""Benchmark and questionnaire-quality Structs: what is stored, and what the API returns."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import msgspec

PeerGroupLevel = Literal["sector_size", "sector", "network"]
BenchmarkStatus = Literal["shown", "no_score", "too_few_peers"]

# --- stored payloads (msgspec JSON in the models' text columns) ---------------------------


FIGURE_FIELDS = 9
"""Values per figure in the stored flat array (see :class:`StoredFigure`)."""


class StoredFigure(msgspec.Struct, frozen=True):
    """The stored figures of one dimension (``dimension_id``), or of the overall score
    (``dimension_id == ""``), of one assessment with a score there.

    Stored as a flat JSON array, :data:`FIGURE_FIELDS` values per figure:
    dimension id, peer group level (null when not even the network has five peers),
    number of peers, then percentile rank, P10, P25, P50, P75, P90 in hundredths
    (integers, so two decimals are exact). Without a group of at least five peers
    everything after the id is null, also in storage. A dimension without a score
    has no entry.
    """

    dimension_id: str
    peer_group: PeerGroupLevel | None
    n_peers: int | None
    percentile_rank: float | None
    p10: float | None
    p25: float | None
    p50: float | None
    p75: float | None
    p90: float | None

    @classmethod
    def from_flat(cls, values: list[str | int | None]) -> list[StoredFigure]:
        figures = []
        for start in range(0, len(values) - FIGURE_FIELDS + 1, FIGURE_FIELDS):
            dimension_id, level, n_peers, *hundredths = values[start : start + FIGURE_FIELDS]
            figures.append(
                cls(
                    str(dimension_id),
                    level if level in ("sector_size", "sector", "network") else None,  # type: ignore[arg-type]
                    n_peers if isinstance(n_peers, int) else None,
                    *(v / 100 if isinstance(v, int) else None for v in hundredths),
                )
            )
        return figures


class StoredItemQuality(msgspec.Struct, frozen=True):
    item_id: str
    n_answers: int
    n_not_applicable: int
    suppressed: bool
    item_rest: float | None
    not_applicable_share: float | None
    floor_share: float | None
    ceiling_share: float | None


class StoredDimensionQuality(msgspec.Struct, frozen=True):
    dimension_id: str
    n_organisations: int
    suppressed: bool
    alpha: float | None
    score_floor_share: float | None
    score_ceiling_share: float | None
    items: list[StoredItemQuality]


class StoredVersionQuality(msgspec.Struct, frozen=True):
    version: int
    questionnaire_version_id: int
    n_organisations: int
    dimensions: list[StoredDimensionQuality]


# --- API -------------------------------------------------------------------------------------


class PeerGroupRead(msgspec.Struct):
    """The peers a figure is built on: same questionnaire and round, other organisations,
    same sector × size band, else same sector, else the whole network; never fewer than 5."""

    level: PeerGroupLevel
    key: str
    label: str
    n_organisations: int


class PeerDistributionRead(msgspec.Struct):
    """Percentiles of the peers' scores, linear interpolation (numpy/R default, Hyndman & Fan type 7)."""

    p10: float
    p25: float
    p50: float
    p75: float
    p90: float


class DimensionBenchmarkRead(msgspec.Struct):
    """One dimension (or the overall score): the organisation's score against its peers.

    ``percentile_rank`` = 100 × (peers below + peers at or below) / (2 × peers), i.e.
    ``scipy.stats.percentileofscore(kind="mean")``. Without a group of at least five
    comparable organisations (``status == "too_few_peers"``) no peer figure is given.
    ``change`` is the score minus the score of the organisation's previous round.
    """

    dimension_id: str | None
    title: str
    score: float | None
    status: BenchmarkStatus
    message: str | None
    peer_group: PeerGroupRead | None
    percentile_rank: float | None
    distribution: PeerDistributionRead | None
    previous_score: float | None
    change: float | None


class BenchmarkRead(msgspec.Struct):
    """The benchmark of a submitted assessment, as last recomputed."""

    round: str
    computed_at: dt.datetime
    previous_round: str | None
    overall: DimensionBenchmarkRead
    dimensions: list[DimensionBenchmarkRead]


class ItemQualityRead(msgspec.Struct):
    item_id: str
    text: str
    suppressed: bool
    n_answers: int | None
    item_rest_correlation: float | None
    not_applicable_share: float | None
    floor_share: float | None
    ceiling_share: float | None
    readings: list[str]


class DimensionQualityRead(msgspec.Struct):
    dimension_id: str
    title: str
    suppressed: bool
    n_organisations: int | None
    cronbach_alpha: float | None
    alpha_reading: str
    score_floor_share: float | None
    score_ceiling_share: float | None
    items: list[ItemQualityRead]


class VersionQualityRead(msgspec.Struct):
    version: int
    n_organisations: int | None
    dimensions: list[DimensionQualityRead]


class QualityRead(msgspec.Struct):
    """Psychometric quality of a questionnaire in a round, across organisations.

    Cronbach's alpha per dimension (pairwise covariances), item–rest correlations
    (item against the mean of the other answered items of its dimension), share of
    "not applicable" answers, floor and ceiling shares (lowest / highest possible
    score). Figures built on fewer than five organisations are suppressed.
    """

    questionnaire_id: str
    round: str
    computed_at: dt.datetime
    versions: list[VersionQualityRead]
