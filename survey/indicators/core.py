"""Network indicator cells of one round (DESIGN §7): a pure core over pandas frames and
numpy arrays, no ORM, no web.

Cells
-----
A *cell* is one indicator for one filter combination. The filters are the organisation's
sector, size band, municipality (the 19 Brussels municipalities and ``outside``) and
VGC-funded flag; each is either one value or :data:`ALL`. Every combination is computed
(:class:`Axes`: 12 × 5 × 21 × 3 = 3,780 combinations with the reference lists), so the
set of cells of a round is fixed when the release is taken, and two queries whose
filters differ by one value read two cells of the same release (see
:mod:`survey.indicators.privacy`).

Cell families (``indicator``), each with its own ``n_organisations``:

- ``participation``: organisations assessed (submitted at least one questionnaire in the
  round) out of the registered ones, and the share that took part;
- ``scores`` per questionnaire × dimension (``overall`` for the overall score): the
  distribution of scores (mean, P10 … P90) and of maturity levels (share per level),
  and the share at maturity ≥ 3;
- ``change`` per questionnaire × dimension: change since the previous round, on the
  organisations that have a score in both rounds only (mean change, share at maturity
  ≥ 3 before and now);
- ``team`` per measure of "Diverse teams" (``staff-migration``, ``board-outside-eu``, …):
  the pooled share ``Σ subgroup / Σ total`` over the organisations that reported both the
  subgroup and a positive total. Never counts of people.

- ``requests`` per provider × trajectory (stored in the questionnaire and dimension
  slots of the family): the support requests of the round's organisations — requested
  (every request made in the round, whatever its state now), running and completed
  (its state now); ``n_organisations`` counts the organisations with such a request.

What a cell may *show* (suppression, rounding by group size) is decided in
:mod:`survey.indicators.privacy`; this module computes the raw figures.

Percentiles are linear interpolation between order statistics (Hyndman & Fan type 7,
numpy's default): P(p) = x[⌊h⌋] + (h − ⌊h⌋)(x[⌊h⌋+1] − x[⌊h⌋]), h = (n − 1)p/100.
Example: scores 10, 20, 30, 40 → P25 = 17.5.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from survey.organisations.reference import MUNICIPALITY_CODES, SECTORS, SIZE_BANDS
from survey.questionnaires.schema import Questionnaire

__all__ = [
    "ALL",
    "COLUMNS",
    "FILTERS",
    "KINDS",
    "MATURE_LEVEL",
    "OVERALL",
    "PERCENTILES",
    "STATISTICS",
    "TEAM_MEASURES",
    "TEAM_QUESTIONNAIRE",
    "Axes",
    "CellMatrix",
    "cell_matrix",
    "cells",
    "changed_per_cell",
    "default_axes",
    "dimension_ids",
    "maturity_levels",
]

ALL: Final = "*"
"""The filter value "every value" (no filter on that attribute)."""

FILTERS: Final = ("sector", "size_band", "municipality", "funded")
OVERALL: Final = "overall"
"""The ``dimension`` of a questionnaire's overall score."""
PERCENTILES: Final = (10, 25, 50, 75, 90)
MATURE_LEVEL: Final = 3
"""Share "at maturity ≥ 3" (*planmatig* or further)."""

TEAM_QUESTIONNAIRE: Final = "diverse-teams"
"""The questionnaire whose number items give the team-composition measures."""

TEAM_MEASURES: Final[dict[str, tuple[str, str]]] = {
    "staff-migration": ("tc-personeel-migratie", "tc-personeel-totaal"),
    "staff-outside-eu": ("tc-personeel-buiten-eu", "tc-personeel-totaal"),
    "management-migration": ("tc-leiding-migratie", "tc-leiding-totaal"),
    "management-outside-eu": ("tc-leiding-buiten-eu", "tc-leiding-totaal"),
    "board-migration": ("tc-bestuur-migratie", "tc-bestuur-totaal"),
    "board-outside-eu": ("tc-bestuur-buiten-eu", "tc-bestuur-totaal"),
}
"""Team-composition measures: (subgroup item, total item) of the "Diverse teams" items."""

VALUE_COLUMNS: Final = (
    "registered",
    "share_participating",
    "mean",
    *(f"p{p}" for p in PERCENTILES),
    *(f"level_{level}" for level in range(1, 6)),
    "share_mature",
    "mean_change",
    "share_mature_before",
    "share",
    "requested",
    "running",
    "completed",
)
COLUMNS: Final = ("family", "combo", "n_organisations", *VALUE_COLUMNS)
"""The columns of :func:`cells` (all but the first two are floats; NaN: no value)."""


@dataclass(frozen=True)
class Axes:
    """The values of each filter; a combination is a flat index into the cube
    (sector × size band × municipality × funded, each with :data:`ALL` last)."""

    sectors: tuple[str, ...]
    size_bands: tuple[str, ...]
    municipalities: tuple[str, ...]
    funded: tuple[str, ...] = ("true", "false")

    @property
    def values(self) -> tuple[tuple[str, ...], ...]:
        return (self.sectors, self.size_bands, self.municipalities, self.funded)

    @property
    def shape(self) -> tuple[int, int, int, int]:
        s, z, m, f = (len(v) + 1 for v in self.values)
        return (s, z, m, f)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))

    def combo(self, sector: str, size_band: str, municipality: str, funded: str) -> int:
        """The flat index of a combination (:data:`ALL` or a value per filter).

        Raises ``ValueError`` for a value not on an axis."""
        index = []
        for value, axis in zip((sector, size_band, municipality, funded), self.values, strict=True):
            index.append(len(axis) if value == ALL else axis.index(value))
        return int(np.ravel_multi_index(tuple(index), self.shape))

    def labels(self, combo: int) -> tuple[str, str, str, str]:
        index = np.unravel_index(combo, self.shape)
        s, z, m, f = (
            ALL if int(i) == len(axis) else axis[int(i)]
            for i, axis in zip(index, self.values, strict=True)
        )
        return (s, z, m, f)

    def codes(self, frame: pd.DataFrame) -> npt.NDArray[np.int64]:
        """Per row of ``frame`` (columns :data:`FILTERS`, ``funded`` a bool), the index on
        each axis, shape (rows, 4). A value on no axis is refused."""
        columns = []
        for name, axis in zip(FILTERS, self.values, strict=True):
            values = frame[name]
            if name == "funded":
                values = values.map({True: "true", False: "false"})
            codes = pd.Categorical(values, categories=list(axis)).codes.astype(np.int64)
            if np.any(codes < 0):
                raise ValueError(f"{name}: a value outside the reference list")
            columns.append(codes)
        return np.column_stack(columns) if columns[0].size else np.zeros((0, 4), np.int64)

    def cube(self, codes: npt.NDArray[np.int64]) -> list[npt.NDArray[np.int64]]:
        """For every subset of filters set to :data:`ALL` (16 of them), the flat combination
        of each row: a row belongs to exactly one combination per subset."""
        _s1, z1, m1, f1 = self.shape
        out = []
        for mask in itertools.product((False, True), repeat=4):
            parts = [
                np.full(codes.shape[0], size - 1, np.int64) if masked else codes[:, axis]
                for axis, (masked, size) in enumerate(zip(mask, self.shape, strict=True))
            ]
            out.append(((parts[0] * z1 + parts[1]) * m1 + parts[2]) * f1 + parts[3])
        return out


def default_axes() -> Axes:
    """The axes of DESIGN §2: every sector, size band and municipality (and ``outside``)."""
    return Axes(tuple(SECTORS), tuple(SIZE_BANDS), MUNICIPALITY_CODES)


KINDS: Final = ("participation", "scores", "change", "team", "requests")
"""The indicators (``family[0]``)."""

STATISTICS: Final[dict[str, tuple[str, ...]]] = {
    "participation": ("registered", "share_participating"),
    "scores": (
        "mean",
        *(f"p{p}" for p in PERCENTILES),
        *(f"level_{lv}" for lv in range(1, 6)),
        "share_mature",
    ),
    "change": ("share_mature", "mean_change", "share_mature_before"),
    "team": ("share",),
    "requests": ("requested", "running", "completed"),
}
"""The statistics each indicator has, in the order of :data:`VALUE_COLUMNS` (a cell has
no value for the others)."""

_OWN = np.asarray([[name in STATISTICS[kind] for name in VALUE_COLUMNS] for kind in KINDS])
"""Per indicator (:data:`KINDS`), which of :data:`VALUE_COLUMNS` it has."""


@dataclass
class CellMatrix:
    """Cells as arrays, one entry per cell (what :func:`cells` returns as a frame):
    ``family``, ``combo``, ``n_organisations``, ``kind`` (the index of its indicator in
    :data:`KINDS`) and, once the privacy rules ran, ``suppressed``. ``values`` holds only
    the statistics each cell's indicator has (:data:`STATISTICS`): those of cell *i* are
    ``values[offsets[i]:offsets[i + 1]]`` (NaN: no value)."""

    family: npt.NDArray[np.int64]
    combo: npt.NDArray[np.int64]
    n_organisations: npt.NDArray[np.int64]
    kind: npt.NDArray[np.int64]
    values: npt.NDArray[np.float64]
    suppressed: npt.NDArray[np.bool_] | None = None

    @property
    def offsets(self) -> npt.NDArray[np.int64]:
        return np.concatenate([[0], np.cumsum(_OWN.sum(axis=1)[self.kind])]).astype(np.int64)

    @classmethod
    def of(cls, frame: pd.DataFrame, families: list[tuple[str, str, str]]) -> CellMatrix:
        """The cells of a frame of :data:`COLUMNS` (and ``suppressed``), copied; a value of a
        statistic its indicator does not have is dropped."""
        family = frame["family"].to_numpy(np.int64, copy=True)
        kind_of_family = np.asarray([KINDS.index(f[0]) for f in families], dtype=np.int64)
        kind = kind_of_family[family] if family.size else family.copy()
        matrix = frame[list(VALUE_COLUMNS)].to_numpy(np.float64)
        return cls(
            family=family,
            combo=frame["combo"].to_numpy(np.int64, copy=True),
            n_organisations=frame["n_organisations"].to_numpy(np.int64, copy=True),
            kind=kind,
            values=matrix[_OWN[kind]],
            suppressed=(
                frame["suppressed"].to_numpy(bool, copy=True) if "suppressed" in frame else None
            ),
        )

    def matrix(self) -> npt.NDArray[np.float64]:
        """The values as a matrix, one column per :data:`VALUE_COLUMNS`."""
        out = np.full((self.family.size, len(VALUE_COLUMNS)), np.nan)
        out[_OWN[self.kind]] = self.values
        return out

    def frame(self) -> pd.DataFrame:
        """The cells as a frame of :data:`COLUMNS` (and ``suppressed`` when known)."""
        frame = pd.DataFrame(self.matrix(), columns=list(VALUE_COLUMNS))
        frame.insert(0, "family", self.family)
        frame.insert(1, "combo", self.combo)
        frame.insert(2, "n_organisations", self.n_organisations)
        if self.suppressed is not None:
            frame["suppressed"] = self.suppressed
        return frame


_PAIR_THREADS: Final = min(2, os.cpu_count() or 1)
"""Threads that fill the score families of :func:`cell_matrix`."""


def maturity_levels(scores: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """Maturity level 1–5 of 0–100 scores (DESIGN §4, on the score rounded half up to two
    decimals). >>> maturity_levels(np.array([19.994, 19.995, 100.0])) → [1, 2, 5]"""
    hundredths = np.asarray(scores, dtype=np.float64) * 100  # then + 0.5 + 1e-9, in place
    hundredths += 0.5
    hundredths += 1e-9
    np.floor(hundredths, out=hundredths)
    np.floor_divide(hundredths, 2000, out=hundredths)
    levels = hundredths.astype(np.int64)
    levels += 1
    return np.clip(levels, 1, 5, out=levels)


def _roll_up(values: npt.NDArray[Any], n_families: int, axes: Axes) -> npt.NDArray[Any]:
    """Fill the :data:`ALL` combinations of per-group sums (shape (families × combinations,
    …), filled at the combinations without :data:`ALL`) by summing their children, one
    filter after the other, so every one of the 16 subsets of filters is summed once."""
    cube = values.reshape((n_families, *axes.shape, *values.shape[1:]))
    for axis in range(1, 5):
        children: list[Any] = [slice(None)] * cube.ndim
        children[axis] = slice(0, -1)
        parent: list[Any] = [slice(None)] * cube.ndim
        parent[axis] = -1
        cube[tuple(parent)] = cube[tuple(children)].sum(axis=axis)
    return values


def _small_codes(codes: npt.NDArray[Any], size: int) -> npt.NDArray[Any]:
    """``codes`` (all below ``size``) as uint16 when they fit: numpy sorts 16-bit keys stably
    with a radix sort, in linear time."""
    return codes.astype(np.uint16) if size <= 65536 else codes


def _percentiles(
    values: npt.NDArray[np.float64],
    where: npt.NDArray[np.intp],
    cubes: list[npt.NDArray[Any]],
    n_combos: int,
) -> npt.NDArray[np.float64]:
    """The :data:`PERCENTILES` of one family's ``values`` (ascending) per combination, shape
    (combinations, 5), NaN where the family has no value. ``where`` is each value's
    organisation and ``cubes`` the 16 combinations of each organisation (:meth:`Axes.cube`,
    as :func:`_small_codes`). A stable sort by combination keeps each group's values in
    ascending order (a radix sort: combinations fit 16 bits); a combination belongs to one
    cube only."""
    out = np.full((n_combos, len(PERCENTILES)), np.nan)
    shares = np.asarray(PERCENTILES, dtype=np.float64) / 100
    for cube in cubes:
        combo = cube[where]
        ordered = values[np.argsort(combo, kind="stable")]
        counts = np.bincount(combo, minlength=n_combos)
        present = np.flatnonzero(counts)
        last_rank = (counts[present] - 1)[:, None]
        starts = (np.cumsum(counts) - counts)[present][:, None]
        h = last_rank * shares
        low = np.floor(h).astype(np.int64)
        high = np.minimum(low + 1, last_rank)
        lo_value = ordered[starts + low]
        hi_value = ordered[starts + high]
        out[present] = lo_value + (h - low) * (hi_value - lo_value)
    return out


def _sorted_codes(column: pd.Series) -> tuple[npt.NDArray[Any], Any]:
    """Codes of a column's values in sorted order, and the values: a categorical column's
    own codes and categories (in their order, as ``pd.factorize(sort=True)`` would; the
    categories need not all occur), else :func:`pandas.factorize`."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy()
        if not codes.size or codes.min() >= 0:
            return codes, column.cat.categories
    codes, values = pd.factorize(column, sort=True)
    return codes, values


def _pair_codes(frame: pd.DataFrame) -> tuple[npt.NDArray[np.int64], list[tuple[str, str]]]:
    """Codes of the (questionnaire, dimension) pair of every row, and the pairs (sorted)."""
    if frame.empty:
        return np.zeros(0, np.int64), []
    q_codes, q_values = _sorted_codes(frame["questionnaire"])
    d_codes, d_values = _sorted_codes(frame["dimension"])
    combined = q_codes.astype(np.int64) * len(d_values) + d_codes
    size = len(q_values) * len(d_values)
    if size <= 4 * combined.size + 1024 and q_codes.min() >= 0 and d_codes.min() >= 0:
        # Few possible pairs: rank them by counting instead of hashing every row.
        uniques = np.flatnonzero(np.bincount(combined, minlength=size))
        rank = np.zeros(size, np.int64)
        rank[uniques] = np.arange(uniques.size)
        codes = rank[combined]
    else:
        codes, uniques = pd.factorize(combined, sort=True)
    pairs = [(str(q_values[u // len(d_values)]), str(d_values[u % len(d_values)])) for u in uniques]
    return codes.astype(np.int64), pairs


def _add_families(
    pairs: list[tuple[str, str]], families: dict[tuple[str, str, str], int], kind: str
) -> npt.NDArray[np.int64]:
    """The family index of each (questionnaire, dimension) of ``pairs`` for indicator
    ``kind``; families not known yet are added in the order of ``pairs``."""
    return np.asarray(
        [families.setdefault((kind, q, d), len(families)) for q, d in pairs], dtype=np.int64
    )


def _family_codes(frame: pd.DataFrame, families: dict[tuple[str, str, str], int], kind: str) -> Any:
    """The family index of every row (indicator ``kind`` × questionnaire × dimension)."""
    codes, pairs = _pair_codes(frame)
    mapping = _add_families(pairs, families, kind)
    return mapping[codes] if len(pairs) else codes


def _matches(
    now: tuple[npt.NDArray[np.intp], npt.NDArray[np.int64]],
    before: tuple[npt.NDArray[np.intp], npt.NDArray[np.int64]],
    n_organisations: int,
    n_pairs: int,
) -> npt.NDArray[np.intp]:
    """For each row of ``now`` (organisation position, pair code), the row of ``before``
    with the same organisation and pair, or -1. A pair may appear once per organisation in
    ``before``."""
    now_keys = now[0].astype(np.int64) * n_pairs + now[1]
    before_keys = before[0].astype(np.int64) * n_pairs + before[1]
    size = n_organisations * n_pairs
    if size > 4 * (now_keys.size + before_keys.size) + 1024:  # sparse: a hash table
        index = pd.Index(before_keys)
        if not index.is_unique:
            raise ValueError("the previous round has a score twice for one organisation")
        return np.asarray(index.get_indexer(now_keys), dtype=np.intp)
    table = np.full(size, -1, dtype=np.intp)
    table[before_keys] = np.arange(before_keys.size)
    if np.count_nonzero(table >= 0) != before_keys.size:
        raise ValueError("the previous round has a score twice for one organisation")
    found: npt.NDArray[np.intp] = table[now_keys]
    return found


class _Locator:
    """Positions of organisation ids among the registered organisations: a direct table when
    the ids are dense enough (database ids are), a hash index otherwise."""

    def __init__(self, ids: npt.NDArray[Any]) -> None:
        self.index = pd.Index(ids)
        self.table: npt.NDArray[np.intp] | None = None
        if (
            ids.size
            and ids.dtype.kind in "iu"
            and ids.min() >= 0
            and ids.max() < 4 * ids.size + 1024
        ):
            self.table = np.full(int(ids.max()) + 1, -1, dtype=np.intp)
            self.table[ids] = np.arange(ids.size)

    def __call__(self, ids: npt.NDArray[Any]) -> npt.NDArray[np.intp]:
        """Each id's position, -1 for an id that is not registered."""
        if self.table is not None and ids.dtype.kind in "iu":
            inside = (ids >= 0) & (ids < self.table.size)
            if inside.all():
                found: npt.NDArray[np.intp] = self.table[ids]
                return found
        return np.asarray(self.index.get_indexer(ids), dtype=np.intp)


# The statistics summed per group (family × combination) before the roll-up.
_N, _SCORE, _MATURE, _CHANGE, _MATURE_NOW, _MATURE_BEFORE = range(6)
_PART, _TOTAL, _REQUESTED, _RUNNING, _COMPLETED = range(6, 11)
_LEVELS = slice(11, 16)
_N_STATS = 16
_SUMMED: Final = {
    "scores": (_N, _SCORE, _MATURE, *range(_LEVELS.start, _LEVELS.stop)),
    "change": (_N, _CHANGE, _MATURE_NOW, _MATURE_BEFORE),
    "team": (_N, _PART, _TOTAL),
    "requests": (_N, _REQUESTED, _RUNNING, _COMPLETED),
}
"""The statistics each indicator sums (participation has its own counts)."""


def cells(
    organisations: pd.DataFrame,
    scores: pd.DataFrame,
    previous_scores: pd.DataFrame | None = None,
    team: pd.DataFrame | None = None,
    axes: Axes | None = None,
    requests: pd.DataFrame | None = None,
) -> tuple[list[tuple[str, str, str]], pd.DataFrame]:
    """Every indicator cell of a round, before suppression.

    Parameters
    ----------
    organisations : DataFrame
        The registered organisations: ``organisation_id`` and :data:`FILTERS` (``funded``
        a bool). Their attributes place every other row in its combinations.
    scores : DataFrame
        Scores of the round: ``organisation_id``, ``questionnaire``, ``dimension``
        (``overall`` for the overall score), ``score`` in [0, 100]. Rows without a score
        (NaN) are left out, as DESIGN §4 leaves "insufficient data" out of indicators.
    previous_scores : DataFrame, optional
        The same for the previous round: the change is computed on the organisations with
        a score in both rounds for that questionnaire and dimension.
    team : DataFrame, optional
        ``organisation_id``, ``measure`` (a key of :data:`TEAM_MEASURES`), ``part``,
        ``total``: rows with a total ≤ 0 or a missing part are left out.
    requests : DataFrame, optional
        Support requests: ``organisation_id``, ``provider``, ``trajectory``, ``state``
        (``running`` and ``completed`` are counted as such; every row counts as requested).

    Returns
    -------
    (families, frame): ``families[k]`` is (indicator, questionnaire, dimension) of family
    ``k``; ``frame`` has the :data:`COLUMNS`, one row per family × combination with at least
    one organisation, sorted by combination then family.
    """
    families, matrix = cell_matrix(organisations, scores, previous_scores, team, axes, requests)
    return families, matrix.frame()


def cell_matrix(
    organisations: pd.DataFrame,
    scores: pd.DataFrame,
    previous_scores: pd.DataFrame | None = None,
    team: pd.DataFrame | None = None,
    axes: Axes | None = None,
    requests: pd.DataFrame | None = None,
) -> tuple[list[tuple[str, str, str]], CellMatrix]:
    """:func:`cells` as arrays (:class:`CellMatrix`), without building a frame."""
    axes = axes or default_axes()
    n_combos = axes.size
    organisations = organisations.drop_duplicates("organisation_id")
    org_ids = organisations["organisation_id"].to_numpy()
    locate = _Locator(org_ids)
    org_codes = axes.codes(organisations)
    org_cube = axes.cube(org_codes)
    fine_org = org_cube[0]  # the combination without ALL of each organisation
    cubes = [_small_codes(combo, n_combos) for combo in org_cube]

    def where_of(ids: pd.Series) -> npt.NDArray[np.intp]:
        """The position of each row's organisation among ``organisations``."""
        where = locate(ids.to_numpy())
        if np.any(where < 0):
            raise ValueError("a row names an organisation that is not registered")
        return where

    families: dict[tuple[str, str, str], int] = {("participation", "", ""): 0}
    # Participation: every registered organisation; assessed = submitted at least one
    # questionnaire (it has a row in ``scores``, with or without a score).
    assessed = np.isin(org_ids, scores["organisation_id"].to_numpy())
    if scores["score"].isna().any():
        scores = scores[scores["score"].notna()]
    score_values = scores["score"].to_numpy(dtype=np.float64)
    if np.any((score_values < 0) | (score_values > 100)):
        raise ValueError("scores must lie in [0, 100]")
    score_where = where_of(scores["organisation_id"])
    score_pair, score_pairs = _pair_codes(scores)
    score_family = _add_families(score_pairs, families, "scores")

    # Change: the rows of ``scores`` with a score of the same organisation, questionnaire and
    # dimension in the previous round.
    match = np.full(score_values.size, -1, dtype=np.intp)
    before_values = np.zeros(0, np.float64)
    if previous_scores is not None and len(previous_scores):
        previous = previous_scores
        if previous["score"].isna().any():
            previous = previous[previous["score"].notna()]
        previous_where = locate(previous["organisation_id"].to_numpy())
        if np.any(previous_where < 0):  # organisations no longer registered
            previous = previous[previous_where >= 0]
            previous_where = previous_where[previous_where >= 0]
        previous_pair, previous_pairs = _pair_codes(previous)
        known = {pair: code for code, pair in enumerate(score_pairs)}
        recode = np.asarray(
            [known.setdefault(pair, len(known)) for pair in previous_pairs], dtype=np.int64
        )
        match = _matches(
            (score_where, score_pair),
            (previous_where, recode[previous_pair]),
            int(org_ids.size),
            len(known),
        )
        before_values = previous["score"].to_numpy(np.float64)
    paired_pairs = np.bincount(score_pair[match >= 0], minlength=len(score_pairs)) > 0
    change_family = np.full(len(score_pairs), -1, dtype=np.int64)
    change_family[paired_pairs] = _add_families(
        [pair for pair, paired in zip(score_pairs, paired_pairs, strict=True) if paired],
        families,
        "change",
    )

    team = (
        team
        if team is not None
        else pd.DataFrame(columns=["organisation_id", "measure", "part", "total"])
    )
    team = team[team["part"].notna() & team["total"].notna() & (team["total"] > 0)]
    team_family = _family_codes(
        team.assign(questionnaire=TEAM_QUESTIONNAIRE, dimension=team["measure"]), families, "team"
    )
    requests = (
        requests
        if requests is not None
        else pd.DataFrame(columns=["organisation_id", "provider", "trajectory", "state"])
    )
    request_family = _family_codes(
        requests.assign(questionnaire=requests["provider"], dimension=requests["trajectory"]),
        families,
        "requests",
    )
    n_families = len(families)
    n_groups = n_families * n_combos
    stats = np.zeros((_N_STATS, n_groups))  # one row per statistic
    quantiles = np.full((len(PERCENTILES), n_groups), np.nan)

    # Scores and change, one (questionnaire, dimension) at a time: its rows in their order.
    by_pair = np.argsort(_small_codes(score_pair, len(score_pairs)), kind="stable")
    bounds = np.concatenate([[0], np.cumsum(np.bincount(score_pair, minlength=len(score_pairs)))])

    def fill(code: int) -> None:
        """The statistics of one pair's score and change families (their own columns)."""
        rows = by_pair[bounds[code] : bounds[code + 1]]
        first = int(score_family[code]) * n_combos
        block = stats[:, first : first + n_combos]
        # Ties may come in any order: equal values add up and rank the same either way.
        ascending = np.argsort(score_values[rows])
        values = score_values[rows][ascending]
        where = score_where[rows][ascending]
        fine = fine_org[where]
        level_index = maturity_levels(values) - 1
        block[_N] = np.bincount(fine, minlength=n_combos)
        block[_SCORE] = np.bincount(fine, weights=values, minlength=n_combos)
        mature = (level_index + 1 >= MATURE_LEVEL).astype(np.float64)
        block[_MATURE] = np.bincount(fine, weights=mature, minlength=n_combos)
        block[_LEVELS] = (
            np.bincount(fine * 5 + level_index, minlength=n_combos * 5).reshape(n_combos, 5).T
        )
        quantiles[:, first : first + n_combos] = _percentiles(values, where, cubes, n_combos).T
        if change_family[code] >= 0:
            paired = rows[match[rows] >= 0]
            first = int(change_family[code]) * n_combos
            block = stats[:, first : first + n_combos]
            now = score_values[paired]
            before = before_values[match[paired]]
            fine = fine_org[score_where[paired]]
            block[_N] = np.bincount(fine, minlength=n_combos)
            block[_CHANGE] = np.bincount(fine, weights=now - before, minlength=n_combos)
            for column, moment in ((_MATURE_NOW, now), (_MATURE_BEFORE, before)):
                mature = (maturity_levels(moment) >= MATURE_LEVEL).astype(np.float64)
                block[column] = np.bincount(fine, weights=mature, minlength=n_combos)

    # Two threads: numpy lets go of the interpreter while it sorts and indexes, and each
    # pair writes only its own families' columns.
    with ThreadPoolExecutor(max_workers=_PAIR_THREADS) as pool:
        list(pool.map(fill, range(len(score_pairs))))

    def add(column: int, gid: npt.NDArray[np.int64], weights: Any = None) -> None:
        stats[column] += np.bincount(gid, weights=weights, minlength=n_groups)

    team_gid = team_family * n_combos + fine_org[where_of(team["organisation_id"])]
    add(_N, team_gid)
    add(_PART, team_gid, team["part"].to_numpy(np.float64))
    add(_TOTAL, team_gid, team["total"].to_numpy(np.float64))
    request_where = where_of(requests["organisation_id"])
    request_gid = request_family * n_combos + fine_org[request_where]
    request_state = requests["state"].to_numpy(dtype=object)
    # An organisation counts once per family however many requests it made.
    first_of_organisation = (
        ~pd.Series(request_family * (int(org_ids.size) + 1) + request_where).duplicated().to_numpy()
    )
    add(_N, request_gid, first_of_organisation.astype(np.float64))
    add(_REQUESTED, request_gid)
    add(_RUNNING, request_gid, (request_state == "running").astype(np.float64))
    add(_COMPLETED, request_gid, (request_state == "completed").astype(np.float64))
    kind_of_family = np.asarray([KINDS.index(kind) for kind, _q, _d in families], np.int64)
    for kind, used in _SUMMED.items():  # each statistic of each family that has it
        mine = np.flatnonzero(kind_of_family == KINDS.index(kind))
        if mine.size:
            # The families of an indicator follow one another; a range that takes in another
            # indicator's family rolls up its zeros or, again, the same sums.
            span = slice(int(mine[0]) * n_combos, (int(mine[-1]) + 1) * n_combos)
            for column in used:
                _roll_up(stats[column, span], int(mine[-1] - mine[0]) + 1, axes)

    registered = _roll_up(np.bincount(fine_org, minlength=n_combos).astype(np.float64), 1, axes)
    assessed_n = _roll_up(
        np.bincount(fine_org, weights=assessed.astype(np.float64), minlength=n_combos), 1, axes
    )
    n = stats[_N].astype(np.int64)
    n[:n_combos] = assessed_n.astype(np.int64)

    # The groups kept, sorted by combination then family.
    keep = n > 0
    keep[:n_combos] |= registered > 0  # participation
    by_combo = np.arange(n_groups).reshape(n_families, n_combos).T.ravel()
    rows = by_combo[keep[by_combo]]
    family_rows, combo_rows = rows // n_combos, rows % n_combos
    kinds = kind_of_family[family_rows]
    size = n[rows]
    cells = CellMatrix(family_rows, combo_rows, size, kinds, np.empty(0))
    offsets = cells.offsets
    cells.values = np.empty(int(offsets[-1]))
    with np.errstate(invalid="ignore", divide="ignore"):
        for k, kind in enumerate(KINDS):
            mine = np.flatnonzero(kinds == k)
            if not mine.size:
                continue
            group, n_mine = rows[mine], size[mine]

            def stat(column: int, group: npt.NDArray[np.int64] = group) -> npt.NDArray[Any]:
                taken: npt.NDArray[np.float64] = stats[column][group]
                return taken

            found: dict[str, npt.NDArray[np.float64]] = {}
            if kind == "participation":
                combo = combo_rows[mine]
                found["registered"] = registered[combo]
                found["share_participating"] = 100 * assessed_n[combo] / registered[combo]
            elif kind == "scores":
                found["mean"] = stat(_SCORE) / n_mine
                for column, p in enumerate(PERCENTILES):
                    found[f"p{p}"] = quantiles[column][group]
                for level in range(5):
                    found[f"level_{level + 1}"] = 100 * stat(_LEVELS.start + level) / n_mine
                found["share_mature"] = 100 * (stat(_MATURE) / n_mine)
            elif kind == "change":
                found["share_mature"] = 100 * stat(_MATURE_NOW) / np.maximum(n_mine, 1)
                found["mean_change"] = stat(_CHANGE) / n_mine
                found["share_mature_before"] = 100 * (stat(_MATURE_BEFORE) / n_mine)
            elif kind == "team":
                found["share"] = 100 * stat(_PART) / stat(_TOTAL)
            else:
                found["requested"] = stat(_REQUESTED)
                found["running"] = stat(_RUNNING)
                found["completed"] = stat(_COMPLETED)
            start = offsets[mine]
            for position, name in enumerate(STATISTICS[kind]):
                cells.values[start + position] = found[name]
    ordered = [key for key, _ in sorted(families.items(), key=lambda kv: kv[1])]
    return ordered, cells


def changed_per_cell(
    previous: pd.DataFrame,
    current: pd.DataFrame,
    scopes: list[str],
    axes: Axes | None = None,
) -> npt.NDArray[np.int64]:
    """How many organisations changed, per scope × combination, between two releases.

    ``previous`` and ``current`` are the members of a release: ``organisation_id``,
    :data:`FILTERS`, ``questionnaire`` and ``stamp`` (the moment of submission, as an
    integer), one row per submitted assessment. An organisation changed in scope *q* (a
    questionnaire, or :data:`ALL` for any) when its assessment of *q* was submitted,
    reopened or submitted again since, or its attributes changed; it counts in every
    combination it belongs to before or after (once). Returns shape (len(scopes), combos).
    """
    axes = axes or default_axes()
    out = np.zeros((len(scopes), axes.size), np.int64)
    key = ["organisation_id", *FILTERS, "stamp"]
    both = pd.concat(
        [previous[[*key, "questionnaire"]], current[[*key, "questionnaire"]]], ignore_index=True
    )
    if both.empty:
        return out
    is_new = np.arange(len(both)) >= len(previous)
    # Submissions compare as multisets: a (organisation, attributes, stamp) changed when it
    # occurs a different number of times before and after.
    row_key = both.groupby(key, sort=False, dropna=False).ngroup().to_numpy()
    n_keys = int(row_key.max()) + 1
    organisation, _ = pd.factorize(both["organisation_id"])
    questionnaire = both["questionnaire"].to_numpy(dtype=object)
    for s, scope in enumerate(scopes):
        in_scope = np.ones(len(both), bool) if scope == ALL else questionnaire == scope
        keys, new = row_key[in_scope], is_new[in_scope]
        differs = np.bincount(keys[~new], minlength=n_keys) != np.bincount(
            keys[new], minlength=n_keys
        )
        changed = np.unique(organisation[np.flatnonzero(in_scope)[differs[keys]]])
        if changed.size == 0:
            continue
        theirs = np.flatnonzero(in_scope & np.isin(organisation, changed))
        counted = []
        for side in (False, True):  # the combinations before, and after
            rows = theirs[is_new[theirs] == side]
            if rows.size:
                _, first = np.unique(organisation[rows], return_index=True)
                chosen = rows[first]  # one row per organisation: its attributes
                for combo in axes.cube(axes.codes(both.iloc[chosen])):
                    counted.append(organisation[chosen].astype(np.int64) * axes.size + combo)
        once = np.unique(np.concatenate(counted)) % axes.size  # each organisation once
        out[s] = np.bincount(once, minlength=axes.size)
    return out


def dimension_ids(questionnaires: Iterable[Questionnaire]) -> dict[str, frozenset[str]]:
    """Questionnaire id → the dimension ids of any of its versions, and :data:`OVERALL`."""
    found: dict[str, set[str]] = {}
    for questionnaire in questionnaires:
        found.setdefault(questionnaire.id, {OVERALL}).update(d.id for d in questionnaire.dimensions)
    return {qid: frozenset(ids) for qid, ids in found.items()}
