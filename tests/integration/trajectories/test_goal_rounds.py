"""A goal is agreed for a round later than the one it is agreed in: a goal for the round
that is open now could count as reached at once, by the results already in."""

from __future__ import annotations

from html import escape
from typing import Any

from sqlalchemy import select

from survey.i18n import translations
from survey.trajectories.models import Goal
from tests.factories import login, make_round, post_form
from tests.integration.assessments.helpers import nl
from tests.integration.trajectories.helpers import World, as_user

TOO_EARLY = (
    "Choose a round after %(round)s: a goal is for a later round than the one it is agreed in."
)


def said(language: str, message: str, **variables: object) -> str:
    text: str = translations(language).ugettext(message)
    return text % variables


GOAL = {"dimension_id": "toegankelijkheid/bekendheid", "target_level": 3}


async def test_a_goal_for_the_open_round_is_refused_in_the_api(
    client: Any, db: Any, w: World, running: int, sessionmaker: Any
) -> None:
    await make_round(db, "2025", state="closed")
    await make_round(db, "2026")
    await make_round(db, "2027", state="upcoming")
    coach = await as_user(client, w.huis_coach)
    path = f"/api/v1/support-requests/{running}/goals"

    for round_name in ("2025", "2026"):
        refused = await client.put(
            path, json=[{**GOAL, "round": round_name}], headers={"x-csrftoken": coach}
        )
        assert refused.status_code == 400, refused.text
        assert refused.json()["errors"] == {"goals[0].round": nl(TOO_EARLY, round="2026")}
    async with sessionmaker() as check:
        assert (await check.scalars(select(Goal))).all() == []

    saved = await client.put(path, json=[{**GOAL, "round": "2027"}], headers={"x-csrftoken": coach})
    assert saved.status_code == 200, saved.text
    assert [g["round"] for g in saved.json()["goals"]] == ["2027"]


async def test_a_goal_agreed_earlier_stays_when_its_round_has_opened(
    client: Any, db: Any, w: World, running: int
) -> None:
    """Another goal can still be added next to it: it is not set again."""
    await make_round(db, "2026")
    later = await make_round(db, "2027", state="upcoming")
    coach = await as_user(client, w.huis_coach)
    path = f"/api/v1/support-requests/{running}/goals"
    first = {**GOAL, "round": "2027"}
    assert (await client.put(path, json=[first], headers={"x-csrftoken": coach})).is_success
    later.opens_on = later.opens_on.replace(year=later.opens_on.year - 1)  # 2027 opens early
    await db.merge(later)
    await db.commit()

    second = {"dimension_id": "taalbeleid/visie-en-taalbeleid", "target_level": 2, "round": "2027"}
    refused = await client.put(path, json=[first, second], headers={"x-csrftoken": coach})
    assert refused.status_code == 400
    assert set(refused.json()["errors"]) == {"goals[1].round"}  # the new one only

    # the kept goal moved to a level of its own is agreed anew, for a round still to come
    await make_round(db, "2028", state="upcoming")
    changed = {**first, "target_level": 4}
    refused = await client.put(path, json=[changed], headers={"x-csrftoken": coach})
    assert refused.status_code == 400
    kept = await client.put(
        path, json=[first, {**second, "round": "2028"}], headers={"x-csrftoken": coach}
    )
    assert kept.status_code == 200, kept.text
    assert [g["round"] for g in kept.json()["goals"]] == ["2027", "2028"]


async def test_the_goal_form_offers_later_rounds_and_says_why_at_the_field(
    client: Any, db: Any, w: World, running: int
) -> None:
    await make_round(db, "2026")
    await login(client, w.huis_coach)
    page = (await client.get(f"/coaching/requests/{running}")).text
    none_yet = (
        "A goal is for a round that has not opened yet, and there is none: an administrator "
        "adds the next round first."
    )
    assert f'id="round-hint">{escape(nl(none_yet))}</p>' in page

    await make_round(db, "2027", state="upcoming")
    page = (await client.get(f"/coaching/requests/{running}")).text
    rounds = page.split('<select id="round"', 1)[1].split("</select>", 1)[0]
    assert 'value="2027"' in rounds and 'value="2026"' not in rounds

    for language in ("nl", "fr", "en"):
        response = await post_form(
            client,
            f"/coaching/requests/{running}/goals?lang={language}",
            data={**GOAL, "round": "2026"},
        )
        assert response.status_code == 422, response.text
        message = escape(said(language, TOO_EARLY, round="2026"))
        assert f'id="round-error">{message}</p>' in response.text
