"""The privacy rules of the network indicators (survey.indicators.privacy) on hand-made
networks, with the differencing attack an analyst could try."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from survey.indicators import core, privacy

AXES = core.Axes(("a", "b", "c"), ("small", "large"), ("m1", "m2", "m3"))


def organisations(groups: list[tuple[int, str, str, str, bool]]) -> pd.DataFrame:
    rows = []
    for count, sector, size, municipality, funded in groups:
        rows += [(sector, size, municipality, funded)] * count
    frame = pd.DataFrame(rows, columns=["sector", "size_band", "municipality", "funded"])
    return frame.assign(organisation_id=np.arange(len(frame)))


def released(orgs: pd.DataFrame, changed: dict[str, np.ndarray] | None = None) -> pd.DataFrame:
    scores = pd.DataFrame(
        {
            "organisation_id": orgs["organisation_id"],
            "questionnaire": "q",
            "dimension": "overall",
            "score": np.linspace(10, 90, len(orgs)),
        }
    )
    families, frame = core.cells(orgs, scores, axes=AXES)
    out = privacy.apply(families, frame, AXES, changed)
    kinds = [families[k] for k in out["family"]]
    return out[[k == ("scores", "q", "overall") for k in kinds]].set_index("combo")


def attack(cells: pd.DataFrame) -> list[str]:
    """Every single suppressed child that parent minus shown siblings reveals."""
    found = []
    shape = AXES.shape
    for combo, parent in cells.iterrows():
        if parent["suppressed"]:
            continue
        index = np.unravel_index(int(combo), shape)
        for axis in range(4):
            if index[axis] != shape[axis] - 1:
                continue
            children = []
            for value in range(shape[axis] - 1):
                child = list(index)
                child[axis] = value
                flat = int(np.ravel_multi_index(tuple(child), shape))
                if flat in cells.index:
                    children.append(cells.loc[flat])
            hidden = [c for c in children if c["suppressed"]]
            if len(hidden) == 1:
                shown = sum(
                    c["mean"] * c["n_organisations"] for c in children if not c["suppressed"]
                )
                value = (parent["mean"] * parent["n_organisations"] - shown) / hidden[0][
                    "n_organisations"
                ]
                found.append(f"{AXES.labels(int(hidden[0].name))} = {value:.1f}")
    return found


@pytest.mark.parametrize("count", [4, 5])
def test_every_combination_is_suppressed_below_five_and_shown_from_five(count: int) -> None:
    orgs = organisations([(count, "a", "small", "m1", True)])
    cells = released(orgs)
    combos = list(itertools.product(("a", "*"), ("small", "*"), ("m1", "*"), ("true", "*")))
    assert len(cells) == len(combos) == 16
    for combo in combos:
        cell = cells.loc[AXES.combo(*combo)]
        assert cell["n_organisations"] == count
        assert bool(cell["suppressed"]) is (count < 5)
        assert bool(np.isnan(cell["mean"])) is (count < 5)
    # Combinations without organisations hold no cell at all.
    assert AXES.combo("b", "*", "*", "*") not in cells.index


def test_a_single_suppressed_child_pulls_its_smallest_sibling_along() -> None:
    orgs = organisations(
        [
            (9, "a", "small", "m1", True),
            (3, "a", "small", "m2", True),
            (7, "a", "small", "m3", True),
            (20, "b", "large", "m1", False),
        ]
    )
    cells = released(orgs)
    a_m = {m: cells.loc[AXES.combo("a", "*", m, "*")] for m in ("m1", "m2", "m3")}
    assert a_m["m2"]["suppressed"] and a_m["m3"]["suppressed"]  # 7 < 9: the next smallest
    assert not a_m["m1"]["suppressed"]
    assert not cells.loc[AXES.combo("a", "*", "*", "*")]["suppressed"]
    assert attack(cells) == []


def test_complementary_suppression_spreads_until_no_partition_has_one_hidden_child() -> None:
    rng = np.random.default_rng(7)
    groups = [
        (int(rng.integers(0, 9)), s, z, m, f)
        for s in AXES.sectors
        for z in AXES.size_bands
        for m in AXES.municipalities
        for f in (True, False)
    ]
    cells = released(organisations(groups))
    assert cells["suppressed"].any() and (~cells["suppressed"]).any()
    assert attack(cells) == []


def test_without_complementary_suppression_the_attack_would_work() -> None:
    """The attack itself finds the hidden group when only small cells are hidden."""
    orgs = organisations([(9, "a", "small", "m1", True), (3, "a", "small", "m2", True)])
    scores = pd.DataFrame(
        {"organisation_id": orgs["organisation_id"], "questionnaire": "q", "dimension": "overall"}
    ).assign(score=np.linspace(10, 90, len(orgs)))
    families, frame = core.cells(orgs, scores, axes=AXES)
    naive = frame.assign(suppressed=frame["n_organisations"] < 5)
    kinds = [families[k] for k in naive["family"]]
    naive = naive[[k == ("scores", "q", "overall") for k in kinds]].set_index("combo")
    assert attack(naive)


def test_cells_whose_organisations_changed_by_one_to_four_are_suppressed() -> None:
    orgs = organisations(
        [
            (10, "a", "small", "m1", True),
            (10, "b", "small", "m1", True),
            (12, "c", "small", "m1", True),
        ]
    )
    changed = np.zeros(AXES.size, np.int64)
    changed[AXES.combo("a", "*", "*", "*")] = 3
    changed[AXES.combo("c", "*", "*", "*")] = 5
    cells = released(orgs, {"q": changed})
    assert cells.loc[AXES.combo("a", "*", "*", "*")]["suppressed"]  # 3 changed
    assert cells.loc[AXES.combo("b", "*", "*", "*")]["suppressed"]  # its complement
    assert not cells.loc[AXES.combo("c", "*", "*", "*")]["suppressed"]  # 5 changed: shown


def test_changed_per_cell_counts_organisations_that_moved_or_resubmitted() -> None:
    def members(rows: list[tuple[int, str, int]]) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "organisation_id": o,
                    "sector": s,
                    "size_band": "small",
                    "municipality": "m1",
                    "funded": True,
                    "questionnaire": "q",
                    "stamp": t,
                }
                for o, s, t in rows
            ]
        )

    before = members([(1, "a", 1), (2, "a", 1), (3, "b", 1)])
    after = members([(1, "a", 2), (2, "b", 1), (3, "b", 1), (4, "b", 1)])
    counts = core.changed_per_cell(before, after, ["q"], AXES)[0]
    assert counts[AXES.combo("a", "*", "*", "*")] == 2  # 1 resubmitted, 2 left
    assert counts[AXES.combo("b", "*", "*", "*")] == 2  # 2 arrived, 4 new
    assert counts[AXES.combo("*", "*", "*", "*")] == 3


def test_what_a_shown_cell_shows_grows_with_its_group() -> None:
    for count, quartiles, tails in ((5, False, False), (10, True, False), (20, True, True)):
        cell = released(organisations([(count, "a", "small", "m1", True)])).iloc[-1]
        assert bool(np.isnan(cell["p50"])) is not quartiles
        assert bool(np.isnan(cell["level_3"])) is not quartiles
        assert bool(np.isnan(cell["p10"])) is not tails
        assert not np.isnan(cell["mean"])


def test_percentiles_and_team_shares_follow_their_formulas() -> None:
    orgs = organisations([(20, "a", "small", "m1", True)])
    scores = pd.DataFrame(
        {
            "organisation_id": orgs["organisation_id"],
            "questionnaire": "q",
            "dimension": "overall",
            "score": np.arange(20, dtype=float) * 5,
        }
    )
    team = pd.DataFrame(
        {
            "organisation_id": orgs["organisation_id"],
            "measure": "staff-migration",
            "part": np.r_[np.ones(10), np.full(10, 3.0)],
            "total": np.full(20, 10.0),
        }
    )
    families, frame = core.cells(orgs, scores, team=team, axes=AXES)
    whole = frame[frame["combo"] == AXES.combo("*", "*", "*", "*")].set_index("family")
    score_row = whole.loc[families.index(("scores", "q", "overall"))]
    np.testing.assert_allclose(score_row["p25"], np.percentile(np.arange(20) * 5, 25))
    np.testing.assert_allclose(score_row["share_mature"], 60.0)  # scores ≥ 40: 12 of 20
    team_row = whole.loc[families.index(("team", "diverse-teams", "staff-migration"))]
    np.testing.assert_allclose(team_row["share"], 100 * 40 / 200)
