"""Support requests (DESIGN §9): one-step request, the state flow and who may move it,
409 with a clear message, audit, history and e-mails."""

from __future__ import annotations

from pathlib import Path

from survey.accounts.models import Role
from tests.factories import csrf_token, login, make_organisation, make_user, post_form
from tests.integration.trajectories.helpers import (
    AGENTSCHAP_TRAJECTORY,
    HUIS_TRAJECTORY,
    as_user,
    audit_actions,
    move,
    request_trajectory,
    world,
)


def outbox(settings) -> list[str]:
    folder = Path(settings.outbox_dir)
    return (
        [p.read_text(errors="replace") for p in sorted(folder.glob("*.eml"))]
        if folder.exists()
        else []
    )


async def test_manager_requests_and_the_coach_moves_it_to_completion(
    client, db, sessionmaker, settings
) -> None:
    w = await world(db)
    token = await as_user(client, w.manager)
    created = await request_trajectory(client, token, w.organisation.id, message="Graag hulp")
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["state"] == "requested" and body["provider"] == "huis"
    request_id = body["id"]

    coach_token = await as_user(client, w.huis_coach)
    for state in ("intake", "running", "completed"):
        moved = await move(client, coach_token, request_id, state, note=f"stap {state}")
        assert moved.status_code == 200, moved.text
        assert moved.json()["state"] == state

    manager_token = await as_user(client, w.manager)
    seen = (await client.get(f"/api/v1/support-requests/{request_id}")).json()
    assert [h["to_state"] for h in seen["history"]] == [
        "requested",
        "intake",
        "running",
        "completed",
    ]
    assert [h["note"] for h in seen["history"]] == [
        "Graag hulp",
        "stap intake",
        "stap running",
        "stap completed",
    ]
    assert seen["history"][1]["author"] == w.huis_coach.name
    assert manager_token

    actions = await audit_actions(sessionmaker, "support_request")
    assert [a for a, _d in actions] == [
        "support_request.create",
        "support_request.state",
        "support_request.state",
        "support_request.state",
    ]
    assert [(d["from"], d["to"]) for a, d in actions[1:]] == [
        ("requested", "intake"),
        ("intake", "running"),
        ("running", "completed"),
    ]
    mails = outbox(settings)
    # one to the Huis coach on the request, one to the manager per change
    assert sum(w.huis_coach.email in m for m in mails) == 1
    assert sum(w.manager.email in m for m in mails) == 3
    assert all(w.agentschap_coach.email not in m for m in mails)


async def test_invalid_transitions_are_409_with_a_clear_message(client, db) -> None:
    w = await world(db)
    token = await as_user(client, w.manager)
    request_id = (await request_trajectory(client, token, w.organisation.id)).json()["id"]

    skipped = await as_user(client, w.huis_coach)
    jump = await move(client, skipped, request_id, "completed")
    assert jump.status_code == 409
    assert jump.headers["content-type"].startswith("application/problem+json")
    assert "“aangevraagd”" in jump.json()["detail"] and "“afgerond”" in jump.json()["detail"]

    coach_withdraws = await move(client, skipped, request_id, "withdrawn")
    assert coach_withdraws.status_code == 409
    assert "verantwoordelijke" in coach_withdraws.json()["detail"]

    token = await as_user(client, w.manager)
    manager_intake = await move(client, token, request_id, "intake")
    assert manager_intake.status_code == 409
    assert "coaches" in manager_intake.json()["detail"]
    assert (await move(client, token, request_id, "withdrawn")).status_code == 200
    again = await move(client, token, request_id, "withdrawn")
    assert again.status_code == 409
    after_close = await move(client, await as_user(client, w.huis_coach), request_id, "intake")
    assert after_close.status_code == 409
    assert "afgesloten" in after_close.json()["detail"]
    nonsense = await move(client, await as_user(client, w.manager), request_id, "nonsense")
    assert nonsense.status_code == 400
    assert "state" in nonsense.json()["errors"]


async def test_a_second_open_request_for_the_same_trajectory_is_409_with_its_id(client, db) -> None:
    w = await world(db)
    token = await as_user(client, w.manager)
    first = (await request_trajectory(client, token, w.organisation.id)).json()
    second = await request_trajectory(client, token, w.organisation.id)
    assert second.status_code == 409
    assert second.json()["id"] == first["id"]
    assert (await move(client, token, first["id"], "withdrawn")).status_code == 200
    assert (await request_trajectory(client, token, w.organisation.id)).status_code == 201


async def test_the_other_provider_sees_nothing_of_the_organisation_or_its_requests(
    client, db
) -> None:
    w = await world(db)
    token = await as_user(client, w.manager)
    request_id = (await request_trajectory(client, token, w.organisation.id)).json()["id"]

    other = await as_user(client, w.agentschap_coach)
    assert (await client.get(f"/api/v1/support-requests/{request_id}")).status_code == 404
    assert (await move(client, other, request_id, "intake")).status_code == 404
    assert (await client.get("/api/v1/support-requests")).json() == []
    assert (await client.get("/api/v1/caseload")).json() == []
    assert (
        await client.get(f"/api/v1/organisations/{w.organisation.id}/coach-notes")
    ).status_code == 404
    page = await client.get(f"/coaching/organisations/{w.organisation.id}")
    assert page.status_code == 404
    assert (await client.get(f"/coaching/requests/{request_id}")).status_code == 404

    own = await as_user(client, w.huis_coach)
    assert own
    assert (await client.get(f"/api/v1/support-requests/{request_id}")).status_code == 200
    assert [c["organisation_id"] for c in (await client.get("/api/v1/caseload")).json()] == [
        w.organisation.id
    ]


async def test_only_the_manager_requests_for_their_own_organisation(client, db) -> None:
    w = await world(db)
    elsewhere = await make_organisation(db)
    respondent = await make_user(db, Role.RESPONDENT, w.organisation)
    token = await as_user(client, w.manager)
    assert (await request_trajectory(client, token, elsewhere.id)).status_code == 404
    unknown = await request_trajectory(client, token, w.organisation.id, "no-such-trajectory")
    assert unknown.status_code == 400
    assert "trajectory_id" in unknown.json()["errors"]
    token = await as_user(client, respondent)
    assert (await request_trajectory(client, token, w.organisation.id)).status_code == 403
    coach = await as_user(client, w.huis_coach)
    assert (await request_trajectory(client, coach, w.organisation.id)).status_code == 404


async def test_a_joint_trajectory_reaches_the_lead_and_shows_to_the_partner(client, db) -> None:
    w = await world(db)
    token = await as_user(client, w.manager)
    created = (
        await request_trajectory(client, token, w.organisation.id, "brede-toegankelijkheid")
    ).json()
    assert (created["provider"], created["partner"]) == ("agentschap", "huis")
    partner = await as_user(client, w.huis_coach)
    assert (await client.get(f"/api/v1/support-requests/{created['id']}")).status_code == 200
    refused = await move(client, partner, created["id"], "intake")
    assert refused.status_code == 409
    lead = await as_user(client, w.agentschap_coach)
    assert (await move(client, lead, created["id"], "intake")).status_code == 200
    assert AGENTSCHAP_TRAJECTORY and HUIS_TRAJECTORY


async def test_html_one_step_request_shows_the_state_and_history(client, db) -> None:
    w = await world(db)
    await login(client, w.manager)
    response = await post_form(
        client,
        f"/organisations/{w.organisation.id}/support-requests",
        data={"trajectory_id": HUIS_TRAJECTORY, "note": "<b>graag</b>"},
    )
    assert response.status_code == 303
    page = await client.get(response.headers["location"])
    assert page.status_code == 200
    assert "aangevraagd" in page.text
    assert "&lt;b&gt;graag&lt;/b&gt;" in page.text
    assert "Huis van het Nederlands Brussel" in page.text
    listing = await client.get(f"/organisations/{w.organisation.id}/support-requests")
    assert "Stop met delen" in listing.text


async def test_html_steps_revoke_and_a_stale_step(client, db, settings) -> None:
    w = await world(db)
    token = await as_user(client, w.manager)
    request_id = (await request_trajectory(client, token, w.organisation.id)).json()["id"]

    await as_user(client, w.huis_coach)
    await login(client, w.huis_coach)
    form = {"_csrf_token": await csrf_token(client)}
    unchosen = await client.post(
        f"/coaching/requests/{request_id}/state", data={**form, "state": "", "note": "kept"}
    )
    assert unchosen.status_code == 422
    assert 'id="state-error"' in unchosen.text and ">kept</textarea>" in unchosen.text
    step = await client.post(
        f"/coaching/requests/{request_id}/state", data={**form, "state": "intake", "note": ""}
    )
    assert step.status_code == 303
    stale = await client.post(
        f"/coaching/requests/{request_id}/state", data={**form, "state": "intake", "note": ""}
    )
    assert stale.status_code == 409
    assert "De aanvraag is al “intake”." in stale.text
    empty_note = await client.post(
        f"/coaching/organisations/{w.organisation.id}/notes", data={**form, "body": "   "}
    )
    assert empty_note.status_code == 422
    assert "Dit veld is verplicht." in empty_note.text or "verplicht" in empty_note.text

    await as_user(client, w.manager)
    await login(client, w.manager)
    form = {"_csrf_token": await csrf_token(client)}
    revoked = await client.post(f"/organisations/{w.organisation.id}/shares/huis/revoke", data=form)
    assert revoked.status_code == 303
    listing = await client.get(revoked.headers["location"])
    assert "ziet je resultaten, antwoorden en bewijsstukken niet meer" in listing.text
    withdrawn = await client.post(
        f"/organisations/{w.organisation.id}/support-requests/{request_id}/withdraw",
        data={**form, "note": "Later"},
    )
    assert withdrawn.status_code == 303
    page = await client.get(withdrawn.headers["location"])
    assert "ingetrokken" in page.text and "Later" in page.text
    assert "alleen deze aanvraag en haar geschiedenis" in page.text
