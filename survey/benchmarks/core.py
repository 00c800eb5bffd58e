"""Peer groups, percentile ranks and peer percentiles, vectorised over a whole round (DESIGN §5).

Pure functions over numpy arrays and pandas frames; no web or ORM imports. The
service loads the stored scores of a round into one tidy frame, calls
:func:`peer_benchmarks` once, and stores the result.

Definitions
-----------
Percentile rank (of a score *x* among *n* peer scores *a*), the "mean" kind of
:func:`scipy.stats.percentileofscore`::

    PR(x) = 100 × (#{a < x} + #{a ≤ x}) / (2 n)

so ties count half: a score equal to every peer has rank 50, a score above all
peers 100. Reference: scipy.stats.percentileofscore(a, x, kind="mean");
Roscoe, J. T. (1975), *Fundamental research statistics*, the "mid-rank" definition.

Percentiles of the peer scores: linear interpolation between order statistics,
numpy's default ``method="linear"`` (Hyndman & Fan 1996, definition 7, also R's
default and pandas' ``quantile``): with the sorted peer scores a₍₀₎ ≤ … ≤ a₍ₙ₋₁₎,
P(q) = a₍ⱼ₎ + f·(a₍ⱼ₊₁₎ − a₍ⱼ₎) where h = (n − 1)·q/100, j = ⌊h⌋, f = h − j.
Reference: Hyndman, R. J. & Fan, Y. (1996). Sample quantiles in statistical
packages. *The American Statistician*, 50(4), 361–365.

Peer group (DESIGN §5): the other organisations with a score in the same scope
(same round, questionnaire and dimension) and the same sector × size band; when
those are fewer than :data:`MIN_GROUP_SIZE`, the same sector; then the whole
network; when even the network has fewer, nothing is shown. The organisation
itself is never among its own peers: every figure is computed with its own row
left out ("leave one out").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Final, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = [
    "GROUP_LEVELS",
    "INPUT_COLUMNS",
    "MIN_GROUP_SIZE",
    "NETWORK_KEY",
    "PERCENTILES",
    "QUARTILES_FROM",
    "STATUSES",
    "TAILS_FROM",
    "PeerFigures",
    "group_key",
    "peer_benchmarks",
    "peer_figures",
    "percentile_rank",
    "percentiles",
    "shown_from",
    "shown_percentiles",
    "snapshot_figures",
]

MIN_GROUP_SIZE: Final = 5
"""Smallest number of peer organisations a figure may be built on (DESIGN §5, §7)."""

PERCENTILES: Final = (10, 25, 50, 75, 90)
"""The peer distribution shown per dimension (as far as the group is large enough)."""

QUARTILES_FROM: Final = 10
"""Fewest peers whose quartiles (P25, P50, P75) may be shown; below, only the percentile rank
and the peers' mean, in whole points (DESIGN §5: with 5 peers the quartiles are three
peers' own scores)."""

TAILS_FROM: Final = 20
"""Fewest peers whose P10 and P90 may be shown."""

GROUP_LEVELS: Final = ("sector_size", "sector", "network")
"""Peer group levels, tried in this order (DESIGN §5)."""

NETWORK_KEY: Final = "network"

STATUSES: Final = ("shown", "no_score", "too_few_peers")
"""``shown``: a group of at least :data:`MIN_GROUP_SIZE` peers was found; ``no_score``:
the organisation has no score here (insufficient data, not applicable); ``too_few_peers``:
not even the whole network has enough comparable organisations."""

INPUT_COLUMNS: Final = ("scope", "organisation", "sector", "size_band", "score", "is_peer")

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def _finite(values: Iterable[float] | npt.ArrayLike, name: str) -> FloatArray:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be numbers: {error}") from error
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite numbers (no NaN or infinity)")
    return array


def percentile_rank(peers: Iterable[float] | npt.ArrayLike, score: float) -> float:
    """Percentile rank of ``score`` among ``peers``, ties counted half (kind "mean").

    PR = 100 × (#{peers < score} + #{peers ≤ score}) / (2 n), which is
    ``scipy.stats.percentileofscore(peers, score, kind="mean")``.

    Raises
    ------
    ValueError
        No peers, a non-finite peer or score.

    Examples
    --------
    Peers 10, 20, 20, 30, 40 and score 20: one below, three at or below,
    PR = 100 × (1 + 3) / 10 = 40.

    >>> percentile_rank([10, 20, 20, 30, 40], 20)
    40.0
    """
    values = _finite(peers, "peers")
    if values.size == 0:
        raise ValueError("a percentile rank needs at least one peer")
    if not np.isfinite(score):
        raise ValueError("score must be a finite number")
    below = int(np.count_nonzero(values < score))
    at_or_below = int(np.count_nonzero(values <= score))
    return 100.0 * (below + at_or_below) / (2 * values.size)


def percentiles(
    peers: Iterable[float] | npt.ArrayLike, q: Sequence[float] = PERCENTILES
) -> FloatArray:
    """Percentiles ``q`` (0–100) of ``peers`` by linear interpolation (numpy ``"linear"``).

    P(q) = a₍ⱼ₎ + f·(a₍ⱼ₊₁₎ − a₍ⱼ₎), h = (n − 1)·q/100, j = ⌊h⌋, f = h − j, over the
    sorted peers (Hyndman & Fan 1996, definition 7).

    Examples
    --------
    Five peers 10, 20, 30, 40, 50: P10 at h = 0.4 → 14, P25 at h = 1 → 20, the
    median 30, P75 40, P90 at h = 3.6 → 46.

    >>> percentiles([50, 10, 40, 20, 30]).tolist()
    [14.0, 20.0, 30.0, 40.0, 46.0]
    """
    values = _finite(peers, "peers")
    if values.size == 0:
        raise ValueError("percentiles need at least one peer")
    wanted = _finite(q, "q")
    if np.any((wanted < 0) | (wanted > 100)):
        raise ValueError("percentiles q must lie in [0, 100]")
    result: FloatArray = np.percentile(values, wanted, method="linear")
    return result


def shown_from(percentile: float) -> int:
    """Fewest peers a group needs to show the percentile ``percentile`` (DESIGN §5): the
    quartiles (25–75) from :data:`QUARTILES_FROM` peers on, the outer ones (P10, P90)
    from :data:`TAILS_FROM` on.

    >>> shown_from(50), shown_from(10)
    (10, 20)
    """
    return QUARTILES_FROM if 25 <= percentile <= 75 else TAILS_FROM


def shown_percentiles(n_peers: int, q: Sequence[float] = PERCENTILES) -> list[bool]:
    """Which of the percentiles ``q`` a group of ``n_peers`` peers may show.

    >>> shown_percentiles(9), shown_percentiles(10), shown_percentiles(20)
    ([False, False, False, False, False], [False, True, True, True, False], [True, True, True, True, True])
    """
    return [n_peers >= max(MIN_GROUP_SIZE, shown_from(percentile)) for percentile in q]


def group_key(level: str, sector: str, size_band: str) -> str:
    """The key of a peer group: ``sector|size_band``, ``sector`` or ``network``.

    >>> group_key("sector_size", "sport", "1-9"), group_key("network", "sport", "1-9")
    ('sport|1-9', 'network')
    """
    if level == "sector_size":
        return f"{sector}|{size_band}"
    if level == "sector":
        return sector
    if level == "network":
        return NETWORK_KEY
    raise ValueError(f"unknown peer group level {level!r}")


def _lerp(low: FloatArray, high: FloatArray, fraction: FloatArray) -> FloatArray:
    """numpy's own interpolation formula, so the results match ``np.percentile`` exactly."""
    difference = high - low
    result: FloatArray = np.where(
        fraction >= 0.5, high - difference * (1 - fraction), low + difference * fraction
    )
    return result


def _small(codes: IntArray) -> npt.NDArray[np.integer[Any]]:
    """Non-negative codes in the narrowest integer type (numpy's stable sort is a radix sort
    for 16-bit integers)."""
    if codes.size and int(codes.max()) < 2**16:
        return codes.astype(np.uint16)
    return codes


class PeerFigures(NamedTuple):
    """The figures of every row, as arrays in the row order of the input.

    ``status`` indexes :data:`STATUSES`; ``level`` indexes :data:`GROUP_LEVELS` (-1:
    no group); ``n_peers`` is 0 unless shown; ``percentile_rank``, ``mean`` (of the
    peers' scores, the row itself left out) and the rows of ``distribution`` (one per
    percentile asked for, shape ``len(q) × rows``) are NaN unless shown. Which of them
    may be published is the caller's concern (:func:`shown_percentiles`).
    """

    status: IntArray
    level: IntArray
    n_peers: IntArray
    percentile_rank: FloatArray
    mean: FloatArray
    distribution: FloatArray


def _codes(values: npt.ArrayLike, name: str, n_rows: int) -> IntArray:
    array = np.asarray(values)
    if array.shape != (n_rows,):
        raise ValueError(f"{name} must have one value per score")
    if not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"{name} must be integer codes")
    if array.size and int(array.min()) < 0:
        raise ValueError(f"{name} codes must not be negative")
    return array.astype(np.int64, copy=False)


def _ordered_bits(values: FloatArray) -> IntArray:
    """Integers in the order of the finite ``values`` (their IEEE 754 bits, negative ones
    flipped): numpy sorts these faster than the floats themselves."""
    bits = values.view(np.int64)
    flipped: IntArray = bits ^ ((bits >> 63) & np.int64(0x7FFF_FFFF_FFFF_FFFF))
    return flipped


def _check_once_per_scope(scope: IntArray, organisation: IntArray) -> None:
    if scope.size == 0:
        return
    width = int(organisation.max()) + 1
    span = (int(scope.max()) + 1) * width
    pairs = scope * width + organisation
    if span <= 4 * scope.size + 1024:  # dense: count per pair
        twice = bool(np.any(np.bincount(pairs, minlength=span) > 1))
    else:
        ordered = np.sort(pairs)
        twice = bool(np.any(ordered[1:] == ordered[:-1]))
    if twice:
        raise ValueError("an organisation appears twice in the same scope")


class _Candidates(NamedTuple):
    values: FloatArray
    """Per group four values (flattened, group-major): a peer's percentile when its own
    score sits at or below the j-th remaining peer, between the j-th and the j_next-th,
    above the j_next-th; and the percentile for a row that is no peer (nothing left out)."""
    peer_j: IntArray
    peer_j_next: IntArray


def _group_percentile_candidates(
    sorted_values: FloatArray, group_start: IntArray, group_peers: IntArray, percentile: float
) -> _Candidates:
    """The percentile ``percentile`` of every group with one peer left out, for each place
    the left-out score can have, and with nobody left out.

    With a peer's own score removed from the m sorted peer scores a₀ … a₍ₘ₋₁₎, the n = m − 1
    others have h = (n − 1)·q/100, j = ⌊h⌋, j′ = min(j + 1, n − 1); the j-th remaining
    score is a₍ⱼ₊₁₎ when the own score sat at or before position j and aⱼ otherwise
    (likewise for j′). So P(q) = lerp(low, high, h − j) takes one of three values per
    group, computed here with numpy's own interpolation formula; a row that is no peer
    sees all m scores. Indices of groups too small to use are clipped (never picked).
    """
    top = max(sorted_values.size - 1, 0)
    values = sorted_values if sorted_values.size else np.zeros(1)

    def at(offset: IntArray) -> FloatArray:
        picked: FloatArray = values[np.clip(group_start + offset, 0, top)]
        return picked

    fraction_of = percentile / 100.0
    last = np.maximum(group_peers - 2, 0)  # n − 1 for a peer: m − 1 others
    h = last * fraction_of
    j = np.floor(h).astype(np.int64)
    fraction = h - j
    j_next = np.minimum(j + 1, last)
    below_j = _lerp(at(j + 1), at(j_next + 1), fraction)
    between = _lerp(at(j), at(j_next + 1), fraction)
    above = _lerp(at(j), at(j_next), fraction)

    last_all = np.maximum(group_peers - 1, 0)  # a row that is no peer sees all m
    h_all = last_all * fraction_of
    j_all = np.floor(h_all).astype(np.int64)
    nobody_left_out = _lerp(at(j_all), at(np.minimum(j_all + 1, last_all)), h_all - j_all)
    stacked: FloatArray = np.stack([below_j, between, above, nobody_left_out], axis=1).ravel()
    return _Candidates(stacked, j, j_next)


def peer_figures(
    scope: npt.ArrayLike,
    organisation: npt.ArrayLike,
    sector: npt.ArrayLike,
    size_band: npt.ArrayLike,
    score: npt.ArrayLike,
    is_peer: npt.ArrayLike,
    *,
    min_group_size: int = MIN_GROUP_SIZE,
    q: Sequence[float] = PERCENTILES,
) -> PeerFigures:
    """:func:`peer_benchmarks` over arrays: ``scope``, ``organisation``, ``sector`` and
    ``size_band`` as non-negative integer codes, ``score`` as floats (NaN: no score),
    ``is_peer`` as booleans, all of one length. Same definitions, same method; the
    service calls this directly and skips building and reading a frame.

    Examples
    --------
    >>> figures = peer_figures([0] * 6, range(6), [0] * 6, [0] * 6, [10, 20, 30, 40, 50, 60], [True] * 6)
    >>> figures.percentile_rank.tolist(), figures.distribution[2].tolist()
    ([0.0, 20.0, 40.0, 60.0, 80.0, 100.0], [40.0, 40.0, 40.0, 30.0, 30.0, 30.0])
    """
    if isinstance(min_group_size, bool) or not isinstance(min_group_size, int):
        raise ValueError("min_group_size must be an integer")
    if min_group_size < 1:
        raise ValueError("min_group_size must be at least 1")
    wanted = _finite(q, "q")
    if np.any((wanted < 0) | (wanted > 100)):
        raise ValueError("percentiles q must lie in [0, 100]")
    try:
        values = np.asarray(score, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"scores must be numbers: {error}") from error
    if values.ndim != 1:
        raise ValueError("scores must be one-dimensional")
    if np.any(np.isinf(values)):
        raise ValueError("scores must be finite (NaN for no score)")
    n_rows = values.size
    peer_flags = np.asarray(is_peer)
    if peer_flags.shape != (n_rows,) or peer_flags.dtype != np.bool_:
        raise ValueError("is_peer must be one boolean per score")
    scopes = _codes(scope, "scope", n_rows)
    sectors = _codes(sector, "sector", n_rows)
    sizes = _codes(size_band, "size_band", n_rows)
    _check_once_per_scope(scopes, _codes(organisation, "organisation", n_rows))

    has_score = ~np.isnan(values)
    is_peer = peer_flags & has_score
    n_sectors = int(sectors.max()) + 1 if n_rows else 1
    n_sizes = int(sizes.max()) + 1 if n_rows else 1
    group_codes = (
        (scopes * n_sectors + sectors) * n_sizes + sizes,
        scopes * n_sectors + sectors,
        scopes,
    )

    level = np.full(n_rows, -1, dtype=np.int64)
    n_peers = np.zeros(n_rows, dtype=np.int64)
    rank = np.full(n_rows, np.nan)
    mean = np.full(n_rows, np.nan)
    dist = np.empty((wanted.size, n_rows))

    # The rows with a score, sorted once by score; per level a stable sort by group (a
    # radix sort when the group codes are small) gives the order (group, score). Equal
    # scores are compared exactly (float equality), never through arithmetic; the order
    # among equal scores does not matter.
    scored = np.flatnonzero(has_score)
    by_score = scored[np.argsort(_ordered_bits(values[scored]), kind="stable")]
    self_count = is_peer.astype(np.int64)

    for level_index, groups in enumerate(group_codes):
        n_groups = int(groups.max(initial=0)) + 1
        counts = np.bincount(groups[is_peer], minlength=n_groups)
        others = counts[groups] - self_count
        wanted_rows = has_score & (level == -1) & (others >= min_group_size)
        if not wanted_rows.any():
            continue
        # only the groups someone takes at this level need sorting
        needed = np.zeros(counts.size, dtype=bool)
        needed[groups[wanted_rows]] = True
        candidates = by_score[needed[groups[by_score]]]
        order = candidates[np.argsort(_small(groups[candidates]), kind="stable")]
        sorted_group = groups[order]
        sorted_score = values[order]
        sorted_peer = is_peer[order]
        # peers before each sorted position
        peers_before = np.zeros(order.size + 1, dtype=np.int64)
        np.cumsum(sorted_peer, out=peers_before[1:])
        positions = np.arange(order.size, dtype=np.int64)
        new_group = np.ones(order.size, dtype=bool)
        new_group[1:] = sorted_group[1:] != sorted_group[:-1]
        new_run = new_group.copy()
        new_run[1:] |= sorted_score[1:] != sorted_score[:-1]
        run_start = np.maximum.accumulate(np.where(new_run, positions, 0))
        run_starts = np.flatnonzero(new_run)
        run_end = np.append(run_starts[1:], order.size)[np.cumsum(new_run) - 1]
        group_of = np.cumsum(new_group) - 1  # index of the group at each sorted position
        group_peer_start = peers_before[np.flatnonzero(new_group)]
        group_peers = np.diff(np.append(group_peer_start, peers_before[-1]))

        take = wanted_rows[order]
        chosen = order[take]
        level[chosen] = level_index
        n = others[chosen]
        n_peers[chosen] = n
        row_group = group_of[take]
        start = group_peer_start[row_group]
        below = peers_before[run_start[take]] - start
        at_or_below = peers_before[run_end[take]] - start - self_count[chosen]
        rank[chosen] = 100.0 * (below + at_or_below) / (2 * n)
        # the group's sum less the row's own score; scores near the float limits (never
        # scores of 0–100) may overflow to infinity or NaN here, and only here
        with np.errstate(over="ignore", invalid="ignore"):
            sums = np.bincount(groups[is_peer], weights=values[is_peer], minlength=n_groups)
            own = np.where(is_peer[chosen], values[chosen], 0.0)
            mean[chosen] = (sums[groups[chosen]] - own) / n

        # Percentiles: within a group, a row's leave-one-out percentile is one of four
        # values: computed per group, then picked per row by where its own score sits.
        sorted_values = sorted_score[sorted_peer]
        pick_peer = is_peer[chosen]
        candidate_base = row_group * 4
        for row, percentile in enumerate(wanted):
            candidates = _group_percentile_candidates(
                sorted_values, group_peer_start, group_peers, percentile
            )
            j, j_next = candidates.peer_j, candidates.peer_j_next
            # own score at or below the j-th (0), between (1), above the j_next-th (2)
            pick = np.where(
                pick_peer, (below > j[row_group]).astype(np.int64) + (below > j_next[row_group]), 3
            )
            dist[row][chosen] = candidates.values[candidate_base + pick]

    dist[:, level < 0] = np.nan
    status = np.where(level >= 0, 0, np.where(has_score, 2, 1))
    return PeerFigures(status, level, n_peers, rank, mean, dist)


class SnapshotFigures(NamedTuple):
    """Per subject row: peers in its group's snapshot (its own entry left out), its percentile
    rank among them, their mean and percentiles (NaN with fewer than one peer)."""

    n_peers: IntArray
    percentile_rank: FloatArray
    mean: FloatArray
    distribution: FloatArray


def snapshot_figures(
    peer_key: npt.ArrayLike,
    peer_score: npt.ArrayLike,
    key: npt.ArrayLike,
    score: npt.ArrayLike,
    own: npt.ArrayLike,
    *,
    q: Sequence[float] = PERCENTILES,
) -> SnapshotFigures:
    """Figures of current scores against a frozen set of peer scores (DESIGN §7: a peer
    group's snapshot), one group at a time, vectorised over all groups.

    ``peer_key`` / ``peer_score``: the snapshot, one entry per peer with a score, the key
    a non-negative code of (scope, group). ``key`` / ``score``: the rows to compare, with
    ``own`` the row's own entry in the snapshot of its key (NaN: it has none; when given,
    it must be among that key's snapshot entries), which is left out: the row is compared with the other organisations only, while its own
    score is its current one. Same definitions as :func:`peer_figures` (percentile rank
    kind "mean", linear percentiles), exactly: equal scores are found by comparison,
    and a percentile interpolates with numpy's own formula.

    Examples
    --------
    A snapshot of 10, 20, 30, 40, 50, 60; the organisation whose entry is 60 now scores 35:
    five peers, three below, rank 60, mean 30, median 30.

    >>> f = snapshot_figures([0] * 6, [10, 20, 30, 40, 50, 60], [0], [35.0], [60.0])
    >>> f.n_peers.tolist(), f.percentile_rank.tolist(), f.mean.tolist(), f.distribution[2].tolist()
    ([5], [60.0], [30.0], [30.0])
    """
    peer_keys = np.asarray(peer_key, dtype=np.int64)
    peer_values = np.asarray(peer_score, dtype=np.float64)
    keys = np.asarray(key, dtype=np.int64)
    values = np.asarray(score, dtype=np.float64)
    owns = np.asarray(own, dtype=np.float64)
    if peer_keys.shape != peer_values.shape or not keys.shape == values.shape == owns.shape:
        raise ValueError("keys and scores must have one value per row")
    if np.isnan(peer_values).any() or np.isnan(values).any():
        raise ValueError("snapshot and compared scores must be numbers (no NaN)")
    wanted = _finite(q, "q")
    has_own = ~np.isnan(owns)
    n_rows = values.size

    # Scores as dense ranks (equal floats, equal ranks; -0.0 equals 0.0), so (key, score)
    # is one integer and a group's sorted scores are one searchsorted away.
    # An own entry equal to the current score (the usual case) takes the score's rank.
    own_differs = has_own & (owns != values)
    every_value = np.concatenate([peer_values, values, owns[own_differs]])
    # sorting only, then a binary search among the distinct scores (few, as a rule: scores
    # have two decimals), is several times faster than np.unique's return_inverse
    distinct = np.unique(every_value)
    ranks = np.searchsorted(distinct, every_value)
    width = max(distinct.size, 1)
    peer_rank = ranks[: peer_values.size]
    row_rank = ranks[peer_values.size : peer_values.size + n_rows]
    own_rank = row_rank.copy()
    own_rank[own_differs] = ranks[peer_values.size + n_rows :]
    composite = np.sort(peer_keys * width + peer_rank)
    # a score is its rank's value: no argsort needed to carry the scores along
    sorted_values = distinct[composite % width] if composite.size else np.zeros(1)
    n_keys = int(max(peer_keys.max(initial=0), keys.max(initial=0))) + 1
    key_counts = np.bincount(peer_keys, minlength=n_keys)
    key_starts = np.concatenate([[0], np.cumsum(key_counts)[:-1]])
    start = key_starts[keys]
    base = keys * width

    def place(rows: IntArray, ranks: IntArray) -> tuple[IntArray, IntArray]:
        """For the ``rows`` with these score ranks, the number of their key's peers below and
        at or below. The queries are sorted first (one argsort for both): numpy's binary
        search is much faster on ascending queries."""
        queries = base[rows] + ranks
        order = np.argsort(queries)
        ordered = queries[order]
        below = np.empty(queries.size, dtype=np.int64)
        at_or_below = np.empty(queries.size, dtype=np.int64)
        below[order] = np.searchsorted(composite, ordered, side="left")
        at_or_below[order] = np.searchsorted(composite, ordered, side="right")
        return below - start[rows], at_or_below - start[rows]

    n = key_counts[keys] - has_own
    usable = n >= 1
    safe_n = np.maximum(n, 1)

    every_row = np.arange(n_rows)
    all_below, all_at_or_below = place(every_row, row_rank)
    # The own entry's place among the key's sorted peers: where the row's score sits when
    # the two are equal (the usual case: the organisation did not change), else looked up.
    own_place = all_below.copy()
    moved = np.flatnonzero(has_own & (own_rank != row_rank))
    own_place[moved] = place(moved, own_rank[moved])[0]
    below = all_below - (has_own & (own_rank < row_rank))
    at_or_below = all_at_or_below - (has_own & (own_rank <= row_rank))
    rank = np.where(usable, 100.0 * (below + at_or_below) / (2 * safe_n), np.nan)

    sums = np.bincount(peer_keys, weights=peer_values, minlength=n_keys)
    mean = np.where(usable, (sums[keys] - np.where(has_own, owns, 0.0)) / safe_n, np.nan)

    # The j-th of the other peers: the j-th of the group, or the one after it from the
    # own entry's place on.
    top = max(sorted_values.size - 1, 0)

    def other(j: IntArray) -> FloatArray:
        index = start + j + (has_own & (j >= own_place))
        picked: FloatArray = sorted_values[np.clip(index, 0, top)]
        return picked

    dist = np.full((wanted.size, n_rows), np.nan)
    last = safe_n - 1
    for row, percentile in enumerate(wanted):
        h = last * (percentile / 100.0)
        j = np.floor(h).astype(np.int64)
        result = _lerp(other(j), other(np.minimum(j + 1, last)), h - j)
        dist[row] = np.where(usable, result, np.nan)
    return SnapshotFigures(np.maximum(n, 0), rank, mean, dist)


def _factorized(frame: pd.DataFrame, column: str) -> IntArray:
    if frame[column].isna().any():
        raise ValueError(f"scores column {column!r} has missing values")
    codes: IntArray = pd.factorize(frame[column], sort=False)[0].astype(np.int64)
    return codes


def peer_benchmarks(
    scores: pd.DataFrame,
    *,
    min_group_size: int = MIN_GROUP_SIZE,
    q: Sequence[float] = PERCENTILES,
) -> pd.DataFrame:
    """Peer group, percentile rank and leave-one-out peer percentiles of every row, in one pass.

    Parameters
    ----------
    scores : pandas.DataFrame
        One row per organisation per scope, columns ``scope`` (what is comparable:
        the service uses round × questionnaire × dimension), ``organisation``,
        ``sector``, ``size_band``, ``score`` (NaN = no score) and ``is_peer``
        (bool: the row may serve as a peer of others, i.e. a submitted assessment).
        Rows that are not peers still get their own figures (a reopened assessment
        sees where its last submission stands).
    min_group_size : int
        Fewest peers a group may have to be used (default 5).
    q : sequence of float
        Percentiles of the peer distribution (default 10, 25, 50, 75, 90).

    Returns
    -------
    pandas.DataFrame
        Same index and row order as ``scores``, columns ``status`` (see
        :data:`STATUSES`), ``peer_group`` (level of :data:`GROUP_LEVELS`, or None),
        ``n_peers`` (peers in that group, 0 unless shown), ``percentile_rank``, ``mean``
        (of the peers' scores) and ``p10`` … ``p90`` (NaN unless shown; all computed,
        whatever the group size: :func:`shown_percentiles` says what may be published).

    Method
    ------
    For each level (sector × size band, sector, network) the peers with a score
    are counted per (scope, group); a row's own row is subtracted when it is a
    peer. A row takes the first level with at least ``min_group_size`` peers.
    The scored rows are sorted once by score; per level a stable sort by group
    (a radix sort for small group codes) orders them by (group, score). In that
    order a running count of peers gives every row's counts below / at-or-below
    its score (at the start and end of its run of equal scores in its group),
    hence :func:`percentile_rank`. Without the row, a group's percentile takes one
    of three values, depending on where the row's own score sat among the sorted
    peers (see :func:`_group_percentile_candidates`); they are computed per group
    and picked per row, giving exactly :func:`percentiles` of the group without
    the row. Ties in a score and the row's own removal are exact: equal scores are
    found by comparison, never through float arithmetic.

    Raises
    ------
    ValueError
        Missing columns or keys, an infinite score, a non-boolean ``is_peer``, an
        organisation twice in one scope, ``min_group_size`` < 1, ``q`` outside
        0–100.

    Examples
    --------
    Six youth-work organisations of one size band scoring 10, 20, 30, 40, 50, 60
    in one scope: the one with 60 has five peers (10 … 50) in its sector × size
    group, percentile rank 100, peer median 30, P10 14. An organisation of another
    sector in the same scope has no sector peers and falls back to the network.
    """
    if not isinstance(scores, pd.DataFrame):
        raise ValueError(f"scores must be a pandas DataFrame, got {type(scores).__name__}")
    missing = [c for c in INPUT_COLUMNS if c not in scores.columns]
    if missing:
        raise ValueError(f"scores frame lacks column(s): {', '.join(missing)}")
    try:
        score = scores["score"].to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError) as error:
        raise ValueError(f"scores must be numbers: {error}") from error
    peer_column = scores["is_peer"]
    if not pd.api.types.is_bool_dtype(peer_column) or peer_column.isna().any():
        raise ValueError("is_peer must be a boolean column without missing values")
    figures = peer_figures(
        _factorized(scores, "scope"),
        _factorized(scores, "organisation"),
        _factorized(scores, "sector"),
        _factorized(scores, "size_band"),
        score,
        peer_column.to_numpy(dtype=bool),
        min_group_size=min_group_size,
        q=q,
    )
    levels_with_none = np.array([*GROUP_LEVELS, None], dtype=object)
    data: dict[str, Any] = {
        "status": np.array(STATUSES, dtype=object)[figures.status],
        "peer_group": levels_with_none[figures.level],
        "n_peers": figures.n_peers,
        "percentile_rank": figures.percentile_rank,
        "mean": figures.mean,
    }
    for row, percentile in enumerate(_finite(q, "q")):
        data[f"p{percentile:g}"] = figures.distribution[row]
    return pd.DataFrame(data, index=scores.index)
