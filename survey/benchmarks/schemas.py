"""Benchmark and questionnaire-quality Structs: what is stored, and what the API returns.

The benchmark of a result (``BenchmarkRead`` and its parts) is part of the result's shape,
so it lives in :mod:`survey.assessments.schemas`; the benchmarks fill it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Final

import msgspec
import numpy as np

from survey.assessments.schemas import PeerGroupLevel

# --- stored payloads ---------------------------------------------------------------------

FIGURE_WIDTH: Final = 9
"""One stored figure is :data:`FIGURE_WIDTH` little-endian 32-bit integers (36 bytes):
the status (0, 1, 2: shown, the index of the peer group level in :data:`STORED_LEVELS`;
:data:`TOO_FEW_PEERS`; :data:`NO_SCORE`), the number of peers, then percentile rank,
the peers' mean, P10, P25, P50, P75 and P90 in hundredths (so two decimals are exact;
0 unless shown). Only what the group may show is stored (DESIGN §5): a percentile that
a group of its size may not show is :data:`WITHHELD`, and with fewer than 10 peers the
rank and the mean are whole points."""
FIGURE_BYTES: Final = 4 * FIGURE_WIDTH
WITHHELD: Final = -(2**31)
"""A figure the peer group is too small to show (never a real value: hundredths of 0–100)."""

STORED_LEVELS: Final[tuple[PeerGroupLevel, ...]] = ("sector_size", "sector", "network")
TOO_FEW_PEERS: Final = 3
NO_SCORE: Final = 4


class StoredFigure(msgspec.Struct, frozen=True):
    """The stored figures of one dimension (``dimension_id``), or of the overall score
    (``dimension_id == ""``), of one assessment with a score there.

    ``AssessmentBenchmark.figures`` holds one figure (:data:`FIGURE_WIDTH`) per dimension of
    the assessment's stored result, in the order of ``AssessmentResult.dimension_ids``,
    then one for the overall score: a fixed layout that a recompute writes with one
    buffer for a whole round, and that compares byte for byte with what is stored.
    Without a group of at least five peers everything after the id is None; a percentile
    the group is too small to show is None too.
    """

    dimension_id: str
    peer_group: PeerGroupLevel | None
    n_peers: int | None
    percentile_rank: float | None
    mean: float | None
    p10: float | None
    p25: float | None
    p50: float | None
    p75: float | None
    p90: float | None

    @classmethod
    def decode(cls, stored: bytes, dimension_ids: Sequence[str]) -> list[StoredFigure] | None:
        """The figures with a score, or None when ``stored`` does not hold one record per
        dimension id and one for the overall score (computed for another result)."""
        if len(stored) != FIGURE_BYTES * (len(dimension_ids) + 1):
            return None
        records = np.frombuffer(stored, dtype="<i4").reshape(-1, FIGURE_WIDTH).tolist()
        figures = []
        for dimension_id, (status, n_peers, *hundredths) in zip(
            [*dimension_ids, ""], records, strict=True
        ):
            if status == NO_SCORE:
                continue
            if status == TOO_FEW_PEERS:
                figures.append(cls(dimension_id, None, None, *([None] * 7)))
            elif 0 <= status < len(STORED_LEVELS):
                figures.append(
                    cls(
                        dimension_id,
                        STORED_LEVELS[status],
                        n_peers,
                        *(None if v == WITHHELD else v / 100 for v in hundredths),
                    )
                )
            else:
                return None
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
    n_items_alpha: int
    score_floor_share: float | None
    score_ceiling_share: float | None
    items: list[StoredItemQuality]


class StoredVersionQuality(msgspec.Struct, frozen=True):
    """One version's snapshot: the figures, when they were computed (``as_of``) and the
    submitted assessments they were built on (id → submitted at), to count the
    organisations that changed since (never shown)."""

    version: int
    questionnaire_version_id: int
    n_organisations: int
    dimensions: list[StoredDimensionQuality]
    as_of: dt.datetime
    members: dict[int, dt.datetime | None]


# --- API -------------------------------------------------------------------------------------


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
    """One part: ``n_items`` scored questions, of which ``n_items_alpha`` (those with at
    least 5 scored answers) entered Cronbach's alpha and the item–rest correlations
    (None when suppressed or alpha could not be computed)."""

    dimension_id: str
    title: str
    suppressed: bool
    n_organisations: int | None
    n_items: int
    n_items_alpha: int | None
    cronbach_alpha: float | None
    alpha_reading: str
    score_floor_share: float | None
    score_ceiling_share: float | None
    items: list[ItemQualityRead]


class VersionQualityRead(msgspec.Struct):
    """The figures of one questionnaire version, as of ``as_of`` (UTC): they refresh only
    once at least 5 organisations submitted or reopened since, and at round close, so that
    two looks never isolate one organisation (DESIGN §7)."""

    version: int
    n_organisations: int | None
    as_of: dt.datetime
    dimensions: list[DimensionQualityRead]


class QualityRead(msgspec.Struct):
    """Psychometric quality of a questionnaire in a round, across organisations.

    Cronbach's alpha per dimension and item–rest correlations (item against the sum of
    the other items of its dimension), both from one matrix of pairwise covariances:
    missing answers (unanswered, not applicable) are left out pair by pair; share of
    "not applicable" answers, floor and ceiling shares (lowest / highest possible
    score). Figures built on fewer than five organisations are suppressed.
    ``computed_at`` is the latest ``as_of`` of the versions (UTC); each version's
    figures change only when 5 organisations changed since, or the round closed.
    """

    questionnaire_id: str
    round: str
    computed_at: dt.datetime
    versions: list[VersionQualityRead]
