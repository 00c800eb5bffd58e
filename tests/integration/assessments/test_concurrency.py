"""Many saves at once on one assessment (DESIGN §2 Answer: optimistic concurrency).

The test client of the other tests runs the app in a separate thread and handles one
request at a time, so these tests drive the app through httpx's ASGI transport in the
test's own event loop: requests gathered with asyncio really overlap, down to the
database.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from survey.accounts.service import load_current_user
from survey.assessments.models import DimensionResult
from survey.assessments.schemas import AnswerWrite
from survey.assessments.service import get_context, save_answer_briefly
from survey.audit.models import AuditEvent
from survey.db import create_sessionmaker, utcnow
from survey.errors import Conflict
from survey.rounds.models import Round
from tests.integration.assessments.helpers import (
    all_items,
    definition,
    manager_in_round,
    manager_with_assessment,
    put_answer,
    stored_answers,
)

CONTESTED = "pa-terugkoppeling"  # saved once, then many saves based on its revision 1
NEW_CONTESTED = "pa-gebruikersraad"  # never saved: many first saves (revision 0) at once
OTHERS = [i for i in all_items() if i not in (CONTESTED, NEW_CONTESTED)][:20]


def _value(item_id: str) -> Any:
    """A valid answer for the item (levels for ordered items, options otherwise)."""
    item = definition().items[[i.id for i in definition().items].index(item_id)]
    if item.type == "yes_partly_no":
        return "partly"
    if item.type == "choice":
        return item.options[1].id
    return 2


@asynccontextmanager
async def live_client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """The app started in this task (its lifespan uses a task group, so not a fixture)."""
    async with (
        app.lifespan(),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver.local"
        ) as client,
    ):
        yield client


async def test_concurrent_saves_land_and_one_same_revision_save_wins(app, db, sessionmaker) -> None:
    async with live_client(app) as client:
        await _different_items_and_same_revision(client, db, sessionmaker)


async def _different_items_and_same_revision(client: Any, db: Any, sessionmaker: Any) -> None:
    """20 saves of different items, 6 saves of one item on the same revision and 6 first
    saves of another item, all at once."""
    setup = await manager_with_assessment(client, db)
    token, assessment_id = setup.token, setup.assessment_id
    first = await put_answer(client, token, assessment_id, CONTESTED, "no")
    assert first.status_code == 200

    others = [put_answer(client, token, assessment_id, i, _value(i)) for i in OTHERS]
    contested_values = ["yes", "partly", "yes", "partly", "yes", "partly"]
    contested = [
        put_answer(client, token, assessment_id, CONTESTED, v, revision=1, comment=f"try {n}")
        for n, v in enumerate(contested_values)
    ]
    new_contested = [
        put_answer(client, token, assessment_id, NEW_CONTESTED, v, revision=0, comment=f"new {n}")
        for n, v in enumerate(contested_values)
    ]
    responses = await asyncio.gather(*others, *contested, *new_contested)

    statuses = [r.status_code for r in responses]
    assert 500 not in statuses, [r.text for r in responses if r.status_code == 500]
    other_responses = responses[: len(OTHERS)]
    contested_responses = responses[len(OTHERS) : len(OTHERS) + len(contested)]
    new_responses = responses[len(OTHERS) + len(contested) :]
    assert [r.status_code for r in other_responses] == [200] * len(OTHERS)
    for group in (contested_responses, new_responses):
        assert Counter(r.status_code for r in group) == {200: 1, 409: len(group) - 1}

    stored = await stored_answers(sessionmaker, assessment_id)
    for item_id in OTHERS:
        assert stored[item_id] == (_value(item_id), False, None, 1), item_id
    # the winner's answer is the stored one; the losers were told about it
    for item_id, group, revision in (
        (CONTESTED, contested_responses, 2),
        (NEW_CONTESTED, new_responses, 1),
    ):
        winner = next(r.json() for r in group if r.status_code == 200)
        assert stored[item_id] == (winner["value"], False, winner["comment"], revision)
        for loser in (r for r in group if r.status_code == 409):
            current = loser.json()["current"]
            assert (current["value"], current["revision"]) == (winner["value"], revision)
    final = (await client.get(f"/api/v1/assessments/{assessment_id}")).json()
    assert final["progress"]["answered"] == len(OTHERS) + 2


async def test_editors_racing_on_one_item_never_lose_a_save(app, db, sessionmaker) -> None:
    async with live_client(app) as client:
        await _editors_racing(client, db, sessionmaker)


async def _editors_racing(client: Any, db: Any, sessionmaker: Any) -> None:
    """Five editors, each saving four times on what they last saw, racing: every save is
    either accepted (revision + 1) or refused with 409; the revision never skips or repeats."""
    setup = await manager_with_assessment(client, db)
    token, assessment_id = setup.token, setup.assessment_id

    async def editor(level: int) -> list[int]:
        statuses = []
        revision = 0
        for _ in range(4):
            response = await put_answer(client, token, assessment_id, "vb-missie", level, revision)
            statuses.append(response.status_code)
            body = response.json()
            revision = (
                body["revision"] if response.status_code == 200 else body["current"]["revision"]
            )
        return statuses

    results = await asyncio.gather(*(editor(level) for level in (1, 2, 3, 4, 5)))

    statuses = [s for r in results for s in r]
    assert set(statuses) <= {200, 409}, statuses
    accepted = statuses.count(200)
    stored = (await stored_answers(sessionmaker, assessment_id))["vb-missie"]
    assert stored[3] == accepted  # each accepted save added exactly one revision


async def test_double_submit_at_once_submits_once(app, db, sessionmaker) -> None:
    """A double click on "Submit" (or two managers at once): one submission, the rest 409."""
    async with live_client(app) as client:
        setup = await manager_with_assessment(client, db)
        token, assessment_id = setup.token, setup.assessment_id
        await put_answer(client, token, assessment_id, "vb-missie", 4)

        responses = await asyncio.gather(
            *(
                client.post(
                    f"/api/v1/assessments/{assessment_id}/submit",
                    headers={"x-csrftoken": token},
                )
                for _ in range(5)
            )
        )

        statuses = Counter(r.status_code for r in responses)
        assert statuses == {200: 1, 409: 4}, [r.text for r in responses]
        submits = await _audited(sessionmaker, "assessment.submit")
        assert submits == 1


async def test_starting_the_same_assessment_at_once_creates_one(app, db, sessionmaker) -> None:
    """Two managers press "Start" together: one assessment; the other hears its id (409)."""
    async with live_client(app) as client:
        setup = await manager_in_round(client, db)
        token = setup.token
        body = {
            "organisation_id": setup.organisation.id,
            "questionnaire_id": "cultuursensitief-werken",
            "round": "2026",
        }

        responses = await asyncio.gather(
            *(
                client.post("/api/v1/assessments", json=body, headers={"x-csrftoken": token})
                for _ in range(5)
            )
        )

        statuses = Counter(r.status_code for r in responses)
        assert statuses == {201: 1, 409: 4}, [r.text for r in responses]
        created = next(r.json()["id"] for r in responses if r.status_code == 201)
        assert {r.json()["assessment_id"] for r in responses if r.status_code == 409} == {created}
        assert await _audited(sessionmaker, "assessment.start") == 1


async def test_saves_racing_a_submit_are_either_scored_or_refused(app, db, sessionmaker) -> None:
    """Autosaves still in flight when the manager submits: each one either made it into the
    submitted scores or was refused with 409; none lands silently after the scoring."""
    async with live_client(app) as client:
        setup = await manager_with_assessment(client, db)
        token, assessment_id = setup.token, setup.assessment_id
        items = [*OTHERS, "pa-terugkoppeling", "pa-gebruikersraad"]
        saves = [put_answer(client, token, assessment_id, i, _value(i)) for i in items]
        submit = client.post(
            f"/api/v1/assessments/{assessment_id}/submit", headers={"x-csrftoken": token}
        )

        responses = await asyncio.gather(*saves[:8], submit, *saves[8:])

        statuses = [r.status_code for r in responses]
        assert set(statuses) <= {200, 409}, statuses
        assert responses[8].status_code == 200  # the submit
        accepted = {
            item
            for item, r in zip(items, responses[:8] + responses[9:], strict=True)
            if r.status_code == 200
        }
        stored = await stored_answers(sessionmaker, assessment_id)
        assert set(stored) == accepted
        async with sessionmaker() as check:
            rows = list(
                await check.scalars(
                    select(DimensionResult).where(DimensionResult.assessment_id == assessment_id)
                )
            )
        # every accepted save was scored: the result counts exactly the stored answers
        assert sum(row.answered_items for row in rows) == len(accepted)


async def _audited(sessionmaker: Any, action: str) -> int:
    async with sessionmaker() as check:
        count: int = await check.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
        )
    return count


@asynccontextmanager
async def _transaction(maker: Any) -> AsyncIterator[Any]:
    async with maker() as session, session.begin():
        yield session


@pytest.mark.parametrize(
    ("item_id", "revision", "close"),
    [
        (CONTESTED, 1, "submit"),  # an update on a stale view: submitted since it was read
        (NEW_CONTESTED, 0, "submit"),  # a first save, the same
        (CONTESTED, 1, "round"),  # the round closed early since it was read
    ],
)
async def test_an_autosave_read_before_the_assessment_closed_writes_nothing(
    app, db, sessionmaker, item_id: str, revision: int, close: str
) -> None:
    """An autosave reads the assessment, then writes in one guarded statement (issue 15):
    when the manager submits (or an admin closes the round) in between, the statement
    writes nothing and the save is refused with the reason, not stored after the fact."""
    async with live_client(app) as client:
        setup = await manager_with_assessment(client, db)
        token, assessment_id = setup.token, setup.assessment_id
        assert (await put_answer(client, token, assessment_id, CONTESTED, "no")).status_code == 200
        caller = await load_current_user(db, setup.manager.id)
        await db.commit()  # on SQLite the arranging session would keep the write lock
        assert caller is not None
        async with sessionmaker() as reader:
            context = await get_context(reader, caller, assessment_id)
        if close == "submit":
            submitted = await client.post(
                f"/api/v1/assessments/{assessment_id}/submit", headers={"x-csrftoken": token}
            )
            assert submitted.status_code == 200, submitted.text
        else:
            async with sessionmaker() as admin, admin.begin():
                await admin.execute(
                    update(Round).where(Round.id == setup.round.id).values(closed_at=utcnow())
                )
        single = create_sessionmaker(sessionmaker.kw["bind"], single_statements=True)

        with pytest.raises(Conflict):
            await save_answer_briefly(
                lambda: _transaction(single),
                lambda: _transaction(sessionmaker),
                caller,
                context,
                item_id,
                AnswerWrite(revision=revision, value="yes"),
            )

        stored = await stored_answers(sessionmaker, assessment_id)
        assert stored.get(CONTESTED, (None,))[0] == "no"
        assert NEW_CONTESTED not in stored
