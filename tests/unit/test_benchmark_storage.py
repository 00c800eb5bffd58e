"""The array core of the peer benchmarks and the stored figures (DESIGN §5): ``peer_figures``
against the frame function and against scipy / numpy (negative scores, -0.0 and 0.0, huge
magnitudes), its refusals of bad input, the rounding to integer hundredths of the stored
figures, and the decoding of a stored binary row."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import stats

from survey.benchmarks.core import (
    GROUP_LEVELS,
    MIN_GROUP_SIZE,
    PERCENTILES,
    STATUSES,
    peer_benchmarks,
    peer_figures,
    snapshot_figures,
)
from survey.benchmarks.recompute import _hundredths, _refreshed, _Slots
from survey.benchmarks.schemas import (
    FIGURE_BYTES,
    FIGURE_WIDTH,
    NO_SCORE,
    TOO_FEW_PEERS,
    WITHHELD,
    StoredFigure,
)
from survey.scoring import round_half_up

P = [f"p{q}" for q in PERCENTILES]

# --- peer_figures against the frame function -----------------------------------------------


def _random_network(seed: int, n: int = 600) -> dict[str, np.ndarray]:
    """Integer codes with gaps (codes nobody uses), many tied scores, some NaN scores,
    some rows that are no peer (a reopened assessment) and a scope of only four rows."""
    rng = np.random.default_rng(seed)
    scopes = rng.choice([0, 3, 4, 9], n)
    scopes[-4:] = 12  # a scope of four: too few peers even in the network
    organisation = np.empty(n, dtype=np.int64)
    for scope in np.unique(scopes):  # every organisation at most once per scope
        rows = np.flatnonzero(scopes == scope)
        organisation[rows] = rng.choice(5 * n, rows.size, replace=False)
    score = np.round(rng.uniform(-20, 100, n) / 2.5) * 2.5  # ties, some negative
    score[rng.random(n) < 0.07] = np.nan
    return {
        "scope": scopes,
        "organisation": organisation,
        "sector": rng.choice([0, 2, 5, 6, 11], n, p=[0.5, 0.2, 0.15, 0.1, 0.05]),
        "size_band": rng.choice([0, 1, 3], n),
        "score": score,
        "is_peer": rng.random(n) < 0.85,
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_peer_figures_on_arrays_agree_with_peer_benchmarks_on_a_frame(seed: int) -> None:
    data = _random_network(seed)
    # the frame names everything with labels, as the service did before
    frame = pd.DataFrame(
        {
            "scope": [f"round|q|dimension-{s}" for s in data["scope"]],
            "organisation": [f"org-{o}" for o in data["organisation"]],
            "sector": [f"sector-{s}" for s in data["sector"]],
            "size_band": [f"size-{s}" for s in data["size_band"]],
            "score": data["score"],
            "is_peer": data["is_peer"],
        }
    )

    figures = peer_figures(**data)
    expected = peer_benchmarks(frame)

    # the network reaches every level and every status, so the comparison covers them all
    assert set(figures.status.tolist()) == {0, 1, 2}
    assert set(figures.level.tolist()) == {-1, 0, 1, 2}
    assert_array_equal(np.array(STATUSES, dtype=object)[figures.status], expected["status"])
    levels = [GROUP_LEVELS[level] if level >= 0 else None for level in figures.level]
    assert levels == [None if pd.isna(v) else v for v in expected["peer_group"]]
    assert_array_equal(figures.n_peers, expected["n_peers"])
    assert_array_equal(figures.percentile_rank, expected["percentile_rank"])
    assert_array_equal(figures.mean, expected["mean"])
    assert_array_equal(figures.distribution, expected[P].to_numpy().T)
    # and what the frame function says is scipy's and numpy's answer, row by row
    for row in np.flatnonzero(figures.status == 0):
        same = (data["scope"] == data["scope"][row]) & (np.arange(data["score"].size) != row)
        peers = same & data["is_peer"] & ~np.isnan(data["score"])
        level = figures.level[row]
        if level <= 1:
            peers &= data["sector"] == data["sector"][row]
        if level == 0:
            peers &= data["size_band"] == data["size_band"][row]
        group = data["score"][peers]
        assert figures.n_peers[row] == group.size >= MIN_GROUP_SIZE
        assert_allclose(
            figures.percentile_rank[row],
            stats.percentileofscore(group, data["score"][row], kind="mean"),
            atol=1e-9,
        )
        assert_allclose(figures.distribution[:, row], np.percentile(group, PERCENTILES), atol=1e-9)
        assert_allclose(figures.mean[row], group.mean(), atol=1e-9)


# --- negative scores, signed zeros, huge magnitudes --------------------------------------------

ODD_SCORES = [
    -3.5,
    -0.0,
    0.0,
    0.0,
    -0.0,
    -1e300,
    1e300,
    2.5,
    -2.5,
    1e-300,
    -1e-300,
    5e-324,
    -7.0,
    -0.0,
    1e15,
    -1e15,
    -2.5,
]


def test_negative_scores_signed_zeros_and_huge_magnitudes_agree_with_scipy_and_numpy() -> None:
    scores = np.array([*ODD_SCORES, np.nan, 0.0, -1e300])
    n = scores.size
    is_peer = np.ones(n, dtype=bool)
    is_peer[-2:] = False  # two reopened assessments: compared, but nobody's peer
    peers_only = scores[: len(ODD_SCORES)]

    figures = peer_figures(
        np.zeros(n, dtype=np.int64),
        np.arange(n),
        np.zeros(n, dtype=np.int64),
        np.zeros(n, dtype=np.int64),
        scores,
        is_peer,
    )

    assert figures.status.tolist() == [0] * len(ODD_SCORES) + [1, 0, 0]
    for row in [*range(len(ODD_SCORES)), n - 2, n - 1]:
        group = np.delete(peers_only, row) if row < len(ODD_SCORES) else peers_only
        assert figures.n_peers[row] == group.size
        assert figures.level[row] == GROUP_LEVELS.index("sector_size")
        assert_allclose(
            figures.percentile_rank[row],
            stats.percentileofscore(group, scores[row], kind="mean"),
            rtol=0,
            atol=1e-9,
            err_msg=f"rank of {scores[row]!r}",
        )
        assert_allclose(
            figures.distribution[:, row],
            np.percentile(group, PERCENTILES),
            rtol=1e-12,
            atol=0,
            err_msg=f"percentiles of the peers of {scores[row]!r}",
        )


def test_minus_zero_and_zero_are_one_tie() -> None:
    # own score -0.0 among peers -5, 0.0, 0.0, -0.0, 5, 10: one below, four at or below
    # (the zeros of either sign), so 100 × (1 + 4) / (2 × 6) = 41.67; telling -0.0 from
    # 0.0 by their bits would give 100 × (1 + 2) / 12 = 25 or 100 × (3 + 4) / 12 = 58.33
    scores = [-0.0, -5.0, 0.0, 0.0, -0.0, 5.0, 10.0]
    figures = peer_figures([0] * 7, range(7), [0] * 7, [0] * 7, scores, np.ones(7, dtype=bool))
    assert_allclose(figures.percentile_rank[0], 100 * 5 / 12, rtol=1e-15)
    assert_allclose(figures.percentile_rank[2], 100 * 5 / 12, rtol=1e-15)  # 0.0: the same
    assert figures.distribution[2, 0] == 0.0  # peer median of -5, 0, 0, -0, 5, 10


def test_huge_scores_in_another_scope_do_not_disturb_the_order() -> None:
    # a scope of ordinary scores and one of extreme ones, sorted together in one pass
    ordinary = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0]
    extreme = [-1e308, -1e-308, -0.0, 1e-308, 1e308, 1.7976931348623157e308]
    scores = np.array(ordinary + extreme)
    figures = peer_figures(
        [0] * 6 + [1] * 6, list(range(6)) * 2, [0] * 12, [0] * 12, scores, np.ones(12, dtype=bool)
    )
    assert figures.percentile_rank[:6].tolist() == [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
    assert figures.percentile_rank[6:].tolist() == [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
    assert_array_equal(figures.distribution[2, :6], [40.0, 40.0, 40.0, 30.0, 30.0, 30.0])
    assert figures.distribution[2, 6] == 1e-308 and figures.distribution[2, 11] == -0.0


# --- refusals ------------------------------------------------------------------------------------


def _valid(n: int = 6) -> dict[str, object]:
    return {
        "scope": np.zeros(n, dtype=np.int64),
        "organisation": np.arange(n, dtype=np.int64),
        "sector": np.zeros(n, dtype=np.int64),
        "size_band": np.zeros(n, dtype=np.int64),
        "score": np.linspace(10.0, 60.0, n),
        "is_peer": np.ones(n, dtype=bool),
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"scope": np.zeros(6)}, "scope must be integer codes"),
        ({"sector": np.array(["a"] * 6)}, "sector must be integer codes"),
        ({"size_band": np.array([0, 1, 0, 1, 0, 1.5])}, "size_band must be integer codes"),
        ({"organisation": np.arange(6) * 1.0}, "organisation must be integer codes"),
        (
            {"organisation": np.array([0, 1, 2, 3, 4, -5])},
            "organisation codes must not be negative",
        ),
        ({"scope": np.array([0, 0, 0, -1, 0, 0])}, "scope codes must not be negative"),
        ({"sector": np.zeros(5, dtype=np.int64)}, "sector must have one value per score"),
        ({"organisation": np.arange(7)}, "organisation must have one value per score"),
        ({"scope": np.zeros((6, 1), dtype=np.int64)}, "scope must have one value per score"),
        ({"is_peer": np.ones(5, dtype=bool)}, "is_peer must be one boolean per score"),
        ({"is_peer": np.ones(6, dtype=np.int64)}, "is_peer must be one boolean per score"),
        ({"is_peer": [1, 0, 1, 1, 1, 1]}, "is_peer must be one boolean per score"),
        ({"score": [1.0, 2.0, np.inf, 4.0, 5.0, 6.0]}, "finite"),
        ({"organisation": np.array([0, 1, 2, 3, 2, 5])}, "twice in the same scope"),
    ],
    ids=[
        "scope float",
        "sector strings",
        "size band float",
        "organisation float",
        "negative organisation",
        "negative scope",
        "sector shorter",
        "organisation longer",
        "scope two-dimensional",
        "is_peer shorter",
        "is_peer integers",
        "is_peer list of integers",
        "infinite score",
        "organisation twice",
    ],
)
def test_peer_figures_rejects_bad_input(change: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        peer_figures(**{**_valid(), **change})  # type: ignore[arg-type]


BIG = 10**12


def test_an_organisation_twice_in_a_scope_is_found_among_sparse_big_ids() -> None:
    # ids up to 10¹² make counting per (scope, organisation) pair impossible: sorted instead
    organisation = np.array([BIG, 7, 3 * BIG, 12, BIG + 1, BIG], dtype=np.int64)
    with pytest.raises(ValueError, match="twice in the same scope"):
        peer_figures(**{**_valid(), "organisation": organisation})  # type: ignore[arg-type]
    # twice in the second of two scopes, the duplicate rows far apart
    scope = np.array([0, 0, 0, 1, 1, 1, 1], dtype=np.int64)
    organisation = np.array([BIG, 5, 2 * BIG, 2 * BIG, 9, BIG, 2 * BIG], dtype=np.int64)
    with pytest.raises(ValueError, match="twice in the same scope"):
        peer_figures(**{**_valid(7), "scope": scope, "organisation": organisation})  # type: ignore[arg-type]


def test_the_same_big_id_in_different_scopes_is_allowed_and_changes_nothing() -> None:
    n = 14
    scope = np.repeat([0, 1], 7)
    dense = np.tile(np.arange(7), 2)
    sparse = np.tile(np.array([BIG, 3, 2 * BIG, BIG + 1, 40, 5 * BIG, 9 * BIG]), 2)
    score = np.array([12.0, 3.5, 77.0, 3.5, 50.0, 61.25, 90.0] * 2) + np.repeat([0.0, 1.0], 7)
    common = {
        "scope": scope,
        "sector": np.zeros(n, dtype=np.int64),
        "size_band": np.zeros(n, dtype=np.int64),
        "score": score,
        "is_peer": np.ones(n, dtype=bool),
    }
    with_dense = peer_figures(organisation=dense, **common)  # type: ignore[arg-type]
    with_sparse = peer_figures(organisation=sparse, **common)  # type: ignore[arg-type]
    assert with_sparse.status.tolist() == [0] * n
    for dense_figure, sparse_figure in zip(with_dense, with_sparse, strict=True):
        assert_array_equal(sparse_figure, dense_figure)


# --- rounding to stored hundredths ----------------------------------------------------------


def _expected_hundredths(values: np.ndarray, kept: np.ndarray) -> np.ndarray:
    return np.where(kept, np.rint(round_half_up(np.where(kept, values, 0.0)) * 100), 0).astype(
        np.int64
    )


HALVES = [2.675, 1.005, 19.995, 0.125, 0.005, 0.015, 99.995, 50.125, 33.335, 0.0, 100.0, 8.345]


def test_hundredths_round_half_up_like_the_published_scores() -> None:
    rng = np.random.default_rng(11)
    values = np.concatenate(
        [
            HALVES,
            rng.uniform(0, 100, 20_000),
            np.round(rng.uniform(0, 100, 20_000), 3),  # many exact halves of a hundredth
            rng.integers(0, 10_000, 5_000) / 100 + 0.005,
            100 * rng.integers(0, 6, 2_000) / 6,  # ranks: 100 × k / (2n) with ties
        ]
    )
    kept = np.ones(values.size, dtype=bool)

    result = _hundredths(values, kept)

    assert result.dtype == np.int32
    assert_array_equal(result, _expected_hundredths(values, kept))
    # the published examples, by hand
    assert result[: len(HALVES)].tolist() == [
        268,
        101,
        2000,
        13,
        1,
        2,
        10000,
        5013,
        3334,
        0,
        10000,
        835,
    ]


@pytest.mark.parametrize(
    "extra",
    [
        [-2.675, -0.005, -1e-9, -50.125],
        [10_000.0, 12_345.675, 99_999.995, 10_000.005],
        [-0.125, 10_500.125],
    ],
    ids=["negative", "10000 and more", "both"],
)
def test_hundredths_outside_0_to_10000_take_the_general_rounding(extra: list[float]) -> None:
    rng = np.random.default_rng(5)
    values = np.concatenate(
        [extra, rng.uniform(0, 100, 3_000), np.round(rng.uniform(0, 100, 500), 3)]
    )
    kept = np.ones(values.size, dtype=bool)

    result = _hundredths(values, kept)

    assert_array_equal(result, _expected_hundredths(values, kept))
    by_hand = {
        -2.675: -268,
        -0.005: -1,
        -50.125: -5013,
        10_000.0: 1_000_000,
        -0.125: -13,
        10_500.125: 1_050_013,
    }
    for value, row in zip(extra, result, strict=False):
        if value in by_hand:
            assert row == by_hand[value], value


def test_hundredths_are_zero_where_not_kept() -> None:
    rng = np.random.default_rng(8)
    values = rng.uniform(0, 100, 1_000)
    values[::7] = np.nan  # no figure: NaN
    values[3] = -40.0  # a value not kept never pulls the rest onto the general path...
    values[5] = 1e12  # ... nor overflows
    kept = ~np.isnan(values) & (rng.random(1_000) < 0.6)
    kept[[3, 5]] = False

    result = _hundredths(values, kept)

    assert (result[~kept] == 0).all()
    assert_array_equal(result, _expected_hundredths(values, kept))
    assert (result[kept] > 0).any()


# --- the stored row ---------------------------------------------------------------------------


def _record(status: int, n_peers: int = 0, *hundredths: int) -> list[int]:
    numbers = list(hundredths) or [0] * 7
    assert len(numbers) == 7
    return [status, n_peers, *numbers]


DIMENSIONS = ["visie", "personeel", "communicatie", "netwerk"]
RECORDS = [
    _record(NO_SCORE),
    _record(TOO_FEW_PEERS, 4, 5000, 6, 1, 2, 3, 4, 5),  # numbers left over are never read
    _record(1, 12, 4286, 5150, WITHHELD, 2500, 5013, 7500, WITHHELD),  # sector, 10–19 peers
    _record(2, 31, 0, 4000, -150, 0, 1, 10000, 1_234_568),  # network
    _record(0, 5, 10000, 3000, *[WITHHELD] * 5),  # overall: sector × size band, 5–9 peers
]


def _blob(records: list[list[int]]) -> bytes:
    return np.array(records, dtype="<i4").tobytes()


def test_a_stored_row_decodes_to_its_figures() -> None:
    blob = _blob(RECORDS)
    assert len(blob) == FIGURE_BYTES * 5 == 4 * FIGURE_WIDTH * 5

    figures = StoredFigure.decode(blob, DIMENSIONS)

    assert figures == [
        StoredFigure("personeel", None, None, None, None, None, None, None, None, None),
        StoredFigure("communicatie", "sector", 12, 42.86, 51.5, None, 25.0, 50.13, 75.0, None),
        StoredFigure("netwerk", "network", 31, 0.0, 40.0, -1.5, 0.0, 0.01, 100.0, 12345.68),
        StoredFigure("", "sector_size", 5, 100.0, 30.0, None, None, None, None, None),
    ]


def test_a_row_of_no_scores_only_decodes_to_no_figures() -> None:
    assert StoredFigure.decode(_blob([_record(NO_SCORE)] * 5), DIMENSIONS) == []
    assert StoredFigure.decode(_blob([_record(TOO_FEW_PEERS)]), []) == [
        StoredFigure("", None, None, None, None, None, None, None, None, None)
    ]


@pytest.mark.parametrize(
    "blob",
    [
        _blob(RECORDS)[:-4],  # one number short
        _blob(RECORDS)[:-FIGURE_BYTES],  # one figure short: computed for fewer dimensions
        _blob([*RECORDS, _record(NO_SCORE)]),  # one too many
        _blob(RECORDS) + b"\x00",
        b"",
    ],
    ids=["number short", "figure short", "figure too many", "byte too many", "empty"],
)
def test_a_row_of_the_wrong_length_decodes_to_none(blob: bytes) -> None:
    assert StoredFigure.decode(blob, DIMENSIONS) is None


def test_a_row_for_other_dimension_ids_decodes_to_none() -> None:
    assert StoredFigure.decode(_blob(RECORDS), DIMENSIONS[:3]) is None
    assert StoredFigure.decode(_blob(RECORDS), [*DIMENSIONS, "extra"]) is None


@pytest.mark.parametrize("status", [5, 6, -1, 2**31 - 1])
@pytest.mark.parametrize("position", [0, 2, 4])
def test_an_unknown_status_decodes_to_none(status: int, position: int) -> None:
    records = [list(record) for record in RECORDS]
    records[position][0] = status
    assert StoredFigure.decode(_blob(records), DIMENSIONS) is None


# --- figures against a snapshot ---------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_snapshot_figures_leave_the_own_entry_out_and_agree_with_scipy_and_numpy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_peers = 400
    peer_key = rng.integers(0, 12, n_peers)
    peer_score = np.round(rng.uniform(0, 100, n_peers), 0)  # many ties
    rows = 300
    key = rng.integers(0, 13, rows)  # key 12 has no snapshot at all
    score = np.round(rng.uniform(0, 100, rows), 1)
    own = np.full(rows, np.nan)
    for row in range(0, rows, 2):  # every other row has an own entry in its snapshot
        candidates = np.flatnonzero(peer_key == key[row])
        if candidates.size:
            own[row] = peer_score[rng.choice(candidates)]

    figures = snapshot_figures(peer_key, peer_score, key, score, own)

    for row in range(rows):
        group = list(peer_score[peer_key == key[row]])
        if not np.isnan(own[row]):
            group.remove(own[row])
        assert figures.n_peers[row] == len(group)
        if not group:
            assert np.isnan(figures.percentile_rank[row]) and np.isnan(figures.mean[row])
            continue
        assert_allclose(
            figures.percentile_rank[row],
            stats.percentileofscore(group, score[row], kind="mean"),
            atol=1e-9,
        )
        assert_allclose(figures.mean[row], np.mean(group), atol=1e-9)
        assert_array_equal(figures.distribution[:, row], np.percentile(group, PERCENTILES))


def test_snapshot_figures_equal_peer_figures_when_nothing_changed() -> None:
    data = _random_network(4)
    figures = peer_figures(**data)
    shown = figures.status == 0
    # the snapshot at the level each row took: its group's peers, itself included
    for level in range(3):
        rows = np.flatnonzero(shown & (figures.level == level))
        codes = (
            (data["scope"] * 100 + data["sector"]) * 100 + data["size_band"],
            data["scope"] * 100 + data["sector"],
            data["scope"],
        )[level]
        peers = data["is_peer"] & ~np.isnan(data["score"])
        own = np.where(peers[rows], data["score"][rows], np.nan)
        snapshot = snapshot_figures(
            codes[peers], data["score"][peers], codes[rows], data["score"][rows], own
        )
        assert_array_equal(snapshot.n_peers, figures.n_peers[rows])
        assert_array_equal(snapshot.percentile_rank, figures.percentile_rank[rows])
        assert_array_equal(snapshot.distribution, figures.distribution[:, rows])
        assert_allclose(snapshot.mean, figures.mean[rows], atol=1e-9)


def test_each_group_level_refreshes_its_own_snapshot_once_five_members_changed() -> None:
    """Sector × size band A has six members, B four, both in one sector: one change in A and
    four in B refresh the sector's and the network's snapshots (five changed there), never
    A's or B's, whose snapshots would otherwise move by one or four members."""
    n = 10
    slots = _Slots(
        offsets=np.arange(n + 1, dtype=np.int64),  # one slot each: the overall score
        subject=np.arange(n, dtype=np.int64),
        index=np.zeros(n, dtype=np.int64),
        scope=np.zeros(n, dtype=np.int64),
        score=np.full(n, 50.0),
    )
    sector_size = np.array([0] * 6 + [1] * 4)
    groups = np.stack([sector_size, np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)])
    snapshot = np.full((3, n), 50.0)
    current = np.full(n, 50.0)
    current[[0, 6, 7, 8, 9]] = [60.0, 61.0, 62.0, 63.0, 64.0]

    refreshed = _refreshed(snapshot, current, slots, groups, refresh_all=False)

    assert_array_equal(refreshed[0], snapshot[0])  # A: one changed, B: four
    assert_array_equal(refreshed[1], current)  # the sector: five
    assert_array_equal(refreshed[2], current)  # the network: five
    assert_array_equal(
        _refreshed(snapshot, current, slots, groups, refresh_all=True), [current] * 3
    )
