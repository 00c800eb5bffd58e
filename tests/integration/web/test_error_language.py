"""Problem details and error pages speak the request's language, title and detail alike
(issue 11: "Not found" with a Dutch detail, a Dutch title with an English CSRF message)."""

from __future__ import annotations

from typing import Any

import pytest

from survey.i18n import translations
from tests.integration.assessments.helpers import manager_with_assessment


def said(language: str, message: str) -> str:
    text: str = translations(language).ugettext(message)
    return text


async def problem(client: Any, language: str, method: str, path: str, **kwargs: Any) -> Any:
    response = await client.request(method, path, params={"lang": language}, **kwargs)
    assert response.headers["content-type"].startswith("application/problem+json")
    return response.json()


@pytest.mark.parametrize("language", ["fr", "en"])
async def test_problem_details_are_in_the_language_of_the_request(
    client, db, language: str
) -> None:
    setup = await manager_with_assessment(client, db)
    csrf = {"x-csrftoken": setup.token}
    answers = f"/api/v1/assessments/{setup.assessment_id}/answers/vb-missie"

    missing = await problem(client, language, "GET", "/api/v1/assessments/987654")
    no_token = await problem(client, language, "PUT", answers, json={"value": 3, "revision": 0})
    malformed = await problem(
        client, language, "PUT", answers, json={"revision": "x"}, headers=csrf
    )

    assert missing["title"] == said(language, "Not found")
    assert (no_token["title"], no_token["detail"]) == (
        said(language, "You cannot do this"),
        said(language, "CSRF token missing or wrong: send it in the x-csrftoken header."),
    )
    assert (malformed["status"], malformed["title"], malformed["detail"]) == (
        400,
        said(language, "Something in the request is not right"),
        said(language, "Check what you entered and try again."),
    )
    assert "revision" in malformed["errors"]  # the field is still named


@pytest.mark.parametrize("language", ["fr", "en"])
async def test_an_address_no_route_matches_answers_in_the_browsers_language(
    client, language: str
) -> None:
    browser = {"accept-language": f"{language},nl;q=0.5"}
    unknown = await client.get("/api/v1/no-such-thing", headers=browser)
    wrong_method = await client.delete("/api/v1/rounds", headers=browser)

    assert unknown.status_code == 404
    assert (unknown.json()["title"], unknown.json()["detail"]) == (
        said(language, "Page not found"),
        said(language, "This page does not exist, or you do not have access to it."),
    )
    assert wrong_method.status_code == 405
    assert wrong_method.json()["title"] == said(language, "Something in the request is not right")


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"value": 3}, "Fill this in."),
        ({"value": 3, "revision": 0, "colour": "red"}, "This field is not accepted here."),
    ],
)
async def test_the_message_at_a_field_is_in_the_language_of_the_request(
    client, db, language: str, body: dict[str, Any], message: str
) -> None:
    setup = await manager_with_assessment(client, db)
    answers = f"/api/v1/assessments/{setup.assessment_id}/answers/vb-missie"

    refused = await problem(
        client, language, "PUT", answers, json=body, headers={"x-csrftoken": setup.token}
    )

    assert refused["status"] == 400
    assert list(refused["errors"].values()) == [said(language, message)]
    field = "colour" if "colour" in body else "revision"
    assert field in refused["errors"]


# A stored whole number (an id, a revision) goes up to the largest INTEGER of PostgreSQL.
WHOLE_NUMBER_UP_TO_THE_LARGEST_ID = {
    "nl": "Vul een heel getal in van 0 tot 2.147.483.647.",
    "fr": "Saisissez un nombre entier de 0 à 2\u202f147\u202f483\u202f647.",
    "en": "Enter a whole number from 0 to 2,147,483,647.",
}


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
@pytest.mark.parametrize("revision", [-1, 9223372036854775808, 2**31, "x", 1.5, None])
async def test_a_number_field_of_the_api_says_the_number_it_takes(
    client, db, language: str, revision: Any
) -> None:
    """Whatever is wrong with it (a word, a fraction, too small, too large), the message at a
    number field says the range, as the questionnaire's number fields do."""
    setup = await manager_with_assessment(client, db)
    csrf = {"x-csrftoken": setup.token}
    answers = f"/api/v1/assessments/{setup.assessment_id}/answers/vb-missie"

    refused = await problem(
        client, language, "PUT", answers, json={"value": 3, "revision": revision}, headers=csrf
    )

    assert refused["status"] == 400
    assert refused["errors"] == {"revision": WHOLE_NUMBER_UP_TO_THE_LARGEST_ID[language]}


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
async def test_an_organisation_id_that_is_no_id_says_the_number_it_takes(
    client, db, language: str
) -> None:
    setup = await manager_with_assessment(client, db)
    start = {"questionnaire_id": "cultuursensitief-werken", "round": setup.round.name}

    for organisation_id in ("een", -5):
        refused = await problem(
            client,
            language,
            "POST",
            "/api/v1/assessments",
            json={**start, "organisation_id": organisation_id},
            headers={"x-csrftoken": setup.token},
        )
        assert refused["errors"] == {"organisation_id": WHOLE_NUMBER_UP_TO_THE_LARGEST_ID[language]}
