"""Bad input never gives a server error: ids beyond the database's range are "not found",
NUL characters and malformed bodies are refused as invalid input (issue 11)."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.routes import HTTPRoute

from survey.accounts.models import Role
from survey.organisations.models import Organisation
from tests.factories import api_login, csrf_token, make_organisation, make_user
from tests.integration.assessments.helpers import (
    error_fields,
    form_fields,
    html_escape,
    manager_with_assessment,
    nl,
    put_answer,
)

ITEM = "vb-missie"
NUL_MESSAGE = "This contains a character that is not allowed (NUL). Remove it and try again."
# Beyond a 64-bit integer (OverflowError on SQLite) and beyond a 32-bit one (PostgreSQL).
HUGE_IDS = ["9223372036854775808", "2147483648", "99999999999999999999999"]


def fill(path_format: str, route: HTTPRoute, huge: str) -> str:
    values = {p.name: huge if p.type is int else ITEM for p in route.path_parameters.values()}
    return path_format.format(**values)


async def test_every_route_with_an_id_answers_not_found_for_an_id_beyond_the_database(
    client: Any, db: Any, app: Any
) -> None:
    setup = await manager_with_assessment(client, db)
    routes = [r for r in app.routes if isinstance(r, HTTPRoute)]
    checked = 0
    for route in routes:
        if not any(p.type is int for p in route.path_parameters.values()):
            continue
        for method in sorted(route.methods - {"OPTIONS", "HEAD"}):
            for huge in HUGE_IDS:
                path = fill(route.path_format, route, huge)
                response = await client.request(
                    method, path, headers={"x-csrftoken": setup.token}, json={}
                )
                assert response.status_code == 404, (method, path, response.text[:300])
                if path.startswith("/api/"):
                    assert response.headers["content-type"].startswith("application/problem+json")
                else:
                    assert response.headers["content-type"].startswith("text/html")
                checked += 1
    assert checked >= 3 * 30  # the app has some 30 operations with ids


async def test_a_revision_beyond_the_database_is_invalid_input_naming_the_field(
    client: Any, db: Any
) -> None:
    setup = await manager_with_assessment(client, db)

    response = await put_answer(
        client, setup.token, setup.assessment_id, ITEM, 3, revision=9223372036854775808
    )

    assert response.status_code == 400, response.text
    assert "revision" in error_fields(response.json())


async def test_an_organisation_id_beyond_the_database_is_invalid_input_naming_the_field(
    client: Any, db: Any
) -> None:
    setup = await manager_with_assessment(client, db)

    response = await client.post(
        "/api/v1/assessments",
        json={
            "organisation_id": 2147483648,
            "questionnaire_id": "cultuursensitief-werken",
            "round": "2026",
        },
        headers={"x-csrftoken": setup.token},
    )

    assert response.status_code == 400, response.text
    assert "organisation_id" in error_fields(response.json())


@pytest.mark.parametrize(
    ("path", "field", "body"),
    [
        ("answers", "comment", {"value": 3, "revision": 0, "comment": "a\x00b"}),
        ("answers", "value", {"value": "a\x00b", "revision": 0}),
        ("evidence", "note", {"kind": "note", "note": "a\x00b"}),
        ("evidence", "url", {"kind": "link", "url": "https://example.org/\x00"}),
    ],
)
async def test_a_nul_character_in_an_api_body_is_invalid_input_naming_the_field(
    client: Any, db: Any, path: str, field: str, body: dict[str, Any]
) -> None:
    setup = await manager_with_assessment(client, db)
    url = (
        f"/api/v1/assessments/{setup.assessment_id}/answers/{ITEM}"
        if path == "answers"
        else f"/api/v1/assessments/{setup.assessment_id}/evidence/{ITEM}"
    )

    response = await client.request(
        "PUT" if path == "answers" else "POST",
        url,
        json=body,
        headers={"x-csrftoken": setup.token},
    )

    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in error_fields(response.json())


async def test_a_nul_character_in_the_login_is_refused_like_a_wrong_login(
    client: Any, db: Any
) -> None:
    organisation = await make_organisation(db)
    user = await make_user(db, Role.MANAGER, organisation)

    api = await client.post(
        "/api/v1/auth/login", json={"email": user.email + "\x00", "password": "x\x00"}
    )
    token = await csrf_token(client)
    page = await client.post(
        "/login",
        data={"email": user.email + "\x00", "password": "x", "_csrf_token": token},
    )

    assert api.status_code in (400, 401), api.text
    assert api.headers["content-type"].startswith("application/problem+json")
    if api.status_code == 400:
        assert "email" in error_fields(api.json())
    # the login form again, with its usual message (no account has such an address)
    assert page.status_code == 422, page.text
    assert html_escape(nl("The e-mail address or password is not right.")) in page.text
    assert 'name="password"' in page.text


async def test_a_nul_character_in_an_html_form_is_refused(
    client: Any, db: Any, sessionmaker: Any
) -> None:
    setup = await manager_with_assessment(client, db)

    response = await client.post(
        f"/organisations/{setup.organisation.id}/edit",
        data={
            "name": "Bad\x00name",
            "enterprise_number": setup.organisation.enterprise_number,
            "sector": "sport",
            "size_band": "1-9",
            "municipality": "21001",
        },
        headers={"x-csrftoken": setup.token},
    )

    # the profile form again, the message at the name field and the typed values kept
    assert response.status_code == 422, response.text
    assert f'<p class="field-error" id="name-error">{html_escape(nl(NUL_MESSAGE))}</p>' in (
        response.text
    )
    assert 'name="enterprise_number"' in response.text
    async with sessionmaker() as check:
        stored = await check.get(Organisation, setup.organisation.id)
    assert stored is not None and stored.name == setup.organisation.name


async def test_a_nul_character_in_an_answer_or_comment_is_refused_at_the_question(
    client: Any, db: Any
) -> None:
    setup = await manager_with_assessment(client, db)
    path = f"/assessments/{setup.assessment_id}/dimensions/visie-en-beleid"
    form = form_fields((await client.get(path)).text, path)
    form.update({"answer-vb-missie": "3", "comment-vb-missie": "Zie\x00bijlage"})

    saved = await client.post(path, data=form)

    # the part again, the message at the question, nothing saved
    assert saved.status_code == 422, saved.text
    assert (
        f'<p class="field-error" id="error-vb-missie" role="alert">{html_escape(nl(NUL_MESSAGE))}'
        in saved.text
    )
    stored = (await client.get(f"/api/v1/assessments/{setup.assessment_id}")).json()
    assert "vb-missie" not in stored["response"]["answers"]


async def test_a_nul_character_in_an_evidence_note_is_refused_at_the_field(
    client: Any, db: Any
) -> None:
    setup = await manager_with_assessment(client, db)
    path = f"/assessments/{setup.assessment_id}/evidence/vb-missie"

    response = await client.post(
        path,
        data={"kind": "note", "note": "Zie\x00bijlage", "_csrf_token": setup.token},
    )

    assert response.status_code == 422, response.text
    assert f'id="note-error">{html_escape(nl(NUL_MESSAGE))}</p>' in response.text
    listed = (await client.get(f"/api/v1/assessments/{setup.assessment_id}/evidence")).json()
    assert listed == []  # nothing stored


async def test_a_nul_character_in_a_query_string_is_invalid_input_naming_it(
    client: Any, db: Any
) -> None:
    admin = await make_user(db, Role.ADMIN)
    await api_login(client, admin)

    response = await client.get(
        "/api/v1/questionnaires/cultuursensitief-werken/quality", params={"round": "2026\x00"}
    )

    assert response.status_code == 400, response.text
    assert "round" in error_fields(response.json())


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", b"[" * 1100 + b"]" * 1100),
        ("application/json", b'{"email": "\xff\xfe", "password": "x"}'),
        ("application/x-www-form-urlencoded", b"email=%ff%fe&password=x"),
        ("application/x-www-form-urlencoded", b"email=\xff\xfe&password=x"),
    ],
)
@pytest.mark.parametrize("path", ["/api/v1/auth/login", "/login"])
async def test_a_malformed_body_is_a_bad_request_without_logging_in(
    client: Any, content_type: str, body: bytes, path: str
) -> None:
    headers = {"content-type": content_type}
    if path == "/login":
        headers["x-csrftoken"] = await csrf_token(client)

    response = await client.post(path, content=body, headers=headers)

    form = content_type.endswith("urlencoded")
    # The HTML login shows its usual failure; the API login takes JSON only (415 before decoding).
    expected = (422 if path == "/login" else 415) if form else 400
    assert response.status_code == expected, response.text[:300]


async def test_the_api_document_says_what_the_api_answers(client: Any) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    paths = document["paths"]

    upload = paths["/api/v1/assessments/{assessment_id}/evidence/{item_id}/file"]["post"]
    upload_schema = upload["requestBody"]["content"]["multipart/form-data"]["schema"]
    if "$ref" in upload_schema:
        upload_schema = document["components"]["schemas"][upload_schema["$ref"].split("/")[-1]]
    removal = paths["/api/v1/assessments/{assessment_id}/evidence/{evidence_id}"]["delete"]
    answer = paths["/api/v1/assessments/{assessment_id}/answers/{item_id}"]["put"]
    login = paths["/api/v1/auth/login"]["post"]

    assert set(upload_schema["properties"]) == {"file"}
    assert "content" not in removal["responses"]["204"]
    assert set(answer["responses"]) >= {"200", "400", "401", "403", "404", "409", "415"}
    assert set(login["responses"]) >= {"200", "400", "401", "415", "429"}
    assert "415" not in upload["responses"]  # a multipart form, not JSON
    for status in ("400", "401", "403", "404", "409"):
        assert set(answer["responses"][status]["content"]) == {"application/problem+json"}
    assert "Problem" in document["components"]["schemas"]
    quality = paths["/api/v1/questionnaires/{questionnaire_id}/quality"]["get"]
    texts = [p["schema"] for p in quality["parameters"]]
    texts += [s for p in quality["parameters"] for s in p["schema"].get("oneOf", [])]
    assert all(s.get("pattern") for s in texts if s.get("type") == "string")
