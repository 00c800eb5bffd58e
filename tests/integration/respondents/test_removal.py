"""Removing a respondent who accepted: they lose access, their own answers and evidence go, the
organisation's answers stay (DESIGN §1, §2)."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape as html_escape
from typing import Any

from sqlalchemy import select

from survey.accounts.models import Membership, Role
from survey.assessments.models import Response
from survey.audit.models import AuditEvent
from survey.respondents.models import Invitation
from tests.factories import (
    PASSWORD,
    api_login,
    login,
    make_organisation,
    make_user,
    post_form,
)
from tests.integration.assessments.helpers import (
    Setup,
    answer,
    api_post,
    manager_with_assessment,
    nl,
)
from tests.integration.evidence.test_evidence import PDF, stored_files, upload
from tests.integration.respondents.helpers import (
    invite,
    join,
    link_in,
    outbox_messages,
)


@dataclass
class WithRespondent:
    setup: Setup
    invitation_id: int


async def respondent_with_answers(client: Any, db: Any, settings: Any) -> WithRespondent:
    """A manager's assessment with one accepted respondent who answered, uploaded a file and
    submitted; the manager took the answer over (manager logged in through the API)."""
    setup = await manager_with_assessment(client, db)
    token = await join(client, settings, setup.token, setup.assessment_id)
    await answer(client, token, setup.assessment_id, "vb-missie", 2)
    assert (await upload(client, token, setup.assessment_id, "plan.pdf", PDF)).status_code == 303
    submitted = await api_post(client, token, f"/api/v1/assessments/{setup.assessment_id}/submit")
    assert submitted.status_code == 200, submitted.text
    setup.token = await api_login(client, setup.manager)
    prefilled = await client.post(
        f"/api/v1/assessments/{setup.assessment_id}/consolidation/prefill",
        json={"overwrite": False},
        headers={"x-csrftoken": setup.token},
    )
    assert prefilled.json()["changed"] == 1
    listed = (await client.get(f"/api/v1/assessments/{setup.assessment_id}/respondents")).json()
    return WithRespondent(setup, listed[0]["invitation_id"])


async def respondent_login(client: Any) -> str:
    client.cookies.clear()
    logged_in = await client.post(
        "/api/v1/auth/login", json={"email": "sara@example.org", "password": PASSWORD}
    )
    assert logged_in.status_code == 200, logged_in.text
    token: str = logged_in.json()["csrf_token"]
    return token


async def test_the_manager_removes_a_respondent_and_their_own_answers_and_files_go(
    client, db, settings, sessionmaker
) -> None:
    arranged = await respondent_with_answers(client, db, settings)
    setup, invitation_id = arranged.setup, arranged.invitation_id
    assert len(stored_files(settings)) == 1
    await login(client, setup.manager)
    page = await client.get(f"/assessments/{setup.assessment_id}/respondents")
    assert nl("Remove %(name)s", name="Sara Janssens") in page.text

    removed = await post_form(
        client, f"/assessments/{setup.assessment_id}/respondents/{invitation_id}/remove"
    )
    assert removed.status_code == 303

    listed = (await client.get(f"/api/v1/assessments/{setup.assessment_id}/respondents")).json()
    assert listed[0]["state"] == "removed"
    assert (await client.get(f"/api/v1/assessments/{setup.assessment_id}/consolidation")).json()[
        "submitted_responses"
    ] == 0
    # the organisation's answer, taken over before, stays
    own = (await client.get(f"/api/v1/assessments/{setup.assessment_id}")).json()
    assert own["response"]["answers"]["vb-missie"]["value"] == 2
    assert stored_files(settings) == []  # the evidence file went after the commit
    async with sessionmaker() as check:
        invitation = await check.get(Invitation, invitation_id)
        assert invitation is not None and invitation.user_id is not None
        responses = list(
            await check.scalars(
                select(Response).where(Response.respondent_id == invitation.user_id)
            )
        )
        memberships = list(
            await check.scalars(
                select(Membership).where(
                    Membership.user_id == invitation.user_id, Membership.role == Role.RESPONDENT
                )
            )
        )
        actions = list(await check.scalars(select(AuditEvent.action)))
    assert responses == []
    assert memberships == []
    assert "respondent.remove" in actions

    # the person can still log in, but is no longer part of the organisation's assessment
    await respondent_login(client)
    assert (await client.get(f"/api/v1/assessments/{setup.assessment_id}")).status_code == 404
    assert (await client.get(f"/assessments/{setup.assessment_id}")).status_code == 404


async def test_removing_through_the_api_twice_is_harmless(client, db, settings) -> None:
    arranged = await respondent_with_answers(client, db, settings)
    setup, invitation_id = arranged.setup, arranged.invitation_id
    path = f"/api/v1/assessments/{setup.assessment_id}/respondents/{invitation_id}"
    first = await client.delete(path, headers={"x-csrftoken": setup.token})
    assert first.status_code == 204, first.text
    again = await client.delete(path, headers={"x-csrftoken": setup.token})
    assert again.status_code == 204
    listed = (await client.get(f"/api/v1/assessments/{setup.assessment_id}/respondents")).json()
    assert [row["state"] for row in listed] == ["removed"]


async def test_an_invitation_not_yet_accepted_is_withdrawn_not_removed(client, db) -> None:
    setup = await manager_with_assessment(client, db)
    invited = await invite(client, setup.token, setup.assessment_id, "bert@example.org")
    invitation_id = invited.json()["invitation_id"]
    refused = await client.delete(
        f"/api/v1/assessments/{setup.assessment_id}/respondents/{invitation_id}",
        headers={"x-csrftoken": setup.token},
    )
    assert refused.status_code == 409
    assert refused.json()["detail"] == nl(
        "This invitation was not accepted yet: withdraw it instead."
    )


async def test_only_the_organisations_manager_removes(client, db, settings) -> None:
    arranged = await respondent_with_answers(client, db, settings)
    setup, invitation_id = arranged.setup, arranged.invitation_id
    path = f"/api/v1/assessments/{setup.assessment_id}/respondents/{invitation_id}"

    other_organisation = await make_organisation(db)
    stranger = await make_user(db, Role.MANAGER, other_organisation)
    stranger_token = await api_login(client, stranger)
    assert (await client.delete(path, headers={"x-csrftoken": stranger_token})).status_code == 404

    respondent_token = await respondent_login(client)
    assert (await client.delete(path, headers={"x-csrftoken": respondent_token})).status_code == 403

    manager_token = await api_login(client, setup.manager)
    unknown = f"/api/v1/assessments/{setup.assessment_id}/respondents/999999"
    assert (await client.delete(unknown, headers={"x-csrftoken": manager_token})).status_code == 404
    listed = (await client.get(f"/api/v1/assessments/{setup.assessment_id}/respondents")).json()
    assert listed[0]["state"] == "submitted"  # nothing was removed by the refused attempts


async def test_a_removed_person_can_be_invited_again_and_their_old_link_says_withdrawn(
    client, db, settings
) -> None:
    arranged = await respondent_with_answers(client, db, settings)
    setup = arranged.setup
    old_link = link_in(outbox_messages(settings)[0])
    removed = await client.delete(
        f"/api/v1/assessments/{setup.assessment_id}/respondents/{arranged.invitation_id}",
        headers={"x-csrftoken": setup.token},
    )
    assert removed.status_code == 204

    again = await invite(client, setup.token, setup.assessment_id, "sara@example.org")
    assert again.status_code == 201, again.text
    assert again.json()["state"] == "invited"

    client.cookies.clear()
    page = await client.get(old_link)
    assert page.status_code == 410
    assert (
        html_escape(
            nl("This invitation was withdrawn. Ask the manager of the organisation for a new one.")
        )
        in page.text
    )
