"""How a release is stored (survey.indicators.service): the cells and members of a release
read back as they were computed, releases taken before the compact layouts still read the
same, and the moments of submission compare with those stored earlier."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace
from typing import Any

import msgspec
import numpy as np
import pandas as pd
import pytest

from survey.indicators import core, privacy, service

AXES = core.Axes(("a", "b", "c"), ("small", "large"), ("m1", "m2", "m3"))


def network() -> tuple[list[tuple[str, str, str]], pd.DataFrame]:
    """Cells of every indicator on a small network, after the privacy rules: groups of 3,
    7, 12 and 25 organisations, so some cells are suppressed, some show only means and
    shares and some their quartiles and tails too."""
    rng = np.random.default_rng(7)
    groups = [(3, "a", "small", "m1"), (7, "a", "large", "m2"), (12, "b", "small", "m3")]
    groups.append((25, "c", "large", "m1"))
    rows = [(s, z, m) for count, s, z, m in groups for _ in range(count)]
    orgs = pd.DataFrame(rows, columns=["sector", "size_band", "municipality"])
    orgs = orgs.assign(
        organisation_id=np.arange(100, 100 + len(orgs)), funded=rng.random(len(orgs)) < 0.5
    )
    ids = orgs["organisation_id"].to_numpy()

    def scores(shift: float) -> pd.DataFrame:
        frame = pd.DataFrame(
            [(o, "q", d) for o in ids for d in ("d1", "overall")],
            columns=["organisation_id", "questionnaire", "dimension"],
        )
        return frame.assign(score=np.clip(rng.normal(50 + shift, 20, len(frame)), 0, 100))

    team = pd.DataFrame(
        {"organisation_id": ids, "measure": "staff-migration", "part": 2.0, "total": 9.0}
    )
    requests = pd.DataFrame(
        {
            "organisation_id": ids[::2],
            "provider": "p",
            "trajectory": "t",
            "state": np.resize(["requested", "running", "completed"], len(ids[::2])),
        }
    )
    families, frame = core.cells(orgs, scores(5), scores(0), team, AXES, requests=requests)
    return families, privacy.apply(families, frame, AXES)


def as_cells(families: list[Any], frame: pd.DataFrame, combo: int) -> list[service.Cell]:
    """What a view reads of one combination, straight from the computed frame."""
    out = []
    for _, row in frame[frame["combo"] == combo].iterrows():
        kind, questionnaire, dimension = families[int(row["family"])]
        out.append(
            service.Cell(
                indicator=kind,
                questionnaire=questionnaire or None,
                dimension=dimension or None,
                n_organisations=int(row["n_organisations"]),
                suppressed=bool(row["suppressed"]),
                values={
                    name: None if np.isnan(row[name]) else float(row[name])
                    for name in core.VALUE_COLUMNS
                },
            )
        )
    return out


def release(families: list[Any], columns: Any) -> Any:
    return SimpleNamespace(families=json.dumps(families), columns=json.dumps(columns))


def test_stored_cells_read_back_as_computed_in_a_quarter_of_the_bytes() -> None:
    families, frame = network()
    assert frame["suppressed"].any() and not frame["suppressed"].all()
    assert frame["p10"].notna().any() and frame["p25"].isna().any()
    blobs = service.encode_cells(families, core.CellMatrix.of(frame, families))
    assert [combo for combo, _ in blobs] == sorted(set(frame["combo"]))
    stored = release(families, service.CELL_LAYOUT)
    for combo, blob in blobs:
        assert service.decode_cells(stored, blob) == as_cells(families, frame, combo)
    first_layout = frame[list(service.STORED_COLUMNS)].to_numpy(np.float64)
    assert sum(len(blob) for _, blob in blobs) < first_layout.nbytes / 3


def test_a_release_stored_in_the_first_layout_reads_the_same() -> None:
    families, frame = network()
    stored = release(families, list(service.STORED_COLUMNS))
    for combo in sorted(set(frame["combo"])):
        rows = frame[frame["combo"] == combo]
        blob = rows[list(service.STORED_COLUMNS)].to_numpy(np.float64).astype("<f8").tobytes()
        assert service.decode_cells(stored, blob) == as_cells(families, frame, combo)


def test_an_indicator_keeps_only_its_own_statistics_in_column_order() -> None:
    for kind, names in core.STATISTICS.items():
        assert list(names) == [n for n in core.VALUE_COLUMNS if n in names], kind


MEMBERS = pd.DataFrame(
    {
        "organisation_id": [5, 5, 9, 12],
        "sector": ["youth-work", "youth-work", "culture", "sport"],
        "size_band": ["1-9", "1-9", "10-49", "50-249"],
        "municipality": ["21012", "21012", "outside", "21001"],
        "funded": [True, True, False, True],
        "questionnaire": ["taalbeleid", "diverse-teams", "taalbeleid", "taalbeleid"],
        "stamp": [1_796_515_200_123_456, 1_796_515_201_000_000, 0, 1_796_515_300_000_001],
    }
)


def test_members_read_back_as_stored_and_the_former_lists_too() -> None:
    assert service._decode_members(service._encode_members(MEMBERS)).equals(MEMBERS)
    as_lists = msgspec.msgpack.encode({c: MEMBERS[c].tolist() for c in MEMBERS.columns})
    assert service._decode_members(as_lists).equals(MEMBERS)
    empty = service._decode_members(service._encode_members(MEMBERS.iloc[:0]))
    assert empty.empty and list(empty.columns) == list(MEMBERS.columns)


def test_a_changed_organisation_is_one_with_a_submission_or_profile_not_in_both() -> None:
    after = MEMBERS.copy()
    after.loc[0, "stamp"] += 1  # 5 submitted taalbeleid again
    after.loc[2, "municipality"] = "21001"  # 9 moved
    after = after.drop(index=3)  # 12 reopened
    assert service._changed_organisations(MEMBERS, after) == 3
    assert service._changed_organisations(MEMBERS, MEMBERS.iloc[::-1]) == 0


@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime(2026, 12, 6, 10, 0, 0, 123456, tzinfo=dt.UTC),
        dt.datetime(1999, 1, 1, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 1, 23, 59, 59, 999999, tzinfo=dt.UTC),
    ],
)
def test_moments_of_submission_compare_with_the_stamps_stored_before(moment: dt.datetime) -> None:
    # As SQLite stores a moment (text, UTC), as PostgreSQL returns one (a datetime), or none.
    as_text = moment.strftime("%Y-%m-%d %H:%M:%S.%f")
    found = service.stamps(
        [as_text, moment, moment.astimezone(dt.timezone(dt.timedelta(hours=2))), None]
    )
    assert found.tolist() == [service._stamp(moment)] * 3 + [0]


def test_many_moments_give_the_stamps_one_by_one_would() -> None:
    rng = np.random.default_rng(1)
    start = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    moments = [start + dt.timedelta(microseconds=int(x)) for x in rng.integers(0, 10**15, 5000)]
    assert service.stamps(moments).tolist() == [service._stamp(m) for m in moments]
