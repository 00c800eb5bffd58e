"""Who may see and change an assessment (DESIGN §1, §9 Status codes).

Another organisation's assessment is "not found" at every URL, in the UI and the API,
and probing it changes nothing; a respondent of the organisation reads but does not
change it.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from survey.accounts.models import Provider, Role
from survey.audit.models import AuditEvent
from tests.factories import (
    api_login,
    csrf_token,
    make_organisation,
    make_round,
    make_user,
    post_form,
)
from tests.integration.assessments.helpers import (
    QUESTIONNAIRE,
    ROUND,
    answer,
    api_post,
    assessments_of,
    manager_with_assessment,
    stored_answers,
    stored_state,
)

DIMENSION = "visie-en-beleid"
ITEM = "vb-missie"

# (label, state A's assessment is in, method, path, kind). The state is the one in which
# the request would change something if access leaked: a draft can be answered and
# submitted, a submitted one can be reopened and has a result.
# Paths: {a} is A's assessment id, {org} A's organisation id.
URLS: list[tuple[str, str, str, str, str]] = [
    ("ui overview", "draft", "GET", "/assessments/{a}", "page"),
    ("ui dimension page", "draft", "GET", f"/assessments/{{a}}/dimensions/{DIMENSION}", "page"),
    ("ui dimension form", "draft", "POST", f"/assessments/{{a}}/dimensions/{DIMENSION}", "form"),
    ("ui autosave", "draft", "POST", f"/assessments/{{a}}/answers/{ITEM}", "htmx"),
    ("ui answer form", "draft", "POST", f"/assessments/{{a}}/answers/{ITEM}", "form"),
    ("ui submit", "draft", "POST", "/assessments/{a}/submit", "form"),
    ("ui reopen", "submitted", "POST", "/assessments/{a}/reopen", "form"),
    ("ui result", "submitted", "GET", "/assessments/{a}/result", "page"),
    ("ui start in A", "draft", "POST", "/organisations/{org}/assessments", "start-form"),
    ("api read", "draft", "GET", "/api/v1/assessments/{a}", "api"),
    ("api answer", "draft", "PUT", f"/api/v1/assessments/{{a}}/answers/{ITEM}", "api"),
    ("api submit", "draft", "POST", "/api/v1/assessments/{a}/submit", "api"),
    ("api reopen", "submitted", "POST", "/api/v1/assessments/{a}/reopen", "api"),
    ("api result", "submitted", "GET", "/api/v1/assessments/{a}/result", "api"),
    ("api start in A", "draft", "POST", "/api/v1/assessments", "api-start"),
    ("api list of A", "draft", "GET", "/api/v1/organisations/{org}/assessments", "api"),
]


async def _a_with_answers(client: Any, db: Any, state: str) -> Any:
    """Organisation A with an assessment: two answers, then submitted if asked."""
    a = await manager_with_assessment(client, db)
    await answer(client, a.token, a.assessment_id, ITEM, 3, comment="A's own comment")
    await answer(client, a.token, a.assessment_id, "vb-middelen", "partly")
    if state == "submitted":
        assert (
            await api_post(client, a.token, f"/api/v1/assessments/{a.assessment_id}/submit")
        ).status_code == 200
    return a


async def _snapshot(sessionmaker: Any, a: Any) -> tuple[Any, ...]:
    async with sessionmaker() as check:
        events = await check.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.organisation_id == a.organisation.id)
        )
    return (
        await stored_answers(sessionmaker, a.assessment_id),
        await stored_state(sessionmaker, a.assessment_id),
        await assessments_of(sessionmaker, a.organisation.id),
        events,
    )


async def _request(
    client: Any,
    token: str,
    method: str,
    path: str,
    kind: str,
    organisation_id: int,
    round_name: str = ROUND,
) -> Any:
    form = {
        "_csrf_token": await csrf_token(client),
        f"answer-{ITEM}": "5",
        f"revision-{ITEM}": "1",
        f"comment-{ITEM}": "written by B",
    }
    if kind == "page":
        return await client.request(method, path)
    if kind == "form":
        return await client.post(path, data=form)
    if kind == "htmx":
        return await client.post(
            path, data=form, headers={"HX-Request": "true", "x-csrftoken": token}
        )
    if kind == "start-form":
        return await post_form(
            client, path, data={"questionnaire_id": QUESTIONNAIRE, "round": round_name}
        )
    headers = {"x-csrftoken": token}
    if kind == "api-start":
        body = {
            "organisation_id": organisation_id,
            "questionnaire_id": QUESTIONNAIRE,
            "round": round_name,
        }
        return await client.post(path, json=body, headers=headers)
    if method == "PUT":
        body = {"value": 5, "not_applicable": False, "comment": "written by B", "revision": 1}
        return await client.put(path, json=body, headers=headers)
    return await client.request(method, path, headers=headers)


@pytest.mark.parametrize(
    ("state", "method", "path", "kind"),
    [pytest.param(*case[1:], id=case[0]) for case in URLS],
)
async def test_manager_of_another_organisation_gets_404_and_changes_nothing(
    client, db, sessionmaker, state, method, path, kind
) -> None:
    a = await _a_with_answers(client, db, state)
    organisation_b = await make_organisation(db, name="Organisation B")
    manager_b = await make_user(db, Role.MANAGER, organisation_b)
    before = await _snapshot(sessionmaker, a)
    token_b = await api_login(client, manager_b)
    assert (await client.get("/api/v1/auth/me")).json()["email"] == manager_b.email

    response = await _request(
        client,
        token_b,
        method,
        path.format(a=a.assessment_id, org=a.organisation.id),
        kind,
        a.organisation.id,
    )

    assert response.status_code == 404, response.text
    assert a.organisation.name not in response.text
    assert "A's own comment" not in response.text
    assert await _snapshot(sessionmaker, a) == before


async def test_unknown_assessment_is_404_like_another_organisations(client, db) -> None:
    a = await manager_with_assessment(client, db)
    missing = a.assessment_id + 1000

    api = await client.get(f"/api/v1/assessments/{missing}")
    page = await client.get(f"/assessments/{missing}")

    assert (api.status_code, page.status_code) == (404, 404)


async def test_not_logged_in_gets_401_from_the_api_and_the_login_page_in_the_ui(
    client, db, sessionmaker
) -> None:
    a = await manager_with_assessment(client, db)
    await answer(client, a.token, a.assessment_id, ITEM, 2)
    await client.post("/api/v1/auth/logout", headers={"x-csrftoken": a.token})

    api = await client.get(f"/api/v1/assessments/{a.assessment_id}")
    page = await client.get(f"/assessments/{a.assessment_id}")

    assert api.status_code == 401
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    assert (await stored_answers(sessionmaker, a.assessment_id))[ITEM][0] == 2


# Respondents of the organisation: (label, state, method, path, kind, status for the manager)
RESPONDENT_CHANGES = [
    ("api answer", "draft", "PUT", f"/api/v1/assessments/{{a}}/answers/{ITEM}", "api", 200),
    ("api submit", "draft", "POST", "/api/v1/assessments/{a}/submit", "api", 200),
    ("api reopen", "submitted", "POST", "/api/v1/assessments/{a}/reopen", "api", 200),
    ("api start", "draft", "POST", "/api/v1/assessments", "api-start", 201),
    (
        "ui dimension form",
        "draft",
        "POST",
        f"/assessments/{{a}}/dimensions/{DIMENSION}",
        "form",
        303,
    ),
    ("ui autosave", "draft", "POST", f"/assessments/{{a}}/answers/{ITEM}", "htmx", 200),
    ("ui submit", "draft", "POST", "/assessments/{a}/submit", "form", 303),
    ("ui reopen", "submitted", "POST", "/assessments/{a}/reopen", "form", 303),
    ("ui start", "draft", "POST", "/organisations/{org}/assessments", "start-form", 303),
]


@pytest.mark.parametrize(
    ("state", "method", "path", "kind", "manager_status"),
    [pytest.param(*case[1:], id=case[0]) for case in RESPONDENT_CHANGES],
)
async def test_respondent_cannot_change_the_assessment(
    client, db, sessionmaker, state, method, path, kind, manager_status
) -> None:
    a = await _a_with_answers(client, db, state)
    await make_round(db, "2027")  # starting: a round the organisation has no assessment in
    respondent = await make_user(db, Role.RESPONDENT, a.organisation)
    url = path.format(a=a.assessment_id, org=a.organisation.id)
    before = await _snapshot(sessionmaker, a)
    token = await api_login(client, respondent)

    response = await _request(client, token, method, url, kind, a.organisation.id, "2027")

    assert response.status_code == 403, response.text
    assert await _snapshot(sessionmaker, a) == before
    # the very same request from the manager is accepted: the refusal is about the role
    token = await api_login(client, a.manager)
    accepted = await _request(client, token, method, url, kind, a.organisation.id, "2027")
    assert accepted.status_code == manager_status, accepted.text


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/assessments/{a}", 403),
        ("/api/v1/assessments/{a}/result", 403),
        ("/api/v1/organisations/{org}/assessments", 200),
        ("/assessments/{a}", 403),
        (f"/assessments/{{a}}/dimensions/{DIMENSION}", 403),
        ("/assessments/{a}/result", 403),
    ],
)
async def test_a_respondent_not_invited_sees_the_list_but_not_the_assessment(
    client, db, path, status
) -> None:
    """Respondents see their own response only (DESIGN §1); the organisation's consolidated
    answers and scores are the manager's. Own organisation, role not allowed: 403 (§9)."""
    a = await _a_with_answers(client, db, "submitted")
    respondent = await make_user(db, Role.RESPONDENT, a.organisation)
    await api_login(client, respondent)

    response = await client.get(path.format(a=a.assessment_id, org=a.organisation.id))

    assert response.status_code == status, response.text
    assert "A&#39;s own comment" not in response.text and "A's own comment" not in response.text


@pytest.mark.parametrize(
    ("role", "provider"),
    [(Role.COACH, Provider.AGENTSCHAP), (Role.COACH, Provider.HUIS), (Role.ANALYST, None)],
)
async def test_staff_without_a_share_cannot_see_one_organisations_assessment(
    client, db, role, provider
) -> None:
    a = await _a_with_answers(client, db, "submitted")
    staff = await make_user(db, role, provider=provider)
    await api_login(client, staff)

    responses = [
        await client.get(f"/api/v1/assessments/{a.assessment_id}"),
        await client.get(f"/api/v1/assessments/{a.assessment_id}/result"),
        await client.get(f"/api/v1/organisations/{a.organisation.id}/assessments"),
        await client.get(f"/assessments/{a.assessment_id}"),
        await client.get(f"/assessments/{a.assessment_id}/result"),
    ]

    assert [r.status_code for r in responses] == [404] * 5


async def test_form_posts_without_the_csrf_token_are_refused(client, db, sessionmaker) -> None:
    a = await _a_with_answers(client, db, "draft")
    before = await _snapshot(sessionmaker, a)
    form = {f"answer-{ITEM}": "5", f"revision-{ITEM}": "1"}

    responses = [
        await client.post(f"/assessments/{a.assessment_id}/dimensions/{DIMENSION}", data=form),
        await client.post(
            f"/assessments/{a.assessment_id}/answers/{ITEM}",
            data=form,
            headers={"HX-Request": "true"},
        ),
        await client.post(f"/assessments/{a.assessment_id}/submit", data={}),
        await client.put(
            f"/api/v1/assessments/{a.assessment_id}/answers/{ITEM}",
            json={"value": 5, "revision": 1},
        ),
        await client.post(f"/api/v1/assessments/{a.assessment_id}/submit"),
    ]

    assert [r.status_code for r in responses] == [403] * 5
    assert await _snapshot(sessionmaker, a) == before
