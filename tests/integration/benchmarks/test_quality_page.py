"""The questionnaire-quality page and its API (DESIGN §5, §1 roles, §9 status codes):
admins and VGC analysts only, figures across organisations, nothing on fewer than 5."""

from __future__ import annotations

from survey.accounts.models import Role
from tests.factories import api_login, login, make_organisation, make_round, make_user
from tests.integration.assessments.helpers import QUESTIONNAIRE, api_post, html_escape, nl
from tests.integration.benchmarks.helpers import DIMENSION, VISION, peers

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


async def test_a_new_submission_refreshes_the_figures(client, db) -> None:
    round_ = await make_round(db, "2026")
    await peers(db, round_, 4)
    analyst = await _staff(db, Role.ANALYST)
    await api_login(client, analyst)
    assert (await client.get(API)).json()["versions"][0]["n_organisations"] is None

    # a fifth organisation submits
    organisation = await make_organisation(db)
    manager = await make_user(db, Role.MANAGER, organisation)
    token = await api_login(client, manager)
    started = await client.post(
        "/api/v1/assessments",
        json={
            "organisation_id": organisation.id,
            "questionnaire_id": QUESTIONNAIRE,
            "round": "2026",
        },
        headers={"x-csrftoken": token},
    )
    assessment_id = started.json()["id"]
    for item_id, value in VISION.items():
        saved = await client.put(
            f"/api/v1/assessments/{assessment_id}/answers/{item_id}",
            json={"value": value, "revision": 0},
            headers={"x-csrftoken": token},
        )
        assert saved.status_code == 200, saved.text
    assert (
        await api_post(client, token, f"/api/v1/assessments/{assessment_id}/submit")
    ).status_code == 200

    await api_login(client, analyst)
    assert (await client.get(API)).json()["versions"][0]["n_organisations"] == 5


async def test_unknown_questionnaire_or_round_is_404(client, db) -> None:
    await make_round(db, "2026")
    analyst = await _staff(db, Role.ANALYST)
    await api_login(client, analyst)
    assert (await client.get("/api/v1/questionnaires/no-such-thing/quality")).status_code == 404
    assert (await client.get(API, params={"round": "1999"})).status_code == 404
