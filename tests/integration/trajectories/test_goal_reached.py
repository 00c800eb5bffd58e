"""A goal "level 3 by round 2027" is reached by a result of round 2027 or a later one, never
by an older round's result (the level before the trajectory started is not its outcome). The
same rule holds wherever a goal shows: the coach's caseload (page and API), the coach's
organisation and request pages, the manager's request page and the result page. The
caseload counts the goals of all its organisations in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import event, select, update

from survey.accounts.models import Provider
from survey.accounts.service import snapshot
from survey.assessments.models import Assessment, DimensionResult
from survey.organisations.models import Organisation
from survey.rounds.models import Round
from survey.trajectories.models import Goal, RequestState, Share, SupportRequest
from survey.trajectories.workspace import caseload
from tests.factories import login, make_organisation, make_round
from tests.integration.assessments.helpers import QUESTIONNAIRE, nl
from tests.integration.benchmarks.helpers import DIMENSION, submit_arranged
from tests.integration.trajectories.helpers import World, as_user

TARGET = 3
GOAL = {"dimension_id": f"{QUESTIONNAIRE}/{DIMENSION}", "target_level": TARGET, "round": "2027"}


async def later_round(db: Any, name: str, years: int) -> Round:
    """A round not open yet, opening ``years`` years after the next one."""
    round_ = await make_round(db, name, state="upcoming")
    round_.opens_on += dt.timedelta(days=365 * years)
    round_.closes_on += dt.timedelta(days=365 * years)
    await db.commit()
    return round_


async def result_with_level(
    db: Any, organisation: Organisation, round_name: str, level: int
) -> int:
    """A submitted assessment of the round whose goal dimension has maturity ``level``."""
    round_ = await db.scalar(select(Round).where(Round.name == round_name))
    await submit_arranged(db, organisation, round_, 3.0, seed=7)
    assessment_id = await db.scalar(
        select(Assessment.id).where(
            Assessment.organisation_id == organisation.id, Assessment.round_id == round_.id
        )
    )
    await db.execute(
        update(DimensionResult)
        .where(
            DimensionResult.assessment_id == assessment_id,
            DimensionResult.dimension_id == DIMENSION,
        )
        .values(maturity=level)
    )
    await db.commit()
    return int(assessment_id)


def goal_state(page: str) -> str:
    """What the goals table says in its "Now" column: reached, not reached yet, or the round
    from which a result counts."""
    section = page.split('id="goals-heading"', 1)[1].split("</section>", 1)[0]
    if 'class="goal-reached"' in section:
        return "reached"
    if nl("not reached yet") in section:
        return "not reached yet"
    if nl("counts from round %(round)s", round="2027") in section:
        return "counts from 2027"
    return "no result"


@pytest.mark.parametrize(
    ("results", "expected"),
    [
        pytest.param([("2026", 5)], "counts from 2027", id="older-round-above-target"),
        pytest.param([("2027", TARGET - 1)], "not reached yet", id="target-round-below"),
        pytest.param([("2027", TARGET)], "reached", id="target-round-at-target"),
        pytest.param([("2026", 5), ("2028", TARGET)], "reached", id="later-round-at-target"),
        pytest.param([("2027", TARGET), ("2028", 1)], "not reached yet", id="later-round-fell"),
    ],
)
async def test_only_a_result_of_the_goals_round_or_later_reaches_it(
    client: Any,
    db: Any,
    w: World,
    goal_rounds: None,
    running: int,
    results: list[tuple[str, int]],
    expected: str,
) -> None:
    await later_round(db, "2028", years=1)
    coach = await as_user(client, w.huis_coach)
    saved = await client.put(
        f"/api/v1/support-requests/{running}/goals", json=[GOAL], headers={"x-csrftoken": coach}
    )
    assert saved.status_code == 200, saved.text
    assessments = [
        await result_with_level(db, w.organisation, round_name, level)
        for round_name, level in results
    ]

    entry = (await client.get("/api/v1/caseload")).json()[0]
    assert (entry["goals_total"], entry["goals_reached"]) == (1, int(expected == "reached"))
    await login(client, w.huis_coach)
    caseload_page = (await client.get("/coaching")).text
    assert nl("%(reached)s of %(total)s", reached=int(expected == "reached"), total=1) in (
        caseload_page
    )
    organisation_page = (await client.get(f"/coaching/organisations/{w.organisation.id}")).text
    assert goal_state(organisation_page) == expected
    assert goal_state((await client.get(f"/coaching/requests/{running}")).text) == expected

    await login(client, w.manager)
    detail = f"/organisations/{w.organisation.id}/support-requests/{running}"
    assert goal_state((await client.get(detail)).text) == expected
    newest_result = (await client.get(f"/assessments/{assessments[-1]}/result")).text
    assert goal_state(newest_result) == expected


async def test_an_older_results_page_does_not_show_a_later_goal_reached(
    client: Any, db: Any, w: World, goal_rounds: None, running: int
) -> None:
    coach = await as_user(client, w.huis_coach)
    saved = await client.put(
        f"/api/v1/support-requests/{running}/goals", json=[GOAL], headers={"x-csrftoken": coach}
    )
    assert saved.status_code == 200, saved.text
    before = await result_with_level(db, w.organisation, "2026", 5)
    after = await result_with_level(db, w.organisation, "2027", TARGET)

    await login(client, w.manager)
    assert goal_state((await client.get(f"/assessments/{before}/result")).text) == (
        "counts from 2027"
    )
    assert goal_state((await client.get(f"/assessments/{after}/result")).text) == "reached"


async def organisation_with_a_reached_goal(db: Any, target: Round, provider: Provider) -> None:
    """An organisation sharing with the provider, its running request with one goal for the
    round ``target``, and a result of that round that reaches it."""
    organisation = await make_organisation(db)
    request = SupportRequest(
        organisation_id=organisation.id,
        trajectory_id="duidelijke-taal",
        provider=provider,
        state=RequestState.RUNNING,
    )
    db.add_all([request, Share(organisation_id=organisation.id, provider=provider)])
    await db.flush()
    db.add(
        Goal(
            request_id=request.id,
            questionnaire_id=QUESTIONNAIRE,
            dimension_id=DIMENSION,
            target_level=TARGET,
            round_id=target.id,
        )
    )
    await db.commit()
    await result_with_level(db, organisation, target.name, TARGET)


async def test_the_caseload_counts_goals_in_the_same_number_of_queries_for_any_caseload(
    client: Any, db: Any, w: World, goal_rounds: None, sessionmaker: Any
) -> None:
    await client.get("/login")  # the app is up: questionnaires are published
    target = await db.scalar(select(Round).where(Round.name == "2027"))
    coach = snapshot(w.huis_coach)
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    engine = sessionmaker.kw["bind"].sync_engine

    async def statements_for_caseload() -> tuple[int, list[tuple[int, int]]]:
        statements.clear()
        async with sessionmaker() as session:
            event.listen(engine, "before_cursor_execute", count)
            try:
                cases = await caseload(session, coach)
            finally:
                event.remove(engine, "before_cursor_execute", count)
        return len(statements), [(c.goals_total, c.goals_reached) for c in cases]

    await organisation_with_a_reached_goal(db, target, Provider.HUIS)
    for_one, goals = await statements_for_caseload()
    assert goals == [(1, 1)]
    for _ in range(4):
        await organisation_with_a_reached_goal(db, target, Provider.HUIS)
    for_five, goals = await statements_for_caseload()
    assert goals == [(1, 1)] * 5
    assert for_five == for_one, statements
