"""What a recompute writes (DESIGN §5): only the rows whose figures (or the profile they were
computed for) change, so ``computed_at`` tells when an organisation's figures last moved;
figures a migration emptied come back with ``recompute_missing`` and ``survey db upgrade``."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import msgspec
from sqlalchemy import delete, func, select, update

from survey.assessments.models import Assessment, AssessmentResult
from survey.benchmarks.models import AssessmentBenchmark
from survey.benchmarks.recompute import METHOD_VERSION, recompute, recompute_missing
from survey.benchmarks.schemas import StoredFigure
from survey.cli import main
from survey.organisations.models import Organisation
from survey.rounds.models import Round
from tests.factories import make_round
from tests.integration.assessments.helpers import (
    QUESTIONNAIRE,
    answer,
    api_post,
    manager_with_assessment,
)
from tests.integration.benchmarks.helpers import (
    assessment_of,
    manager_of,
    peers,
    submit_arranged,
    submitted_peer,
)

LONG_AGO = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
"""``computed_at`` given to every stored row before a recompute: a row the recompute writes
gets the present time, a row it leaves alone keeps this."""

YOUTH, SPORT = "youth-work", "sport"


# --- arranging and reading ---------------------------------------------------------------


async def _network(db: Any, round_: Round) -> dict[str, list[Organisation]]:
    """Seven youth-work and six sport organisations of one size band, all submitted: every
    organisation has at least five others of its own sector × size band, so each of its
    figures is at that level and no sector is a peer of the other."""
    youth = [
        await submitted_peer(db, round_, 1.4 + 0.5 * i, seed=200 + i, sector=YOUTH)
        for i in range(7)
    ]
    sport = [
        await submitted_peer(db, round_, 1.6 + 0.55 * i, seed=300 + i, sector=SPORT)
        for i in range(6)
    ]
    return {YOUTH: youth, SPORT: sport}


async def _recompute(sessionmaker: Any, round_id: int) -> int:
    async with sessionmaker() as db, db.begin():
        return await recompute(db, round_id, QUESTIONNAIRE)


async def _recompute_missing(sessionmaker: Any) -> int:
    async with sessionmaker() as db, db.begin():
        return await recompute_missing(db)


async def _age_every_row(sessionmaker: Any) -> None:
    async with sessionmaker() as db, db.begin():
        await db.execute(update(AssessmentBenchmark).values(computed_at=LONG_AGO))


async def _rows(sessionmaker: Any) -> dict[int, dict[str, Any]]:
    """Organisation id → its stored row (one assessment per organisation in these tests),
    with the figures decoded for the assessment's stored result."""
    async with sessionmaker() as db:
        found = (
            await db.execute(
                select(AssessmentBenchmark, Assessment.organisation_id, AssessmentResult)
                .join(Assessment, Assessment.id == AssessmentBenchmark.assessment_id)
                .join(AssessmentResult, AssessmentResult.assessment_id == Assessment.id)
            )
        ).all()
    rows: dict[int, dict[str, Any]] = {}
    for row, organisation_id, result in found:
        assert organisation_id not in rows, "one assessment per organisation"
        decoded = StoredFigure.decode(row.figures, msgspec.json.decode(result.dimension_ids))
        assert decoded is not None, "stored figures that do not fit the stored result"
        rows[organisation_id] = {
            "computed_at": row.computed_at,
            "figures": row.figures,
            "decoded": decoded,
            "sector": row.sector,
            "size_band": row.size_band,
            "method_version": row.method_version,
        }
    return rows


async def _count_rows(sessionmaker: Any) -> int:
    async with sessionmaker() as db:
        counted: int = await db.scalar(select(func.count()).select_from(AssessmentBenchmark))
        return counted


async def _benchmark(client: Any, db: Any, sessionmaker: Any, organisation: Organisation) -> Any:
    """The ``benchmark`` of the organisation's assessment as its manager reads it in the API."""
    await manager_of(client, db, organisation)
    assessment_id = await assessment_of(sessionmaker, organisation)
    response = await client.get(f"/api/v1/assessments/{assessment_id}/result")
    assert response.status_code == 200, response.text
    return response.json()["benchmark"]


def _assert_all_at_sector_size(rows: dict[int, dict[str, Any]]) -> None:
    for organisation_id, row in rows.items():
        levels = {figure.peer_group for figure in row["decoded"]}
        assert levels == {"sector_size"}, (organisation_id, levels)


# --- a recompute writes only what changed --------------------------------------------------


async def test_a_second_recompute_with_nothing_changed_writes_nothing(
    client, db, sessionmaker
) -> None:
    round_ = await make_round(db, "2026")
    network = await _network(db, round_)
    assert await _recompute(sessionmaker, round_.id) == 13
    first = await _rows(sessionmaker)
    assert set(first) == {o.id for o in network[YOUTH] + network[SPORT]}
    _assert_all_at_sector_size(first)
    await _age_every_row(sessionmaker)

    assert await _recompute(sessionmaker, round_.id) == 13

    second = await _rows(sessionmaker)
    assert {o: r["computed_at"] for o, r in second.items()} == dict.fromkeys(first, LONG_AGO)
    assert {o: r["figures"] for o, r in second.items()} == {
        o: r["figures"] for o, r in first.items()
    }


async def test_a_changed_submission_rewrites_only_its_own_row_until_its_group_refreshes(
    client, db, sessionmaker
) -> None:
    round_ = await make_round(db, "2026")
    network = await _network(db, round_)
    await _recompute(sessionmaker, round_.id)
    before = await _rows(sessionmaker)
    _assert_all_at_sector_size(before)
    await _age_every_row(sessionmaker)
    changed = network[YOUTH][3]
    assessment_id = await assessment_of(sessionmaker, changed)
    async with sessionmaker() as session:
        old_score = (await session.get(AssessmentResult, assessment_id)).score

    # its manager reopens the assessment, changes an answer and submits again
    token = await manager_of(client, db, changed)
    reopened = await api_post(client, token, f"/api/v1/assessments/{assessment_id}/reopen")
    assert reopened.status_code == 200, reopened.text
    current = (await client.get(f"/api/v1/assessments/{assessment_id}")).json()
    mission = current["response"]["answers"]["vb-missie"]["value"]
    await answer(client, token, assessment_id, "vb-missie", 1 if mission >= 3 else 5)
    submitted = await api_post(client, token, f"/api/v1/assessments/{assessment_id}/submit")
    assert submitted.status_code == 200, submitted.text
    async with sessionmaker() as session:
        assert (await session.get(AssessmentResult, assessment_id)).score != old_score

    after = await _rows(sessionmaker)
    _assert_all_at_sector_size(after)
    for organisation in network[SPORT]:  # no peer group in common: untouched
        assert after[organisation.id]["computed_at"] == LONG_AGO, organisation.id
        assert after[organisation.id]["figures"] == before[organisation.id]["figures"]
    # its peers compare with their group's snapshot, which one changed member does not
    # refresh (DESIGN §7): untouched too; its own figures follow its new scores
    for organisation in network[YOUTH]:
        if organisation is changed:
            continue
        assert after[organisation.id]["computed_at"] == LONG_AGO, organisation.id
        assert after[organisation.id]["figures"] == before[organisation.id]["figures"]
    assert after[changed.id]["figures"] != before[changed.id]["figures"]
    # the date a manager sees is when the organisation's figures last changed
    untouched = await _benchmark(client, db, sessionmaker, network[YOUTH][0])
    assert dt.datetime.fromisoformat(untouched["computed_at"]) == LONG_AGO
    moved = await _benchmark(client, db, sessionmaker, changed)
    assert dt.datetime.fromisoformat(moved["computed_at"]) > LONG_AGO


async def test_an_organisation_moved_to_another_sector_gets_its_row_rewritten(
    client, db, sessionmaker
) -> None:
    round_ = await make_round(db, "2026")
    network = await _network(db, round_)
    await _recompute(sessionmaker, round_.id)
    mover = network[YOUTH][0]
    before = await _rows(sessionmaker)
    assert before[mover.id]["sector"] == YOUTH
    assert {f.n_peers for f in before[mover.id]["decoded"]} == {6}  # the six other youth-work
    await _age_every_row(sessionmaker)

    async with sessionmaker() as session, session.begin():
        await session.execute(
            update(Organisation).where(Organisation.id == mover.id).values(sector=SPORT)
        )
    await _recompute(sessionmaker, round_.id)

    after = await _rows(sessionmaker)
    assert after[mover.id]["sector"] == SPORT
    assert after[mover.id]["computed_at"] > LONG_AGO
    assert {f.n_peers for f in after[mover.id]["decoded"]} == {6}  # now the six sport ones
    assert after[mover.id]["figures"] != before[mover.id]["figures"]
    overall = (await _benchmark(client, db, sessionmaker, mover))["overall"]
    assert overall["peer_group"]["key"] == f"{SPORT}|10-49"
    assert overall["peer_group"]["n_organisations"] == 6


async def test_a_renamed_sector_is_rewritten_even_when_no_figure_moves(
    client, db, sessionmaker
) -> None:
    """Every sport organisation moves to another sector together: the same peers, the same
    figures byte for byte, but the rows must carry the new sector, from which the peer
    group that managers read follows."""
    round_ = await make_round(db, "2026")
    network = await _network(db, round_)
    await _recompute(sessionmaker, round_.id)
    before = await _rows(sessionmaker)
    await _age_every_row(sessionmaker)

    renamed = "culture-community"
    async with sessionmaker() as session, session.begin():
        await session.execute(
            update(Organisation).where(Organisation.sector == SPORT).values(sector=renamed)
        )
    await _recompute(sessionmaker, round_.id)

    after = await _rows(sessionmaker)
    for organisation in network[SPORT]:
        assert after[organisation.id]["figures"] == before[organisation.id]["figures"]
        assert after[organisation.id]["sector"] == renamed, organisation.id
    for organisation in network[YOUTH]:
        assert after[organisation.id]["computed_at"] == LONG_AGO, organisation.id
        assert after[organisation.id]["sector"] == YOUTH
    overall = (await _benchmark(client, db, sessionmaker, network[SPORT][2]))["overall"]
    assert overall["peer_group"]["key"] == f"{renamed}|10-49"


async def test_the_row_of_an_assessment_without_a_result_is_removed(
    client, db, sessionmaker
) -> None:
    round_ = await make_round(db, "2026")
    network = await _network(db, round_)
    await _recompute(sessionmaker, round_.id)
    dropped = network[YOUTH][-1]
    assessment_id = await assessment_of(sessionmaker, dropped)

    async with sessionmaker() as session, session.begin():  # its scores are withdrawn
        await session.execute(
            delete(AssessmentResult).where(AssessmentResult.assessment_id == assessment_id)
        )
    await _recompute(sessionmaker, round_.id)

    async with sessionmaker() as session:
        assert await session.get(AssessmentBenchmark, assessment_id) is None
    assert await _count_rows(sessionmaker) == 12
    after = await _rows(sessionmaker)
    for organisation in network[YOUTH][:-1]:  # one peer fewer for the rest of its sector
        assert {f.n_peers for f in after[organisation.id]["decoded"]} == {5}


# --- figures that are missing ----------------------------------------------------------------


async def test_recompute_missing_brings_back_emptied_figures(client, db, sessionmaker) -> None:
    # an organisation that started but never submitted has no result, so nothing is missing
    setup = await manager_with_assessment(client, db)
    last_year = await make_round(db, "2025", "closed")
    organisations = await peers(db, setup.round, 6)
    for i, organisation in enumerate(organisations):
        await submit_arranged(db, organisation, last_year, 1.5 + 0.5 * i, seed=400 + i)
    assessment_now = await _assessment_in(sessionmaker, organisations[0], setup.round)

    assert await _recompute_missing(sessionmaker) == 2  # nothing stored yet: both rounds
    assert await _count_rows(sessionmaker) == 12
    assert await _recompute_missing(sessionmaker) == 0
    async with sessionmaker() as session:
        computed = {
            row.assessment_id: row.figures
            for row in await session.scalars(select(AssessmentBenchmark))
        }

    # a migration empties the stored figures: the result page has no benchmark any more
    async with sessionmaker() as session, session.begin():
        await session.execute(delete(AssessmentBenchmark))
    await manager_of(client, db, organisations[0])
    assert (await _result(client, assessment_now))["benchmark"] is None

    assert await _recompute_missing(sessionmaker) == 2

    async with sessionmaker() as session:
        restored = {
            row.assessment_id: row.figures
            for row in await session.scalars(select(AssessmentBenchmark))
        }
    assert restored == computed
    benchmark = (await _result(client, assessment_now))["benchmark"]
    assert benchmark is not None and benchmark["overall"]["status"] == "shown"
    assert benchmark["overall"]["peer_group"]["n_organisations"] == 5
    assert benchmark["previous_round"] == "2025"
    assert await _recompute_missing(sessionmaker) == 0

    # figures of an older method count as missing too, for their round only
    async with sessionmaker() as session, session.begin():
        await session.execute(
            update(AssessmentBenchmark)
            .where(AssessmentBenchmark.round_id == last_year.id)
            .values(method_version="1")
        )
    assert await _recompute_missing(sessionmaker) == 1
    async with sessionmaker() as session:
        versions = set(await session.scalars(select(AssessmentBenchmark.method_version)))
    assert versions == {METHOD_VERSION}
    assert await _recompute_missing(sessionmaker) == 0


async def _assessment_in(sessionmaker: Any, organisation: Organisation, round_: Round) -> int:
    async with sessionmaker() as db:
        found: int = await db.scalar(
            select(Assessment.id).where(
                Assessment.organisation_id == organisation.id, Assessment.round_id == round_.id
            )
        )
        return found


async def _result(client: Any, assessment_id: int) -> Any:
    response = await client.get(f"/api/v1/assessments/{assessment_id}/result")
    assert response.status_code == 200, response.text
    return response.json()


RECOMPUTED = "Peer benchmarks recomputed for"


async def test_db_upgrade_recomputes_only_what_is_missing(
    client, db, sessionmaker, backend, database_urls, tmp_path, monkeypatch, capsys
) -> None:
    """``client``: the app has published the questionnaires, as it does when it starts."""
    monkeypatch.setenv("SURVEY_ENV", "test")
    monkeypatch.setenv("SURVEY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SURVEY_DATABASE_URL", database_urls[backend])

    async def upgrade() -> str:
        # the command runs its own event loop, as from a shell
        assert await asyncio.to_thread(main, ["db", "upgrade"]) == 0
        out: str = capsys.readouterr().out
        assert "The database is already up to date" in out
        return out

    round_ = await make_round(db, "2026")
    await peers(db, round_, 6)  # submitted, never recomputed: as after a migration
    await db.close()
    assert await _count_rows(sessionmaker) == 0

    out = await upgrade()

    assert f"{RECOMPUTED} 1 round(s) × questionnaire(s)." in out
    assert await _count_rows(sessionmaker) == 6
    rows = await _rows(sessionmaker)
    _assert_all_at_sector_size(rows)
    assert {f.n_peers for r in rows.values() for f in r["decoded"]} == {5}

    assert RECOMPUTED not in await upgrade()  # nothing missing: nothing said, nothing done

    async with sessionmaker() as session, session.begin():
        await session.execute(delete(AssessmentBenchmark))
    assert f"{RECOMPUTED} 1 round(s) × questionnaire(s)." in await upgrade()
    assert await _count_rows(sessionmaker) == 6
