"""The questionnaire-quality page and its API (DESIGN §5, §1 roles, §9 status codes):
admins and VGC analysts only, figures across organisations, nothing on fewer than 5, and
figures that do not move with one submission (DESIGN §7): two looks never isolate one
organisation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from survey.accounts.models import Role
from survey.i18n import format_datetime
from survey.rounds.models import Round
from survey.rounds.service import BRUSSELS, today
from tests.factories import api_login, login, make_organisation, make_round, make_user
from tests.integration.assessments.helpers import (
    QUESTIONNAIRE,
    api_post,
    close_round,
    html_escape,
    nl,
    put_answer,
    start,
)
from tests.integration.benchmarks.helpers import DIMENSION, VISION, manager_of, peers

API = f"/api/v1/questionnaires/{QUESTIONNAIRE}/quality"
PAGE = f"/questionnaires/{QUESTIONNAIRE}/quality"


async def _staff(db, role: Role):
    return await make_user(db, role)


async def test_not_logged_in_gets_401_from_the_api_and_the_login_page_in_the_ui(client, db) -> None:
    await make_round(db, "2026")

    assert (await client.get(API)).status_code == 401
    page = await client.get(PAGE)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/login?next=")


async def test_a_manager_is_refused_with_403(client, db) -> None:
    round_ = await make_round(db, "2026")
    await peers(db, round_, 5)
    organisation = await make_organisation(db)
    manager = await make_user(db, Role.MANAGER, organisation)

    await api_login(client, manager)
    assert (await client.get(API)).status_code == 403
    await login(client, manager)
    assert (await client.get(PAGE)).status_code == 403
    assert (await client.get("/quality")).status_code == 403
    home = await client.get("/")
    assert 'href="/quality"' not in home.text


async def test_an_analyst_sees_the_figures_with_a_reading(client, db) -> None:
    round_ = await make_round(db, "2026")
    await peers(db, round_, 6)
    analyst = await _staff(db, Role.ANALYST)

    await api_login(client, analyst)
    response = await client.get(API, params={"round": "2026"})

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["questionnaire_id"], body["round"]) == (QUESTIONNAIRE, "2026")
    (version,) = body["versions"]
    assert version["n_organisations"] == 6
    vision = next(d for d in version["dimensions"] if d["dimension_id"] == DIMENSION)
    assert not vision["suppressed"] and vision["n_organisations"] == 6
    assert vision["cronbach_alpha"] is not None and vision["alpha_reading"]
    assert -1 <= vision["cronbach_alpha"] <= 1
    items = {item["item_id"]: item for item in vision["items"]}
    assert set(VISION) <= set(items)
    missie = items["vb-missie"]
    assert missie["n_answers"] == 6
    assert missie["item_rest_correlation"] is not None
    assert missie["not_applicable_share"] == 0.0
    assert 0 <= missie["floor_share"] <= 1 and 0 <= missie["ceiling_share"] <= 1
    assert missie["readings"]

    await login(client, analyst)
    home = await client.get("/")
    assert 'href="/quality"' in home.text
    index = await client.get("/quality")
    assert index.status_code == 200 and f'href="{PAGE}"' in index.text
    page = await client.get(PAGE, params={"round": "2026"})
    assert page.status_code == 200
    assert f"{vision['cronbach_alpha']:.2f}".replace(".", ",") in page.text  # Dutch decimal comma
    assert html_escape(vision["alpha_reading"]) in page.text
    assert nl("Cronbach's alpha") in page.text or html_escape(nl("Cronbach's alpha")) in page.text


async def test_fewer_than_five_organisations_show_no_figures(client, db) -> None:
    round_ = await make_round(db, "2026")
    await peers(db, round_, 4)
    admin = await _staff(db, Role.ADMIN)

    await api_login(client, admin)
    body = (await client.get(API)).json()

    (version,) = body["versions"]
    assert version["n_organisations"] is None
    for dimension in version["dimensions"]:
        assert dimension["suppressed"]
        assert (dimension["n_organisations"], dimension["cronbach_alpha"]) == (None, None)
        for item in dimension["items"]:
            assert item["suppressed"]
            assert item["n_answers"] is None and item["item_rest_correlation"] is None
            assert item["not_applicable_share"] is None and item["floor_share"] is None


async def _submit_new_organisation(client, db, round_name: str = "2026") -> tuple[str, int]:
    """A new organisation's manager answers the first part through the API and submits;
    returns the manager's CSRF token and the assessment id."""
    organisation = await make_organisation(db)
    client.cookies = httpx.Cookies()  # a browser of its own: the analyst's session stays
    token = await manager_of(client, db, organisation)
    assessment_id = await start(client, token, organisation.id, round_name)
    for item_id, value in VISION.items():
        saved = await put_answer(client, token, assessment_id, item_id, value)
        assert saved.status_code == 200, saved.text
    await _post_ok(client, token, f"/api/v1/assessments/{assessment_id}/submit")
    return token, assessment_id


async def _post_ok(client, token: str, path: str) -> None:
    response = await api_post(client, token, path)
    assert response.status_code == 200, response.text


async def _analyst(client, db) -> httpx.Cookies:
    """Log an analyst in; returns the session's cookies, so the analyst can look again
    between the organisations' own logins (without logging in each time)."""
    await api_login(client, await _staff(db, Role.ANALYST))
    return httpx.Cookies(client.cookies)


async def _look(client, analyst: httpx.Cookies) -> dict[str, Any]:
    """The quality figures as the analyst sees them (the client's own login is kept)."""
    own = httpx.Cookies(client.cookies)
    client.cookies = analyst
    try:
        response = await client.get(API, params={"round": "2026"})
    finally:
        client.cookies = own
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _as_of(body: dict[str, Any]) -> dt.datetime:
    (version,) = body["versions"]
    return dt.datetime.fromisoformat(version["as_of"])


async def test_one_to_four_submissions_leave_the_figures_unchanged_the_fifth_refreshes(
    client, db
) -> None:
    # the differencing attack: look, let one organisation submit, look again
    round_ = await make_round(db, "2026")
    await peers(db, round_, 6)
    analyst = await _analyst(client, db)
    before = await _look(client, analyst)
    assert before["versions"][0]["n_organisations"] == 6

    for _ in range(4):
        await _submit_new_organisation(client, db)
        assert await _look(client, analyst) == before

    await _submit_new_organisation(client, db)
    after = await _look(client, analyst)
    assert after["versions"][0]["n_organisations"] == 11
    assert _as_of(after) > _as_of(before)
    assert after != before


async def test_one_organisation_changing_again_and_again_counts_once(client, db) -> None:
    round_ = await make_round(db, "2026")
    await peers(db, round_, 6)
    analyst = await _analyst(client, db)
    before = await _look(client, analyst)

    token, assessment_id = await _submit_new_organisation(client, db)
    for action in ("reopen", "submit", "reopen", "submit"):
        await _post_ok(client, token, f"/api/v1/assessments/{assessment_id}/{action}")
    assert await _look(client, analyst) == before

    for _ in range(3):
        await _submit_new_organisation(client, db)
    assert await _look(client, analyst) == before  # four organisations changed
    await _submit_new_organisation(client, db)
    assert (await _look(client, analyst))["versions"][0]["n_organisations"] == 11


@pytest.mark.parametrize("close", ["closing-date-passed", "closed-early"])
async def test_the_figures_refresh_once_after_the_round_closes(
    client, db, sessionmaker, monkeypatch, close: str
) -> None:
    round_ = await make_round(db, "2026")
    await peers(db, round_, 6)
    analyst = await _analyst(client, db)
    before = await _look(client, analyst)
    await _submit_new_organisation(client, db)
    assert await _look(client, analyst) == before

    if close == "closed-early":
        await close_round(sessionmaker, round_.id)
    else:  # the round ends today; the analyst looks again tomorrow
        async with sessionmaker() as session, session.begin():
            stored = await session.get(Round, round_.id)
            assert stored is not None
            stored.closes_on = today()
        tomorrow = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
        monkeypatch.setattr("survey.benchmarks.quality_service.utcnow", lambda: tomorrow)
        monkeypatch.setattr(
            "survey.benchmarks.quality_service.today",
            lambda: tomorrow.astimezone(BRUSSELS).date(),
        )
    closed = await _look(client, analyst)
    assert closed["versions"][0]["n_organisations"] == 7
    assert _as_of(closed) > _as_of(before)
    assert await _look(client, analyst) == closed  # once: later looks read the same snapshot


async def test_the_page_says_as_of_when_and_how_many_questions_alpha_used(client, db) -> None:
    round_ = await make_round(db, "2026")
    await peers(db, round_, 6)
    analyst = await _staff(db, Role.ANALYST)
    await api_login(client, analyst)
    body = (await client.get(API, params={"round": "2026"})).json()
    (version,) = body["versions"]
    vision = next(d for d in version["dimensions"] if d["dimension_id"] == DIMENSION)
    assert vision["n_items"] == len(vision["items"])
    assert 2 <= vision["n_items_alpha"] <= vision["n_items"]

    await login(client, analyst)
    page = await client.get(PAGE, params={"round": "2026"})
    assert page.status_code == 200
    as_of = format_datetime(dt.datetime.fromisoformat(version["as_of"]), "nl")  # Brussels time
    assert html_escape(nl("As of %(date)s (Brussels time).", date=as_of)) in page.text
    used = nl(
        "%(used)s of the %(total)s questions (those with at least 5 scored answers)",
        used=vision["n_items_alpha"],
        total=vision["n_items"],
    )
    assert html_escape(used) in page.text
    policy = nl(
        "Missing answers (a question left open or answered 'not applicable') are left out pair "
        "by pair: each pair of questions is compared over the organisations that answered both. "
        "Cronbach's alpha and the item–rest correlations use this same rule and the same "
        "questions: those with at least 5 scored answers."
    )
    assert policy in page.text  # a text of the template itself: the catalogue's, as written


async def test_unknown_questionnaire_or_round_is_404(client, db) -> None:
    await make_round(db, "2026")
    analyst = await _staff(db, Role.ANALYST)
    await api_login(client, analyst)
    assert (await client.get("/api/v1/questionnaires/no-such-thing/quality")).status_code == 404
    assert (await client.get(API, params={"round": "1999"})).status_code == 404
