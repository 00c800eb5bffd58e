"""When a questionnaire version's quality snapshot refreshes (DESIGN §7): once 5
organisations changed since it was taken, or the round closed since."""

from __future__ import annotations

import datetime as dt

from survey.benchmarks.quality_service import (
    changed_organisations,
    closed_since,
    versions_due,
)
from survey.benchmarks.schemas import StoredVersionQuality
from survey.rounds.models import Round

TAKEN = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
SUBMITTED = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
LATER = dt.datetime(2026, 3, 3, 9, 0, tzinfo=dt.UTC)


def _snapshot(version_id: int, members: dict[int, dt.datetime | None]) -> StoredVersionQuality:
    return StoredVersionQuality(
        version=version_id,
        questionnaire_version_id=version_id,
        n_organisations=len(members),
        dimensions=[],
        as_of=TAKEN,
        members=members,
    )


SIX = dict.fromkeys(range(1, 7), SUBMITTED)


def test_submitted_reopened_and_submitted_again_each_count_once() -> None:
    assert changed_organisations(SIX, SIX) == 0
    now = {**SIX, 7: LATER}  # one new submission
    assert changed_organisations(SIX, now) == 1
    del now[1]  # one reopened
    now[2] = LATER  # one submitted again
    assert changed_organisations(SIX, now) == 3


def test_a_version_refreshes_from_five_changed_organisations_on() -> None:
    stored = [_snapshot(1, SIX)]
    four_new = {**SIX, **dict.fromkeys(range(7, 11), LATER)}
    assert versions_due(stored, {1: four_new}, None) == set()
    assert versions_due(stored, {1: {**four_new, 11: LATER}}, None) == {1}


def test_versions_count_apart() -> None:
    # three changes in each of two versions: neither refreshes (6 in all, but not 5 in one)
    stored = [_snapshot(1, SIX), _snapshot(2, {a + 10: SUBMITTED for a in range(1, 7)})]
    current = {
        1: {**SIX, 7: LATER, 8: LATER, 9: LATER},
        2: {a + 10: SUBMITTED for a in range(4, 7)},
    }
    assert versions_due(stored, current, None) == set()
    # a new version shows once 5 organisations submitted it
    assert versions_due(stored, {**current, 3: dict.fromkeys(range(30, 34), LATER)}, None) == set()
    assert versions_due(stored, {**current, 3: dict.fromkeys(range(30, 35), LATER)}, None) == {3}


def test_every_version_refreshes_once_after_the_round_closed() -> None:
    stored = [_snapshot(1, SIX), _snapshot(2, SIX)]
    current = {1: {**SIX, 7: LATER}, 2: SIX}
    assert versions_due(stored, current, closed_since=LATER) == {1, 2}
    assert versions_due(stored, current, closed_since=TAKEN - dt.timedelta(hours=1)) == set()


def test_a_round_closes_at_the_end_of_its_closing_day_in_brussels_or_when_closed_early() -> None:
    ended = Round(name="2025", opens_on=dt.date(2025, 1, 1), closes_on=dt.date(2025, 6, 30))
    # midnight in Brussels (summer time, UTC+2)
    assert closed_since(ended) == dt.datetime(2025, 6, 30, 22, 0, tzinfo=dt.UTC)
    early = dt.datetime(2025, 5, 1, 12, 0, tzinfo=dt.UTC)
    ended.closed_at = early
    assert closed_since(ended) == early
    still_open = Round(name="2999", opens_on=dt.date(2020, 1, 1), closes_on=dt.date(2999, 1, 1))
    assert closed_since(still_open) is None
