"""Sharing and the coaches' workspace (DESIGN §9): revoking ends access at once while the
requests stay; coach notes never reach the organisation; a coach's view is audited; goals
show progress against the newest result (reached only by a result of the goal's round or
later: test_goal_reached)."""

from __future__ import annotations

from sqlalchemy import select

from survey.accounts.models import Role
from survey.assessments.models import Answer, Assessment, Response
from survey.audit.models import AuditEvent
from survey.trajectories.workspace import coach_suggested
from tests.factories import csrf_token, login, make_organisation, make_round, make_user
from tests.integration.assessments.helpers import nl
from tests.integration.benchmarks.helpers import submit_arranged
from tests.integration.trajectories.helpers import as_user, move, request_trajectory, world


async def _submitted(db, organisation, round_name: str = "2026", level: float = 2.0) -> int:
    round_ = await make_round(db, round_name)
    await submit_arranged(db, organisation, round_, level, seed=3)
    assessment_id = await db.scalar(
        select(Assessment.id).where(
            Assessment.organisation_id == organisation.id, Assessment.round_id == round_.id
        )
    )
    answer = await db.scalar(
        select(Answer)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.assessment_id == assessment_id)
        .order_by(Answer.item_id)
    )
    answer.comment = "Onze <eigen> toelichting"
    await db.commit()
    return int(assessment_id)


async def test_revoking_consent_ends_the_coachs_access_at_once(client, db, sessionmaker) -> None:
    w = await world(db)
    await client.get("/login")  # the app is up: questionnaires are published
    assessment_id = await _submitted(db, w.organisation)
    token = await as_user(client, w.manager)
    request_id = (await request_trajectory(client, token, w.organisation.id)).json()["id"]

    await as_user(client, w.huis_coach)
    await login(client, w.huis_coach)
    file = await client.get(f"/coaching/organisations/{w.organisation.id}")
    assert file.status_code == 200
    assert "Resultaat en antwoorden" in file.text
    answers = await client.get(f"/coaching/assessments/{assessment_id}")
    assert answers.status_code == 200
    assert "Onze &lt;eigen&gt; toelichting" in answers.text
    # coaches read; nothing on the page changes an answer
    assert "<textarea" not in answers.text and 'type="radio"' not in answers.text

    token = await as_user(client, w.manager)
    revoked = await client.delete(
        f"/api/v1/organisations/{w.organisation.id}/shares/huis", headers={"x-csrftoken": token}
    )
    assert revoked.status_code == 200
    assert {s["provider"]: s["active"] for s in revoked.json()} == {
        "agentschap": False,
        "huis": False,
    }

    await as_user(client, w.huis_coach)
    await login(client, w.huis_coach)
    assert (await client.get(f"/coaching/assessments/{assessment_id}")).status_code == 404
    file = await client.get(f"/coaching/organisations/{w.organisation.id}")
    assert file.status_code == 200
    assert "Resultaat en antwoorden" not in file.text
    assert "deelt haar resultaten (niet meer)" in file.text
    # the request and its history stay visible
    assert (await client.get(f"/api/v1/support-requests/{request_id}")).status_code == 200
    assert (await client.get(f"/coaching/requests/{request_id}")).status_code == 200

    async with sessionmaker() as check:
        actions = list(
            await check.scalars(
                select(AuditEvent.action).where(
                    AuditEvent.object_type.in_(["share", "organisation", "assessment"])
                )
            )
        )
    assert actions.count("share.grant") == 1
    assert actions.count("share.revoke") == 1
    assert actions.count("coach.view_organisation") == 2
    assert actions.count("coach.view_assessment") == 1


async def test_sharing_without_a_request_opens_the_organisation_to_that_provider_only(
    client, db
) -> None:
    w = await world(db)
    token = await as_user(client, w.manager)
    shared = await client.put(
        f"/api/v1/organisations/{w.organisation.id}/shares/agentschap",
        headers={"x-csrftoken": token},
    )
    assert shared.status_code == 200
    assert (
        await client.put(
            f"/api/v1/organisations/{w.organisation.id}/shares/nobody",
            headers={"x-csrftoken": token},
        )
    ).status_code == 404
    await as_user(client, w.agentschap_coach)
    assert [c["organisation_id"] for c in (await client.get("/api/v1/caseload")).json()] == [
        w.organisation.id
    ]
    coach_token = await as_user(client, w.huis_coach)
    assert (await client.get("/api/v1/caseload")).json() == []
    # a coach cannot share on the organisation's behalf
    assert (
        await client.put(
            f"/api/v1/organisations/{w.organisation.id}/shares/huis",
            headers={"x-csrftoken": coach_token},
        )
    ).status_code == 404


async def test_coach_notes_are_never_visible_to_the_organisation(client, db) -> None:
    w = await world(db)
    token = await as_user(client, w.manager)
    request_id = (await request_trajectory(client, token, w.organisation.id)).json()["id"]
    coach = await as_user(client, w.huis_coach)
    added = await client.post(
        f"/api/v1/organisations/{w.organisation.id}/coach-notes",
        json={"body": "Geheime inschatting: weinig draagvlak"},
        headers={"x-csrftoken": coach},
    )
    assert added.status_code == 201
    assert [
        n["body"]
        for n in (await client.get(f"/api/v1/organisations/{w.organisation.id}/coach-notes")).json()
    ] == ["Geheime inschatting: weinig draagvlak"]
    other = await as_user(client, w.agentschap_coach)
    assert other
    assert (
        await client.get(f"/api/v1/organisations/{w.organisation.id}/coach-notes")
    ).status_code == 404

    await as_user(client, w.manager)
    assert (
        await client.get(f"/api/v1/organisations/{w.organisation.id}/coach-notes")
    ).status_code in (403, 404)
    await login(client, w.manager)
    for path in (
        f"/organisations/{w.organisation.id}",
        f"/organisations/{w.organisation.id}/support-requests",
        f"/organisations/{w.organisation.id}/support-requests/{request_id}",
    ):
        page = await client.get(path)
        assert page.status_code == 200
        assert "Geheime inschatting" not in page.text
    detail = (await client.get(f"/api/v1/support-requests/{request_id}")).text
    assert "Geheime inschatting" not in detail


async def test_goals_on_a_running_request_show_progress(client, db) -> None:
    w = await world(db)
    await client.get("/login")
    assessment_id = await _submitted(db, w.organisation, "2026", level=2.0)
    await make_round(db, "2027", state="upcoming")
    token = await as_user(client, w.manager)
    request_id = (
        await request_trajectory(
            client, token, w.organisation.id, "coaching-cultuursensitief-werken"
        )
    ).json()["id"]
    coach = await as_user(client, w.agentschap_coach)
    goals = [{"dimension_id": "visie-en-beleid", "target_level": 1, "round": "2027"}]
    early = await client.put(
        f"/api/v1/support-requests/{request_id}/goals", json=goals, headers={"x-csrftoken": coach}
    )
    assert early.status_code == 409
    await move(client, coach, request_id, "intake")
    await move(client, coach, request_id, "running")
    wrong = await client.put(
        f"/api/v1/support-requests/{request_id}/goals",
        json=[{"dimension_id": "nope", "target_level": 3, "round": "2099"}],
        headers={"x-csrftoken": coach},
    )
    assert wrong.status_code == 400
    saved = await client.put(
        f"/api/v1/support-requests/{request_id}/goals", json=goals, headers={"x-csrftoken": coach}
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["goals"] == [
        {
            "questionnaire_id": "cultuursensitief-werken",
            "dimension_id": "visie-en-beleid",
            "target_level": 1,
            "round": "2027",
        }
    ]
    # the 2026 result is above the level but older than the goal's round: not reached yet
    caseload = (await client.get("/api/v1/caseload")).json()
    assert (caseload[0]["goals_total"], caseload[0]["goals_reached"]) == (1, 0)

    await login(client, w.manager)
    page = await client.get(f"/organisations/{w.organisation.id}/support-requests/{request_id}")
    assert "Doelen afgesproken met je coach" in page.text
    assert "telt vanaf ronde 2027" in page.text
    result_page = await client.get(f"/assessments/{assessment_id}/result")
    assert result_page.status_code == 200
    goals_section = result_page.text.split('id="goals-heading"', 1)[1]
    assert "in ronde 2026" in goals_section and "telt vanaf ronde 2027" in goals_section


async def test_caseload_puts_new_requests_first_and_filters(client, db) -> None:
    w = await world(db)
    second = await make_organisation(db, name="Aaa eerst alfabetisch", sector="sport")
    second_manager = await make_user(db, Role.MANAGER, second)
    token = await as_user(client, w.manager)
    first_id = (await request_trajectory(client, token, w.organisation.id)).json()["id"]
    token = await as_user(client, second_manager)
    await request_trajectory(client, token, second.id)
    coach = await as_user(client, w.huis_coach)
    await move(client, coach, first_id, "intake")
    await move(client, coach, first_id, "running")
    order = [c["organisation_id"] for c in (await client.get("/api/v1/caseload")).json()]
    assert order == [second.id, w.organisation.id]

    await login(client, w.huis_coach)
    page = await client.get("/coaching?state=running")
    assert w.organisation.name in page.text and second.name not in page.text
    page = await client.get("/coaching?sector=sport")
    assert second.name in page.text and w.organisation.name not in page.text
    assert (await client.get("/coaching?state=%00")).status_code in (200, 400, 422)


async def test_a_coach_suggests_their_own_trajectory(client, db) -> None:
    w = await world(db)
    token = await as_user(client, w.manager)
    await request_trajectory(client, token, w.organisation.id)
    await as_user(client, w.huis_coach)
    await login(client, w.huis_coach)
    form = {"_csrf_token": await csrf_token(client)}
    foreign = await client.post(
        f"/coaching/organisations/{w.organisation.id}/suggestions",
        data={**form, "trajectory_id": "coaching-cultuursensitief-werken"},
    )
    assert foreign.status_code == 422
    ok = await client.post(
        f"/coaching/organisations/{w.organisation.id}/suggestions",
        data={**form, "trajectory_id": "taalbeleid-coaching"},
    )
    assert ok.status_code == 303
    page = await client.get(ok.headers["location"])
    assert nl("The organisation now sees this trajectory among its suggestions.") in page.text
    again = await client.post(
        f"/coaching/organisations/{w.organisation.id}/suggestions",
        data={**form, "trajectory_id": "taalbeleid-coaching"},
    )
    assert again.status_code == 303
    page = await client.get(again.headers["location"])
    assert (
        nl(
            "This trajectory was already suggested to the organisation; "
            "it still sees it among its suggestions."
        )
        in page.text
    )
    assert nl("The organisation now sees this trajectory among its suggestions.") not in page.text
    assert await coach_suggested(db, w.organisation.id) == ["taalbeleid-coaching"]

    assessment_id = await _submitted(db, w.organisation)
    await login(client, w.manager)
    result = await client.get(f"/assessments/{assessment_id}/result")
    assert result.status_code == 200
    section = result.text.split('id="suggestion-taalbeleid-coaching"', 1)[1]
    assert "Voorgesteld door je coach" in section
