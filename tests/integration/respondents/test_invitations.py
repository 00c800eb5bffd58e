"""Invitations: a personal, single-use, expiring link; the respondent's own response; what the
manager sees before and after a response is submitted (DESIGN §1, §2; issue 4)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from survey.accounts.models import Role, User
from survey.audit.models import AuditEvent
from survey.respondents.models import Invitation
from tests.factories import api_login, csrf_token, login, make_organisation, make_user, post_form
from tests.integration.assessments.helpers import (
    answer,
    api_post,
    manager_with_assessment,
    nl,
)
from tests.integration.respondents.helpers import (
    accept_as_new_person,
    invite,
    join,
    link_in,
    outbox_messages,
)


async def test_invitation_mail_goes_to_the_outbox_with_a_link_and_the_visibility_notice(
    client, db, settings
) -> None:
    setup = await manager_with_assessment(client, db)
    response = await invite(
        client, setup.token, setup.assessment_id, "Sara@Example.org ", language="en"
    )
    assert response.status_code == 201, response.text
    assert response.json()["state"] == "invited"
    assert response.json()["email"] == "sara@example.org"
    (message,) = outbox_messages(settings)
    assert message["To"] == "sara@example.org"
    body = message.get_payload(decode=True).decode()
    assert "see your answers" in body  # the invitation says the manager sees submitted responses
    assert link_in(message).startswith("/invitations/")


async def test_opening_the_link_does_not_use_it_and_accepting_makes_an_own_response(
    client, db, settings, sessionmaker
) -> None:
    setup = await manager_with_assessment(client, db)
    await answer(client, setup.token, setup.assessment_id, "vb-missie", 4)  # the manager's
    await invite(client, setup.token, setup.assessment_id, "sara@example.org")
    path = link_in(outbox_messages(settings)[0])

    client.cookies.clear()
    page = await client.get(path)
    assert page.status_code == 200
    assert nl("Who sees your answers?") in page.text
    page_again = await client.get(path)
    assert page_again.status_code == 200  # looking at it twice is fine: only the POST uses it

    accepted = await accept_as_new_person(client, path)
    assert accepted.status_code == 303
    assert accepted.headers["location"] == f"/assessments/{setup.assessment_id}"

    # Now logged in as the respondent, with an empty response of their own.
    own = (await client.get(f"/api/v1/assessments/{setup.assessment_id}")).json()
    assert own["response"]["consolidated"] is False
    assert own["response"]["answers"] == {}
    assert own["can_edit"] is True
    me = (await client.get("/api/v1/auth/me")).json()
    assert "respondent" in me["roles"]

    used_again = await accept_as_new_person(client, path, name="Someone else")
    assert used_again.status_code == 409
    assert (
        nl("This invitation was already used. Log in to continue with your response.")
        in used_again.text
    )
    async with sessionmaker() as check:
        events = list(await check.scalars(select(AuditEvent.action)))
    assert "invitation.accept" in events


async def test_expired_and_withdrawn_links_no_longer_work(
    client, db, settings, sessionmaker
) -> None:
    setup = await manager_with_assessment(client, db)
    await invite(client, setup.token, setup.assessment_id, "a@example.org")
    second = await invite(client, setup.token, setup.assessment_id, "b@example.org")
    expired_path, withdrawn_path = (link_in(m) for m in outbox_messages(settings))
    async with sessionmaker() as change, change.begin():
        invitation = await change.scalar(
            select(Invitation).where(Invitation.email == "a@example.org")
        )
        invitation.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    revoked = await client.delete(
        f"/api/v1/assessments/{setup.assessment_id}/invitations/{second.json()['invitation_id']}",
        headers={"x-csrftoken": setup.token},
    )
    assert revoked.status_code == 204

    client.cookies.clear()
    assert (await client.get(expired_path)).status_code == 410
    assert (await accept_as_new_person(client, expired_path)).status_code == 409
    assert (await client.get(withdrawn_path)).status_code == 410
    refused = await accept_as_new_person(client, withdrawn_path)
    assert refused.status_code == 409
    assert (
        nl("This invitation was withdrawn. Ask the manager of the organisation for a new one.")
        in refused.text
    )


async def test_an_unknown_token_is_not_found(client) -> None:
    response = await client.get("/invitations/" + "x" * 43)
    assert response.status_code == 404


async def test_a_link_cannot_be_used_by_someone_logged_in_with_another_address(
    client, db, settings, sessionmaker
) -> None:
    setup = await manager_with_assessment(client, db)
    await invite(client, setup.token, setup.assessment_id, "invited@example.org")
    path = link_in(outbox_messages(settings)[0])
    other_organisation = await make_organisation(db)
    stranger = await make_user(db, Role.RESPONDENT, other_organisation)
    client.cookies.clear()
    await login(client, stranger)
    refused = await post_form(client, path)
    assert refused.status_code == 403
    async with sessionmaker() as check:
        invitation = await check.scalar(select(Invitation))
        assert invitation.accepted_at is None  # still usable by the right person


async def test_a_respondent_sees_only_their_own_response_of_their_own_organisation(
    client, db, settings
) -> None:
    setup = await manager_with_assessment(client, db)
    # Another organisation with its own assessment.
    other = await manager_with_assessment(client, db, new_round=False)
    other_assessment = other.assessment_id

    token = await api_login(client, setup.manager)  # a new login has a new CSRF token
    await join(client, settings, token, setup.assessment_id)

    assert (await client.get(f"/api/v1/assessments/{other_assessment}")).status_code == 404
    assert (await client.get(f"/assessments/{other_assessment}")).status_code == 404
    # Scores and the other people's answers are for the manager.
    assert (
        await client.get(f"/api/v1/assessments/{setup.assessment_id}/result")
    ).status_code == 403
    assert (
        await client.get(f"/api/v1/assessments/{setup.assessment_id}/respondents")
    ).status_code == 403
    assert (
        await client.get(f"/api/v1/assessments/{setup.assessment_id}/consolidation")
    ).status_code == 403


async def test_manager_sees_progress_but_answers_only_after_submission(
    client, db, settings, sessionmaker
) -> None:
    setup = await manager_with_assessment(client, db)
    respondent_token = await join(client, settings, setup.token, setup.assessment_id)
    await answer(client, respondent_token, setup.assessment_id, "vb-missie", 2)
    await answer(client, respondent_token, setup.assessment_id, "vb-leiding", 3)

    await api_login(client, setup.manager)
    rows = (await client.get(f"/api/v1/assessments/{setup.assessment_id}/respondents")).json()
    assert [(r["state"], r["answered"], r["name"]) for r in rows] == [
        ("answering", 2, "Sara Janssens")
    ]
    consolidation = (
        await client.get(f"/api/v1/assessments/{setup.assessment_id}/consolidation")
    ).json()
    assert consolidation["submitted_responses"] == 0
    assert all(item["answers"] == [] for item in consolidation["items"])
    # The manager's own (consolidated) answers are untouched by the respondent's.
    own = (await client.get(f"/api/v1/assessments/{setup.assessment_id}")).json()
    assert own["response"]["consolidated"] is True and own["response"]["answers"] == {}

    async with sessionmaker() as lookup:
        sara = await lookup.scalar(select(User).where(User.email == "sara@example.org"))
    await login(client, sara)
    submitted = await api_post(
        client, await csrf_token(client), f"/api/v1/assessments/{setup.assessment_id}/submit"
    )
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["response"]["submitted_at"] is not None
    assert submitted.json()["state"] == "draft"  # the organisation's assessment is not submitted

    await api_login(client, setup.manager)
    rows = (await client.get(f"/api/v1/assessments/{setup.assessment_id}/respondents")).json()
    assert rows[0]["state"] == "submitted"
    items = {
        i["item_id"]: i
        for i in (
            await client.get(f"/api/v1/assessments/{setup.assessment_id}/consolidation")
        ).json()["items"]
    }
    assert items["vb-missie"]["answers"] == [
        {"name": "Sara Janssens", "value": 2, "not_applicable": False}
    ]
    async with sessionmaker() as check:
        actions = list(await check.scalars(select(AuditEvent.action)))
    assert "response.submit" in actions


async def test_respondent_can_reopen_their_response_while_the_assessment_is_open(
    client, db, settings, sessionmaker
) -> None:
    setup = await manager_with_assessment(client, db)
    token = await join(client, settings, setup.token, setup.assessment_id)
    await answer(client, token, setup.assessment_id, "vb-missie", 2)
    await api_post(client, token, f"/api/v1/assessments/{setup.assessment_id}/submit")
    refused = await client.put(
        f"/api/v1/assessments/{setup.assessment_id}/answers/vb-missie",
        json={"value": 3, "revision": 1},
        headers={"x-csrftoken": token},
    )
    assert refused.status_code == 409
    reopened = await api_post(client, token, f"/api/v1/assessments/{setup.assessment_id}/reopen")
    assert reopened.status_code == 200
    assert reopened.json()["response"]["submitted_at"] is None
    await answer(client, token, setup.assessment_id, "vb-missie", 3)
    async with sessionmaker() as check:
        actions = list(await check.scalars(select(AuditEvent.action)))
    assert actions.count("response.submit") == 1 and actions.count("response.reopen") == 1


async def test_invalid_invitation_input_is_named_per_field(client, db) -> None:
    setup = await manager_with_assessment(client, db)
    response = await invite(client, setup.token, setup.assessment_id, "not-an-address")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"email"}
    page = await client.post(
        f"/assessments/{setup.assessment_id}/respondents",
        data={"email": "nope", "name": "x", "language": "nl", "_csrf_token": setup.token},
    )
    assert page.status_code == 422
    assert nl("Enter a valid e-mail address.") in page.text
    assert 'value="nope"' in page.text


async def test_only_the_manager_invites(client, db) -> None:
    setup = await manager_with_assessment(client, db)
    colleague = await make_user(db, Role.RESPONDENT, setup.organisation)
    token = await api_login(client, colleague)
    response = await invite(client, token, setup.assessment_id, "x@example.org")
    # A respondent of the organisation who was not invited cannot open this assessment.
    assert response.status_code == 403


async def test_the_organisation_page_shows_a_respondent_only_their_own_assessments(
    client, db, settings
) -> None:
    setup = await manager_with_assessment(client, db)
    await join(client, settings, setup.token, setup.assessment_id)

    page = await client.get(f"/organisations/{setup.organisation.id}")

    assert page.status_code == 200
    assert f'href="/assessments/{setup.assessment_id}"' in page.text
    assert nl("Your answers") in page.text
    assert f'href="/assessments/{setup.assessment_id}/result"' not in page.text
    assert 'action="/organisations/' not in page.text  # no "start" buttons


@pytest.mark.parametrize(
    "address",
    ["a@b.co,evil@x.org", "a@b.co\nbcc:x@y.zz", "Sara <sara@example.org>", "a@b.co\tx", "a@b"],
)
async def test_an_address_that_is_not_exactly_one_mailbox_is_refused(
    client, db, settings, address
) -> None:
    setup = await manager_with_assessment(client, db)
    response = await invite(client, setup.token, setup.assessment_id, address)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"email"}
    assert outbox_messages(settings) == []


async def test_a_manager_of_the_organisation_is_not_invited(client, db, settings) -> None:
    setup = await manager_with_assessment(client, db)
    response = await invite(client, setup.token, setup.assessment_id, setup.manager.email)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"email"}


async def test_inviting_again_replaces_the_open_link_and_says_so_in_the_audit_log(
    client, db, settings, sessionmaker
) -> None:
    setup = await manager_with_assessment(client, db)
    await invite(client, setup.token, setup.assessment_id, "sara@example.org")
    await invite(client, setup.token, setup.assessment_id, "sara@example.org")
    first, second = (link_in(m) for m in outbox_messages(settings))
    client.cookies.clear()
    assert (await client.get(first)).status_code == 410
    assert (await client.get(second)).status_code == 200
    async with sessionmaker() as check:
        actions = list(await check.scalars(select(AuditEvent.action)))
    assert actions.count("invitation.create") == 2 and actions.count("invitation.revoke") == 1


async def test_a_link_can_no_longer_be_used_once_the_assessment_is_submitted(
    client, db, settings
) -> None:
    setup = await manager_with_assessment(client, db)
    await invite(client, setup.token, setup.assessment_id, "sara@example.org")
    await api_post(client, setup.token, f"/api/v1/assessments/{setup.assessment_id}/submit")
    path = link_in(outbox_messages(settings)[0])
    client.cookies.clear()
    assert (await client.get(path)).status_code == 410
    assert (await accept_as_new_person(client, path)).status_code == 409


async def test_links_use_the_public_address_never_the_host_header(
    db, settings, sessionmaker
) -> None:
    import dataclasses

    from litestar.testing import AsyncTestClient

    from survey.app import create_app

    app = create_app(dataclasses.replace(settings, public_url="https://n-scan.example.org"))
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
        setup = await manager_with_assessment(client, db)
        response = await client.post(
            f"/api/v1/assessments/{setup.assessment_id}/invitations",
            json={"email": "sara@example.org"},
            headers={"x-csrftoken": setup.token, "host": "evil.example"},
        )
        assert response.status_code == 201, response.text
    (message,) = outbox_messages(settings)
    body = message.get_payload(decode=True).decode()
    assert "https://n-scan.example.org/invitations/" in body
    assert "evil.example" not in body


async def test_the_mail_and_the_page_give_the_same_expiry_in_brussels_time_written_out(
    client, db, settings
) -> None:
    setup = await manager_with_assessment(client, db)
    await invite(client, setup.token, setup.assessment_id, "sara@example.org", language="en")
    body = outbox_messages(settings)[0].get_payload(decode=True).decode()
    page = await client.get(f"/assessments/{setup.assessment_id}/respondents?lang=en")

    invitation = await db.scalar(select(Invitation))
    brussels = invitation.expires_at.replace(tzinfo=dt.UTC).astimezone(ZoneInfo("Europe/Brussels"))
    # Day first and the month in words: 05/01/2027 reads both ways.
    expected = f"{brussels.day} {brussels:%B %Y, %H:%M}"

    assert expected in body
    assert expected in page.text


async def test_a_respondent_reads_the_state_of_their_own_response(client, db, settings) -> None:
    setup = await manager_with_assessment(client, db)
    token = await join(client, settings, setup.token, setup.assessment_id)
    await answer(client, token, setup.assessment_id, "vb-missie", 2)

    def state_line(page: Any) -> str:
        found = re.search(r'<p class="state-line">(.*?)</p>', page.text, re.S)
        assert found, page.text
        return re.sub(r"<[^>]+>|\s+", " ", found.group(1))

    before = state_line(await client.get(f"/assessments/{setup.assessment_id}"))
    await api_post(client, token, f"/api/v1/assessments/{setup.assessment_id}/submit")
    after = state_line(await client.get(f"/assessments/{setup.assessment_id}"))

    assert nl("In progress") in before
    # The organisation's assessment is still in progress; the respondent's own response is not.
    assert nl("Submitted") in after and nl("In progress") not in after


async def test_a_respondent_who_submitted_is_not_asked_to_submit_any_more(
    client, db, settings
) -> None:
    setup = await manager_with_assessment(client, db)
    token = await join(client, settings, setup.token, setup.assessment_id)
    await answer(client, token, setup.assessment_id, "vb-missie", 2)
    await api_post(client, token, f"/api/v1/assessments/{setup.assessment_id}/submit")

    page = (await client.get(f"/assessments/{setup.assessment_id}")).text
    note = re.search(r'<div class="notice"><p>(.*?)</p>', page, re.S)
    assert note, page
    assert "zodra je ze" not in note.group(1)  # "once you submit them"
    assert "Je hebt ze ingediend" in note.group(1)


async def test_a_nul_character_in_a_name_is_refused_at_the_field(client, db, settings) -> None:
    """Issue 11: a NUL byte in a name is refused at the field of the form (422), nothing made."""
    setup = await manager_with_assessment(client, db)
    invited = await client.post(
        f"/assessments/{setup.assessment_id}/respondents",
        data={"email": "sara@example.org", "name": "Sara\x00", "_csrf_token": setup.token},
    )
    assert invited.status_code == 422, invited.text
    assert 'id="name-error"' in invited.text
    assert outbox_messages(settings) == []  # nothing sent

    await invite(client, setup.token, setup.assessment_id, "sara@example.org")
    path = link_in(outbox_messages(settings)[0])
    accepted = await accept_as_new_person(client, path, name="Sara\x00Janssens")
    assert accepted.status_code == 422, accepted.text
    assert 'id="name-error"' in accepted.text
    assert (await client.get("/api/v1/auth/me")).status_code == 401  # no account was made
