"""Saving answers: revisions, stale saves, invalid values, in the API and the htmx autosave
(DESIGN §2 Answer, §9 API bodies and Status codes)."""

from __future__ import annotations

import pytest

from tests.factories import post_form
from tests.integration.assessments.helpers import (
    answer,
    api_post,
    checked_values,
    close_round,
    error_fields,
    manager_with_assessment,
    nl,
    put_answer,
    stored_answers,
)


async def test_first_save_gets_revision_1_and_each_save_adds_one(client, db, sessionmaker) -> None:
    a = await manager_with_assessment(client, db)

    first = await put_answer(client, a.token, a.assessment_id, "vb-missie", 2, revision=0)
    second = await put_answer(
        client, a.token, a.assessment_id, "vb-missie", 4, revision=1, comment="  Sinds 2024  "
    )
    state = (await client.get(f"/api/v1/assessments/{a.assessment_id}")).json()

    assert first.status_code == 200 and first.json()["revision"] == 1
    assert second.status_code == 200
    assert {
        k: second.json()[k] for k in ("item_id", "value", "not_applicable", "comment", "revision")
    } == {
        "item_id": "vb-missie",
        "value": 4,
        "not_applicable": False,
        "comment": "Sinds 2024",
        "revision": 2,
    }
    assert second.json()["updated_at"] is not None
    stored = state["response"]["answers"]["vb-missie"]
    assert (stored["value"], stored["comment"], stored["revision"]) == (4, "Sinds 2024", 2)
    assert state["progress"]["answered"] == 1
    assert await stored_answers(sessionmaker, a.assessment_id) == {
        "vb-missie": (4, False, "Sinds 2024", 2)
    }


@pytest.mark.parametrize("stale_revision", [0, 1])
async def test_stale_revision_is_refused_with_the_current_answer(
    client, db, sessionmaker, stale_revision
) -> None:
    a = await manager_with_assessment(client, db)
    await answer(client, a.token, a.assessment_id, "vb-missie", 2)
    await answer(client, a.token, a.assessment_id, "vb-missie", 3, comment="current")
    before = await stored_answers(sessionmaker, a.assessment_id)

    response = await put_answer(
        client, a.token, a.assessment_id, "vb-missie", 5, revision=stale_revision, comment="mine"
    )

    assert response.status_code == 409
    current = response.json()["current"]
    assert (current["item_id"], current["value"], current["comment"], current["revision"]) == (
        "vb-missie",
        3,
        "current",
        2,
    )
    assert await stored_answers(sessionmaker, a.assessment_id) == before


async def test_a_revision_ahead_of_the_stored_one_is_refused_too(client, db, sessionmaker) -> None:
    a = await manager_with_assessment(client, db)
    await answer(client, a.token, a.assessment_id, "vb-missie", 2)

    response = await put_answer(client, a.token, a.assessment_id, "vb-missie", 5, revision=7)

    assert response.status_code == 409
    assert response.json()["current"]["value"] == 2
    assert (await stored_answers(sessionmaker, a.assessment_id))["vb-missie"][0] == 2


async def test_stale_save_on_a_never_saved_item_returns_revision_0(
    client, db, sessionmaker
) -> None:
    a = await manager_with_assessment(client, db)

    response = await put_answer(client, a.token, a.assessment_id, "vb-leiding", 5, revision=3)

    assert response.status_code == 409
    assert response.json()["current"]["revision"] == 0
    assert response.json()["current"]["value"] is None
    assert "vb-leiding" not in await stored_answers(sessionmaker, a.assessment_id)


@pytest.mark.parametrize(
    ("item_id", "body", "field"),
    [
        pytest.param("vb-missie", {"value": 7}, "value", id="level-7"),
        pytest.param("vb-missie", {"value": 0}, "value", id="level-0"),
        pytest.param("vb-missie", {"value": 2.5}, "value", id="level-2.5"),
        pytest.param("vb-opvolging", {"value": "yes"}, "value", id="likert-yes"),
        pytest.param("me-bereik", {"value": "sometimes"}, "value", id="unknown-option"),
        pytest.param("vb-middelen", {"value": "maybe"}, "value", id="maybe-for-yes-partly-no"),
        pytest.param("vb-middelen", {"value": 1}, "value", id="number-for-yes-partly-no"),
        pytest.param(
            "vb-missie",
            {"value": None, "not_applicable": True},
            "not_applicable",
            id="na-not-allowed",
        ),
        pytest.param(
            "vb-missie", {"value": 3, "comment": "x" * 2001}, "comment", id="comment-too-long"
        ),
    ],
)
async def test_invalid_answer_is_400_naming_the_field_and_keeps_the_stored_one(
    client, db, sessionmaker, item_id, body, field
) -> None:
    a = await manager_with_assessment(client, db)
    first = {"vb-missie": 3, "vb-opvolging": 4, "me-bereik": "indruk", "vb-middelen": "partly"}
    await answer(client, a.token, a.assessment_id, item_id, first[item_id], comment="kept")
    before = await stored_answers(sessionmaker, a.assessment_id)

    response = await client.put(
        f"/api/v1/assessments/{a.assessment_id}/answers/{item_id}",
        json={"not_applicable": False, "comment": None, "revision": 1, **body},
        headers={"x-csrftoken": a.token},
    )

    assert response.status_code == 400, response.text
    assert field in error_fields(response.json()), response.json()
    assert await stored_answers(sessionmaker, a.assessment_id) == before
    assert before[item_id] == (first[item_id], False, "kept", 1)


@pytest.mark.parametrize(
    ("item_id", "value"),
    [
        ("vb-middelen", "yes"),
        ("vb-middelen", "no"),
        ("me-bereik", "vergelijken-en-bijsturen"),
        ("vb-opvolging", 1),
        ("vb-missie", 5.0),  # a JSON 5.0 is level 5
    ],
)
async def test_valid_values_of_each_type_are_saved(client, db, item_id, value) -> None:
    a = await manager_with_assessment(client, db)

    response = await put_answer(client, a.token, a.assessment_id, item_id, value)

    assert response.status_code == 200, response.text
    assert response.json()["value"] == value


async def test_not_applicable_where_allowed_is_saved_without_a_value(
    client, db, sessionmaker
) -> None:
    a = await manager_with_assessment(client, db)
    await answer(client, a.token, a.assessment_id, "pb-werving", 4)

    response = await put_answer(
        client, a.token, a.assessment_id, "pb-werving", None, revision=1, not_applicable=True
    )

    assert response.status_code == 200, response.text
    assert (response.json()["value"], response.json()["not_applicable"]) == (None, True)
    assert (await stored_answers(sessionmaker, a.assessment_id))["pb-werving"][:2] == (None, True)


async def test_unknown_item_is_404_and_nothing_is_stored(client, db, sessionmaker) -> None:
    a = await manager_with_assessment(client, db)

    api = await put_answer(client, a.token, a.assessment_id, "no-such-item", 3)
    htmx = await client.post(
        f"/assessments/{a.assessment_id}/answers/no-such-item",
        data={"answer-no-such-item": "3", "revision-no-such-item": "0"},
        headers={"HX-Request": "true", "x-csrftoken": a.token},
    )

    assert (api.status_code, htmx.status_code) == (404, 404)
    assert await stored_answers(sessionmaker, a.assessment_id) == {}


async def test_answer_needs_the_csrf_header(client, db, sessionmaker) -> None:
    a = await manager_with_assessment(client, db)

    response = await client.put(
        f"/api/v1/assessments/{a.assessment_id}/answers/vb-missie",
        json={"value": 3, "revision": 0},
    )

    assert response.status_code == 403
    assert await stored_answers(sessionmaker, a.assessment_id) == {}


async def test_submitted_assessment_refuses_answers_until_reopened(
    client, db, sessionmaker
) -> None:
    a = await manager_with_assessment(client, db)
    await answer(client, a.token, a.assessment_id, "vb-missie", 3)
    await api_post(client, a.token, f"/api/v1/assessments/{a.assessment_id}/submit")

    refused = await put_answer(client, a.token, a.assessment_id, "vb-missie", 5, revision=1)
    state = (await client.get(f"/api/v1/assessments/{a.assessment_id}")).json()
    await api_post(client, a.token, f"/api/v1/assessments/{a.assessment_id}/reopen")
    accepted = await put_answer(client, a.token, a.assessment_id, "vb-missie", 5, revision=1)

    assert refused.status_code == 409
    assert state["can_edit"] is False
    assert accepted.status_code == 200
    assert (await stored_answers(sessionmaker, a.assessment_id))["vb-missie"][::3] == (5, 2)


async def test_closed_round_refuses_answers_submit_and_reopen(client, db, sessionmaker) -> None:
    a = await manager_with_assessment(client, db)
    other = "vb-leiding"
    await answer(client, a.token, a.assessment_id, "vb-missie", 3)
    base = f"/api/v1/assessments/{a.assessment_id}"
    await close_round(sessionmaker, a.round.id)

    answering = await put_answer(client, a.token, a.assessment_id, other, 4)
    submitting = await api_post(client, a.token, f"{base}/submit")
    state = (await client.get(base)).json()

    assert (answering.status_code, submitting.status_code) == (409, 409)
    assert state["state"] == "draft" and state["can_edit"] is False
    assert other not in await stored_answers(sessionmaker, a.assessment_id)


async def test_submitted_assessment_cannot_be_reopened_after_the_round_closed(
    client, db, sessionmaker
) -> None:
    a = await manager_with_assessment(client, db)
    await answer(client, a.token, a.assessment_id, "vb-missie", 3)
    base = f"/api/v1/assessments/{a.assessment_id}"
    assert (await api_post(client, a.token, f"{base}/submit")).status_code == 200
    await close_round(sessionmaker, a.round.id)

    api = await api_post(client, a.token, f"{base}/reopen")

    page = await post_form(client, f"/assessments/{a.assessment_id}/reopen")
    result = await client.get(f"/assessments/{a.assessment_id}/result")

    assert (api.status_code, page.status_code) == (409, 409)
    assert (await client.get(base)).json()["state"] == "submitted"
    assert result.status_code == 200
    assert f'action="/assessments/{a.assessment_id}/reopen"' not in result.text


# --- htmx autosave of one item ---------------------------------------------------------


def _htmx(token: str) -> dict[str, str]:
    return {"HX-Request": "true", "x-csrftoken": token}


async def test_autosave_saves_and_returns_the_question_marked_saved(
    client, db, sessionmaker
) -> None:
    a = await manager_with_assessment(client, db)

    response = await client.post(
        f"/assessments/{a.assessment_id}/answers/vb-missie",
        data={"answer-vb-missie": "4", "revision-vb-missie": "0", "comment-vb-missie": "Zie plan"},
        headers=_htmx(a.token),
    )

    assert response.status_code == 200, response.text
    html = response.text
    assert "<html" not in html  # a fragment, not a page
    assert 'id="q-vb-missie"' in html
    assert nl("Saved") == "Bewaard"  # the Dutch catalogue's word for it
    assert 'id="status-vb-missie" role="status">Bewaard</p>' in html
    assert checked_values(html, "vb-missie") == ["4"]
    assert 'name="revision-vb-missie" value="1"' in html  # the next save builds on revision 1
    # the progress of the part and of the whole questionnaire are updated out of band
    assert 'id="progress-visie-en-beleid" hx-swap-oob="true"' in html
    assert nl("%(answered)s of %(total)s", answered=1, total=7) in html
    assert await stored_answers(sessionmaker, a.assessment_id) == {
        "vb-missie": (4, False, "Zie plan", 1)
    }


async def test_autosave_on_a_stale_revision_is_409_and_shows_the_current_answer(
    client, db, sessionmaker
) -> None:
    a = await manager_with_assessment(client, db)
    await answer(client, a.token, a.assessment_id, "vb-missie", 2)
    await answer(client, a.token, a.assessment_id, "vb-missie", 4)  # someone else: revision 2
    before = await stored_answers(sessionmaker, a.assessment_id)

    response = await client.post(
        f"/assessments/{a.assessment_id}/answers/vb-missie",
        data={"answer-vb-missie": "5", "revision-vb-missie": "1", "comment-vb-missie": ""},
        headers=_htmx(a.token),
    )

    assert response.status_code == 409
    html = response.text
    assert checked_values(html, "vb-missie") == ["4"]  # the current value, not mine
    assert 'name="revision-vb-missie" value="2"' in html  # a new try builds on the current one
    assert (
        nl("Someone else changed this answer in the meantime. The current answer is shown.") in html
    )
    assert nl("Not saved") in html
    assert await stored_answers(sessionmaker, a.assessment_id) == before


@pytest.mark.parametrize(
    ("item_id", "value"),
    [("vb-missie", "7"), ("vb-missie", "na"), ("vb-middelen", "maybe"), ("me-bereik", "elke-dag")],
)
async def test_autosave_of_an_invalid_value_is_422_and_keeps_the_stored_one(
    client, db, sessionmaker, item_id, value
) -> None:
    a = await manager_with_assessment(client, db)
    first = {"vb-missie": 3, "vb-middelen": "partly", "me-bereik": "indruk"}[item_id]
    await answer(client, a.token, a.assessment_id, item_id, first)
    before = await stored_answers(sessionmaker, a.assessment_id)

    response = await client.post(
        f"/assessments/{a.assessment_id}/answers/{item_id}",
        data={f"answer-{item_id}": value, f"revision-{item_id}": "1", f"comment-{item_id}": ""},
        headers=_htmx(a.token),
    )

    assert response.status_code == 422
    assert f'id="error-{item_id}"' in response.text
    assert await stored_answers(sessionmaker, a.assessment_id) == before
