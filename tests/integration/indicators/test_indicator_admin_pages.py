"""What an admin meets on the indicator pages the first time: the release button only when a
release can be taken, the count of changed organisations in the right plural, the token
form's errors at the field, where the API answers, and exports that say their charset once."""

from __future__ import annotations

from typing import Any

from survey.accounts.models import Role
from survey.indicators.service import take_release
from survey.rounds.models import Round
from tests.factories import login, make_organisation, make_round, make_user, post_form
from tests.integration.indicators.helpers import network, submit

YOUTH = {"sector": "youth-work", "size_band": "10-49", "funded_by_vgc": True}


async def released_round_seen_by_an_admin(db: Any, client: Any) -> Round:
    """Round 2026 with six submissions and a release, and an admin logged in (English)."""
    round_ = await make_round(db, "2026")
    await network(db, round_, [(6, {**YOUTH, "municipality": "21012"}, 40.0)])
    await take_release(db, round_)
    await db.commit()
    await login(client, await make_user(db, role=Role.ADMIN, language="en"))
    return round_


async def test_the_release_button_waits_for_five_changed_organisations(
    db: Any, client: Any
) -> None:
    round_ = await released_round_seen_by_an_admin(db, client)
    page = await client.get("/indicators")
    assert "0 organisations changed since the latest release" in page.text
    assert "Take a release now" not in page.text  # it could only be refused

    newcomer = await make_organisation(db, **YOUTH, municipality="21012")
    await submit(db, newcomer, round_, 50.0)
    await db.commit()
    page = await client.get("/indicators")
    assert "1 organisation changed since the latest release" in page.text
    assert "Take a release now" not in page.text

    for score in (41.0, 42.0, 43.0, 44.0):
        await submit(db, await make_organisation(db, **YOUTH, municipality="21012"), round_, score)
    await db.commit()
    page = await client.get("/indicators")
    assert "5 organisations changed since the latest release" in page.text
    assert "Take a release now" in page.text


async def test_a_blank_token_name_is_asked_for_at_the_field(db: Any, client: Any) -> None:
    await login(client, await make_user(db, role=Role.ADMIN, language="en"))
    response = await post_form(client, "/indicators/tokens", data={"name": "   "})
    assert response.status_code == 422
    assert '<p class="field-error" id="name-error">Give the token a name.</p>' in response.text
    assert "at most 100 characters" not in response.text
    response = await post_form(client, "/indicators/tokens", data={"name": "x" * 101})
    assert response.status_code == 422
    assert "Give the token a name of at most 100 characters." in response.text


async def test_the_token_page_says_where_the_api_answers(db: Any, client: Any) -> None:
    await login(client, await make_user(db, role=Role.ADMIN, language="fr"))
    page = await client.get("/indicators/tokens")
    assert "<code>/api/v1/indicators</code>" in page.text
    assert "<code>/api/v1/indicators/export?format=xlsx</code>" in page.text
    assert "L&#39;API répond à ces adresses" in page.text or "L'API répond à ces adresses" in (
        page.text
    )


async def test_the_csv_export_names_its_charset_once(db: Any, client: Any) -> None:
    round_ = await make_round(db, "2026")
    await network(db, round_, [(6, {**YOUTH, "municipality": "21012"}, 40.0)])
    await take_release(db, round_)
    await db.commit()
    await login(client, await make_user(db, role=Role.ANALYST, language="en"))
    response = await client.get("/indicators/export", params={"format": "csv"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"


async def test_a_refused_release_is_shown_as_a_problem_not_as_a_success(
    db: Any, client: Any
) -> None:
    """A page left open while the round moved on can still ask for a release that is then
    refused: the refusal reads as a problem (an alert), not in the green success box."""
    await released_round_seen_by_an_admin(db, client)
    refused = await post_form(
        client, "/indicators/release", data={"round": "2026"}, follow_redirects=True
    )
    assert '<div class="flash flash-problem" role="alert">A release needs at least 5' in (
        refused.text
    )
    assert 'class="flash" role="status"' not in refused.text
